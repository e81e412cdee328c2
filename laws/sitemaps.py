"""The legislation overview of every public country, a section of sitemap.xml."""

from django.urls import reverse

from portal.sitemaps import RecordSitemap
from profiles.models import Country


class LegalOverviewSitemap(RecordSitemap):
    def items(self):
        return Country.objects.public().order_by("pk")

    def location(self, obj):
        return reverse("laws:country-legislation", kwargs={"iso_code": obj.iso_code.lower()})
