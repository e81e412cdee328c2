from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from . import compare as compare_views
from . import home, suggestions, views
from .http_cache import public_page
from .page_cache import cache_public_page
from .search.views import robots_txt, search_view
from .sitemaps import sitemaps

urlpatterns = [
    path("", public_page(home.home), name="home"),
    path("admin/help/", include("portal.help")),
    path("admin/", admin.site.urls),
    path(
        "countries/<iso:iso_code>/changes/",
        public_page(views.country_changes),
        name="country-changes",
    ),
    path(
        "countries/<iso:iso_code>/changes/feed/",
        public_page(views.CountryChangesFeed()),
        name="country-changes-feed",
    ),
    # Readers' corrections: a form, never cached (CSRF); suggestions themselves are never public.
    path("suggest/", suggestions.suggest, name="suggest"),
    path("api/v1/", include("portal.api.urls")),
    path("", include("profiles.urls")),
    path("", include("laws.urls")),
    path("", include("library.urls")),
]

handler403 = views.permission_denied
handler400 = views.bad_request
handler404 = views.page_not_found

admin.site.site_header = "Child Online Safety Portal — editors"
admin.site.site_title = "Portal admin"

# Global search, sitemap and robots.txt.
urlpatterns += [
    path("search/", public_page(cache_public_page(search_view)), name="search"),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": sitemaps()}, name="sitemap"),
    path("robots.txt", public_page(robots_txt), name="robots-txt"),
]

# The whole database as a data package.
urlpatterns += [
    path("data/", public_page(views.data_page), name="data"),
    path("data/portal-datapackage.zip", public_page(views.data_package), name="data-package"),
]

# Compare countries.
urlpatterns += [path("compare/", public_page(compare_views.compare), name="compare")]
