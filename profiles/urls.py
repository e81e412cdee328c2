from django.urls import path

from portal.http_cache import public_page
from portal.page_cache import cache_public_page

from . import brief, views

app_name = "profiles"

urlpatterns = [
    path(
        "countries/",
        public_page(cache_public_page(views.CountryListView.as_view())),
        name="country-list",
    ),
    path(
        "countries/<iso:iso_code>/",
        public_page(
            cache_public_page(views.CountryDetailView.as_view(), country="iso_code", query=False)
        ),
        name="country-detail",
    ),
    path(
        "countries/<iso:iso_code>/brief.pdf",
        public_page(cache_public_page(brief.country_brief)),
        name="country-brief",
    ),
    path(
        "initiatives/",
        public_page(cache_public_page(views.InitiativeListView.as_view())),
        name="initiative-list",
    ),
    path(
        "initiatives/<slug:slug>/",
        public_page(cache_public_page(views.InitiativeDetailView.as_view())),
        name="initiative-detail",
    ),
    path(
        "organisations/",
        public_page(cache_public_page(views.OrganisationListView.as_view())),
        name="organisation-list",
    ),
    path(
        "organisations/<slug:slug>/",
        public_page(cache_public_page(views.OrganisationDetailView.as_view())),
        name="organisation-detail",
    ),
]
