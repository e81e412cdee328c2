from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "laws"

urlpatterns = [
    path(
        "countries/<str:iso_code>/legislation/",
        views.country_legislation,
        name="country-legislation",
    ),
    path("laws/", views.ProvisionListView.as_view(), name="provision-list"),
    # The legal comparison is part of the one compare page; old links keep their countries.
    path(
        "laws/compare/",
        RedirectView.as_view(pattern_name="compare", permanent=True, query_string=True),
    ),
    path(
        "laws/<slug:act>/<slug:slug>/",
        views.ProvisionDetailView.as_view(),
        name="provision-detail",
    ),
]
