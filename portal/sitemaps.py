"""sitemap.xml: one section per record type with a public page, published records only."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from laws.models import Provision
from library.models import Author, Report
from portal.models import Status
from profiles.models import Country, Initiative, Organisation


class RecordSitemap(Sitemap):
    """Records with get_absolute_url(); `items()` must return public records only."""

    def lastmod(self, obj):
        return obj.updated_at


class CountrySitemap(RecordSitemap):
    priority = 0.8

    def items(self):
        return Country.objects.published().order_by("pk")


class LegalOverviewSitemap(RecordSitemap):
    """The legislation overview page of every published country."""

    def items(self):
        return Country.objects.published().order_by("pk")

    def location(self, obj):
        return reverse("laws:country-legislation", kwargs={"iso_code": obj.iso_code.lower()})


class InitiativeSitemap(RecordSitemap):
    def items(self):
        return (
            Initiative.objects.published().filter(country__status=Status.PUBLISHED).order_by("pk")
        )


class OrganisationSitemap(RecordSitemap):
    def items(self):
        return Organisation.objects.published().order_by("pk")


class ReportSitemap(RecordSitemap):
    def items(self):
        return Report.objects.published().order_by("pk")


class AuthorSitemap(RecordSitemap):
    def items(self):
        return Author.objects.published().order_by("pk")


class ProvisionSitemap(RecordSitemap):
    def items(self):
        return Provision.objects.public().select_related("act").order_by("pk")


class PageSitemap(Sitemap):
    """The home page and the public lists."""

    def items(self):
        return [
            "home",
            "profiles:country-list",
            "profiles:initiative-list",
            "profiles:organisation-list",
            "library:report-list",
            "laws:provision-list",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "countries": CountrySitemap,
    "legislation": LegalOverviewSitemap,
    "initiatives": InitiativeSitemap,
    "organisations": OrganisationSitemap,
    "reports": ReportSitemap,
    "authors": AuthorSitemap,
    "provisions": ProvisionSitemap,
}
