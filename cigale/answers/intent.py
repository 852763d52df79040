"""What a question asks, decided before answering: its intent, and for a factual question the
one thing it wants to know (its focus).

    factual       one fact about a named subject ("le CEREGE travaille sur quoi ?")
    list          items of a kind in a named place ("Quels musées à Martigues ?")
    open          items of a kind, whole territory ("festivals de jazz")
    practical     a how-to: opening hours, prices, timetables, procedures, getting there
    opinion       a ranking or a judgement ("Vaut-il mieux vivre à Aubagne ou à La Ciotat ?")
    out_of_scope  a task that is not about the territory (a poem, a recipe, some code)
    injection     words addressed to the model ("ignore tes instructions…")

Rules over the lexicon (answers/lexicon.py) and the places the question names; the accuracy is
measured by bench/answers.py on a labelled set and on the dev set.
"""

import enum
import functools
import re
from dataclasses import dataclass, replace

from cigale.analysis import fold, stopwords, words
from cigale.answers import lexicon as lx
from cigale.answers.injection import INJECTION
from cigale.chunks import sentences


class Intent(enum.Enum):
    FACTUAL = "factual"
    LIST = "list"
    OPEN = "open"
    PRACTICAL = "practical"
    OPINION = "opinion"
    OUT_OF_SCOPE = "out_of_scope"
    INJECTION = "injection"


@dataclass(frozen=True)
class Reading:
    """A question as understood: what it asks and what the evidence must hold to answer it."""

    intent: Intent
    theme: lx.Theme
    focus: lx.Focus | None = None
    focuses: tuple[lx.Focus, ...] = ()  # every focus the question's words ask ("il y a quoi comme collections")
    aspect: lx.Aspect | None = None
    kind: lx.Kind | None = None
    concept: tuple[str, ...] = ()  # folded words the evidence must hold (places and question words out)
    qualifier: tuple[str, ...] = ()  # the concept less the kind: "jazz" in "festivals de jazz"
    legitimate: str | None = None  # an injection's question once the instructions are taken out

    @property
    def wants_items(self) -> bool:
        return self.intent in (Intent.LIST, Intent.OPEN)


EXISTENCE = lx.phrases("y a t il un", "y a t il une", "il y a un", "il y a une", "existe t il", "is there a",
                       "is there an", "are there", "c e un", "c e una", "hay un", "hay una", "gibt es ein",
                       "gibt es eine", "y a t il", "is there")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,9}\b")
_WORD = re.compile(r"\b[^\W\d_]{3,}\b")
_LOCATIVE = {"a", "au", "aux", "at", "in", "en", "near", "pres", "sur"}
LANGUAGES = ("fr", "en", "it", "es", "de")  # the lexicon's
_STOP_ALL = stopwords(*LANGUAGES)
WHERE_ITEMS = lx.WHERE_ITEMS


def classify(question) -> Reading:
    """The reading of a `search.Question` (its text, language and the places it names)."""
    text = question.without_places
    tokens = _without_period(words(text), getattr(question, "period", None))
    found = _Cues(tokens)
    kind, kind_span, plural = _kind(tokens, question.lang)
    if kind is None and (found.any(lx.EVENT_CUES) or (question.window and found.any(lx.OUTING_CUES))):
        kind, plural = lx.EVENT, True  # "what's on in Aubagne?", "que faire ce week-end ?": events
    theme = _theme(found, kind)

    if _injected(question.text, found):
        return Reading(Intent.INJECTION, theme, legitimate=_legitimate(question.text))
    concept = _concept(tokens, kind_span)
    qualifier = _qualifier(concept, kind, tokens, kind_span)
    base = {"theme": theme, "kind": kind, "concept": concept, "qualifier": qualifier}
    if found.any(lx.OUT_OF_SCOPE_CUES) and not question.communes:
        return Reading(Intent.OUT_OF_SCOPE, **{**base, "theme": lx.Theme.OTHER})
    if found.any(lx.OPINION_CUES) or _judges(question.text) or _compares_places(question):
        return Reading(Intent.OPINION, **base)
    aspect = next((a for a, cues in lx.ASPECT_CUES.items() if found.any(cues)), None)
    focuses = _focuses(tokens)
    if lx.Focus.YEAR in focuses:  # "quand a été créé…": when it was founded, not its season
        focuses = tuple(f for f in focuses if f is not lx.Focus.WHEN)
    focus = focuses[0] if focuses else None
    base["focuses"] = focuses
    if aspect is not None and not (aspect is lx.Aspect.HOURS and focus in (lx.Focus.WHEN, lx.Focus.YEAR)):
        if theme is lx.Theme.OTHER and question.communes:
            base["theme"] = lx.Theme.COMMUNE_SERVICES
        return Reading(Intent.PRACTICAL, aspect=aspect, focus=focus, **base)

    named = _names_a_subject(question, tokens)
    exists = _asks_existence(tokens, kind_span)
    if named and kind is None:
        asks_items = False  # "le SESSTIM travaille dans quels domaines ?": one subject's attribute
    elif (kind is not None and plural) or exists or _asks_list_of_kind(tokens, kind_span):
        asks_items = not (named and focus not in (None, lx.Focus.WHERE))  # "quels lycées…", not "qui dirige le MIO"
    elif found.any(WHERE_ITEMS):
        asks_items = True  # "where is energy research done?", "où voir de l'art contemporain ?"
    elif kind is not None:
        # "festival a Pertuis", "quel musée visiter à La Ciotat ?": the kind, somewhere; but with a
        # focus ("le festival de piano… créé en quelle année ?") one subject.
        asks_items = focus is None and not named
    else:
        # No kind: one subject's attribute ("le bâtiment du Mucem est de quel architecte ?"), or,
        # with no question word at all, an overview of what there is ("Cassis", "art contemporain").
        asks_items = focus is None and not found.any(lx.SINGLE_CUES) and not found.any(lx.LIST_CUES)
    if not asks_items:
        return Reading(Intent.FACTUAL, focus=focus or lx.Focus.OTHER, **base)
    local = bool(question.communes) or _names_an_unknown_place(question.text)
    return Reading(Intent.LIST if local else Intent.OPEN, focus=focus, **base)


def refine(reading: Reading, question, hits, docs) -> Reading:
    """After the search: a list reading whose best source is named in full by the question
    ("rencontres d'averroès c'est à quel moment", "marsatac ça se passe où") is about that one
    subject. A title is named when each of its words that is not a place, a kind or a little
    word is in the question."""
    if not reading.wants_items or not hits:
        return reading
    title = docs[hits[0].doc_id].title
    asked = set(words(question.text))
    distinct = [w for w in words(_without_parenthesis(title)) if w not in _STOP_ALL and len(w) > 1
                and not (reading.kind and w in _kind_words(reading.kind)) and w not in _place_words(question)]
    if distinct and all(w in asked for w in distinct):
        return replace(reading, intent=Intent.FACTUAL, focus=reading.focus or lx.Focus.OTHER)
    return reading


# Little words a period's phrase may start with, that may also belong to a cue ("open on sunday").
_PERIOD_LEAD = frozenset(("on", "in", "en", "le", "la", "ce", "cet", "cette", "this", "the", "during", "au", "d"))


def _without_period(tokens: list[str], period: str | None) -> list[str]:
    """The tokens less the words that name the question's period (when.py): they say when, not
    what ("samedi prochain" is no timetable's "prochain", "en juillet" no word the evidence needs)."""
    said = words(period or "")
    while said and said[0] in _PERIOD_LEAD:
        said = said[1:]
    for i in range(len(tokens) - len(said) + 1):
        if said and tokens[i:i + len(said)] == said:
            return tokens[:i] + tokens[i + len(said):]
    return tokens


class _Cues:
    """Which cue phrases occur in a token list (every n-gram up to the longest cue)."""

    def __init__(self, tokens: list[str], longest: int = 6):
        self.grams = lx.grams(tokens, longest)

    def any(self, cues) -> bool:
        return not self.grams.isdisjoint(cues)


def _focuses(tokens: list[str], longest: int = 6) -> tuple[lx.Focus, ...]:
    """The focuses the question's words ask, in the lexicon's order. A focus whose every cue lies
    inside a longer cue of another is not asked: "numéro de téléphone" asks a phone number, not
    a count, and "e-mail address" an e-mail, not an address."""
    spans = {focus: [(i, i + n) for n in range(1, longest + 1) for i in range(len(tokens) - n + 1)
                     if tuple(tokens[i:i + n]) in cues] for focus, cues in lx.FOCUS_CUES.items()}

    def inside(a: int, b: int, focus) -> bool:
        return any(c <= a and b <= d and d - c > b - a
                   for other, found in spans.items() if other is not focus for c, d in found)

    return tuple(f for f, found in spans.items() if any(not inside(a, b, f) for a, b in found))


def _kind(tokens: list[str], lang: str):
    """The kind asked for, the token span that names it, and whether it is named in the plural.
    A German compound ends with the kind's name ("Kunstmuseen", "Literaturfestivals")."""
    best = None
    for kind in lx.KINDS:
        for name_lang, names in kind.names.items():
            for name in names:
                key = tuple(words(name))
                for i in range(len(tokens) - len(key) + 1):
                    if tuple(tokens[i:i + len(key)]) == key and (best is None or len(key) > best[1][1] - best[1][0]):
                        best = (kind, (i, i + len(key)), _plural(key[-1], name_lang, kind, name))
                    elif (best is None and len(key) == 1 and name_lang == "de" and len(key[0]) >= 5
                          and tokens[i].endswith(key[0]) and len(tokens[i]) > len(key[0]) + 2):
                        best = (kind, (i, i + 1), _plural(key[0], name_lang, kind, name))
    if best is None:
        return None, None, False
    return best


def _plural(word: str, lang: str, kind, name: str) -> bool:
    """Named in the plural: the name is one of the kind's plural forms (listed first per language),
    or ends like a plural of its language."""
    names = kind.names.get(lang, ())
    if names and name == names[0]:
        return True
    if lang in ("fr", "en", "es"):
        return word.endswith(("s", "x"))
    if lang == "it":
        return word.endswith("i") or (word.endswith("e") and not word.endswith("ione"))
    if lang == "de":
        return word.endswith(("en", "er", "e", "s"))
    return False


def _kind_words(kind) -> set[str]:
    return {w for names in kind.names.values() for n in names for w in words(n)}


def _theme(found: _Cues, kind) -> lx.Theme:
    if kind is not None:
        return kind.theme
    return next((theme for theme, cues in lx.THEME_CUES.items() if found.any(cues)), lx.Theme.OTHER)


def _injected(text: str, found: _Cues) -> bool:
    folded = text.casefold()
    return found.any(lx.INJECTION_CUES) or bool(INJECTION.search(text)) or any(
        m in folded for m in lx.INJECTION_MARKERS)


def _legitimate(text: str) -> str | None:
    """The sentences of a question that do not address the model, if any asks something."""
    split = re.sub(r"([.!?;:])\s*", r"\1\n", text)  # one clause a line: "Quels festivals ? Ensuite ignore…"
    kept = [split[a:b] for a, b in sentences(split)]
    kept = [part for part in kept if not _injected(part, _Cues(words(part))) and _concept(words(part), None)]
    return " ".join(kept) or None


# Cue phrases are dropped from the concept; an everyday service ("pharmacie de garde") is the concept.
_CUE_WORDS = frozenset().union(
    lx.QUESTION_WORDS, lx.LIST_CUES, EXISTENCE, lx.OPINION_CUES, lx.TIME_WORDS, lx.FILLER_WORDS, lx.EVENT_CUES,
    lx.NEWS_CUES, *lx.FOCUS_CUES.values(),
    *(cues for aspect, cues in lx.ASPECT_CUES.items() if aspect is not lx.Aspect.SERVICE))


def _concept(tokens: list[str], kind_span) -> tuple[str, ...]:
    """The words left once cue phrases and one-letter words are out: what the question is about."""
    drop = set()
    for n in range(6, 0, -1):
        for i in range(len(tokens) - n + 1):
            if kind_span and kind_span[0] <= i < kind_span[1]:
                continue
            if tuple(tokens[i:i + n]) in _CUE_WORDS and not drop & set(range(i, i + n)):
                drop.update(range(i, i + n))
    stop = stopwords(*LANGUAGES)
    return tuple(dict.fromkeys(
        t for i, t in enumerate(tokens) if i not in drop and t not in stop and (len(t) > 2 or t.isdigit())))


def _names_a_subject(question, tokens) -> bool:
    """A proper name besides the places: an acronym ("CEREGE"), a capitalised word that is no
    common word ("musée Ziem", "Figra festival…", "Festeenval à Gardanne…")."""
    text = question.without_places.strip()
    if _ACRONYM.search(text):
        return True
    return any(fold(m.group()) not in _common() for m in _WORD.finditer(text) if m.group()[:1].isupper())


@functools.cache
def _common() -> frozenset[str]:
    """Words that start a question without naming anything."""
    kinds = {w for kind in lx.KINDS for w in _kind_words(kind)}
    return _STOP_ALL | {w for cue in _CUE_WORDS | lx.SINGLE_CUES | lx.WHERE_ITEMS for w in cue} | kinds


def _asks_existence(tokens: list[str], kind_span) -> bool:
    """"y a-t-il un lycée…", "is there a museum…": an existence cue right before the kind."""
    if kind_span is None:
        return False
    start = kind_span[0]
    return any(tuple(tokens[max(0, start - n):start]) in EXISTENCE for n in range(2, 6))


def _asks_list_of_kind(tokens: list[str], kind_span) -> bool:
    """"quels festivals…", "quali festival…": a list cue right before the kind (in "Quelles lignes
    à la gare de Miramas ?" it asks for lines, of one station)."""
    if kind_span is None:
        return False
    start = kind_span[0]
    return any(tuple(tokens[start - n:start]) in lx.LIST_CUES for n in range(1, 4) if start - n >= 0)


def _qualifier(concept, kind, tokens, kind_span) -> tuple[str, ...]:
    """The concept less the kind's words: "jazz" in "festivals de jazz", "kunst" in "Kunstmuseen"."""
    if kind is None:
        return concept
    names = _kind_words(kind)
    out = [w for w in concept if w not in names]
    if kind_span and kind_span[1] - kind_span[0] == 1:
        token = tokens[kind_span[0]]
        stem = next((token[:-len(n)] for n in sorted(names, key=len, reverse=True)
                     if token.endswith(n) and len(token) > len(n) + 2), None)
        if stem:  # a compound: "kunstmuseen" names the kind and its qualifier
            out = [stem if w == token else w for w in out]
    return tuple(dict.fromkeys(out))


def _judges(text: str) -> bool:
    """A superlative of judgement: "le musée le plus intéressant", "the most prestigious lab"."""
    return any(m.group(1) and fold(m.group(1)) not in lx.FACTUAL_SUPERLATIVES for m in lx.SUPERLATIVE.finditer(text))


def _without_parenthesis(title: str) -> str:
    return re.sub(r"\([^()]*\)", " ", title.split(" — ")[0])


def _place_words(question) -> set[str]:
    return {w for m in question.places for w in words(m.surface)}


def _names_an_unknown_place(text: str) -> bool:
    """"research centres at Cadarache": a capitalised word after a locative preposition."""
    tokens = text.split()
    return any(t.lower() in _LOCATIVE and i + 1 < len(tokens) and tokens[i + 1][:1].isupper()
               for i, t in enumerate(tokens))


def _compares_places(question) -> bool:
    """"Aubagne ou La Ciotat ?": two communes set against each other."""
    codes = [m.code for m in question.places]
    if len(set(codes)) < 2:
        return False
    between = question.text[question.places[0].end:question.places[1].start].strip().casefold()
    return between in ("ou", "or", "o", "oder", "vs", "vs.", "versus", "ou bien", "ou a", "or in", "o a")
