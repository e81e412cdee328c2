"""The profiles app's sections of the country page (orders 10 to 50).

Each runs a fixed number of queries whatever the amount of data: 1 (indicators) + 4 (both
timelines share one initiative query and three prefetches) + 1 (organisations) + 3 (channels).
"""

from itertools import groupby

from django.db.models import Prefetch

from portal.country_sections import CountrySection

from .models import (
    IndicatorValue,
    Initiative,
    InitiativeOrganisation,
    Membership,
    Organisation,
    ReportingChannel,
    Timeline,
)


def published_roles():
    return InitiativeOrganisation.objects.filter(
        Organisation.public_filter("organisation")
    ).select_related("organisation")


def initiatives_with_details(queryset):
    return queryset.prefetch_related(
        "themes",
        Prefetch("organisation_roles", queryset=published_roles()),
        "figures",
    )


def by_year(initiatives):
    return [(year, list(items)) for year, items in groupby(initiatives, key=lambda i: i.year)]


def indicator_sections(country):
    values = list(
        IndicatorValue.objects.public()
        .for_country(country)
        .select_related("definition")
        .order_by("definition__order", "definition__name", "-year")
    )
    notes = []
    for value in values:
        if value.note and value.note not in notes:
            notes.append(value.note)
        value.note_number = notes.index(value.note) + 1 if value.note else None
    return [
        CountrySection(
            id="at-a-glance",
            title="At a glance",
            template="profiles/sections/indicators.html",
            order=10,
            context={"values": values, "notes": notes},
        )
    ]


def initiative_sections(country):
    initiatives = list(
        initiatives_with_details(
            Initiative.objects.public().for_country(country).order_by("year", "pk")
        )
    )
    return [
        CountrySection(
            id="national-initiatives",
            title="National initiatives",
            template="profiles/sections/timeline.html",
            order=20,
            context={
                "years": by_year(i for i in initiatives if i.timeline == Timeline.NATIONAL),
                "timeline": Timeline.NATIONAL,
                "empty": "No national initiatives recorded yet.",
            },
        ),
        CountrySection(
            id="law-enforcement-reporting",
            title="Law enforcement & reporting",
            template="profiles/sections/timeline.html",
            order=30,
            context={
                "years": by_year(i for i in initiatives if i.timeline == Timeline.LAW_ENFORCEMENT),
                "timeline": Timeline.LAW_ENFORCEMENT,
                "empty": "No law enforcement or reporting initiatives recorded yet.",
            },
        ),
    ]


def organisation_sections(country):
    organisations = list(
        Organisation.objects.public().for_country(country).order_by("scope", "name")
    )
    national = [o for o in organisations if o.scope == "national"]
    beyond = [o for o in organisations if o.scope != "national"]
    return [
        CountrySection(
            id="organisations",
            title="Organisations",
            template="profiles/sections/organisations.html",
            order=40,
            context={"national": national, "beyond": beyond},
        )
    ]


def channel_sections(country):
    channels = list(
        ReportingChannel.objects.public()
        .for_country(country)
        .select_related("organisation")
        .with_public("organisation")
        .prefetch_related(
            "figures",
            Prefetch(
                "organisation__membership_rows",
                queryset=Membership.objects.filter(
                    Organisation.public_filter("organisation")
                ).select_related("organisation"),
            ),
        )
        .order_by("since_year", "name")
    )
    return [
        CountrySection(
            id="where-to-report",
            title="Where to report",
            template="profiles/sections/channels.html",
            order=50,
            context={"channels": channels},
        )
    ]


# Registered one by one: the page cache keeps each provider's sections with the records they
# read, so an edit of an initiative renders the timelines again, not the organisations.
SECTION_PROVIDERS = (
    indicator_sections,
    initiative_sections,
    organisation_sections,
    channel_sections,
)


def country_section(country):
    """Every section of the profiles app, in order."""
    return [section for provider in SECTION_PROVIDERS for section in provider(country)]
