from django.urls import path

from . import views

app_name = "laws"

urlpatterns = [
    path(
        "countries/<iso:iso_code>/legislation/",
        views.country_legislation,
        name="country-legislation",
    ),
    path("laws/", views.ProvisionListView.as_view(), name="provision-list"),
    path("laws/compare/", views.compare, name="compare"),
    path(
        "laws/<slug:act>/<slug:slug>/",
        views.ProvisionDetailView.as_view(),
        name="provision-detail",
    ),
]
