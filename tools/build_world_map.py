"""Build portal/data/world_map.json, the home page's world map, from Natural Earth's shapes.

Reads the `world-atlas` npm package (Natural Earth's Admin 0 countries as TopoJSON; `npm install`
puts it in node_modules/) and the ISO 3166-1 table of Debian's `iso-codes` package, and writes:

- portal/data/iso3166_numeric.json: ISO 3166-1 numeric code -> alpha-2 code, the mapping from
  world-atlas's feature ids to our Country.iso_code;
- portal/data/world_map.json: the Equal Earth projection of every country of the 1:110m shapes
  as SVG path data, keyed by alpha-2 code, plus a dot for each country only the 1:50m shapes
  have (small island states, Andorra, Malta, Singapore, ...), so every country can be shown.

Run it again after upgrading world-atlas: `python tools/build_world_map.py`. The page only reads
the JSON file; nothing is projected at run time.
"""

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ATLAS = ROOT / "node_modules" / "world-atlas"
ISO_CODES = Path("/usr/share/iso-codes/json/iso_3166-1.json")
MAPPING_OUT = ROOT / "portal" / "data" / "iso3166_numeric.json"
MAP_OUT = ROOT / "portal" / "data" / "world_map.json"

WIDTH = 1000  # viewBox units; path coordinates are whole units (about 40 km at the equator)
SOUTHERNMOST = -58.0  # latitude cut: Antarctica is left out (it is no country's profile)
LEFT_OUT = {"010"}  # Antarctica
# Features world-atlas gives without an ISO numeric id: Kosovo has the user-assigned code XK in
# common use; Northern Cyprus and Somaliland have none and stay shapes without a link.
BY_NAME = {"Kosovo": "XK"}

# Equal Earth (Šavrič, Patterson, Jenny 2018): equal-area, pleasant shapes, closed formula.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon, lat):
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


X_MAX = equal_earth(180, 0)[0]
Y_MAX = equal_earth(0, 90)[1]
Y_MIN = equal_earth(0, SOUTHERNMOST)[1]
SCALE = WIDTH / (2 * X_MAX)
HEIGHT = round((Y_MAX - Y_MIN) * SCALE, 1)


def to_svg(lon, lat):
    x, y = equal_earth(lon, max(lat, SOUTHERNMOST))
    return round((x + X_MAX) * SCALE), round((Y_MAX - y) * SCALE)


def decode_arcs(topology):
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring, arcs):
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def unwrapped(ring):
    """The ring as drawn: a ring crossing the antimeridian (Russia's Chukotka, Fiji) is drawn
    twice, once carried east of 180° and once west of -180°, and the viewBox clips each copy."""
    if all(abs(b[0] - a[0]) <= 180 for a, b in zip(ring, ring[1:], strict=False)):
        return [ring]
    return [
        [(lon + 360 if lon < 0 else lon, lat) for lon, lat in ring],
        [(lon - 360 if lon > 0 else lon, lat) for lon, lat in ring],
    ]


def path_data(geometry, arcs):
    parts = []
    for polygon in polygons(geometry):
        for ring in (r for arc_ring in polygon for r in unwrapped(ring_points(arc_ring, arcs))):
            points = []
            for lon, lat in ring:
                point = to_svg(lon, lat)
                if not points or point != points[-1]:
                    points.append(point)
            if len(points) < 3:
                continue
            # Relative line-tos after an absolute move: short numbers, a smaller page.
            (x0, y0), steps = points[0], []
            for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
                steps.append(f"{bx - ax} {by - ay}")
            parts.append(f"M{x0} {y0}l" + " ".join(steps) + "z")
    return "".join(parts)


def centre(geometry, arcs):
    """The centre of the bounding box of the geometry's largest outer ring, projected."""
    best, best_area = None, -1.0
    for polygon in polygons(geometry):
        points = ring_points(polygon[0], arcs)
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        area = (max(lons) - min(lons)) * (max(lats) - min(lats))
        if area > best_area:
            best, best_area = points, area
    lons, lats = [p[0] for p in best], [p[1] for p in best]
    return to_svg((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)


def alpha2(feature, numeric_to_alpha2):
    if feature.get("id"):
        return numeric_to_alpha2.get(feature["id"])
    return BY_NAME.get(feature.get("properties", {}).get("name"))


def main():
    if not (ATLAS / "countries-110m.json").exists():
        sys.exit("node_modules/world-atlas is missing: run `npm install` first.")
    if not ISO_CODES.exists():
        sys.exit(f"{ISO_CODES} is missing: apt-get install iso-codes.")
    numeric_to_alpha2 = {
        entry["numeric"]: entry["alpha_2"] for entry in json.loads(ISO_CODES.read_text())["3166-1"]
    }
    MAPPING_OUT.write_text(json.dumps(dict(sorted(numeric_to_alpha2.items())), indent=0) + "\n")

    shapes, names = {}, {}
    unnamed = []
    topology = json.loads((ATLAS / "countries-110m.json").read_text())
    arcs = decode_arcs(topology)
    for feature in topology["objects"]["countries"]["geometries"]:
        if feature.get("id") in LEFT_OUT:
            continue
        code = alpha2(feature, numeric_to_alpha2)
        d = path_data(feature, arcs)
        if code is None:
            unnamed.append(d)
        else:
            shapes[code] = shapes.get(code, "") + d
            names[code] = feature["properties"]["name"]

    dots = {}
    detailed = json.loads((ATLAS / "countries-50m.json").read_text())
    detailed_arcs = decode_arcs(detailed)
    for feature in detailed["objects"]["countries"]["geometries"]:
        code = alpha2(feature, numeric_to_alpha2)
        if code and code not in shapes and feature.get("id") not in LEFT_OUT:
            if polygons(feature):
                dots[code] = centre(feature, detailed_arcs)
                names[code] = feature["properties"]["name"]

    data = {
        "source": "Natural Earth 1:110m and 1:50m Admin 0 countries, via world-atlas "
        + json.loads((ATLAS / "package.json").read_text())["version"],
        "projection": "Equal Earth",
        "width": WIDTH,
        "height": HEIGHT,
        "shapes": dict(sorted(shapes.items())),
        "dots": {code: [x, y] for code, (x, y) in sorted(dots.items())},
        "names": dict(sorted(names.items())),
        "unlinked": unnamed,
    }
    MAP_OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    sys.stdout.write(
        f"{MAP_OUT.relative_to(ROOT)}: {len(shapes)} shapes, {len(dots)} dots, "
        f"{len(unnamed)} without a code, {MAP_OUT.stat().st_size:,} bytes\n"
    )


if __name__ == "__main__":
    main()
