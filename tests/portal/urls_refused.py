"""The site's URLs plus one public page that refuses, to see the public 403 page."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from portal.urls import handler403
from portal.urls import urlpatterns as site_urlpatterns


def refused(request):
    raise PermissionDenied("Only the owner may open this page.")


urlpatterns = [path("refused/", refused), *site_urlpatterns]

__all__ = ["handler403", "urlpatterns"]
