"""Chunks: sentence-aware slices of a document, with offsets so citations stay exact.

Invariant (tested): ``doc.text[chunk.start:chunk.end] == chunk.text``.
"""

import hashlib
import re
from dataclasses import dataclass

# A sentence ends at a line break, or at . ! ? … followed by space and a capital, digit or quote.
# Abbreviations such as "St." or "av. J.-C." may split early: harmless, chunks regroup them.
# A quote or parenthesis closing the sentence ('dit "oui."') is looked behind, not matched: it
# stays in its sentence instead of falling out of every sentence and chunk.
_BOUNDARY = re.compile(r"\n+|(?:(?<=[.!?…])|(?<=[.!?…][\"»”)]))\s+(?=[\"«“(]?[A-ZÀ-ÖØ-Þ0-9])")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    ord: int
    start: int
    end: int
    text: str
    title: str = ""
    lang: str | None = None
    places: tuple[str, ...] = ()  # INSEE codes: the document's places and those named in the chunk

    @property
    def indexed_text(self) -> str:
        """What the retrievers see: the title as context, then the chunk."""
        return f"{self.title}\n{self.text}" if self.title else self.text

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.indexed_text.encode("utf-8")).hexdigest()


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences of text[start:end], stripped of surrounding space."""
    end = len(text) if end is None else end
    spans, cursor = [], start
    for match in _BOUNDARY.finditer(text, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[1] > s[0]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_long(text: str, start: int, end: int, maximum: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence on word boundaries into pieces of at most `maximum` words."""
    words = list(_WORD.finditer(text, start, end))
    return [(words[i].start(), words[min(i + maximum, len(words)) - 1].end()) for i in range(0, len(words), maximum)]


def chunk_spans(text: str, target: int = 120, maximum: int = 220) -> list[tuple[int, int]]:
    """Group sentences into spans of about `target` words, never more than `maximum`."""
    pieces = []
    for a, b in sentences(text):
        n = len(_WORD.findall(text, a, b))
        pieces.extend(_split_long(text, a, b, maximum) if n > maximum else [(a, b)])
    spans, current, count = [], None, 0
    for a, b in pieces:
        n = len(_WORD.findall(text, a, b))
        if current and (count >= target or count + n > maximum):
            spans.append(current)
            current, count = None, 0
        current = (current[0], b) if current else (a, b)
        count += n
    if current:
        # A short tail joins the previous chunk when that stays under the maximum.
        if spans and count < target // 3 and _words_between(text, spans[-1][0], current[1]) <= maximum:
            spans[-1] = (spans[-1][0], current[1])
        else:
            spans.append(current)
    return spans


def _words_between(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text, start, end))


def chunk_document(doc, target: int = 120, maximum: int = 220) -> list[Chunk]:
    return [
        Chunk(doc_id=doc.id, ord=i, start=a, end=b, text=doc.text[a:b], title=doc.title, lang=doc.lang)
        for i, (a, b) in enumerate(chunk_spans(doc.text, target, maximum))
    ]
