from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Page, Paginator
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views import defaults

from . import datapackage
from .changes import ChangeLog
from .records import country_model

API_PREFIX = "/api/"  # portal/urls.py mounts portal.api there


def data_page(request):
    """What the data package holds, as of when, and how to load it (no SQL when it is fresh)."""
    meta = datapackage.fresh_meta()
    url = request.build_absolute_uri(reverse("data-package"))
    dataset = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": f"{settings.SITE_NAME}: the whole database",
        "description": (
            "Every published record of the portal (countries, indicators, initiatives, "
            "organisations, reporting channels, legislation, research reports), one CSV table "
            "per record type, as a Frictionless Data Package."
        ),
        "url": request.build_absolute_uri(reverse("data")),
        "license": datapackage.LICENCE["path"],
        "isAccessibleForFree": True,
        "dateModified": meta["created"],
        "creator": {"@type": "Organization", "name": settings.SITE_NAME},
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "application/zip", "contentUrl": url}
        ],
    }
    context = {
        "meta": meta,
        "json_ld": dataset,
        "licence": datapackage.LICENCE,
        "min_age_minutes": max(1, settings.PORTAL_DATAPACKAGE_MIN_AGE // 60),
    }
    return render(request, "portal/data.html", context)


def data_package(request):
    datapackage.fresh_meta()
    response = FileResponse(
        open(datapackage.package_path(), "rb"),  # FileResponse closes it
        content_type="application/zip",
        as_attachment=True,
        filename=datapackage.PACKAGE_NAME,
    )
    return response


CHANGES_PER_PAGE = 50


def change_log_page(request, country):
    """The page of the country's change log the request asks for (`?page=`; a bad number gives
    the nearest page, as on the lists)."""
    log = ChangeLog(country)
    page = Paginator(log, CHANGES_PER_PAGE, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    return log, page


def country_changes(request, iso_code):
    country = get_object_or_404(country_model().objects.public(), iso_code=iso_code.upper())
    log, page = change_log_page(request, country)
    context = {
        "country": country,
        "page_obj": page,
        "changes": page.object_list,
        "total": len(log),
        "last_updated": log.last_updated,
    }
    return render(request, "portal/country_changes.html", context)


class TextAtom1Feed(Atom1Feed):
    """Atom with plain-text entry summaries (a record title is never read as markup) and the
    paging links of RFC 5005 (first, previous, next, last) when the feed has several pages."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for rel, href in self.feed.get("paging", ()):
            handler.addQuickElement("link", "", {"rel": rel, "href": href})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


@dataclass
class FeedPage:
    country: object
    page: Page
    paging: list  # (rel, absolute URL)
    url: str  # this page of the feed


class CountryChangesFeed(Feed):
    """The change log as Atom, a page of it per document (RFC 5005 paged feed)."""

    feed_type = TextAtom1Feed

    def get_object(self, request, iso_code):
        country = get_object_or_404(country_model().objects.public(), iso_code=iso_code.upper())
        _, page = change_log_page(request, country)
        here = request.build_absolute_uri(request.path)
        paging = []
        if page.paginator.num_pages > 1:
            numbers = {"first": 1, "last": page.paginator.num_pages}
            if page.has_previous():
                numbers["previous"] = page.previous_page_number()
            if page.has_next():
                numbers["next"] = page.next_page_number()
            paging = [(rel, f"{here}?page={number}") for rel, number in numbers.items()]
        url = request.path if page.number == 1 else f"{request.path}?page={page.number}"
        return FeedPage(country, page, paging, url)

    def feed_extra_kwargs(self, obj):
        return {"paging": obj.paging}

    def feed_url(self, obj):
        return obj.url

    def title(self, obj):
        return f"{obj.country.name}: changes · {settings.SITE_NAME}"

    def subtitle(self, obj):
        return f"Published changes to the records of {obj.country.name}, newest first."

    def link(self, obj):
        return reverse("country-changes", kwargs={"iso_code": obj.country.iso_code})

    def items(self, obj):
        return obj.page.object_list

    def item_title(self, change):
        return f"{change.kind}: {change.record_type} · {change.title}"

    def item_description(self, change):
        return f"{change.kind} {change.record_type.lower()} “{change.title}”."

    def item_link(self, change):
        return change.link

    def item_guid(self, change):
        return f"urn:portal:{change.guid}"

    item_guid_is_permalink = False

    def item_updateddate(self, change):
        return change.when

    def item_pubdate(self, change):
        return change.when


def permission_denied(request, exception):
    """The 403 page: the reason the permission check gave, and who the user is to the rules.

    Admin pages get an admin-styled page with the user's role and countries; public pages the
    site's own layout.
    """
    reason = str(exception) if exception is not None else ""
    if request.path.startswith(reverse("admin:index")):
        from django.contrib import admin

        from .refusals import assignment, role_names

        context = {**admin.site.each_context(request), "title": "Not allowed", "reason": reason}
        if request.user.is_authenticated:
            context["roles"] = role_names(request.user)
            context["countries"] = assignment(request.user)
        return render(request, "admin/403.html", context, status=403)
    return render(request, "403.html", {"reason": reason}, status=403)


def bad_request(request, exception):
    """The 400 page; under /api/ a JSON answer, as the API's own 400s (a query string with a
    control character is refused before any view: portal.request_guard)."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    """The 404 page; under /api/ a JSON answer, as the API's own 404s (an address with a control
    character is refused before any view: portal.request_guard)."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
