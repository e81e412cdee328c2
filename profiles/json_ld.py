"""schema.org metadata of the profiles' pages (portal/json_ld.py)."""

from portal.json_ld import country, thing


def organisation_json_ld(organisation, request):
    """An Organization, from the public relations the detail view prefetched."""
    return thing(
        "Organization",
        request,
        organisation,
        name=organisation.name,
        alternateName=[n for n in (organisation.acronym, organisation.national_name) if n],
        sameAs=organisation.website,
        foundingDate=str(organisation.founding_year) if organisation.founding_year else None,
        description=organisation.description,
        areaServed=[country(c) for c in organisation.countries.all()],
        memberOf=[
            {
                "@type": "Organization",
                "name": m.organisation.name,
                "url": request.build_absolute_uri(m.organisation.get_absolute_url()),
            }
            for m in organisation.public_memberships
        ],
    )
