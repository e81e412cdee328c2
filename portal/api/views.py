"""Read-only viewsets derived from the declarations, the API's index, its docs page and its 404."""

from functools import cache

from csp.constants import NONCE
from csp.decorators import csp_update
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .pagination import RecordCursorPagination
from .routes import endpoints, lookup_filter, url_name
from .serializers import api_queryset, serializer_for


class RecordViewSet(viewsets.ReadOnlyModelViewSet):
    """The public records of one type: a list in primary-key order, filtered by the public list
    page's FilterSet, and one record by its natural identifier."""

    declared = None  # the RecordType, set by viewset_for()
    pagination_class = RecordCursorPagination

    def get_queryset(self):
        return api_queryset(self.declared)

    def get_object(self):
        # The list's filters do not apply to one record named by its identifier.
        # The first by primary key: an identifier with an empty part (an unknown year) is not
        # unique in the database, and a duplicate must not become a 500.
        found = self.get_queryset().filter(**lookup_filter(self.declared, self.kwargs))
        record = found.order_by("pk").first()
        if record is None:
            raise Http404("No public record has this identifier.")
        self.check_object_permissions(self.request, record)
        return record


@cache
def viewset_for(declared):
    endpoint = declared.api
    plural = str(declared.model._meta.verbose_name_plural)
    singular = str(declared.model._meta.verbose_name)
    attrs = {
        "declared": declared,
        "serializer_class": serializer_for(declared),
        "filter_backends": [DjangoFilterBackend] if endpoint.filterset else [],
        "filterset_class": endpoint.filterset,
        "__doc__": f"Public {plural}.",
    }
    viewset = type(f"{declared.model.__name__}ViewSet", (RecordViewSet,), attrs)
    pages = (
        f"Public {plural} in a stable order, {RecordCursorPagination.page_size} a page "
        f"(`page_size` up to {RecordCursorPagination.max_page_size}); follow `next` for the rest."
    )
    return extend_schema_view(
        list=extend_schema(summary=f"List public {plural}", description=pages),
        retrieve=extend_schema(summary=f"One public {singular}"),
    )(extend_schema(tags=[endpoint.path])(viewset))


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request):
    """The collections of the API, the schema and the docs."""
    collections = {
        t.api.path: request.build_absolute_uri(reverse(url_name(t, "list"))) for t in endpoints()
    }
    return Response(
        {
            "collections": collections,
            "schema": request.build_absolute_uri(reverse("api:schema")),
            "docs": request.build_absolute_uri(reverse("api:docs")),
        }
    )


# Redoc's own inline bits, on its page only: two <style> elements it writes without the nonce
# (one of them empty), by the hashes Chromium reports for them, and the data: icons of its
# stylesheet. Its logo from its CDN stays
# blocked; the browser test tests/browser/test_content_security_policy.py fails on anything else.
REDOC_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
)


@csp_update(
    {
        "style-src": [NONCE, *REDOC_STYLE_HASHES],
        "img-src": ["data:"],
    }
)
def api_docs(request):
    """Human docs rendered by Redoc from our static files. Redoc writes its styles into <style>
    elements: this page alone allows styles carrying the request's nonce, which the page hands
    Redoc (a data attribute its loader reads)."""
    return render(request, "portal/api_docs.html", {"schema_url": reverse("api:schema")})


def not_found(request, *args, **kwargs):
    """Any other address under the API: a JSON 404, like a missing record's."""
    return JsonResponse({"detail": "Not found."}, status=404)
