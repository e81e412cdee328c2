from django.urls import path

from portal.http_cache import public_page

from . import views

app_name = "laws"

urlpatterns = [
    path(
        "countries/<iso:iso_code>/legislation/",
        public_page(views.country_legislation),
        name="country-legislation",
    ),
    path("laws/", public_page(views.ProvisionListView.as_view()), name="provision-list"),
    path("laws/compare/", public_page(views.compare), name="compare"),
    path(
        "laws/<slug:act>/<slug:slug>/",
        public_page(views.ProvisionDetailView.as_view()),
        name="provision-detail",
    ),
]
