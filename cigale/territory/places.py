"""Finding places in text: the geotagger for chunks and the place detector for questions.

Matching is case- and accent-insensitive on whole words, longest name first, so "Les
Pennes-Mirabeau" wins over anything shorter inside it and "Fos" never matches "Fosse".
Names that are also common words (the pack's ``ambiguous`` list: "Salon", "Cassis",
"Aurons"...) count only when capitalised or right after a locative preposition ("à salon").
"""

import re
from dataclasses import dataclass

from cigale.analysis import fold
from cigale.territory import METROPOLIS, Territory

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# "St-Chamas", "Saint-Paul-lez-Durance": spelling variants folded to one form.
_VARIANTS = {"st": "saint", "ste": "sainte", "lez": "les", "mt": "mont"}
_ELIDED = {"l", "d", "j", "m", "n", "s", "t", "c", "qu"}
_ARTICLES = {"la", "le", "les", "l"}
_LOCATIVE = {"a", "au", "aux", "en", "in", "at", "near", "to", "from", "vers", "sur", "dans", "pres", "around"}
# "13e arrondissement", "Marseille 8e", "8ème arr."
_ARRONDISSEMENT = re.compile(
    r"\b(?:marseille\s*)?(\d{1,2})\s*(?:e|er|re|eme|ème|è|ᵉ|th|st|nd|rd)\b(?:\s*(?:arrondissement|arr\.?))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PlaceMatch:
    code: str  # INSEE code, sub-territory id, or METROPOLIS
    start: int
    end: int
    surface: str
    weak: bool = False  # an ambiguous name accepted on context only


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded token, start, end) with offsets into the original text."""
    out = []
    for m in _TOKEN.finditer(text):
        token = fold(m.group())
        token = _VARIANTS.get(token, token)
        out.append((token, m.start(), m.end()))
    return out


def _key(name: str) -> tuple[str, ...]:
    return tuple(t for t, _, _ in _tokens(name) if t not in _ELIDED)


class Gazetteer:
    """Every name of every place of a territory, ready to match."""

    def __init__(self, territory: Territory):
        self.territory = territory
        self.names: dict[tuple[str, ...], str] = {}
        for commune in territory.communes.values():
            for name in (commune.name, *commune.aliases):
                self._add(name, commune.insee)
                words = _key(name)
                # "La Ciotat" is also said "Ciotat"; not for short leftovers ("Le Rove" → "Rove").
                if len(words) > 1 and words[0] in _ARTICLES and len("".join(words[1:])) >= 5:
                    self.names.setdefault(words[1:], commune.insee)
        for arr in territory.arrondissements.values():
            for name in (arr.name, *arr.aliases):
                self._add(name, arr.parent)
        for sub in territory.subterritories.values():
            for name in (sub.name, *sub.aliases):
                self._add(name, sub.id)
        for landmark in territory.landmarks.values():
            for name in (landmark.name, *landmark.aliases):
                self._add(name, landmark.id)
        for name in (territory.name, territory.name_en, territory.id):
            if name:
                self._add(name, METROPOLIS)
        self.ambiguous = {_key(n) for n in territory.ambiguous}
        self.longest = max(map(len, self.names))

    def _add(self, name: str, code: str) -> None:
        key = _key(name)
        if key:
            self.names[key] = code

    def find(self, text: str) -> list[PlaceMatch]:
        tokens = [t for t in _tokens(text) if t[0] not in _ELIDED]
        matches, i = [], 0
        while i < len(tokens):
            for n in range(min(self.longest, len(tokens) - i), 0, -1):
                key = tuple(t for t, _, _ in tokens[i : i + n])
                code = self.names.get(key)
                if code is None:
                    continue
                start, end = tokens[i][1], tokens[i + n - 1][2]
                weak = False
                if key in self.ambiguous:
                    capitalised = text[start].isupper() and not (
                        start == 0 or text[:start].rstrip().endswith((".", "\n"))
                    )
                    after_locative = i > 0 and tokens[i - 1][0] in _LOCATIVE
                    if not (capitalised or after_locative):
                        continue
                    weak = not capitalised
                matches.append(PlaceMatch(code, start, end, text[start:end], weak))
                i += n - 1
                break
            i += 1
        return matches

    def arrondissements(self, text: str) -> list[PlaceMatch]:
        """Marseille arrondissements named by number ("le 13e", "Marseille 8e")."""
        out = []
        for m in _ARRONDISSEMENT.finditer(text):
            n = int(m.group(1))
            code = f"132{n:02d}"
            mentions_city = "marseille" in m.group(0).lower() or "arr" in m.group(0).lower()
            if 1 <= n <= 16 and code in self.territory.arrondissements and mentions_city:
                out.append(PlaceMatch(self.territory.arrondissements[code].parent, m.start(), m.end(), m.group(0)))
        return out

    def tag(self, text: str) -> tuple[str, ...]:
        """Place codes named in `text` (communes and sub-territories), in order of first mention."""
        found = {m.code: None for m in self.find(text) + self.arrondissements(text) if m.code != METROPOLIS}
        return tuple(found)
