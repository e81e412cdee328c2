"""The profiles app's sections of the country page (orders 10 to 50).

Each runs a fixed number of queries whatever the amount of data: 1 (indicators) + 4 (both
timelines share one initiative query and three prefetches) + 1 (organisations) + 3 (channels).
"""

from itertools import groupby

from django.db.models import Prefetch

from portal.country_sections import CountrySection, Highlight, cached_records, counted

from .models import (
    ChannelKind,
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


def timeline_summary(years):
    count = sum(len(items) for _, items in years)
    if not years:
        return counted(0, "initiative")
    first, last = years[0][0], years[-1][0]
    span = str(first) if first == last else f"{first}–{last}"
    return f"{counted(count, 'initiative')}, {span}"


def indicators_summary(known, unknown):
    if known and unknown:
        return f"{counted(len(known), 'statistic')} with a figure, {len(unknown)} without"
    if unknown:
        return f"{counted(len(unknown), 'statistic')} named, none with a figure"
    return counted(len(known), "statistic")


def channel_highlights(channels):
    """The helplines and hotlines, with their phone number or web address."""
    highlights = []
    for channel in channels:
        if channel.kind not in (ChannelKind.HELPLINE, ChannelKind.HOTLINE):
            continue
        if channel.phone:
            text, url = f"{channel.name}: {channel.phone}", f"tel:{channel.phone}"
        elif channel.url:
            text, url = channel.name, channel.url
        else:
            text, url = channel.name, "#where-to-report"
        highlights.append(Highlight(label=channel.get_kind_display(), text=text, url=url))
    return highlights


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
    known = [value for value in values if value.value is not None]
    unknown = [value for value in values if value.value is None]
    return [
        CountrySection(
            id="at-a-glance",
            title="At a glance",
            template="profiles/sections/indicators.html",
            order=10,
            context={"values": values, "known": known, "unknown": unknown, "notes": notes},
            summary=indicators_summary(known, unknown),
        )
    ]


def initiative_sections(country):
    # Each initiative's entry is kept on its own in the page cache: an edit renders that one.
    initiatives = cached_records(
        Initiative.objects.public().for_country(country).order_by("year", "pk"),
        load=initiatives_with_details,
        template="profiles/includes/initiative.html",
        name="initiative",
        context={"level": 4},
        only=("year", "timeline"),
    )
    national_years = by_year(i for i in initiatives if i.timeline == Timeline.NATIONAL)
    enforcement_years = by_year(i for i in initiatives if i.timeline == Timeline.LAW_ENFORCEMENT)
    return [
        CountrySection(
            id="national-initiatives",
            title="National initiatives",
            template="profiles/sections/timeline.html",
            brief_template="profiles/sections/timeline_brief.html",
            order=20,
            context={
                "years": national_years,
                "timeline": Timeline.NATIONAL,
                "empty": "No national initiatives recorded yet.",
            },
            summary=timeline_summary(national_years),
        ),
        CountrySection(
            id="law-enforcement-reporting",
            title="Law enforcement & reporting",
            template="profiles/sections/timeline.html",
            brief_template="profiles/sections/timeline_brief.html",
            order=30,
            context={
                "years": enforcement_years,
                "timeline": Timeline.LAW_ENFORCEMENT,
                "empty": "No law enforcement or reporting initiatives recorded yet.",
            },
            summary=timeline_summary(enforcement_years),
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
            summary=f"{counted(len(organisations), 'organisation')} ({len(national)} national)"
            if organisations
            else counted(0, "organisation"),
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
            summary=counted(len(channels), "channel"),
            highlights=channel_highlights(channels),
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
