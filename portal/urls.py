from django.contrib import admin
from django.urls import include, path

from . import views

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
