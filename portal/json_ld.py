"""schema.org JSON-LD of public pages: the shared pieces. Each app builds its own types' data
(`<app>/json_ld.py`) from what its view already read, so the metadata costs no query; the
`json_ld` template tag (portal_tags) writes it into the page's head."""

CONTEXT = "https://schema.org"


def compact(data):
    """`data` without empty values, so a record's missing fields are left out, not null."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def thing(kind, request, record=None, **fields):
    """A JSON-LD object of type `kind` with its @context; the record's page as its url."""
    url = request.build_absolute_uri(record.get_absolute_url()) if record is not None else None
    return compact({"@context": CONTEXT, "@type": kind, "url": url, **fields})


def country(country):
    return {"@type": "Country", "name": country.name, "identifier": country.iso_code}
