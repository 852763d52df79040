"""The map of the territory as inline SVG: commune outlines from the pack's ``.geo.json``
(drawn once per process), or points at the communes' coordinates when a pack has no outlines.
No tiles, no network."""

import functools
import json
import math
from dataclasses import dataclass

from cigale.territory import DATA, Territory

WIDTH = 600  # SVG user units; the page scales it


@dataclass(frozen=True)
class Shape:
    insee: str
    name: str
    territory: str
    path: str = ""  # SVG path data, or empty for a point
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Map:
    width: int
    height: int
    shapes: tuple[Shape, ...]
    outlines: bool  # False: the communes are drawn as points


@functools.lru_cache(maxsize=4)
def territory_map(territory: Territory) -> Map:
    path = DATA / f"{territory.id}.geo.json"
    features = json.loads(path.read_text(encoding="utf-8"))["features"] if path.exists() else []
    rings_by_code = {f["properties"]["insee"]: _rings(f["geometry"]) for f in features}
    points = [(c.lon, c.lat) for c in territory.communes.values() if c.lon is not None]
    points += [p for rings in rings_by_code.values() for ring in rings for p in ring]
    if not points:
        return Map(WIDTH, WIDTH, (), False)
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    kx = math.cos(math.radians((lat0 + lat1) / 2))  # equirectangular, true to scale at mid-latitude
    scale = (WIDTH - 20) / ((lon1 - lon0) * kx or 1)
    height = round((lat1 - lat0) * scale) + 20

    def xy(lon, lat):
        return round(10 + (lon - lon0) * kx * scale, 1), round(10 + (lat1 - lat) * scale, 1)

    shapes = []
    for c in sorted(territory.communes.values(), key=lambda c: c.name):
        rings = rings_by_code.get(c.insee)
        if rings:
            d = " ".join("M" + " ".join(f"{x},{y}" for x, y in (xy(*p) for p in ring)) + "Z" for ring in rings)
            shapes.append(Shape(c.insee, c.name, c.territory, path=d))
        elif c.lon is not None:
            x, y = xy(c.lon, c.lat)
            shapes.append(Shape(c.insee, c.name, c.territory, x=x, y=y))
    return Map(WIDTH, height, tuple(shapes), outlines=bool(rings_by_code))


def _rings(geometry: dict) -> list[list[tuple[float, float]]]:
    if geometry["type"] == "Polygon":
        return [[tuple(p) for p in ring] for ring in geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return [[tuple(p) for p in ring] for polygon in geometry["coordinates"] for ring in polygon]
    return []
