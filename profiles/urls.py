from django.urls import path

from portal.page_cache import cache_public_page

from . import views

app_name = "profiles"

urlpatterns = [
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path(
        "countries/<iso:iso_code>/",
        cache_public_page(views.CountryDetailView.as_view()),
        name="country-detail",
    ),
    path("initiatives/", views.InitiativeListView.as_view(), name="initiative-list"),
    path(
        "initiatives/<slug:slug>/", views.InitiativeDetailView.as_view(), name="initiative-detail"
    ),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
]
