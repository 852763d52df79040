"""Which language a question is in.

Short questions are hard for any detector ("festivals de jazz" reads as Dutch), so the
detector's confidences are weighted by a prior that favours the site's audiences (residents
in French, then English speakers), and an explicit language always wins. A UI language is a
hint: it decides when the detector is unsure.
"""

import functools

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

# Residents first, then French and international visitors (the brief's audiences).
PRIOR = {"fr": 1.0, "en": 0.8, "it": 0.5, "es": 0.5, "de": 0.5, "pt": 0.4, "nl": 0.3, "ar": 0.5}
SURE = 0.2  # weighted confidence above which the detector overrides a UI hint
SURE_SHORT = 0.6  # the same for one or two words, where detectors guess
SUPPORTED = tuple(PRIOR)


@functools.lru_cache(maxsize=1)
def _detector():
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in SUPPORTED]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect(text: str, hint: str | None = None, default: str = "fr") -> str:
    """ISO 639-1 code of `text`'s language; `hint` (the UI language) breaks uncertainty."""
    scores = {}
    for value in _detector().compute_language_confidence_values(text):
        code = value.language.iso_code_639_1.name.lower()
        scores[code] = value.value * PRIOR[code]
    if not scores:
        return hint or default
    best = max(scores, key=scores.get)
    sure = SURE_SHORT if len(text.split()) < 3 else SURE
    if scores[best] >= sure or not hint:
        return best if scores[best] > 0 else default
    return hint
