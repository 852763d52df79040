"""Text that talks to the model rather than to the reader (prompt injection), in sources and in
questions: found, so it is never quoted, never obeyed and never repeated."""

import re

from cigale.chunks import sentences

# A role line ("system: …") starts after spaces of its own line only: `^\s*` would cross line
# breaks, and every line of "\n\n\n…" would rescan all the ones after it (quadratic).
INJECTION = re.compile(
    r"ignore\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|rules|prompts?)"
    r"|disregard\s+(?:all\s+|the\s+)?(?:previous|above|prior)|you\s+are\s+now\b|new\s+instructions"
    r"|system\s+prompt|^[^\S\n]*(?:system|assistant)\s*:|ignore[zr]?\s+(?:les\s+|tes\s+|vos\s+)?(?:instructions|consignes)"
    r"|oublie[zr]?\s+(?:tout|les\s+|tes\s+|vos\s+)(?:instructions|consignes|r[eè]gles)?"
    r"|ignora\s+(?:le\s+|las\s+|tus\s+|tutte\s+le\s+)?istruzioni|ignora\s+(?:las\s+|tus\s+)instrucciones"
    r"|ignoriere\s+(?:alle\s+|die\s+|deine\s+)?(?:vorherigen\s+)?anweisungen",
    re.IGNORECASE | re.MULTILINE)


def injected_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` that address the model, as (start, end) spans."""
    return [(a, b) for a, b in sentences(text) if INJECTION.search(text[a:b])]


def defuse(text: str) -> str:
    """`text` with every sentence that addresses the model replaced by a notice."""
    for a, b in reversed(injected_spans(text)):
        text = text[:a] + "[instructions removed from this source]" + text[b:]
    return text
