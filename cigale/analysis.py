"""The lexical analyzer: folding, French elisions, stop words, Snowball stemming.

The same function analyzes chunks at index time (in the chunk's language) and questions at
query time (in every language the index holds, so an English "festivals" still meets the
French stem of "festivals").
"""

import functools
import re
import sys
import unicodedata

import Stemmer
from bm25s import stopwords as bm25s_stopwords

# ISO 639-1 → Snowball algorithm (PyStemmer) and bm25s stop-word list.
STEMMERS = {
    "fr": "french",
    "en": "english",
    "it": "italian",
    "de": "german",
    "es": "spanish",
    "pt": "portuguese",
    "nl": "dutch",
    "ar": "arabic",
    "ru": "russian",
    "sv": "swedish",
    "da": "danish",
    "no": "norwegian",
    "tr": "turkish",
}
_STOPWORDS = {
    "fr": bm25s_stopwords.STOPWORDS_FRENCH,
    "en": bm25s_stopwords.STOPWORDS_EN,
    "it": bm25s_stopwords.STOPWORDS_ITALIAN,
    "de": bm25s_stopwords.STOPWORDS_GERMAN,
    "es": bm25s_stopwords.STOPWORDS_SPANISH,
    "pt": bm25s_stopwords.STOPWORDS_PORTUGUESE,
    "nl": bm25s_stopwords.STOPWORDS_DUTCH,
    "ru": bm25s_stopwords.STOPWORDS_RUSSIAN,
    "sv": bm25s_stopwords.STOPWORDS_SWEDISH,
    "da": bm25s_stopwords.STOPWORDS_DANISH,
    "no": bm25s_stopwords.STOPWORDS_NORWEGIAN,
    "tr": bm25s_stopwords.STOPWORDS_TURKISH,
}
# French elided articles and pronouns (l'eau, qu'il, jusqu'à): dropped with their apostrophe.
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’ʼ]", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Étang' → 'etang'. Folding a folded text changes nothing."""
    if text.isascii():
        return text.lower()
    # Decomposed before case folding too: a compatibility form can hide a capital ("℃" is "°C"),
    # and a folded text must fold to itself (Unicode's compatibility caseless match, D146).
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return decomposed.translate(_combining())


@functools.cache
def _combining() -> dict[int, None]:
    """The combining marks (accents), dropped by str.translate: in C, where testing each character
    in Python was a sixth of what reading a text cost (~900 marks, found in 50 ms once)."""
    return {cp: None for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp))}


@functools.cache
def _stemmer(lang: str):
    name = STEMMERS.get(lang)
    return Stemmer.Stemmer(name) if name else None


@functools.cache
def _stopwords(lang: str) -> frozenset[str]:
    return frozenset(fold(w) for w in _STOPWORDS.get(lang, ()))


def stopwords(*langs: str) -> frozenset[str]:
    """The folded stop words of the given languages, together."""
    return frozenset().union(*(_stopwords(base_lang(lang)) for lang in langs))


def base_lang(lang: str | None) -> str:
    """'fr+en' → 'fr', 'en-GB' → 'en', None → 'fr'."""
    return (lang or "fr").split("+")[0].split("-")[0].lower()


# An answer reads the same lines and words again and again (the lines of the documents questions
# lead to, the words of the lexicon): ~550 analyses a question, most of them seen before. The last
# ANALYSES texts are remembered: a new question answered in 27 ms instead of 32 (in process, one
# thread, the shared corpus), for 19 MB (16,384 texts: no faster, 96 MB).
ANALYSES = 4096


def words(text: str) -> list[str]:
    """Folded word tokens, without elided articles; no stop-word removal, no stemming."""
    return list(_words(text))


def analyze(text: str, lang: str | None = "fr", also_stop: frozenset[str] = frozenset()) -> list[str]:
    """Index terms of `text` in language `lang` (`also_stop`: more folded words to drop)."""
    return list(_terms(text, base_lang(lang), also_stop))


def index_terms(text: str, lang: str | None) -> list[str]:
    """`analyze`, without the memories: an index reads each chunk once, and would only push out
    of them what answers read again and again."""
    return _stemmed(_tokens(text), base_lang(lang), frozenset())


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(_ELISION.sub(" ", text)))


def _stemmed(tokens, lang: str, also_stop: frozenset[str]) -> list[str]:
    stop = _stopwords(lang) | also_stop if also_stop else _stopwords(lang)
    kept = [t for t in tokens if t not in stop and (len(t) > 1 or t.isdigit())]
    stemmer = _stemmer(lang)
    return stemmer.stemWords(kept) if stemmer else kept


@functools.lru_cache(maxsize=ANALYSES)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_tokens(text))


@functools.lru_cache(maxsize=ANALYSES)
def _terms(text: str, lang: str, also_stop: frozenset[str]) -> tuple[str, ...]:
    return tuple(_stemmed(_words(text), lang, also_stop))


def analyze_query(text: str, langs) -> list[str]:
    """Query terms: the union of the analyses in each language, first occurrence order.

    The stop words of every language are dropped from every analysis: the English reading of
    "dans quel conseil de territoire" must not keep "de" as a rare, decisive English word.
    """
    langs = [base_lang(lang) for lang in langs]
    stop = frozenset().union(*(_stopwords(lang) for lang in langs))
    terms: dict[str, None] = {}
    for lang in langs:
        terms.update(dict.fromkeys(analyze(text, lang, stop)))
    return list(terms)
