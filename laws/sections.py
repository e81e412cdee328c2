"""The Legislation section of the country page: a compact summary linking to the overview."""

from django.db.models import Count
from django.urls import reverse

from portal.country_sections import CountrySection, Highlight, counted

from .models import CountryInstrumentStatus, LegalAct, LegalAge, Provision
from .views import statuses_by_instrument

BINDING = (
    CountryInstrumentStatus.Step.RATIFIED,
    CountryInstrumentStatus.Step.IN_FORCE,
    CountryInstrumentStatus.Step.TRANSPOSED,
)


def instrument_highlights(instrument_statuses):
    """The instruments the country ratified, put in force or transposed, with the furthest step."""
    binding = []
    for instrument, steps in instrument_statuses:
        furthest = steps[-1]
        if furthest.status_kind in BINDING:
            when = f" {furthest.date_display}" if furthest.date else ""
            step = furthest.get_status_kind_display().lower()
            binding.append(f"{instrument.short_name} ({step}{when})")
    if not binding:
        return []
    return [Highlight(label="Ratified or in force", text="; ".join(binding), url="#legislation")]


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
    provisions = sum(act.provision_count for act in acts)
    summary = ", ".join(
        (
            counted(len(ages), "legal age"),
            counted(len(instrument_statuses), "international instrument"),
            f"{counted(len(acts), 'act')} with {counted(provisions, 'provision')}",
        )
    )
    return CountrySection(
        id="legislation",
        title="Legislation",
        template="laws/includes/country_section.html",
        order=60,
        summary=summary,
        highlights=instrument_highlights(instrument_statuses),
        context={
            "ages": ages,
            "instrument_statuses": instrument_statuses,
            "acts": acts,
            "overview_url": reverse(
                "laws:country-legislation", kwargs={"iso_code": country.iso_code.lower()}
            ),
        },
    )
