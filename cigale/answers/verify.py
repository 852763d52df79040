"""Checking a generated answer against its sources, sentence by sentence.

A sentence is kept when it is a well-formed statement that says something (not the question
said back, not a fragment such as "Hôtels 4 étoiles à Cassis :,,."), in the question's
language, every number it states is in its sources, it repeats no instruction planted in a
source, and a source supports it:

- by its words: the sentence's content words are found in one cited source, or in the cited
  sources together when it combines two of them (words match words only within a language);
- by its meaning: its embedding is close to one of the source's lines — a line, not a whole
  chunk, so that a short claim ("21597 habitants") is compared with what it repeats.

A sentence with no marker, or with a marker to no source, is attributed to the source that
supports it best, if one does. Why each sentence was rejected is kept (`Claim.why`) for the
back office. Thresholds: bench/verifier.py, on sentences written by a real model, hand-labelled.
"""

import re
from dataclasses import dataclass

import numpy as np

from cigale.analysis import analyze, base_lang, stopwords, words
from cigale.answers.answerability import concept_found
from cigale.answers.injection import injected_spans
from cigale.answers.lexicon import KINDS, grams, titled_plural
from cigale.answers.lines import is_identifier
from cigale.chunks import sentences
from cigale.language import detect

# Only from the start of a run of spaces: tried inside one, `\s*` would rescan the run from every
# position, quadratic in its length (a model stuck writing spaces).
MARKER = re.compile(r"(?<!\s)\s*\[(\d{1,2})\]")
# A small model may cite in the prompt's own syntax: 'Source n="3" : Les rocatines — …'. The space
# after "(" is only allowed with the "(": two `\s*` in a row split a run of spaces in quadratically
# many ways before failing.
SOURCE_PREFIX = re.compile(
    r"^\s*(?:[-*•–]\s*)?(?:(?:\(\s*)?source\s*(?:n\s*=\s*)?[\"']?(\d{1,2})[\"']?\s*\)?)\s*[:\-–—.]?\s*", re.IGNORECASE)
# 21 597, 21597, 549 910, 128.2 — a thousands group is one number, a decimal keeps its point.
NUMBER = re.compile(r"\d{1,3}(?:[ \u202f\u00a0.,]\d{3})+(?![\d])|\d+(?:[.,]\d+)?")
LIST_MARK = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")

# Chosen by `bench/verifier.py --sweep` on hand-labelled sentences a real model wrote for our own
# training questions, checked on those it wrote for the dev questions (bench/results/verifier.json).
DENSE_MIN = 0.84  # cosine between the sentence and its best source line (e5 passage vectors)
LEXICAL_MIN = 0.5  # share of its content words found in the source, when it also means the same
LEXICAL_ALONE = 0.8  # share above which its words alone support it (short claims, lists of names)
CROSS_DENSE_MIN = 0.84  # a sentence in another language than its source: meaning and numbers only
UNSUPPORTED = "no source supports it"
NUMBER_MISSING = "a number it states is in none of its sources"
QUOTE_MIN = 0.9  # share of a sentence's words, read in its source's language, that makes it a quote
LINES_EMBEDDED = 3  # source lines compared by meaning, per sentence: the ones sharing most words


@dataclass(frozen=True)
class Claim:
    text: str  # the sentence without its markers
    cited: tuple[int, ...]  # sources it is attributed to (its markers, or the one that supports it)
    supported: bool
    dense: float = 0.0
    lexical: float = 0.0
    why: str | None = None  # a rejected sentence: the reason


def claims(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """(sentence without markers, cited numbers) for each sentence of a generated answer; a
    list's line is a sentence, its uncited frame none."""
    out = []
    for a, b in sentences(text):
        raw = text[a:b]
        prefix = SOURCE_PREFIX.match(raw)
        if prefix:
            raw = f"{raw[prefix.end():]} [{prefix.group(1)}]"
        cited = tuple(dict.fromkeys(int(n) for n in MARKER.findall(raw)))
        plain = LIST_MARK.sub("", MARKER.sub("", raw)).strip()
        if plain or cited:
            out.append((plain, cited))
    # A marker alone after the sentence end ("... 1980. [1]") belongs to the sentence before it.
    merged = []
    for plain, cited in out:
        if merged and not words(plain):
            merged[-1] = (merged[-1][0], merged[-1][1] + cited)
        elif words(plain):
            merged.append((plain, cited))
    # A list's frame ("Voici des hôtels à Cassis :") states nothing: the page writes its own.
    return [(plain, cited) for plain, cited in merged if cited or not plain.rstrip().endswith(":")]


def numbers(text: str) -> set[str]:
    """Every number a text can be read to state: "21 597" is 21597, and also 21 and 597 (a list)."""
    return {alt for group in stated(text) for alt in group}


def stated(text: str) -> list[tuple[str, ...]]:
    """The numbers a text states, each with its readings: ("21597", "21", "597") for "21 597"."""
    out = []
    for m in NUMBER.finditer(text):
        n = m.group()
        if re.fullmatch(r"\d{1,3}(?:[ \u202f\u00a0.,]\d{3})+", n):
            out.append((re.sub(r"\D", "", n), *re.findall(r"\d+", n)))  # grouped thousands, or a list
        else:
            out.append((n.replace(",", "."),))
    return out


def numbers_in(sentence: str, text: str) -> bool:
    """Every number of the sentence is in the text, read one way or the other ("10,017" is 10017;
    "1980, 1981" two years)."""
    theirs = numbers(text)
    return all(group[0] in theirs or (len(group) > 1 and set(group[1:]) <= theirs) for group in stated(sentence))


def malformed(text: str) -> bool:
    """A fragment, not a statement: punctuation runs, a dangling label, too few letters, the
    prompt's markup. A figure alone ("436") is a statement when it has two digits or more."""
    if re.fullmatch(r"\d[\d\s\u202f.,]*\d\.?", text.strip()):
        return False
    letters = sum(c.isalpha() for c in text)
    return (letters < 0.5 * len(text.replace(" ", "")) or bool(re.search(r"[,;:]\s*[,;:.]", text))
            or text.rstrip().endswith((":", ",", ";", "(", "-")) or len(words(text)) < 2
            or bool(re.search(r"n\s*=\s*\"|</?source", text, re.IGNORECASE)))


ALTERNATIVE = re.compile(r"\s(?:ou|or|oder|o|oppure)\s", re.IGNORECASE)


def says_something(text: str, question: str, lang: str) -> bool:
    """More than the question said back: a word or a number the question does not have. Picking
    one of the question's alternatives ("publique ou privée ?" → "une école privée") says it."""
    if ALTERNATIVE.search(question):
        return True
    asked = set(analyze(question, lang)) | set(words(question))
    mine = set(analyze(text, lang))
    return bool(mine - asked) or bool(numbers(text) - numbers(question))


def verify(text: str, sources: dict, embedder, lang: str, question: str = "") -> list[Claim]:
    """`sources`: {n: Document}. Each sentence of `text` checked (see the module's docstring)."""
    found = claims(text)
    if not found:
        return []
    vectors = embedder.passages([plain for plain, _ in found])
    out = []
    for (plain, cited), vec in zip(found, vectors):
        out.append(_check(plain, cited, vec, sources, embedder, lang, question))
    return out


def _check(plain, cited, vec, sources, embedder, lang, question) -> Claim:
    def rejected(why, cited=cited, dense=0.0, lexical=0.0):
        return Claim(plain, cited, False, round(dense, 4), round(lexical, 4), why)

    if malformed(plain):
        return rejected("malformed")
    if is_identifier(plain):
        return rejected("a code or identifier, not an answer")
    valid = tuple(n for n in cited if n in sources)
    if re.fullmatch(r"[\d\s\u202f.,]+", plain) and not valid:
        return rejected("a figure alone, cited to no source")
    if question and not says_something(plain, question, lang):
        return rejected("says nothing the question does not")
    if _other_language(plain, lang) and not _quotes(plain, [sources[n] for n in (valid or sources)], lang):
        # Quoted source text keeps its language ("Jazz au Ranquet — festival à Istres"); the
        # model's own words follow the question's.
        return rejected("not in the question's language")
    claim = _support(plain, vec, valid or tuple(sources), valid, sources, embedder, lang)
    if not claim.supported and valid and claim.why in (UNSUPPORTED, NUMBER_MISSING):
        # A wrong marker ("[2]" for what source 1 says): the sentence goes to the source that
        # supports it, if one does and the sentence names its subject ("Elle est tutée par le
        # CNRS" cannot move to another institute's record). Not a sentence its source contradicts.
        moved = _support(plain, vec, tuple(n for n in sources if _names_subject(plain, sources[n])), (), sources,
                         embedder, lang)
        if moved.supported:
            return moved
    return claim


def _support(plain, vec, candidates, valid, sources, embedder, lang) -> Claim:
    def rejected(why, cited=valid, dense=0.0, lexical=0.0):
        return Claim(plain, cited, False, round(dense, 4), round(lexical, 4), why)

    if any(_repeats_injection(plain, sources[n]) for n in candidates):
        return rejected("repeats instructions planted in a source")
    together = " ".join(f"{sources[n].title}\n{sources[n].text}" for n in valid)
    best = None
    for n in candidates:
        doc = sources[n]
        text = f"{doc.title}\n{doc.text}"
        if not numbers_in(plain, text) and not (valid and numbers_in(plain, together)):
            continue
        lexical = _lexical(plain, text, lang, doc.lang)
        if valid and len(valid) > 1:
            lexical = max(lexical, _lexical(plain, together, lang, doc.lang))
        dense = _dense(plain, vec, doc, embedder, lang)
        if base_lang(doc.lang) == base_lang(lang):
            ok = lexical >= LEXICAL_ALONE or (lexical >= LEXICAL_MIN and dense >= DENSE_MIN)
        else:  # words only match within a language: meaning, numbers and names
            ok = dense >= CROSS_DENSE_MIN or lexical >= LEXICAL_ALONE
        if best is None or (ok, dense + lexical) > (best[0], best[1] + best[2]):
            best = (ok, dense, lexical, n)
    if best is None:
        return rejected(NUMBER_MISSING)
    ok, dense, lexical, n = best
    attributed = valid if valid and n in valid else (n,)
    if not ok:
        return rejected(UNSUPPORTED, attributed, dense, lexical)
    if _only_heading(plain, sources[n]):
        return rejected("only the heading of a list of things, none named", attributed, dense, lexical)
    if _contradicts(plain, sources[n], lang):
        return rejected("says yes where its source says no, or no where it says yes", attributed, dense, lexical)
    return Claim(plain, attributed, True, round(dense, 4), round(lexical, 4))


def _lexical(sentence: str, text: str, lang: str, doc_lang: str | None) -> float:
    """Share of the sentence's content words found in `text`: by stem, by the names of a kind in
    any language, or through the glossary ("Besucher" in "Fréquentation")."""
    mine = tuple(words(" ".join(analyze_terms(sentence, lang))))
    return concept_found(mine, _join_figures(text), lang, doc_lang) if mine else 0.0


def _join_figures(text: str) -> str:
    """"21 597", "1.234", "10,017" as one word: the same way in a sentence and in its source, or
    a sentence quoting "1.234" would miss its own number there."""
    return re.sub(r"(?<=\d)[ \u202f\u00a0.,](?=\d{3}\b)", "", text)


def analyze_terms(sentence: str, lang: str) -> list[str]:
    """The sentence's content words, unstemmed (stop words out, grouped figures joined)."""
    sentence = _join_figures(sentence)
    stop = stopwords(base_lang(lang))
    return [w for w in words(sentence) if w not in stop and (len(w) > 1 or w.isdigit())]


def _dense(sentence: str, vec, doc, embedder, lang: str) -> float:
    """Similarity to the source's closest lines: those sharing most words with the sentence
    (every line but the first is a fact about the first's subject: it goes as context)."""
    spans = sentences(doc.text)
    if not spans:
        return 0.0
    mine = set(analyze(sentence, base_lang(lang))) | set(words(sentence))
    title = doc.title

    def shared(span):
        a, b = span
        line = doc.text[a:b]
        return len(mine & (set(analyze(line, base_lang(doc.lang))) | set(words(line))))

    ranked = sorted(spans, key=shared, reverse=True)[:LINES_EMBEDDED]
    texts = [f"{title} — {doc.text[a:b]}"[:300] for a, b in ranked]
    return float(np.max(embedder.passages(texts) @ vec))


_YES = frozenset(words("oui yes si sì sí ja"))
_NO = frozenset(words("non no nein pas aucun aucune not none kein keine ningun ninguna nessun nessuna"))


def _polarity(tokens) -> int:
    return -1 if _NO & set(tokens) else 1 if _YES & set(tokens) else 0


def _contradicts(sentence: str, doc, lang: str) -> bool:
    """"Oui, il y a des trains de voyageurs" against "Service voyageurs : non": the yes or no of
    the source's line closest to the sentence, against the sentence's."""
    mine = words(sentence)
    polarity = _polarity(mine)
    if not polarity:
        return False
    stems = set(analyze(sentence, base_lang(lang)))
    best, shared = None, 0
    for a, b in sentences(doc.text):
        line = doc.text[a:b]
        label, _, value = line.partition(" : ")
        if not value or _polarity(words(value)) == 0 or len(words(value)) > 2:
            continue
        common = len(stems & (set(analyze(label, base_lang(doc.lang))) | set(analyze(label, base_lang(lang)))))
        if common > shared:
            best, shared = value, common
    return best is not None and _polarity(words(best)) != polarity


def _quotes(sentence: str, docs, lang: str) -> bool:
    """The sentence is (nearly) the words of its sources, in their language: one line, or the
    names of several (a list)."""
    if not docs:
        return False
    theirs = set(words("\n".join(f"{d.title}\n{d.text}" for d in docs)))
    mine = [w for w in words(sentence) if w not in stopwords(base_lang(docs[0].lang))]
    return bool(mine) and sum(w in theirs for w in mine) / len(mine) >= QUOTE_MIN


def _only_heading(sentence: str, doc) -> bool:
    """"Lycées de La Ciotat — indice de position sociale (IPS)…": the heading of a source that
    lists several things (its title names a kind in the plural), and nothing of what it lists."""
    first = doc.text.split("\n", 1)[0]
    what = words(first.split(" — ", 1)[1]) if " — " in first else []
    if not titled_plural(doc.title) or any(grams(what) & kind.marks for kind in KINDS):
        return False  # one thing's record ("Jardins d'Albertas — jardin labellisé…") names an item
    heading = set(words(f"{doc.title}\n{first}"))
    mine = [w for w in words(sentence) if w not in stopwords(base_lang(doc.lang))]
    return bool(mine) and sum(w in heading for w in mine) / len(mine) >= QUOTE_MIN


def _names_subject(sentence: str, doc) -> bool:
    """The sentence names the document's subject: a significant word of its title."""
    title = {w for w in words(re.sub(r"\([^()]*\)", " ", doc.title.split(" — ")[0])) if len(w) > 3}
    return bool(title & set(words(sentence)))


def _repeats_injection(sentence: str, doc) -> bool:
    mine = set(words(sentence))
    for a, b in injected_spans(doc.text):
        theirs = set(words(doc.text[a:b]))
        if mine and len(mine & theirs) / len(mine) >= 0.5:
            return True
    return False


def _other_language(text: str, lang: str) -> bool:
    """Written in another language than the question's, names in parentheses and quotes aside:
    only judged on sentences long enough for a detector to be sure."""
    # «[^«»]*»: a quote holds no opening one, or every « of "««««…" would scan to the end.
    text = re.sub(r"\([^()]*\)|«[^«»]*»|\"[^\"]*\"", " ", text)
    if len(text.split()) < 6:
        return False
    return detect(text, hint=lang, default=lang) != lang
