"""schema.org metadata of the legislation pages (portal/json_ld.py): Legislation for acts and
their provisions."""

from portal.json_ld import CONTEXT, compact, country, thing


def act_json_ld(act, jurisdiction):
    """An act of the country `jurisdiction` (passed in: the page has it, and act.country would
    cost a query)."""
    return compact(
        {
            "@type": "Legislation",
            "name": act.title,
            "alternateName": act.short_title,
            "legislationType": act.get_kind_display(),
            "legislationJurisdiction": country(jurisdiction),
            "abstract": act.summary,
        }
    )


def provision_json_ld(provision, request):
    return thing(
        "Legislation",
        request,
        provision,
        name=f"{provision.label}: {provision.title}" if provision.number else provision.title,
        legislationIdentifier=provision.number,
        legislationJurisdiction=country(provision.country),
        isPartOf=act_json_ld(provision.act, provision.country),
        abstract=provision.summary,
        keywords=[topic.name for topic in provision.topics.all()],
    )


def legislation_json_ld(country_record, acts, request):
    """The acts of a country's legislation overview, each with its provisions."""
    graph = []
    for act in acts:
        data = act_json_ld(act, country_record)
        data["hasPart"] = [
            compact(
                {
                    "@type": "Legislation",
                    "name": provision.title,
                    "legislationIdentifier": provision.number,
                    "url": request.build_absolute_uri(provision.get_absolute_url()),
                }
            )
            for provision in act.provisions.all()
        ]
        graph.append(compact(data))
    return {"@context": CONTEXT, "@graph": graph}
