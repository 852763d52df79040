"""Follow-up questions: "et à Aix ?" after "festivals de jazz à Marseille" asks "festivals de
jazz à Aix-en-Provence". The follow-up is resolved against the previous question into one
self-contained question, which is what the engine answers and what the page shows.

A question has three parts a follow-up may change or carry over (`Part`): the place it names
(the gazetteer, territory/places.py), the period (when.py) and the kind, what it asks about
(answers/lexicon.py's kinds, else its other words: "randonnées"). `previous` is the previous
*resolved* question, so a chain of follow-ups refines one question turn after turn.

Decisions:

- A follow-up is recognised by its form, never by what was asked before. It is short (at most
  MAX_WORDS words) and either opens with a coordinating word (LEADS: "et", "and", "e", "y", "und",
  "what about"...), refers back (BACKREFS: "lesquels", "which ones", "quali", "cuáles", "welche
  davon"...), or holds nothing but a place, a period and a kind with its qualifier ("à Aix ?",
  "en juillet ?", "musées gratuits ?"). A bare qualifier ("gratuits ?", "Marsatac ?") needs the
  coordinating or referring word: alone it reads as a new topic.
- A question of its own stays as it is: one that names its own kind and place ("Quels lycées à
  Aubagne ?"), one with a question word of its own ("Qui est le maire de Gardanne ?", "où se
  baigner ?", "et quand ?"), and one that carries nothing over (a previous question with neither
  place, period nor subject). Unchanged means `followup` False and `carried` empty; a resolved
  follow-up always carries something.
- The resolved text is the previous text, edited: its places (one run of them, "à Aix et Marseille")
  replaced by the new ones, its period phrase replaced, its kind word, with the qualifier that went
  with it ("festivals de jazz"), replaced by the new kind's plural in the previous text's language
  (and French "quels"/"quelles" made to agree); a new qualifier goes after the kind (before it for
  one English word: "free museums"). What the previous text lacks is appended before its final
  question mark. So the question keeps the visitor's own wording and language.
- Added words are the follow-up's own ("in July", "à Aix", "pour les enfants"): when a visitor
  switches language mid-conversation the added phrase stays in the language they now type. Where
  the follow-up gives no preposition ("et Aix ?", "and July?"), the follow-up language's usual one
  is added (PLACE_PREPOSITION, MONTH_PREPOSITION).
- The kinds are lexicon.KINDS, matched here rather than through intent.classify, which says which
  kind a question asks for but not where its words are, and the edits need their offsets.
- A commune is named by its official name (the pack's), with French "à"/"de" contracted before
  "Les"/"Le" ("aux Pennes-Mirabeau") where the gazetteer still finds the place that way (it finds
  no "au Rove": "à Le Rove" is kept, awkward but found); a sub-territory, a landmark or an
  arrondissement keeps the words the visitor typed. A replaced place keeps the previous question's
  preposition, unless an article goes with one of them ("dans le Pays d'Aix").
- when.py reads periods in the five languages; a follow-up may also name a bare month ("and
  July?", "und Juli?"): those are recognised here (MONTHS) so that they are a period, not a
  qualifier, and given the follow-up language's preposition. "May" and "March" are English words
  too: bare, only capitalised.
"""

import enum
import re
from dataclasses import dataclass
from datetime import date

from cigale import when
from cigale.analysis import fold, stopwords, words
from cigale.answers import lexicon as lx
from cigale.language import detect
from cigale.territory.places import PlaceMatch

MAX_WORDS = 8  # "and what about the festivals in July?" is 7; a follow-up is shorter than a question
MAX_PREVIOUS_CHARS = 1000  # the longest question the engine answers (settings.max_question_chars' default)
LANGUAGES = ("fr", "en", "it", "es", "de")


class Part(enum.StrEnum):
    PLACE = "place"
    KIND = "kind"
    TIME = "time"


@dataclass(frozen=True)
class Resolved:
    text: str  # the question to answer and to show
    followup: bool = False  # something of the previous question was carried over
    carried: tuple[str, ...] = ()  # what was carried over (`Part` values, in that order)


LEADS = lx.phrases(
    "et", "et puis", "et sinon", "sinon", "et aussi", "aussi", "mais", "and", "and also", "also", "what about",
    "and what about", "how about", "and how about", "e", "ed", "e invece", "e anche", "anche", "y", "y que tal",
    "que tal", "y tambien", "tambien", "und", "und auch", "auch", "und was ist mit", "was ist mit",
)
BACKREFS = lx.phrases(
    "lesquels", "lesquelles", "lequel", "laquelle", "ceux", "celles", "ceux ci", "celles ci", "parmi eux",
    "parmi elles", "d entre eux", "which ones", "which one", "which of them", "which of these", "which of those",
    "those", "these", "any of them", "quali", "quali di questi", "quali di queste", "quelli", "cuales",
    "cuales de ellos", "cuales de estos", "esos", "esas", "welche davon", "welche von ihnen", "davon",
)
# Question words that ask something of their own ("où" is checked unfolded: "ou" is also "or").
OWN_QUESTION = frozenset((
    "qui", "quoi", "quand", "comment", "combien", "pourquoi", "who", "what", "where", "when", "how", "why",
    "chi", "cosa", "dove", "quando", "come", "perche", "quanto", "quien", "quienes", "que", "donde", "cuando",
    "como", "cuanto", "wer", "was", "wo", "wann", "wie", "warum",
))
# Words that say nothing of what is asked: stop words, question words, fillers ("also", "ones").
_LITTLE = stopwords(*LANGUAGES) | {c[0] for c in lx.QUESTION_WORDS | lx.FILLER_WORDS if len(c) == 1} | {
    "may", "might", "should", "would", "could", "must", "shall", "have", "has"}  # English modals: no qualifier
# Words that may sit before a place: the preposition kept with it when the place is replaced or added.
LOCATIVES = frozenset(("a", "au", "aux", "en", "in", "at", "near", "to", "dans", "de", "du", "des", "d", "pres",
                       "around", "di", "ad", "nel", "nella", "del", "bei", "nach", "im", "von", "sur", "vers"))
# Words between two places of one run ("Aix et Marseille", "Aix, Marseille ou Cassis").
_RUN = frozenset(("et", "ou", "and", "or", "e", "o", "y", "und", "oder", "a", "au", "aux", "in", "en", "de"))
# Words that open a qualifier with its preposition: "pour les enfants", "for kids", "für Kinder".
_OPENS = frozenset(("pour", "avec", "sans", "for", "with", "without", "per", "con", "senza", "para", "sin",
                    "fur", "mit", "ohne"))
_ARTICLES = frozenset(("le", "la", "les", "l", "the", "il", "lo", "i", "gli", "el", "los", "las", "die", "der",
                       "das", "den"))
# Words that join a kind to its qualifier: "festivals de jazz", "museum of modern art".
_LINKS = frozenset(("de", "d", "du", "des", "of", "di", "del", "della", "dei", "delle", "von", "vom"))
PLACE_PREPOSITION = {"fr": "à", "en": "in", "it": "a", "es": "en", "de": "in"}
MONTH_PREPOSITION = {"fr": "en", "en": "in", "it": "a", "es": "en", "de": "im"}
MONTHS = frozenset(when.MONTHS)  # the months when.py reads, in the five languages (folded)
WORDS_TOO = frozenset(("may", "march", "mars"))  # months that are also common words: only capitalised ("and May?")
_MONTH_LEAD = frozenset(("en", "in", "im", "a", "ad", "nel", "durante", "during"))
_TOKEN = re.compile(r"[^\W_]+")
_APOSTROPHES = "'’ʼ"
_END = re.compile(r"[\s?!.¿¡]*$")


@dataclass(frozen=True)
class _Token:
    word: str  # folded
    start: int
    end: int


@dataclass(frozen=True)
class _Parts:
    """A question cut into what a follow-up can change: offsets into `text`, token indices into `tokens`."""

    text: str
    tokens: tuple[_Token, ...]
    places: tuple[PlaceMatch, ...]
    period: tuple[int, int] | None  # characters
    bare_month: bool  # the period is a month with no preposition ("and July?")
    kind: lx.Kind | None
    kind_span: tuple[int, int] | None  # tokens
    kind_langs: tuple[str, ...]  # the languages the kind's word as typed belongs to
    lead: int  # tokens of the opening coordinating word(s)
    backref: bool
    asks: bool  # a question word of its own
    free: frozenset[int]  # tokens that are no place, period, lead, back-reference or kind
    content: tuple[int, ...]  # the free tokens that are no little word

    def place_run(self) -> tuple[int, int] | None:
        """The first run of places, "Aix et Marseille", as a character span."""
        if not self.places:
            return None
        start, end = self.places[0].start, self.places[0].end
        for m in self.places[1:]:
            between = words(self.text[end:m.start])
            if not set(between) <= _RUN or len(between) > 2:
                break
            end = m.end
        return start, end

    def preposition(self) -> tuple[int, str, bool] | None:
        """The preposition before the first run of places: where it starts, its words as typed, and
        whether an article follows it ("dans le Pays d'Aix", "dans l'Étang de Berre")."""
        run = self.place_run()
        i = max((i for i, t in enumerate(self.tokens) if t.end <= run[0]), default=None) if run else None
        if i is None:
            return None
        if self.tokens[i].word in _ARTICLES and i > 0 and self.tokens[i - 1].word in LOCATIVES:
            i -= 1
        elif self.tokens[i].word not in LOCATIVES:
            return None
        start = self.tokens[i].start
        return start, self.text[start:run[0]].rstrip(), bool(self.text[self.tokens[i].end:run[0]].strip())

    def place_start(self) -> int | None:
        """Where the phrase that names the places begins, its preposition included."""
        run = self.place_run()
        prep = self.preposition()
        return prep[0] if prep else run[0] if run else None

    def has_subject(self) -> bool:
        return self.kind is not None or bool(self.content)


def resolve(question: str, previous: str | None, gazetteer, on: date | None = None,
            lang: str | None = None) -> Resolved:
    """`question` read as a follow-up of `previous` (the previous resolved question), if it is one.

    `lang`: the follow-up's language when known (else detected), for the words that must be added;
    `on`: the day periods are read from (when.py), today by default."""
    alone = Resolved(question)
    # A follow-up is short; the question it refines is one a visitor typed. Anything longer is
    # not read at all (a 100 KB "message" costs nothing).
    if not previous or not previous.strip() or len(_TOKEN.findall(question)) > MAX_WORDS \
            or len(previous) > MAX_PREVIOUS_CHARS:
        return alone
    on = on or date.today()
    asked = _read(question, gazetteer, on)
    if not _refines(asked):
        return alone
    before = _read(previous, gazetteer, on)
    carried = tuple(part for part, kept in (
        (Part.PLACE, before.places and not asked.places),
        (Part.KIND, before.has_subject() and asked.kind is None),
        (Part.TIME, before.period and not asked.period),
    ) if kept)
    if not carried:
        return alone
    bare = _without_places(before)
    before_lang = detect(bare, hint=lang) if bare.strip() else (lang or "fr")
    asked_lang = lang or detect(_without_places(asked), default=before_lang)
    text = _rewrite(before, asked, gazetteer, before_lang, asked_lang)
    return Resolved(text, True, tuple(str(p) for p in carried))


def _refines(asked: _Parts) -> bool:
    """Whether a question has the form of a follow-up (see the module's decisions)."""
    if len(asked.tokens) > MAX_WORDS or asked.asks or (asked.kind and asked.places):
        return False
    brings = asked.places or asked.period or asked.kind or asked.content
    if asked.lead or asked.backref:
        return bool(brings)
    return bool(asked.places or asked.period or asked.kind) and (not asked.content or asked.kind is not None)


def _tokens(text: str) -> tuple[_Token, ...]:
    """analysis.words' tokens with their offsets: folded, French elisions ("l'", "d'") left out."""
    out = []
    for m in _TOKEN.finditer(text):
        word = fold(m.group())
        elided = word in lx.ELIDABLE and m.end() < len(text) and text[m.end()] in _APOSTROPHES
        if not elided:
            out.append(_Token(word, m.start(), m.end()))
    return tuple(out)


def _read(text: str, gazetteer, on: date) -> _Parts:
    tokens = _tokens(text)

    def within(a: int, b: int) -> set[int]:
        return {i for i, t in enumerate(tokens) if a <= t.start and t.end <= b}

    places: list[PlaceMatch] = []
    for m in sorted(gazetteer.find(text) + gazetteer.arrondissements(text), key=lambda m: (m.start, -m.end)):
        if not places or m.start >= places[-1].end:
            places.append(m)
    taken = set().union(*(within(m.start, m.end) for m in places))
    period, bare = _period(text, tokens, taken, on)
    if period:
        taken |= within(*period)
    lead = max((n for n in range(1, 5) if tuple(t.word for t in tokens[:n]) in LEADS), default=0)
    if lead == 1 and tokens[0].word == "y" and len(tokens) > 1 and tokens[1].word == "a":
        lead = 0  # French "y a-t-il", not Spanish "y"
    taken |= set(range(lead))
    refs: set[int] = set()
    for n in range(4, 0, -1):
        for i in range(len(tokens) - n + 1):
            span = set(range(i, i + n))
            if not span & (taken | refs) and tuple(t.word for t in tokens[i:i + n]) in BACKREFS:
                refs |= span
    taken |= refs
    kind, kind_span, kind_langs = _kind(tokens, taken)
    if kind_span:
        taken |= set(range(*kind_span))
    free = frozenset(range(len(tokens))) - taken
    asks = any(tokens[i].word in OWN_QUESTION or text[tokens[i].start:tokens[i].end].lower() == "où" for i in free)
    content = tuple(sorted(i for i in free if tokens[i].word not in _LITTLE
                           and (len(tokens[i].word) > 1 or tokens[i].word.isdigit())))
    return _Parts(text, tokens, tuple(places), period, bare, kind, kind_span, kind_langs, lead, bool(refs), asks, free,
                  content)


def _period(text: str, tokens, taken: set[int], on: date) -> tuple[tuple[int, int] | None, bool]:
    """The characters that name the period, and whether it is a month with no preposition."""
    window = when.window(text, on)
    if window is not None:
        said = tuple(words(window.phrase))
        n = len(said)
        for i in range(len(tokens) - n + 1):
            if n and tuple(t.word for t in tokens[i:i + n]) == said:
                first = i - 1 if i > 0 and tokens[i - 1].word in _ARTICLES and i - 1 not in taken else i
                start = tokens[first].start
                if start >= 2 and text[start - 1] in _APOSTROPHES and text[start - 2].lower() in "dl" \
                        and (start == 2 or not text[start - 3].isalnum()):
                    start -= 2  # "d'été", "l'été": the elided article goes with its period
                return (start, tokens[i + n - 1].end), False  # "le dimanche": with its article
    for i, t in enumerate(tokens):  # a month named with no preposition when.py reads ("and July?")
        if t.word in MONTHS and i not in taken and (t.word not in WORDS_TOO or text[t.start:t.start + 1].isupper()):
            if i > 0 and tokens[i - 1].word in _MONTH_LEAD and i - 1 not in taken:
                return (tokens[i - 1].start, t.end), False
            return (t.start, t.end), True
    return None, False


# Every name of every kind as folded words, with its language and the languages that name the
# kind so: read once, not at each follow-up.
_KIND_NAMES = tuple((kind, lang, tuple(words(name))) for kind in lx.KINDS
                    for lang, names in kind.names.items() for name in names)
_NAMED_IN = {(kind.id, key): tuple(dict.fromkeys(lang for k, lang, other in _KIND_NAMES if k is kind and other == key))
             for kind, _, key in _KIND_NAMES}


def _kind(tokens, taken: set[int]):
    """The kind a text names (lexicon.KINDS, longest name first), its token span and the languages
    of the name it is named by. A German compound ends with the kind's name ("Jazzfestivals")."""
    best = (None, None, ())
    for kind, name_lang, key in _KIND_NAMES:
        for i in range(len(tokens) - len(key) + 1):
            if taken & set(range(i, i + len(key))):
                continue
            got = tuple(t.word for t in tokens[i:i + len(key)])
            longer = best[1] is None or len(key) > best[1][1] - best[1][0]
            if got == key and longer:
                best = (kind, (i, i + len(key)), _NAMED_IN[(kind.id, key)])
            elif (best[1] is None and len(key) == 1 and name_lang == "de" and len(key[0]) >= 5
                  and got[0].endswith(key[0]) and len(got[0]) > len(key[0]) + 2):
                best = (kind, (i, i + 1), ("de",))
    return best


def _without_places(parts: _Parts) -> str:
    """Place names mislead the language detector ("Aix-en-Provence" is not German)."""
    text = parts.text
    for m in reversed(parts.places):
        text = text[:m.start] + " " + text[m.end:]
    return " ".join(text.split())


def _rewrite(before: _Parts, asked: _Parts, gazetteer, before_lang: str, asked_lang: str) -> str:
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in `before.text`
    appended: list[str] = []
    if asked.places:
        names, run = _place_phrase(asked, gazetteer.territory), before.place_run()
        new, old = asked.preposition(), before.preposition()
        usual = PLACE_PREPOSITION.get(asked_lang, "in")
        if run is None:
            appended.append(_at(new[1] if new else usual, names, gazetteer))
        else:
            # The previous question's preposition is kept ("à", "in"), and none added where it had
            # none ("Marseille 8e : quels musées ?"); but with an article ("dans le Pays d'Aix") a
            # preposition belongs to its place: the follow-up's goes with the new one.
            if old is None:
                prep = None
            elif (new and new[2]) or old[2]:
                prep = new[1] if new else usual
            else:
                prep = old[1]
            edits.append((before.place_start(), run[1], _at(prep, names, gazetteer) if prep else names))
    if asked.period:
        said = asked.text[slice(*asked.period)]
        if asked.bare_month:
            said = f"{MONTH_PREPOSITION.get(asked_lang, 'in')} {said}"
        if before.period:
            edits.append((*before.period, said))
        else:
            appended.append(said)
    qualifier = _qualifier(asked)
    new_kind = asked.kind if asked.kind and (before.kind is None or asked.kind.id != before.kind.id) else None
    if new_kind and before.kind is None:
        return _rebuilt(before, _kinded(new_kind.plural(before_lang), qualifier, before_lang), appended, edits)
    if before.kind is not None and (new_kind or qualifier):
        start, end = _kind_phrase(before)
        a, b = before.tokens[start].start, before.tokens[end - 1].end
        if new_kind:
            name = _kind_name(new_kind, before, before_lang)
            if before.text[a:a + 1].isupper():
                name = name[:1].upper() + name[1:]
            edits.append((a, b, _kinded(name, qualifier, before_lang)))
            edits += _agreement(before, start, new_kind)
        elif before_lang == "en" and len(qualifier.split()) == 1:
            edits.append((a, a, qualifier + " "))
        else:
            edits.append((b, b, " " + qualifier))
    elif qualifier:
        at = _subject_end(before)
        if at is None:
            appended.insert(0, qualifier)
        else:
            edits.append((at, at, qualifier + " "))
    return _applied(before.text, edits, appended)


def _place_phrase(asked: _Parts, territory) -> str:
    """The follow-up's places as it typed them ("Aix ou Cassis"), communes by their official name."""
    start, end = asked.place_run()
    text = asked.text[start:end]
    for m in reversed([m for m in asked.places if start <= m.start and m.end <= end]):
        commune = territory.communes.get(m.code)
        name = commune.name if commune and not any(c.isdigit() for c in m.surface) else m.surface
        text = text[:m.start - start] + name + text[m.end - start:]
    return text


def _at(prep: str, names: str, gazetteer) -> str:
    """A preposition and a place, French "à"/"de" contracted with the article of a name ("aux
    Pennes-Mirabeau"), where the gazetteer still finds the place (it does not find "au Rove")."""
    folded = prep.lower()
    base = "à" if folded in ("à", "au", "aux") else "de" if folded in ("de", "du", "des") else None
    if base is None:
        return prep + names if prep.endswith(tuple(_APOSTROPHES)) else f"{prep} {names}"
    word, rest = base, names
    for article, contracted in (("Le ", {"à": "au", "de": "du"}), ("Les ", {"à": "aux", "de": "des"})):
        if names.startswith(article):
            word, rest = contracted[base], names[len(article):]
    if prep[:1].isupper():
        word, base = word.capitalize(), base.capitalize()
    plain, contracted = f"{base} {names}", f"{word} {rest}"
    return contracted if gazetteer.tag(contracted) == gazetteer.tag(plain) else plain


def _qualifier(asked: _Parts) -> str:
    """The follow-up's words that qualify the kind, as typed: runs of content with the little words
    between them, and the preposition that opens them ("pour les enfants")."""
    if not asked.content:
        return ""
    taken = set(range(len(asked.tokens))) - asked.free
    runs: list[list[int]] = []
    for i in asked.content:
        if runs and all(j not in taken for j in range(runs[-1][-1], i + 1)):
            runs[-1].append(i)
        else:
            runs.append([i])
    pieces = []
    for run in runs:
        first = run[0]
        while first > 0 and first - 1 not in taken and asked.tokens[first - 1].word in _OPENS | _ARTICLES:
            first -= 1
        while first < run[0] and asked.tokens[first].word in _ARTICLES:
            first += 1  # an article opens a qualifier only after its preposition
        pieces.append(asked.text[asked.tokens[first].start:asked.tokens[run[-1]].end])
    return " ".join(pieces)


def _kind_phrase(parts: _Parts) -> tuple[int, int]:
    """The kind's tokens with the qualifier next to it: "festivals de jazz", "jazz festivals"."""
    start, end = parts.kind_span
    content = set(parts.content)
    while start > 0 and start - 1 in content:
        start -= 1
    last, i = end, end
    while i < len(parts.tokens) and (i in content or parts.tokens[i].word in _LINKS):
        i += 1
        if i - 1 in content:
            last = i
    return start, last


def _kind_name(kind: lx.Kind, before: _Parts, lang: str) -> str:
    """The kind's plural in the language of the previous question's kind word."""
    said = before.kind_langs
    return kind.plural(lang if lang in said or not said else said[0])


def _kinded(name: str, qualifier: str, lang: str) -> str:
    if not qualifier:
        return name
    return f"{qualifier} {name}" if lang == "en" and len(qualifier.split()) == 1 else f"{name} {qualifier}"


def _agreement(before: _Parts, start: int, kind: lx.Kind) -> list[tuple[int, int, str]]:
    """French "Quels festivals" → "Quelles gares": the interrogative agrees with the new kind."""
    if start == 0 or before.tokens[start - 1].word not in ("quel", "quels", "quelle", "quelles"):
        return []
    t = before.tokens[start - 1]
    which = kind.which("fr")
    typed = before.text[t.start:t.end]
    return [(t.start, t.end, which if typed[:1].isupper() else which.lower())]


def _subject_end(before: _Parts) -> int | None:
    """Where a qualifier goes when no kind is named: before the first place or period phrase."""
    starts = [before.place_start()] if before.places else []
    if before.period:
        starts.append(before.period[0])
    return min(starts) if starts else None


def _rebuilt(before: _Parts, name: str, appended: list[str], edits) -> str:
    """A new kind for a question that named none ("randonnées à Cassis" → "musées à Cassis"): the
    kind, then the previous place and period phrases (as edited)."""
    pieces = []
    if before.places:
        pieces.append((before.place_start(), before.place_run()[1]))
    if before.period:
        pieces.append(before.period)
    kept = []
    for a, b in sorted(pieces):
        inside = [(s, e, r) for s, e, r in edits if a <= s and e <= b]
        kept.append(_applied(before.text[a:b], [(s - a, e - a, r) for s, e, r in inside], []))
    if before.text[:1].isupper():
        name = name[:1].upper() + name[1:]
    return _applied(" ".join([name, *kept]) + _END.search(before.text).group(), [], appended)


def _applied(text: str, edits, appended: list[str]) -> str:
    """The edits made (last first, so offsets hold), the additions put before the final "?"."""
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    tail = _END.search(text).group()
    body = " ".join(" ".join([text[:len(text) - len(tail)], *appended]).split())
    mark = tail.strip()
    return f"{body} {mark}" if mark and tail[:1].isspace() else body + mark
