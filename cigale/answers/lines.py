"""A source's lines as answers: what each one is about (its label, the kind of value it holds)
and how well it meets what a question asks.

Partner records are mostly `Label : value` lines ("Année de création : 1980"); prose sentences
carry the same facts without a label ("Il a été créé en 1980."). Both are read the same way:
the label's words against the focus's labels (lexicon.FOCUS_LABELS), the value against the
shape a focus wants (a year, a month, a number, an address, a web address).
"""

import functools
import re

from cigale.analysis import words
from cigale.answers.lexicon import FOCUS_LABELS, Aspect, Focus

# `\s*+` possessive: the label starts after the leading spaces, which are never handed back to it;
# else a line of spaces is split between the two in quadratically many ways before failing.
_LABEL = re.compile(r"^\s*+([^:\n]{2,120}?)\s*:\s+(\S.*)$", re.DOTALL)
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_MONTHS = re.compile(
    r"\b(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre|january|"
    r"february|march|april|may|june|july|august|september|october|november|december|saison|season|"
    r"printemps|[ée]t[ée]|automne|hiver|spring|summer|autumn|winter|\d{1,2}/\d{1,2}|\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE)
_FOUNDED = re.compile(r"\b(cr[ée]{2}e?s?|fond[ée]e?s?|depuis|founded|created|established|since)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d\s\u202f.,]*")
_WEB = re.compile(r"https?://|www\.|\.fr\b|\.com\b|\.org\b", re.IGNORECASE)
_ADDRESS = re.compile(r"\b(\d{5}|rue|avenue|av\.|boulevard|bd|chemin|place|route|all[ée]e|quai|cours)\b", re.IGNORECASE)
_BODY = re.compile(r"\b(universit[ée]|cnrs|centre national|institut|[ée]cole|ville de|commune|association|"
                   r"minist[eè]re|inserm|inrae|ird|cea|ehess|tutelle|organis)", re.IGNORECASE)
# Opening hours: a time ("9h30", "14:00"), a day of the week, or the state ("fermé jusqu'à nouvel ordre").
_HOURS = re.compile(r"\b\d{1,2}\s*(?:h|:)\s*\d{0,2}\b|\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
                    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|ouverte?s?|ferm[ée]e?s?|open|closed)\b",
                    re.IGNORECASE)
# A French number ("04 42 37 55 00", "04.42.37.55.00") or an international one ("+33 4 42 37 55 00").
_PHONE = re.compile(r"(?<![\w+])(?:0[1-9]|\+\d{1,3}[\s.]?(?:\(0\)\s?)?\d)(?:[\s.\-]?\d{2}){4}(?!\w)")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PRICE = re.compile(r"€|\beuros?\b|\btarifs?\b|\bprix\b|\bprices?\b|\bentr[ée]e libre", re.IGNORECASE)
_PROCEDURE = re.compile(r"\b(d[ée]marche|formulaire|inscription|dossier|en ligne|rendez-vous|justificatif)",
                        re.IGNORECASE)
LEADING = 0.75  # the share of a label that starts with the focus's words
_LINKS = frozenset(("de", "du", "des", "d", "la", "le", "les", "l", "s", "et", "of", "the"))
# Codes and identifiers: true, but never what a visitor asked for.
_IDENTIFIER = frozenset(words("code uic uai rnsr numero national structure sigle trigramme tvs segment drg niveau de "
                              "service unite gare libelle intitule fronton wikidata reference musee label et numero "
                              "code postal commune indiquee ville indiquee insee"))


def split(line: str) -> tuple[str | None, str]:
    """("Année de création", "1980") for a labelled line; (None, line) for prose."""
    m = _LABEL.match(line)
    if m and not _WEB.match(m.group(1)):
        return m.group(1), m.group(2)
    return None, line


def focus_match(line: str, focus: Focus | None) -> float:
    """How well a line answers `focus`, on [0, 1]: its label names the focus (up to 0.6, as
    much as the focus's words fill the label — "Année de création" beats "Décennie de création"
    for a year — and at least three quarters of it when the label starts with them: "Nombre de
    courses TGV (trip_id du GTFS)…"), its value has the focus's shape (0.4). Prose is judged on
    its shape alone."""
    if focus is None or focus is Focus.OTHER:
        return 0.0
    label, value = split(line)
    score = 0.6 * label_match(label, focus) if label is not None else 0.0
    if _shaped(value if label is not None else line, focus, label is None):
        score += 0.4
    return score


def label_match(label: str, focus: Focus | None) -> float:
    """How much of a label names `focus`, on [0, 1]: the share of its words that are the focus's
    label words, three quarters at least when it starts with them; 0 when none is."""
    if focus is None or focus is Focus.OTHER:
        return 0.0
    tokens = [t for t in words(re.sub(r"\([^()]*\)", " ", label)) if t not in _LINKS]
    wanted = _labels(focus)
    covered = set()
    for n in range(4, 0, -1):
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i:i + n]) in wanted:
                covered.update(range(i, i + n))
    if not tokens:
        return 0.0
    share = len(covered) / len(tokens)
    return max(share, LEADING) if 0 in covered else share


@functools.cache
def _labels(focus: Focus) -> frozenset:
    return frozenset(tuple(t for t in p if t not in _LINKS) for p in FOCUS_LABELS.get(focus, ()))


def _shaped(value: str, focus: Focus, prose: bool) -> bool:
    if focus is Focus.YEAR:
        return bool(_YEAR.search(value)) and (not prose or bool(_FOUNDED.search(value)))
    if focus is Focus.WHEN:
        return bool(_MONTHS.search(value))
    if focus is Focus.COUNT:
        return bool(_NUMBER.search(value)) and not _YEAR.fullmatch(value.strip())
    if focus is Focus.WEBSITE:
        return bool(_WEB.search(_EMAIL.sub(" ", value)))  # "accueil@trets.fr" is no web address
    if focus is Focus.PHONE:
        return bool(_PHONE.search(value))
    if focus is Focus.EMAIL:
        return bool(_EMAIL.search(value))
    if focus is Focus.WHERE:
        return bool(_ADDRESS.search(value))
    if focus is Focus.WHO:
        return bool(_BODY.search(value))
    if focus is Focus.LINE:
        return "ligne" in value.lower() or "line" in value.lower()
    if focus in (Focus.WHAT, Focus.KIND):
        return not prose and len(value.split()) >= 2
    return False


def holds_aspect(text: str, aspect: Aspect | None) -> bool:
    """Does the evidence hold the practical thing asked (hours, a price, a procedure)?"""
    if aspect is None:
        return True
    if aspect is Aspect.HOURS or aspect is Aspect.SCHEDULE:
        return bool(_HOURS.search(text))
    if aspect is Aspect.PRICE:
        return bool(_PRICE.search(text))
    if aspect is Aspect.PROCEDURE:
        return bool(_PROCEDURE.search(text))
    return True  # getting there: a station's lines or an address may do


def is_field(label: str) -> bool:
    """A label that names a field of a record ("Nombre de lycées", "Adresse"), not a thing."""
    line = f"{label} : x"
    return any(focus_match(line, focus) >= 0.3 for focus in Focus if focus is not Focus.OTHER)


def is_web(line: str) -> bool:
    """A line whose value is a web address."""
    _, value = split(line)
    return bool(_WEB.search(value)) and len(value.split()) <= 3


def is_identifier(line: str) -> bool:
    """A code line ("Code UIC : 87753764", "Sigle : CDS"): never the answer to a question."""
    label, _ = split(line)
    return label is not None and set(words(label)) <= _IDENTIFIER | {"s", "du", "de", "la", "le"}
