"""Query translation for BM25: a question's words in the languages the collection is written in.

Words match words only within a language (analysis.py), so an English, Italian, Spanish or
German question over French sources used to lean on the multilingual embeddings alone. Each
word (or phrase of up to three words) of such a question is looked up, in this order, in

1. the territory's glossary (the pack's `glossary`): its own vocabulary, in every language
   it serves — field labels ("Année de création" / "year founded"), kinds of places, events,
   schools and research fields;
2. the names of the kinds of things visitors ask for (answers/lexicon.py `KINDS`);
3. a bilingual dictionary from Debian's FreeDict packages (`dict-freedict-eng-fra`, ...,
   installed by `make install`, read from /usr/share/dictd). Where Debian has no pair in the
   wanted direction (Italian → French, Spanish → French), the French → Italian one is read
   backwards.

The translations are added to the BM25 query, analyzed in the target language; the
question's own words stay (names, acronyms and cognates such as "jazz" or "Mucem" match as
they are). A word with no entry is left as it is. Without the dictionaries, the glossary and
the kinds still translate; nothing fails. bench/levers.py measures each source's effect
(README, Figures).
"""

import functools
import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cigale.analysis import base_lang, fold, stopwords, words

DICT_DIR = Path("/usr/share/dictd")
# (question language, collection language) → FreeDict pair, and whether it is read backwards.
# Debian 12 packages: eng-fra, fra-eng, deu-fra, fra-deu, fra-ita, fra-spa (no ita-fra, spa-fra).
PAIRS = {
    ("en", "fr"): (("eng-fra", False), ("fra-eng", True)),
    ("de", "fr"): (("deu-fra", False), ("fra-deu", True)),
    ("it", "fr"): (("fra-ita", True),),
    ("es", "fr"): (("fra-spa", True),),
    ("fr", "en"): (("fra-eng", False), ("eng-fra", True)),
}
LONGEST = 3  # words in a phrase looked up as one entry ("train station", "musique de chambre")
SENSES = 2  # a dictionary entry's first senses only: later ones are rarer meanings
PER_ENTRY = 3  # translations kept per entry, most common first
BACKWARDS = 4  # of a French entry's translations, those read backwards (the first are the common ones)
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_SENSE = re.compile(r"^\d+\.\s+(.*?)(?:\s+\d+\.)?$")
_WORD = re.compile(r"[^\W\d_]+")
CAPITALISED_NOUNS = ("de",)  # languages whose common nouns are capitalised: no name spotting
COMPOUNDING = ("de",)  # languages that write compounds as one word: read as their parts
MIN_PART = 3  # letters of the shortest part of a compound
MAX_COMPOUND = 40  # letters of the longest word read as a compound
_NUMBERING = re.compile(r"\s+\d+\.?$")  # a sense number left at the end of a line ("musique 2.")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>")


@dataclass
class Lexicon:
    """Folded source phrases → target phrases, best first."""

    entries: dict[tuple[str, ...], list[str]] = field(default_factory=dict)

    def add(self, source: str, targets: Iterable[str], first: bool = False) -> None:
        key = tuple(words(source))
        if not key or len(key) > LONGEST:
            return
        known = self.entries.setdefault(key, [])
        new = [t for t in targets if t and t not in known]
        if first:
            known[:0] = new
        else:
            known.extend(new)

    def get(self, key: tuple[str, ...]) -> list[str]:
        return self.entries.get(key, [])


def _number(text: str) -> int:
    n = 0
    for c in text:
        n = n * 64 + _B64[c]
    return n


def _clean(text: str) -> list[str]:
    """The translations on one sense line: "chambre, local, pièce" → three phrases."""
    text = _BRACKETS.sub(" ", text).replace("‐", "-")
    out = []
    for part in re.split(r"[,;]", text):
        part = _NUMBERING.sub("", " ".join(part.split())).strip(" .!?")
        if part and len(part.split()) <= LONGEST:
            out.append(part)
    return out


def read_freedict(path_stem: Path) -> dict[str, list[str]]:
    """A FreeDict dictionary in dictd format: headword → its translations (first senses).

    Each entry is the headword line (with its pronunciation and part of speech), then either
    one line of translations or numbered senses ("1. gare" / "2. station"), each followed by
    glosses in the source language, which are skipped."""
    index = path_stem.with_suffix(".index").read_text(encoding="utf-8")
    data = gzip.decompress(path_stem.with_suffix(".dict.dz").read_bytes())
    out: dict[str, list[str]] = {}
    for line in index.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database"):
            continue
        start, size = _number(parts[1]), _number(parts[2])
        lines = data[start:start + size].decode("utf-8", "replace").splitlines()[1:]
        senses = [m.group(1) for m in map(_SENSE.match, lines) if m]
        chosen = senses[:SENSES] if senses else lines[:1]
        translations = [t for s in chosen for t in _clean(s)]
        if translations:
            out.setdefault(parts[0].strip(), []).extend(translations)
    return out


@functools.cache
def _dictionary(source: str, target: str, directory: str) -> Lexicon:
    """Every FreeDict pair from `source` to `target` merged into one lexicon (read once)."""
    lexicon = Lexicon()
    for name, backwards in PAIRS.get((source, target), ()):
        stem = Path(directory) / f"freedict-{name}"
        if not stem.with_suffix(".index").is_file():
            continue
        try:
            pairs = read_freedict(stem)
        except (OSError, ValueError, EOFError):  # a damaged file: as if not installed
            continue
        if not backwards:
            for head, translations in pairs.items():
                lexicon.add(head, translations[:PER_ENTRY])
        else:
            # Read backwards, the entries whose translation comes first in their list come first:
            # "stazione" → "gare" (its first translation) before "station" (a later one).
            ranked = sorted((i, len(head), head, t) for head, ts in pairs.items() for i, t in enumerate(ts[:BACKWARDS]))
            for _, _, head, t in ranked:
                if len(lexicon.get(tuple(words(t)))) < PER_ENTRY:
                    lexicon.add(t, [head])
    return lexicon


@functools.cache
def _kinds(source: str, target: str) -> Lexicon:
    from cigale.answers.lexicon import KINDS  # linguistic knowledge shared with the answers

    lexicon = Lexicon()
    for kind in KINDS:
        for name in kind.names.get(source, ()):
            lexicon.add(name, kind.names.get(target, ())[:2])
    return lexicon


def glossary_lexicon(glossary: tuple[dict[str, str], ...], source: str, target: str) -> Lexicon:
    """The pack's glossary as a lexicon: each entry names one notion in several languages,
    synonyms separated by commas ({"fr": "année de création", "en": "year founded, founded"})."""
    lexicon = Lexicon()
    for entry in glossary:
        if source in entry and target in entry:
            targets = [t.strip() for t in entry[target].split(",") if t.strip()]
            for name in entry[source].split(","):
                lexicon.add(name, targets)
    return lexicon


class Translator:
    """Translations of a question's words into the collection's languages, for BM25."""

    def __init__(self, glossary: tuple[dict[str, str], ...] = (), directory: Path | str | None = DICT_DIR,
                 sources: tuple[str, ...] = ("glossary", "kinds", "dictionary")):
        self.glossary, self.sources = tuple(glossary), sources
        self.directory = str(directory) if directory else None

    @functools.cache  # noqa: B019 - one translator per engine, a handful of language pairs
    def lexicons(self, source: str, target: str) -> tuple[Lexicon, ...]:
        out = []
        if "glossary" in self.sources:
            out.append(glossary_lexicon(self.glossary, source, target))
        if "kinds" in self.sources:
            out.append(_kinds(source, target))
        if "dictionary" in self.sources and self.directory:
            out.append(_dictionary(source, target, self.directory))
        return tuple(out)

    def available(self, source: str, target: str) -> bool:
        return any(lexicon.entries for lexicon in self.lexicons(source, target))

    def translate(self, text: str, source: str, target: str) -> list[str]:
        """The target-language phrases for the words of `text`, in question order; longest
        phrases first ("musique de chambre" before "musique"), stop words never alone."""
        source, target = base_lang(source), base_lang(target)
        if source == target:
            return []
        lexicons = self.lexicons(source, target)
        if not lexicons:
            return []
        stop = stopwords(source) | _asking_words() | (_names(text) if source not in CAPITALISED_NOUNS else set())
        tokens = words(text)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for n in range(min(LONGEST, len(tokens) - i), 0, -1):
                key = tuple(tokens[i:i + n])
                if key[0] in stop or key[-1] in stop or (n == 1 and len(key[0]) < 2):
                    continue
                found = _lookup(lexicons, key, source)
                if found:
                    out.extend(t for t in found if t not in out)
                    i += n
                    break
            else:
                i += 1
        return out


# English function words beyond Lucene's 33 stop words (analysis.py): translated, they would only
# add noise ("have" → "avoir, accueillir, recevoir"; "from" → "depuis, à partir de").
FUNCTION_WORDS = frozenset((
    "have", "has", "had", "having", "been", "being", "were", "am", "from", "about", "over", "under", "after",
    "before", "up", "down", "out", "off", "than", "too", "very", "also", "just", "only", "own", "same", "so",
    "other", "more", "most", "all", "each", "few", "both", "our", "your", "my", "his", "her", "its", "them",
    "those", "who", "whom", "whose", "would", "should", "shall", "may", "might", "must", "will", "let", "want",
    "like", "need", "near", "between", "during", "without", "within", "via", "per",
))


@functools.cache
def _asking_words() -> frozenset[str]:
    """Question words and verbs of asking ("which", "visit", "gibt"): they carry no concept,
    and their translations would only add noise; English function words likewise."""
    from cigale.answers.lexicon import QUESTION_WORDS

    return frozenset(p[0] for p in QUESTION_WORDS if len(p) == 1) | FUNCTION_WORDS


def _names(text: str) -> set[str]:
    """Words written with a capital inside a sentence: names ("Paris", "Albertas"), kept as
    they are, never translated ("Paris" is not "Pâris")."""
    out = set()
    for sentence in re.split(r"[.!?:;¿¡]\s*", text):
        out.update(fold(w) for w in _WORD.findall(sentence)[1:] if w[:1].isupper())
    return out


def _lookup(lexicons: tuple[Lexicon, ...], key: tuple[str, ...], lang: str, compounds: bool = True) -> list[str]:
    """The first lexicon that knows the phrase wins (glossary, then kinds, then dictionary);
    a single word not found as it is is tried by its singular ("museums" → "museum")."""
    for lexicon in lexicons:
        found = lexicon.get(key)
        if found:
            return found[:PER_ENTRY]
    if len(key) == 1:
        for form in _singulars(key[0], lang):
            for lexicon in lexicons:
                found = lexicon.get((form,))
                if found:
                    return found[:PER_ENTRY]
        if compounds and lang in COMPOUNDING and len(key[0]) <= MAX_COMPOUND:
            return _compound(lexicons, key[0], lang)
    return []


def _compound(lexicons: tuple[Lexicon, ...], word: str, lang: str) -> list[str]:
    """A German compound read as its two parts ("Theaterfestivals" → Theater + Festivals,
    "Geschichtsmuseen" → Geschichte + Museen, with its linking "s"): the split whose head (the
    last part) is longest, both parts known. Two parts, never more: each is looked up as a word
    (with its plural forms), not split again, so a word costs at most len(word) lookups."""
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        left, head = word[:cut], word[cut:]
        found_head = _lookup(lexicons, (head,), lang, compounds=False)
        if not found_head:
            continue
        linked = left[:-1] if left.endswith("s") else left  # the linking "s": Geschicht-s-museen
        for stem in dict.fromkeys((left, linked, linked + "e", left[:-1] if left.endswith("n") else left)):
            found_left = len(stem) >= MIN_PART and _lookup(lexicons, (stem,), "", compounds=False)
            if found_left:
                return found_left[:1] + found_head[:2]
    return []


def _singulars(word: str, lang: str) -> list[str]:
    """Likely singular (dictionary) forms of a plural: plain suffix rules per language."""
    rules = {
        "en": (("ies", "y"), ("ses", "s"), ("s", "")),
        "fr": (("aux", "al"), ("s", ""), ("x", "")),
        "it": (("i", "o"), ("i", "e"), ("e", "a"), ("ghe", "ga"), ("che", "ca")),
        "es": (("es", ""), ("s", "")),
        "de": (("en", ""), ("e", ""), ("n", ""), ("s", ""), ("er", ""), ("een", "eum")),
    }.get(lang, ())
    return [word[: -len(a)] + b for a, b in rules if word.endswith(a) and len(word) - len(a) >= 3]

