"""The record types, declared by the apps that own them; portal's engines read them here.

Each app declares its record types once, in `<app>/records.py`, by calling `register()` with one
`RecordType` per model (its public list page, search document, sitemap section, spreadsheet
format, ...), and adds the pieces that span several types with `register_country_section()`,
`register_compare_tables()`, `register_home_section()` and `register_sitemap()`.
`autodiscover()` imports every installed app's `records` module, the way `admin.autodiscover()`
imports `admin.py`; PortalConfig.ready() calls it, and the first read does when an earlier app's
ready() reads the registry.

The search index, the API, the sitemap, the change log, the country page, the compare page, the page
cache, the roles, the spreadsheet engine and the commands all ask this module; none of them
imports an app. The country model every record type relates to is the PORTAL_COUNTRY_MODEL
setting, read with `country_model()`.

Records modules are imported in ready(): nothing may read the registry while modules are being
imported (at import time of an app's models, admin, resources, views or records modules).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import autodiscover_modules

from .models import RecordModel


def country_model():
    """The Country model (PORTAL_COUNTRY_MODEL), like django.contrib.auth.get_user_model()."""
    return apps.get_model(settings.PORTAL_COUNTRY_MODEL)


@dataclass(frozen=True)
class ListPage:
    """The public list of a record type: its URL name and, to appear in the site menu, a label."""

    url_name: str
    menu_label: str = ""
    menu_order: int = 100  # lower comes first


@dataclass(frozen=True)
class SitemapSection:
    """The type's public pages in sitemap.xml: every public record's get_absolute_url()."""

    priority: float | None = None
    select_related: tuple = ()  # relations get_absolute_url() reads


@dataclass(frozen=True)
class ApiEndpoint:
    """The type in the read-only API (portal/api): what the model itself cannot say.

    The fields are the model's own (every concrete and many-to-many field), less the portal's
    bookkeeping and `private`; related records become their identifier and a link.
    """

    path: str  # the collection's URL segment under /api/v1/, e.g. "reports"
    lookup: tuple  # the field paths naming one record, in URL order: ("act__slug", "slug")
    filterset: Any = None  # the public list's FilterSet: the same parameters and validation
    private: tuple = ()  # model fields the public never sees (editors' notes, internal keys)


@dataclass(frozen=True)
class RecordType:
    """Everything portal's engines need to know about one record type.

    The country relation (`country_field`) and the public rule (`public_parents`) are the model's
    own attributes: the registry reads them, it does not repeat them.
    """

    model: Any
    list_page: ListPage | None = None
    search: Any = None  # portal.search.types.SearchDocument
    sitemap: SitemapSection | None = None
    resource: Any = None  # portal.resources.RecordResource subclass: the spreadsheet columns
    administrator_only: tuple = ()  # actions ("add", "delete") only Administrators may take
    # A type without a page of its own: the address of the page and anchor that shows a record
    # of it (a reporting channel: its country page's "Where to report" section). Links to a
    # record (the change log, the feed) go there.
    shown_at: Callable[[Any], str] | None = None
    api: ApiEndpoint | None = None  # the read-only API's collection of the type

    @property
    def label(self):
        return self.model._meta.label_lower

    @property
    def app_label(self):
        return self.model._meta.app_label

    @property
    def country_field(self):
        """The relation to Country: a field name, "self" for Country, or None."""
        return getattr(self.model, "country_field", None)

    @property
    def public_parents(self):
        return self.model.public_parents

    @property
    def has_page(self):
        return hasattr(self.model, "get_absolute_url")

    def url_of(self, record):
        """The public address that shows `record`: its own page, the page and anchor the type
        declares (`shown_at`), or "" when neither exists."""
        if self.has_page:
            return record.get_absolute_url()
        if self.shown_at is not None:
            return self.shown_at(record)
        return ""

    def public(self):
        """The records the public may read."""
        return self.model._default_manager.public()


class Registry:
    def __init__(self):
        self.types = {}  # model -> RecordType, in registration order
        self.country_sections = []  # country -> CountrySection, list of them, or None
        self.compare_tables = []  # countries -> list of portal.compare.Table
        self.home_sections = []  # () -> portal.home.HomeSection or None
        self.sitemaps = {}  # name -> django Sitemap class
        self.discovered = False
        self.discovering = False

    def register(self, *record_types):
        for record_type in record_types:
            model = record_type.model
            if not issubclass(model, RecordModel):
                raise TypeError(f"{model.__name__} is not a RecordModel.")
            if model in self.types:
                raise ValueError(f"{model._meta.label} is declared twice.")
            self.types[model] = record_type

    def ready(self):
        if self.discovering:
            raise RuntimeError(
                "The record registry was read while the apps' records modules were being "
                "imported: read it in functions, never at import time."
            )
        if not self.discovered:
            autodiscover()
        return self


registry = Registry()


def register(*record_types):
    """Declare the app's record types (called from `<app>/records.py`). Their order is the
    order a workbook's sheets are imported in: related records before the records naming them."""
    registry.register(*record_types)


def register_country_section(provider):
    """Add `provider(country)` to the country page: it returns a portal.country_sections.
    CountrySection, a list of them, or None, in a fixed number of SQL queries."""
    registry.country_sections.append(provider)


def register_compare_tables(provider):
    """Add `provider(countries)` to the compare page: it returns portal.compare.Table objects,
    in a fixed number of SQL queries whatever the number of countries."""
    registry.compare_tables.append(provider)


def register_home_section(provider):
    """Add `provider()` to the home page (the newest research, ...): it returns a portal.home.
    HomeSection or None, in a fixed number of SQL queries."""
    registry.home_sections.append(provider)


def register_sitemap(name, sitemap):
    """Add a sitemap.xml section that is not one record type's pages (a Sitemap class)."""
    registry.sitemaps[name] = sitemap


def autodiscover():
    """Import every installed app's `records` module (idempotent)."""
    if registry.discovered or registry.discovering:
        return
    registry.discovering = True
    try:
        autodiscover_modules("records")
    finally:
        registry.discovering = False
    registry.discovered = True


def record_types():
    """Every declared record type, app by app in INSTALLED_APPS order."""
    return list(registry.ready().types.values())


def record_type(model):
    """The declaration of `model`, or None when it is no record type."""
    return registry.ready().types.get(model)


def record_models():
    return [t.model for t in record_types()]


def country_section_providers():
    return list(registry.ready().country_sections)


def compare_table_providers():
    return list(registry.ready().compare_tables)


def home_section_providers():
    return list(registry.ready().home_sections)


def extra_sitemaps():
    return dict(registry.ready().sitemaps)


@cache
def content_apps():
    """The labels of the apps that declare record types: writes to any of their models change
    what public pages show, and their permissions are the editors' permissions."""
    return frozenset(t.app_label for t in record_types())
