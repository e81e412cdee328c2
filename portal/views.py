from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views import defaults
from django.views.decorators.cache import never_cache

from .changes import country_changes as changes_for_country
from .health import database_answers
from .records import country_model

API_PREFIX = "/api/"  # portal/urls.py mounts portal.api there


def home(request):
    countries = country_model().objects.public().only("iso_code", "name", "region", "summary")
    return render(request, "portal/home.html", {"countries": countries})


@never_cache
def healthz(request):
    if not database_answers():
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def country_changes(request, iso_code):
    country = get_object_or_404(country_model().objects.public(), iso_code=iso_code.upper())
    changes = changes_for_country(country)
    last_updated = changes[0].when if changes else None
    context = {"country": country, "changes": changes, "last_updated": last_updated}
    return render(request, "portal/country_changes.html", context)


class TextAtom1Feed(Atom1Feed):
    """Atom with plain-text entry summaries: a record title is never read as markup."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class CountryChangesFeed(Feed):
    feed_type = TextAtom1Feed

    def get_object(self, request, iso_code):
        return get_object_or_404(country_model().objects.public(), iso_code=iso_code.upper())

    def title(self, country):
        return f"{country.name}: changes · {settings.SITE_NAME}"

    def subtitle(self, country):
        return f"Published changes to the records of {country.name}, newest first."

    def link(self, country):
        return reverse("country-changes", kwargs={"iso_code": country.iso_code.lower()})

    def items(self, country):
        return changes_for_country(country)

    def item_title(self, change):
        return f"{change.kind}: {change.record_type} · {change.title}"

    def item_description(self, change):
        return f"{change.kind} {change.record_type.lower()} “{change.title}”."

    def item_link(self, change):
        return change.url or reverse("home")

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
