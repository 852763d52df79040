"""Who speaks: the partner to ask about a question's theme, and the publisher a visitor knows
behind each source ("Ministère de la Culture", not a provenance string).

"We give the floor back to the experts": every answer, refusal or not, names one. The
partners and their themes are the territory pack's; a commune's own services (its town hall's
hours, its mayor, civil status) go to its town hall: its website when the pack has it, else
the pack's `town_hall_url`.
"""

import re
from collections import Counter
from urllib.parse import quote_plus, urlsplit

from cigale.analysis import fold
from cigale.answers import frames
from cigale.answers.lexicon import CATEGORY_SUBTHEMES, CATEGORY_THEMES, Theme
from cigale.answers.types import Expert

# Part of a provenance string that names a dataset or a file, not a body: slugs, paths, versions.
_NOT_A_NAME = re.compile(r"[/@_{}<>]|^[a-z0-9-]+$|^feed_version|^classements|^fields from|^comptages")


def theme_of_category(category: str | None) -> Theme | None:
    """A document's category ("économie/recherche", "culture/festival") as a theme."""
    if not category:
        return None
    parts = [fold(p).strip() for p in category.split("/")]
    for part in parts[1:]:
        for word, theme in CATEGORY_SUBTHEMES.items():
            if part.startswith(word):
                return theme
    for word, theme in CATEGORY_THEMES.items():
        if parts[0].startswith(word):
            return theme
    return None


def expert_for(theme: Theme, communes, territory, lang: str, documents=()) -> Expert:
    """The partner for `theme` where the question is (`communes`: INSEE codes it names, in
    order); `documents`, the sources the answer cites, decide a theme the question left open."""
    if theme is Theme.OTHER and documents:
        themes = Counter(t for t in (theme_of_category(d.theme) for d in documents) if t)
        if themes:
            theme = themes.most_common(1)[0][0]
    communes = list(dict.fromkeys(communes))
    town_hall = _town_hall(territory.commune(communes[0]), territory, lang) if communes else None
    if theme is Theme.COMMUNE_SERVICES and town_hall is not None:
        return town_hall
    for wanted in (theme.value, Theme.OTHER.value):
        candidates = [p for p in territory.partners if wanted in p.themes]
        # A partner with a perimeter (a national park) is the expert only there.
        local = [p for p in candidates if p.communes and set(p.communes) & set(communes)]
        general = [p for p in candidates if not p.communes]
        for partner in local + general:
            return Expert(partner.name, partner.url, theme.value)
    return town_hall or Expert(territory.name, None, theme.value)


def _town_hall(commune, territory, lang: str) -> Expert | None:
    """The commune's town hall, at its website, else where the pack's `town_hall_url` finds it;
    None when the pack knows neither."""
    if commune is None:
        return None
    url = commune.town_hall.website if commune.town_hall else None
    if not url and territory.town_hall_url:
        postcode = commune.postcodes[0] if commune.postcodes else ""
        url = territory.town_hall_url.format(commune=quote_plus(commune.name), postcode=postcode)
    if not url:
        return None
    return Expert(frames.town_hall(commune.name, lang), url, Theme.COMMUNE_SERVICES.value)


def publisher_of(doc, territory) -> str | None:
    """The body behind a document, as a visitor knows it: a `publisher` field if the document
    has one, else the body its provenance names in parentheses ("Liste des festivals (Ministère
    de la Culture, festivals-…), via …"), else its web host as the pack names it."""
    named = (doc.extra or {}).get("publisher")
    if isinstance(named, str) and named.strip():
        return named.strip()
    aliases = territory.publishers or {}
    if (doc.extra or {}).get("synthetic_template") or (doc.extra or {}).get("synthetic"):
        return territory.name  # generated from the pack's own data
    source = re.split(r",?\s+via\s+", doc.source or "", maxsplit=1)[0]
    for group in re.findall(r"\(([^()]*)\)", source):
        for part in (p.strip() for p in group.split(",")):
            if part and not _NOT_A_NAME.search(part) and part[:1].isupper():
                return aliases.get(part, part)
    host = urlsplit(doc.url or "").hostname or ""
    for suffix, name in aliases.items():
        if host == suffix or host.endswith("." + suffix):
            return name
    head = re.sub(r"\s*\([^()]*\)", "", source.split(" — ")[0]).strip(" ,;")
    return head if head and not _NOT_A_NAME.search(head) else None
