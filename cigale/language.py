"""Which language a question is in.

Questions are short and full of names from other languages ("Wann findet das Festival de
Pâques in Aix-en-Provence statt?" is German; "festivals de jazz" reads as English or Dutch
to a detector). Three signals, strongest first:

1. an explicit language always wins;
2. the little words of a question — "wann", "das", "the", "quali", "dónde" — that belong to
   one language only (among those Cigale answers in): two of them more than any other
   language decide;
3. else the detector's (lingua) confidence, weighted by a prior that favours the site's
   audiences (residents in French, then English speakers), plus the votes of the little
   words: a full one for a word of one language only, a share for a word k languages have.
   When the best score is under SURE, or the question is a single word, the hint decides: the
   interface language or the browser's `Accept-Language`, else the collection's own.

The weights (SHARED_VOTE, EXCLUSIVE_VOTE, SURE) are fitted by bench/fit_language.py on our
labelled questions' training part.
"""

import functools

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

from cigale.analysis import stopwords, words

# Residents first, then French and international visitors (the brief's audiences).
PRIOR = {"fr": 1.0, "en": 0.8, "it": 0.5, "es": 0.5, "de": 0.5, "pt": 0.4, "nl": 0.3, "ar": 0.5}
SURE = 0.2  # weighted score above which the detector overrides a hint
SHORT = 1  # words up to which no detector is sure ("jazz"): the hint decides
SHARED_VOTE = 1.0  # weight of the little words shared by several languages
EXCLUSIVE_VOTE = 1.0  # weight of a little word of one language only
FUNCTION_VOTES = 2  # exclusive little words that decide, ahead of every other language
SUPPORTED = tuple(PRIOR)

# The words questions are made of, beyond the stop-word lists (which for English hold few).
QUESTION_WORDS = {
    "fr": "quel quelle quels quelles qui quoi où quand comment combien pourquoi est-ce c'est y a-t-il il elle je on "
          "nous vous ce cette ces des du au aux une un et dans pour avec sur le la les à",
    "en": "what which who whom where when how many much is are was were the of in for to do does did can could there "
          "any some with from at by and its it's their this that these those",
    "it": "quale quali chi dove quando come quanto quanti quante cosa che il lo gli della delle dei del nel nella "
          "sono è c'è ci per con degli",
    "es": "qué cuál cuáles quién quiénes dónde cuándo cómo cuánto cuántos cuántas el los las del la una hay es son "
          "para con en",
    "de": "was welche welcher welches wer wo wann wie viele ist sind gibt es der die das den dem des ein eine einen "
          "im in und mit für von zu kann man gibt",
}


@functools.lru_cache(maxsize=1)
def _detector():
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in SUPPORTED]
    return LanguageDetectorBuilder.from_languages(*languages).build()


@functools.lru_cache(maxsize=1)
def _little_words() -> dict[str, frozenset[str]]:
    return {lang: stopwords(lang) | frozenset(words(QUESTION_WORDS.get(lang, ""))) for lang in SUPPORTED}


@functools.lru_cache(maxsize=1)
def _exclusive() -> dict[str, frozenset[str]]:
    """Per language, the little words that no other supported language has."""
    own = _little_words()
    return {lang: own[lang] - frozenset().union(*(own[o] for o in SUPPORTED if o != lang)) for lang in SUPPORTED}


def function_words(text: str) -> str | None:
    """The language whose exclusive little words the text has most, if it wins clearly."""
    tokens = words(text)
    votes = {lang: sum(t in exclusive for t in tokens) for lang, exclusive in _exclusive().items()}
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    (best, first), (_, second) = ranked[0], ranked[1]
    return best if first >= FUNCTION_VOTES and first > second else None


def scores(text: str) -> dict[str, float]:
    """Per language: the detector's confidence weighted by the audiences' prior, plus the votes
    of the little words (names carry the detector towards their language; "wann", "das" and
    "statt" are German whatever festival they ask about)."""
    out = dict.fromkeys(SUPPORTED, 0.0)
    for value in _detector().compute_language_confidence_values(text):
        code = value.language.iso_code_639_1.name.lower()
        out[code] += PRIOR[code] * value.value
    own = _little_words()
    for token in words(text):
        having = [lang for lang in SUPPORTED if token in own[lang]]
        for lang in having:
            out[lang] += EXCLUSIVE_VOTE if len(having) == 1 else SHARED_VOTE / len(having)
    return out


def detect(text: str, hint: str | None = None, default: str = "fr") -> str:
    """ISO 639-1 code of `text`'s language; `hint` (the interface's, the browser's) breaks
    uncertainty, then `default` (the collection's language)."""
    # Only a hint Cigale answers in: the API's `hint` is any two letters ("zz").
    hint = hint if hint in SUPPORTED else None
    voted = function_words(text)
    if voted:
        return voted
    if len(text.split()) <= SHORT:
        return hint or default
    weighted = scores(text)
    best = max(weighted, key=weighted.get)
    return best if weighted[best] >= SURE else hint or default
