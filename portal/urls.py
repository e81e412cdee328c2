from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from . import compare as compare_views
from . import views
from .search.views import robots_txt, search_view
from .sitemaps import sitemaps

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("countries/<str:iso_code>/changes/", views.country_changes, name="country-changes"),
    path(
        "countries/<str:iso_code>/changes/feed/",
        views.CountryChangesFeed(),
        name="country-changes-feed",
    ),
    path("", include("profiles.urls")),
    path("", include("laws.urls")),
    path("", include("library.urls")),
]

admin.site.site_header = "Child Online Safety Portal — editors"
admin.site.site_title = "Portal admin"

# Global search, sitemap and robots.txt.
urlpatterns += [
    path("search/", search_view, name="search"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps()}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
]

# Compare countries.
urlpatterns += [path("compare/", compare_views.compare, name="compare")]
