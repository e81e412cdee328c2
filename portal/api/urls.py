"""The API's routes: /api/v1/<collection>/ and /api/v1/<collection>/<identifier>/ for every
record type with an ApiEndpoint, the schema, the docs; any other address under it is a JSON 404.

Every view is a public page (portal.http_cache): ETag and Last-Modified, 304 on revalidation.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from portal.http_cache import public_page

from .routes import detail_route, endpoints
from .views import api_docs, api_root, not_found, viewset_for

app_name = "api"


def record_routes():
    for declared in endpoints():
        viewset = viewset_for(declared)
        name = declared.api.path
        yield path(f"{name}/", public_page(viewset.as_view({"get": "list"})), name=f"{name}-list")
        yield path(
            detail_route(declared),
            public_page(viewset.as_view({"get": "retrieve"})),
            name=f"{name}-detail",
        )


urlpatterns = [
    path("", public_page(api_root), name="root"),
    path("schema/", public_page(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", public_page(api_docs), name="docs"),
    *record_routes(),
    re_path(r"", not_found),
]
