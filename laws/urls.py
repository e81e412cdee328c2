from django.urls import path
from django.views.generic import RedirectView

from portal.http_cache import public_page
from portal.page_cache import cache_public_page

from . import views

app_name = "laws"

urlpatterns = [
    path(
        "countries/<iso:iso_code>/legislation/",
        public_page(cache_public_page(views.country_legislation, country="iso_code")),
        name="country-legislation",
    ),
    path(
        "laws/frameworks/",
        public_page(cache_public_page(views.framework_list)),
        name="framework-list",
    ),
    path(
        "laws/frameworks/<slug:slug>/",
        public_page(cache_public_page(views.framework_detail)),
        name="framework-detail",
    ),
    path(
        "laws/",
        public_page(cache_public_page(views.ProvisionListView.as_view())),
        name="provision-list",
    ),
    # The legal comparison is part of the one compare page; old links keep their countries.
    path(
        "laws/compare/",
        RedirectView.as_view(pattern_name="compare", permanent=True, query_string=True),
    ),
    path(
        "laws/<slug:act>/<slug:slug>/",
        public_page(cache_public_page(views.ProvisionDetailView.as_view())),
        name="provision-detail",
    ),
]
