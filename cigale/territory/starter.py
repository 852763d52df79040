"""The starter corpus: factual sheets generated from the territory pack itself.

A fresh install answers "Which territory is Trets in?" before any partner content is
ingested. One sheet per commune in French and in English, one per sub-territory, one for
the whole territory; every figure comes from the pack, whose provenance each sheet cites.
Where the pack has town halls, a "Mairie de X" / "X town hall" sheet per commune (and per
Marseille sector) too: address, hours, phone, website, mayor, citing the town halls' sources.
"""

from cigale.answers.frames import town_hall as town_hall_name
from cigale.documents import Document
from cigale.territory import DAYS, Commune, Opening, Territory, TownHall

LICENSE = "Licence Ouverte 2.0 (Etalab): data of the territory pack"
# Generated, not a partner's content: the coverage report leaves such sheets out, and lists
# never show them as items. The town-hall sheets too: every commune gets one from national
# data, so counting them would hide the communes no partner writes about.
SYNTHETIC = {"synthetic": True}
TOWN_HALL_THEME = "services/mairie"
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


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
            f"Code INSEE : {c.insee}.",  # a line of its own: answers leave identifiers out (answers/lines.py)
            f"Département : {dep} ({c.departement}).",
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
            f"INSEE code: {c.insee}.",
            f"Département: {dep} ({c.departement}).",
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
        docs.extend(town_hall_documents(territory, c))
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


def town_hall_documents(territory: Territory, c: Commune) -> list[Document]:
    """The sheets of a commune's town hall and of its sector town halls, in French and English;
    none when the pack has no town hall for it."""
    source, license, publisher = _town_hall_provenance(territory)
    docs = []
    for hall in (c.town_hall, *c.sector_halls):
        if hall is None:
            continue
        key = f"{c.insee}-s{hall.sector}" if hall.sector else c.insee
        common = {"url": hall.website, "source": source, "license": license, "places": [c.insee],
                  "theme": TOWN_HALL_THEME, **({"publisher": publisher} if publisher else {}), **SYNTHETIC}
        for lang, (title, lines) in {"fr": _french(c, hall), "en": _english(c, hall)}.items():
            docs.append(Document.from_record({"id": f"starter-townhall-{key}-{lang}", "title": title,
                                              "text": "\n".join(lines), "lang": lang, **common}))
    return docs


def _town_hall_provenance(territory: Territory) -> tuple[str, str, str | None]:
    """(source, licence, publisher) of the pack's town halls: its provenance entries whose fields
    are town halls' ("town_halls.mayor"), else the pack itself."""
    entries = [e for e in (territory.provenance or {}).get("sources", ())
               if any(str(f).startswith("town_halls") for f in e.get("fields", ()))]
    if not entries:
        return f"{territory.name} — territory pack (town halls)", LICENSE, None
    names = "; ".join(dict.fromkeys(e["name"].split(":")[0].strip() for e in entries if e.get("name")))
    via = ", ".join(dict.fromkeys(f"{e['package']} {e.get('version', '')}".strip()
                                  for e in entries if e.get("package")))
    licenses = "; ".join(dict.fromkeys(e["license"].split(",")[0].split(";")[0].strip()
                                       for e in entries if e.get("license")))
    publishers = " / ".join(dict.fromkeys(e["publisher"] for e in entries if e.get("publisher")))
    return f"{names}{f', via {via}' if via else ''}", licenses or LICENSE, publishers or None


def _ordinal_fr(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


def _ordinal_en(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _and(items: list[str], word: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _french(c: Commune, hall: TownHall) -> tuple[str, list[str]]:
    if hall.sector:
        arrs = _and([_ordinal_fr(int(a[-2:])) for a in hall.arrondissements], "et")
        title = f"Mairie des {arrs} arrondissements de {c.name} ({_ordinal_fr(hall.sector)} secteur)"
        lines = [f"Mairie de secteur : pour les habitants des {arrs} arrondissements de {c.name}"]
    else:
        title, lines = town_hall_name(c.name, "fr"), []
    if hall.address:
        lines.append(f"Adresse : {', '.join(hall.address)}")
    if hall.hours:
        lines.append(f"Horaires d'ouverture : {' ; '.join(_fr_opening(o) for o in hall.hours)}")
    if hall.phone:
        lines.append(f"Téléphone : {hall.phone}")
    if hall.email:
        lines.append(f"Courriel : {hall.email}")
    if hall.website:
        lines.append(f"Site internet : {hall.website}")
    if hall.accessibility or hall.accessibility_details:
        said = {"accessible": "accessible aux personnes à mobilité réduite", "on_request": "sur demande préalable"}
        said = filter(None, (said.get(hall.accessibility or ""), hall.accessibility_details))
        lines.append(f"Accessibilité : {'. '.join(said)}")
    if hall.mayor:
        since = f" (depuis le {_fr_date(hall.mayor.since)})" if hall.mayor.since else ""
        lines.append(f"Maire : {hall.mayor.name}{since}")
    if hall.councillors:
        lines.append(f"Conseil municipal : {hall.councillors} conseillers municipaux en fonction")
    for s in c.sector_halls if not hall.sector else ():
        arrs = _and([_ordinal_fr(int(a[-2:])) for a in s.arrondissements], "et")
        lines.append(f"Mairie des {arrs} arrondissements : {', '.join(s.address) or s.website or ''}")
    if hall.lat is not None:
        lines.append(f"Position GPS : {hall.lat:.5f} N, {hall.lon:.5f} E")
    return title, lines


def _english(c: Commune, hall: TownHall) -> tuple[str, list[str]]:
    if hall.sector:
        arrs = _and([_ordinal_en(int(a[-2:])) for a in hall.arrondissements], "and")
        title = f"Town hall of {c.name}'s {arrs} arrondissements ({_ordinal_en(hall.sector)} sector)"
        lines = [f"Sector town hall: for residents of {c.name}'s {arrs} arrondissements"]
    else:
        title, lines = town_hall_name(c.name, "en"), []
    if hall.address:
        lines.append(f"Address: {', '.join(hall.address)}")
    if hall.hours:
        lines.append(f"Opening hours: {'; '.join(_en_opening(o) for o in hall.hours)}")
    if hall.phone:
        national = hall.phone.startswith("0") and len(hall.phone.replace(" ", "")) == 10  # not "30 13"
        lines.append(f"Phone: {hall.phone}" + (f" (+33 {hall.phone[1:]} from abroad)" if national else ""))
    if hall.email:
        lines.append(f"E-mail: {hall.email}")
    if hall.website:
        lines.append(f"Website: {hall.website}")
    if hall.accessibility or hall.accessibility_details:
        said = {"accessible": "wheelchair accessible", "on_request": "on prior request"}
        said = filter(None, (said.get(hall.accessibility or ""), hall.accessibility_details))
        lines.append(f"Accessibility: {'. '.join(said)}")
    if hall.mayor:
        since = f" (since {_en_date(hall.mayor.since)})" if hall.mayor.since else ""
        lines.append(f"Mayor: {hall.mayor.name}{since}")
    if hall.councillors:
        lines.append(f"Municipal council: {hall.councillors} councillors in office")
    for s in c.sector_halls if not hall.sector else ():
        arrs = _and([_ordinal_en(int(a[-2:])) for a in s.arrondissements], "and")
        lines.append(f"Town hall of the {arrs} arrondissements: {', '.join(s.address) or s.website or ''}")
    if hall.lat is not None:
        lines.append(f"GPS position: {hall.lat:.5f} N, {hall.lon:.5f} E")
    return title, lines


def _fr_opening(o: Opening) -> str:
    """"du lundi au vendredi 8 h 30 – 12 h 15, 13 h 15 – 17 h"."""
    first, last = DAYS[o.first], DAYS[o.last]
    days = (f"le {first}" if o.first == o.last else f"le {first} et le {last}" if o.last == o.first + 1
            else f"du {first} au {last}")
    return f"{days} {', '.join(f'{_fr_time(a)} – {_fr_time(b)}' for a, b in o.slots)}"


def _en_opening(o: Opening) -> str:
    """"Monday to Friday 8:30 am – 12:15 pm, 1:15 pm – 5 pm"."""
    first, last = _DAYS_EN[o.first], _DAYS_EN[o.last]
    days = first if o.first == o.last else f"{first} and {last}" if o.last == o.first + 1 else f"{first} to {last}"
    return f"{days} {', '.join(f'{_en_time(a)} – {_en_time(b)}' for a, b in o.slots)}"


def _fr_time(hhmm: str) -> str:
    h, m = (int(x) for x in hhmm.split(":")[:2])
    return f"{h} h {m:02d}" if m else f"{h} h"


def _en_time(hhmm: str) -> str:
    h, m = (int(x) for x in hhmm.split(":")[:2])
    suffix = "am" if h < 12 or h == 24 else "pm"
    return f"{h % 12 or 12}:{m:02d} {suffix}" if m else f"{h % 12 or 12} {suffix}"


def _fr_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{'1er' if d == 1 else d} {_MONTHS_FR[m - 1]} {y}"


def _en_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{d} {_MONTHS_EN[m - 1]} {y}"
