"""sitemap.xml: the home page and the public lists, then one section per record type with public
pages (its public records only), then the sections apps add (portal.records.register_sitemap)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .records import extra_sitemaps, record_types


class RecordSitemap(Sitemap):
    """Records with get_absolute_url(); `items()` must return public records only."""

    def lastmod(self, obj):
        return obj.updated_at


def record_sitemap(record_type):
    """The sitemap section of one record type: its public records."""
    section = record_type.sitemap

    class TypeSitemap(RecordSitemap):
        priority = section.priority

        def items(self):
            public = record_type.public().order_by("pk")
            return (
                public.select_related(*section.select_related) if section.select_related else public
            )

    TypeSitemap.__name__ = f"{record_type.model.__name__}Sitemap"
    return TypeSitemap


class PageSitemap(Sitemap):
    """The home page and the public lists of the record types."""

    def items(self):
        return ["home", *(t.list_page.url_name for t in record_types() if t.list_page)]

    def location(self, item):
        return reverse(item)


def sitemaps():
    """{section name: Sitemap class}, for django.contrib.sitemaps' view."""
    sections = {"pages": PageSitemap}
    for record_type in record_types():
        if record_type.sitemap is not None:
            sections[str(record_type.model._meta.verbose_name_plural)] = record_sitemap(record_type)
    sections.update(extra_sitemaps())
    return sections
