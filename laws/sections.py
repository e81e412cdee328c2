"""The Legislation section of the country page: a compact summary linking to the overview."""

from django.db.models import Count
from django.urls import reverse

from portal.country_sections import CountrySection

from .models import CountryInstrumentStatus, LegalAct, LegalAge, Provision
from .views import statuses_by_instrument


def country_section(country):
    ages = list(LegalAge.objects.public().filter(country=country).order_by("kind"))
    statuses = (
        CountryInstrumentStatus.objects.public()
        .filter(country=country)
        .select_related("instrument")
        .order_by("instrument__short_name")
    )
    acts = list(
        LegalAct.objects.public()
        .filter(country=country)
        .annotate(provision_count=Count("provisions", filter=Provision.public_filter("provisions")))
    )
    instrument_statuses = statuses_by_instrument(statuses)
    if not (ages or instrument_statuses or acts):
        return None
    return CountrySection(
        id="legislation",
        title="Legislation",
        template="laws/includes/country_section.html",
        order=60,
        context={
            "ages": ages,
            "instrument_statuses": instrument_statuses,
            "acts": acts,
            "overview_url": reverse(
                "laws:country-legislation", kwargs={"iso_code": country.iso_code.lower()}
            ),
        },
    )
