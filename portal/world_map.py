"""The home page's world map: Natural Earth shapes, a link for every country with a profile,
coloured by how complete its profile is.

The shapes are projected once, at build time, by tools/build_world_map.py into
portal/data/world_map.json (SVG path data keyed by ISO 3166-1 alpha-2 code, the code our country
model keeps; world-atlas's ids are ISO numeric codes, mapped through portal/data/
iso3166_numeric.json). Nothing is projected, fetched or drawn in the browser.

Completeness of a profile is the share of the record kinds a profile can hold (every registered
record type with a country relation: indicators, initiatives, organisations, reporting channels,
legal ages, acts, provisions, reports, ...) of which the country has at least one public record.
It is read in one query whatever the number of countries or types.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import F, Value

from .permissions import country_relation
from .records import record_types

MAP_FILE = Path(__file__).resolve().parent / "data" / "world_map.json"

# Sequential blues (ColorBrewer "Blues"): one hue getting darker, read the same with every
# common colour-vision deficiency; the lightest still stands out from countries without a profile.
BANDS = (
    (0.75, "band-4", "three quarters or more"),
    (0.5, "band-3", "half to three quarters"),
    (0.25, "band-2", "a quarter to half"),
    (0.0, "band-1", "less than a quarter"),
)
BAND_FILLS = {"band-1": "#c6dbef", "band-2": "#6baed6", "band-3": "#2171b5", "band-4": "#08306b"}
NO_PROFILE_FILL = "#e3e6ea"


@cache
def map_data():
    return json.loads(MAP_FILE.read_text())


def profile_parts():
    """The record types a country profile is made of: those related to a country."""
    parts = []
    for record_type in record_types():
        name, many = country_relation(record_type.model)
        if name and name != "self":
            parts.append((record_type, name if many else f"{name}_id"))
    return parts


def completeness(country_ids):
    """{country id: (kinds with a public record, kinds a profile can hold)}, in one query."""
    parts = profile_parts()
    if not parts or not country_ids:
        return {}
    queries = [
        record_type.public()
        .order_by()
        .filter(**{f"{column}__in": country_ids})
        .values_list(F(column), Value(index))
        .distinct()
        for index, (record_type, column) in enumerate(parts)
    ]
    rows = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    filled = {}
    for country_id, index in rows:
        filled.setdefault(country_id, set()).add(index)
    return {pk: (len(filled.get(pk, ())), len(parts)) for pk in country_ids}


def band(share):
    for floor, css_class, label in BANDS:
        if share >= floor:
            return css_class, label
    return BANDS[-1][1], BANDS[-1][2]


@dataclass
class MapCountry:
    country: object
    filled: int
    parts: int
    shape: str  # SVG path data, "" when the country is drawn as a dot or not at all
    dot: tuple | None  # (x, y) for a country too small for the shapes

    @property
    def share(self):
        return self.filled / self.parts if self.parts else 0.0

    @property
    def percent(self):
        return round(self.share * 100)

    @property
    def band_class(self):
        return band(self.share)[0]

    @property
    def band_label(self):
        return band(self.share)[1]

    @property
    def fill(self):
        return BAND_FILLS[self.band_class]

    @property
    def on_map(self):
        return bool(self.shape or self.dot)


def world_map(countries):
    """What the map template draws: the published `countries` (iso_code, name,
    get_absolute_url()) as links, every other shape as background, and a legend."""
    data = map_data()
    countries = list(countries)
    scores = completeness([c.pk for c in countries])
    linked = []
    for country in countries:
        filled, parts = scores.get(country.pk, (0, 0))
        code = country.iso_code
        linked.append(
            MapCountry(
                country=country,
                filled=filled,
                parts=parts,
                shape=data["shapes"].get(code, ""),
                dot=tuple(data["dots"][code]) if code in data["dots"] else None,
            )
        )
    codes = {c.iso_code for c in countries}
    background = "".join(d for code, d in data["shapes"].items() if code not in codes)
    background += "".join(data["unlinked"])
    return {
        "width": data["width"],
        "height": data["height"],
        "background": background,
        "background_fill": NO_PROFILE_FILL,
        "countries": [c for c in linked if c.on_map],
        "off_map": [c for c in linked if not c.on_map],
        "all": linked,
        "legend": [
            {"css_class": css_class, "label": label, "fill": BAND_FILLS[css_class]}
            for _, css_class, label in reversed(BANDS)
        ],
        "no_profile_fill": NO_PROFILE_FILL,
        "parts": [str(t.model._meta.verbose_name_plural) for t, _ in profile_parts()],
        "source": data["source"],
    }
