"""The starter corpus: factual sheets generated from the territory pack itself.

A fresh install answers "Which territory is Trets in?" before any partner content is
ingested. One sheet per commune in French and in English, one per sub-territory, one for
the whole territory; every figure comes from the pack, whose provenance each sheet cites.
"""

from cigale.documents import Document
from cigale.territory import Territory

LICENSE = "Licence Ouverte 2.0 (Etalab): data of the territory pack"
# Generated, not a partner's content: the coverage report leaves such sheets out.
SYNTHETIC = {"synthetic": True}


def _fr_int(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _en_int(n: int) -> str:
    return f"{n:,}"


def _names(territory: Territory, codes) -> list[str]:
    return [territory.communes[c].name for c in codes if c in territory.communes]


def starter_documents(territory: Territory) -> list[Document]:
    source = f"{territory.name} — territory pack ({(territory.provenance or {}).get('generated_by', 'Cigale')})"
    total = sum(c.population for c in territory.communes.values())
    docs = []
    for c in sorted(territory.communes.values(), key=lambda c: c.insee):
        sub = territory.subterritories[c.territory]
        neighbours = _names(territory, c.neighbours)
        share = 100 * c.population / total if total else 0
        year = c.population_year or ""
        share_fr = f"{share:.1f}".replace(".", ",")
        dep = (territory.departements or {}).get(c.departement, c.departement)
        fr = [
            f"{c.name} est une commune de la {territory.name}, dans le conseil de territoire {sub.name}.",
            f"Code INSEE : {c.insee}. Département : {dep} ({c.departement}).",
            f"Population municipale : {_fr_int(c.population)} habitants{f' ({year})' if year else ''}, "
            f"soit {share_fr} % de la population de la métropole.",
        ]
        if c.postcodes:
            fr.append(f"Code(s) postal(aux) : {', '.join(c.postcodes)}.")
        if neighbours:
            fr.append(f"Communes voisines dans la métropole : {', '.join(neighbours)}.")
        if c.lat is not None:
            fr.append(f"Coordonnées du centre : {c.lat:.4f} N, {c.lon:.4f} E.")
        en = [
            f"{c.name} is a commune of the {territory.name_en or territory.name}, "
            f"in the {sub.name} territory (conseil de territoire).",
            f"INSEE code: {c.insee}. Département: {dep} ({c.departement}).",
            f"Municipal population: {_en_int(c.population)}{f' ({year})' if year else ''}, "
            f"{share:.1f}% of the metropolis.",
        ]
        if neighbours:
            en.append(f"Neighbouring communes in the metropolis: {', '.join(neighbours)}.")
        common = {"source": source, "license": LICENSE, "places": [c.insee], "theme": "territoire/commune",
                  **SYNTHETIC}
        docs.append(Document.from_record({"id": f"starter-commune-{c.insee}-fr", "title": f"{c.name} ({sub.name})",
                                          "text": "\n".join(fr), "lang": "fr", **common}))
        docs.append(Document.from_record({"id": f"starter-commune-{c.insee}-en", "title": f"{c.name} ({sub.name})",
                                          "text": "\n".join(en), "lang": "en", **common}))
    for sub in territory.subterritories.values():
        population = territory.population_of(sub.id)
        names = ", ".join(sorted(_names(territory, sub.communes)))
        common = {"source": source, "license": LICENSE, "places": [sub.id], "theme": "territoire/conseil",
                  **SYNTHETIC}
        docs.append(Document.from_record({
            "id": f"starter-territory-{sub.id}-fr", "title": f"Conseil de territoire {sub.name}", "lang": "fr",
            "text": f"Le conseil de territoire {sub.name} regroupe {len(sub.communes)} communes de la "
                    f"{territory.name} : {names}.\nPopulation : {_fr_int(population)} habitants "
                    f"({100 * population / total:.1f} % de la métropole).", **common}))
        docs.append(Document.from_record({
            "id": f"starter-territory-{sub.id}-en", "title": f"{sub.name} territory", "lang": "en",
            "text": f"The {sub.name} territory (conseil de territoire) groups {len(sub.communes)} communes of the "
                    f"{territory.name_en or territory.name}: {names}.\nPopulation: {_en_int(population)} "
                    f"({100 * population / total:.1f}% of the metropolis).", **common}))
    subs = "; ".join(f"{s.name} ({len(s.communes)} communes)" for s in territory.subterritories.values())
    docs.append(Document.from_record({
        "id": "starter-territory-fr", "title": territory.name, "lang": "fr", "source": source, "license": LICENSE,
        "theme": "territoire", **SYNTHETIC, "text": f"La {territory.name} compte {len(territory.communes)} communes et "
        f"{_fr_int(total)} habitants, répartis en {len(territory.subterritories)} conseils de territoire : {subs}."}))
    docs.append(Document.from_record({
        "id": "starter-territory-en", "title": territory.name_en or territory.name, "lang": "en", "source": source,
        "license": LICENSE, "theme": "territoire", **SYNTHETIC,
        "text": f"The {territory.name_en or territory.name} has "
        f"{len(territory.communes)} communes and {_en_int(total)} inhabitants in {len(territory.subterritories)} "
        f"territories (conseils de territoire): {subs}."}))
    return docs
