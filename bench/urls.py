"""The portal's URLs plus a trivial view, the yardstick for page latency."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/trivial/", trivial), path("", include("portal.urls"))]
