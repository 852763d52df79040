"""Search: a question → ranked documents (hits), by BM25, dense retrieval or both fused.

Chunks are scored, then each document takes its best chunk's score (max-pooling). Hybrid
fusion is Reciprocal Rank Fusion (Cormack et al. 2009) or a weighted sum of normalised
scores; the README gives the measurements behind the default. A question that names places
ranks the documents about those places first; a question that names none is ranked on
relevance alone.

Time: a dated document (an event: one with `start`) is searched only when its dates meet the
period the question names ("ce week-end", "en juillet 2025": see when.py) or, for a question about
what is current that names none ("what's on in Aubagne?", "quoi de neuf ?"), when it is not over
(its end, else its start, is today or later). Other questions search every document: a record
whose dates are past is still found by its name ("Charlie Jazz Festival"), and an answer that
offers events leaves out those that are over (answers/lists.py). Undated documents, news (only
`published`) included, are always searched. For a time-sensitive question (a period named, or
what is current), stale content (freshness.py) is ranked down, never left out.
"""

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from cigale import freshness, when
from cigale.analysis import analyze, analyze_query
from cigale.equity import Candidate, attribute, rerank, target
from cigale.errors import QuestionError
from cigale.language import detect
from cigale.settings import Fusion, Mode
from cigale.territory import METROPOLIS
from cigale.territory.places import PlaceMatch

# Bonuses added to a relevance score normalised to [0, 1]. A clearly named place puts the
# documents declared about it first (a filter that still shows the rest after them).
CLEAR_PLACE_BONUS = 1.0
MENTION_BONUS = 0.3
WEAK_PLACE_BONUS = 0.3
# When relevance is close, a source in the question's language comes first.
SAME_LANGUAGE_BONUS = 0.05
KIND_BONUS = 0.3  # fitted on our own open questions, held-out half checked: bench/fit_kind.py
KIND_OPEN_ONLY = True
SNIPPET_CHARS = 280
EQUITY_POOL = 50  # documents the equity re-ranker may draw from
PRESENT_WINDOW = 0.4  # a sub-territory "has content" for a question within this of the best result
STRIP_PLACES = True
LEXICAL_FLOOR = 0.3
# Below this, a document matched only words found in nearly every document (IDF ≈ 0):
# that is no lexical evidence at all, and its BM25 rank is left out of the fusion.
BM25_NOISE = 0.1
LEXICAL_MAJORITY = 0.5  # a language spoken by half the collection gets full lexical weight
TRANSLATE_SHARE = 0.1  # a language this share of the documents is written in is translated into
TRANSLATED_WEIGHT = True  # a question translated into the collection's language weighs as if asked in it
UNTIL_FURTHER = "9999-12-31"  # a question about what is current, with no period named: from today on
# Chunks asked of a `nearest` (pgvector's HNSW) for dense retrieval by candidate list. Measured with
# an exact top-K (bench/scale.py): at 200, nDCG@10 stays within 0.003 of full scoring on the dev
# sets (793 chunks) and on 100,000 chunks; 100 loses up to 0.009 (multilingual dev set, hybrid),
# and 400 gains at most 0.003 for twice the HNSW search (pgvector's ef_search follows K).
DENSE_CANDIDATES = 200


@dataclass(frozen=True)
class Question:
    text: str
    lang: str
    places: tuple[PlaceMatch, ...] = ()
    communes: frozenset[str] = frozenset()  # every commune the named places cover
    clear: bool = False  # a place is named unambiguously
    window: tuple[str, str] | None = None  # the period it names ("ce week-end"), ISO dates, see when.py
    period: str | None = None  # the words that name it (folded): what the question asks is the rest
    today: str | None = None  # the day it is asked on (ISO): when the window is relative to, what is over
    timely: bool = False  # about what is current: a period named, the news, what is on (when.timely)
    kind: str | None = None  # the kind of thing it asks for ("museum": answers/lexicon.KINDS), set by the engine

    @property
    def is_open(self) -> bool:
        """Names no place: the whole territory is concerned, and equity applies."""
        return not self.communes

    @property
    def without_places(self) -> str:
        """The question with the place names taken out: what is asked about the place."""
        text = self.text
        for m in sorted(self.places, key=lambda m: -m.start):
            text = text[: m.start] + " " + text[m.end:]
        return " ".join(text.split())

    @property
    def place_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.code for m in self.places if m.code != METROPOLIS))


@dataclass(frozen=True)
class Filters:
    communes: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    date_from: str | None = None  # ISO dates; a document is kept if its [start, end] meets the range
    date_to: str | None = None

    def __bool__(self) -> bool:
        return any((self.communes, self.territories, self.themes, self.langs, self.date_from, self.date_to))


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float
    title: str
    snippet: str
    chunk_id: int
    places: tuple[str, ...] = ()
    url: str | None = None
    source: str | None = None
    lang: str | None = None
    signals: dict = field(default_factory=dict, compare=False)


def parse_question(text: str, gazetteer, settings, lang: str | None = None, hint: str | None = None,
                   default: str | None = None) -> Question:
    """Validate a question and find its language and the places it names; `hint`: the
    interface's or the browser's language, `default`: the collection's (see language.py)."""
    if not isinstance(text, str) or not text.strip():
        raise QuestionError("The question is empty.")
    text = " ".join(text.split())
    if len(text) > settings.max_question_chars:
        raise QuestionError(
            f"The question is too long ({len(text)} characters; the limit is {settings.max_question_chars})."
        )
    if any("\ud800" <= c <= "\udfff" for c in text):  # what undecodable bytes become on a command line
        raise QuestionError("The question is not valid text (it holds bytes that are not UTF-8).")
    places = tuple(gazetteer.find(text) + gazetteer.arrondissements(text))
    if not lang:
        # Place names mislead the detector ("Aix-en-Provence" is not German): leave them out.
        bare = text
        for m in sorted(places, key=lambda m: -m.start):
            bare = bare[: m.start] + bare[m.end :]
        lang = detect(bare if bare.strip() else text, hint=hint, default=default or settings.default_lang)
    territory = gazetteer.territory
    codes = [m.code for m in places if m.code != METROPOLIS]
    on = when.today(settings.today, getattr(territory, "timezone", when.DEFAULT_TZ))
    span = when.window(text, on)
    return Question(text, lang, places, territory.expand(codes), any(not m.weak for m in places if m.code in codes),
                    span.iso() if span else None, span.phrase if span else None, on.isoformat(),
                    span is not None or when.timely(text))


class Searcher:
    """`nearest(qvec, k)`, when given, is dense retrieval by candidate list (a PostgreSQL store's
    HNSW index): the `k` chunks most similar to the question as (chunk id, inner product), best
    first; the index's own vectors (`index.dense`) are then not read."""

    def __init__(self, index, store, embedder, territory, settings, translator=None, nearest=None):
        self.index, self.store, self.embedder = index, store, embedder
        self.territory, self.settings, self.translator = territory, settings, translator
        self.nearest = nearest

    def scores(self, question: Question, mode: Mode | None = None, filters: Filters | None = None, qvec=None):
        """Ranking score of every document, chunk scores (for snippets), and the raw signals."""
        index = self.index
        mode = mode or self.settings.mode
        n_docs = len(index.docs)
        chunk_bm25 = chunk_dense = floor = None
        if mode in (Mode.BM25, Mode.HYBRID):
            # Places are matched through geotags: their names in BM25 would only favour documents
            # that repeat the name, not the ones that answer.
            lexical = question.without_places if (question.clear and STRIP_PLACES) else question.text
            chunk_bm25 = index.bm25_scores(self.lexical_terms(question, lexical or question.text))
        if mode in (Mode.DENSE, Mode.HYBRID):
            chunk_dense, floor = self.chunk_dense(qvec if qvec is not None else self.embedder.query(question.text))
        bm25 = np.maximum.reduceat(chunk_bm25, index.doc_offsets) if chunk_bm25 is not None else None
        dense = np.maximum.reduceat(chunk_dense, index.doc_offsets) if chunk_dense is not None else None

        if mode is Mode.BM25:
            relevance = _unit(bm25)
        elif mode is Mode.DENSE:
            relevance = _unit(dense, floor=float(dense.min()))
        else:
            lexical_weight = self.lexical_weight(question)
            if self.settings.fusion is Fusion.RRF:
                k = self.settings.rrf_k
                bm25_rrf = _rrf(bm25, k, mask=bm25 > BM25_NOISE)
                # A candidate list ranks its candidates only: the others are in no list, as in RRF
                # over truncated runs (Cormack et al. 2009), not tied at its end in document order.
                dense_rrf = _rrf(dense, k, mask=dense > floor if floor is not None else None)
                relevance = _unit(lexical_weight * bm25_rrf + dense_rrf)
            else:
                w = self.settings.dense_weight
                relevance = w * _unit(dense, floor=float(dense.min())) + (1 - w) * lexical_weight * _unit(bm25)

        ranking = relevance + self._place_bonus(question) + self._language_bonus(question) + self._kind_bonus(question)
        if filters:
            ranking = np.where(self._filter_mask(filters), ranking, -np.inf)
        if question.timely and not (filters and (filters.date_from or filters.date_to)):  # explicit dates first
            period = question.window or (self._today(question).isoformat(), UNTIL_FURTHER)
            ranking = np.where(self._in_time(*period), ranking, -np.inf)
        if mode is Mode.BM25:
            ranking = np.where(bm25 > 0, ranking, -np.inf)  # no term in common: not a result
        elif mode is Mode.DENSE and floor is not None:
            ranking = np.where(dense > floor, ranking, -np.inf)  # not a candidate: not a result

        combined = np.zeros(index.size, dtype=np.float32)
        if chunk_bm25 is not None:
            combined += chunk_bm25 / (chunk_bm25.max() or 1.0)
        if chunk_dense is not None:
            combined += chunk_dense
        signals = {"bm25": bm25, "dense": dense}
        return ranking, combined, signals, n_docs

    def search(
        self, question: Question, k: int = 10, mode: Mode | None = None, filters: Filters | None = None, qvec=None,
        equity: bool | None = None, deficit: dict[str, float] | None = None,
    ) -> list[Hit]:
        """The `k` best documents; `qvec` is the question's embedding when the caller has it.

        With equity (the setting's default), an open question's ranking is shared fairly among
        sub-territories within `equity_tolerance` of relevance (see equity.py); a question that
        names a place is never re-ranked.
        """
        if self.index.size == 0:
            return []
        ranking, chunk_scores, signals, n_docs = self.scores(question, mode, filters, qvec)
        equity = self.settings.equity if equity is None else equity
        penalty = self._staleness(question, ranking, max(k, EQUITY_POOL), n_docs) if question.timely else 0.0
        ranking = ranking - penalty
        if equity and question.is_open:
            pool = min(n_docs, max(k, EQUITY_POOL))
            top = self._top(ranking, pool, n_docs)
            top = self._share(top, self._strength(question, signals) - penalty, k, deficit)
        else:
            top = self._top(ranking, max(1, min(k, n_docs)), n_docs)
        return self.hits(top[:k], ranking, chunk_scores, signals)

    def chunk_dense(self, qvec: np.ndarray) -> tuple[np.ndarray, float | None]:
        """Every chunk's similarity to the question vector, and the floor of a candidate list:
        with `nearest`, the chunks it did not return take a value below all it returned (None
        without it: every similarity is exact)."""
        if self.nearest is None:
            return self.index.dense @ qvec, None
        found = self.nearest(qvec, DENSE_CANDIDATES)
        rows = self.index.rows([chunk for chunk, _ in found])
        similarity = np.array([s for _, s in found], dtype=np.float32)
        kept = rows >= 0  # a chunk added since the index was built is not searched yet
        rows, similarity = rows[kept], similarity[kept]
        if not len(similarity):
            return np.zeros(self.index.size, dtype=np.float32), 0.0
        # The candidates take the upper half of the min-max scale (`_unit`, `_strength`), as the best
        # similarities do in full scoring, whose minimum lies far below them; a floor just under
        # the last candidate would stretch them over the whole scale, against the bonuses and the
        # equity tolerance. Measured once, on the dev sets with equity: top-10 overlap with full
        # scoring 0.985 so, 0.93 with the floor just under (and 0.94 three spreads below).
        low, high = similarity.min(), similarity.max()
        floor = float(min(low - (high - low), np.nextafter(low, np.float32(-np.inf))))
        scores = np.full(self.index.size, floor, dtype=np.float32)
        scores[rows] = similarity
        return scores, floor

    @staticmethod
    def _top(ranking: np.ndarray, k: int, n: int) -> list[int]:
        top = np.argpartition(-ranking, k - 1)[:k] if k < n else np.arange(n)
        return [int(i) for i in top[np.argsort(-ranking[top], kind="stable")] if np.isfinite(ranking[i])]

    def _strength(self, question: Question, signals: dict) -> np.ndarray:
        """How relevant each document is in absolute terms, on [0, 1]: the min-max scaled dense
        similarity and BM25 score, BM25 weighted as in fusion. RRF keeps only ranks, so "comparable
        relevance" for equity is judged on these magnitudes: an exact match far ahead of the
        rest keeps its place, a crowd of similar results is shared."""
        dense, bm25 = signals.get("dense"), signals.get("bm25")
        parts, weights = [], []
        if dense is not None:
            parts.append(_unit(dense, floor=float(dense.min())))
            weights.append(1.0)
        if bm25 is not None:
            parts.append(_unit(bm25))
            weights.append(self.lexical_weight(question) if dense is not None else 1.0)
        return sum(w * p for w, p in zip(weights, parts)) / sum(weights)

    def _share(self, top: list[int], strength: np.ndarray, k: int, deficit) -> list[int]:
        """Equity-aware order of `top` (document positions in ranking order), relevance first
        within the tolerance."""
        tolerance = self.settings.equity_tolerance
        candidates = [Candidate(i, float(strength[i]), attribute(self._places(i), self.territory)) for i in top]
        if not candidates:
            return top
        # The target covers the sub-territories that hold content among the candidates: what does
        # not exist cannot be exposed.
        best = max(c.relevance for c in candidates)
        present = {t for c in candidates if c.relevance >= best - PRESENT_WINDOW for t in c.weights}
        goal = target(self.territory, self.settings.equity_policy, among=present)
        return [c.key for c in rerank(candidates, goal, tolerance, k, deficit)]

    def _places(self, position: int) -> tuple[str, ...]:
        return self.index.places(position, self.territory)

    def best_chunk(self, position: int, chunk_scores: np.ndarray) -> int:
        """Row of the best-scoring chunk of the document at `position`."""
        offsets = self.index.doc_offsets
        start = int(offsets[position])
        end = int(offsets[position + 1]) if position + 1 < len(offsets) else self.index.size
        return start + int(np.argmax(chunk_scores[start:end]))

    def hits(self, positions, scores, chunk_scores, signals) -> list[Hit]:
        index = self.index
        best_chunk = {i: self.best_chunk(i, chunk_scores) for i in positions}
        ids = [index.docs[i].id for i in positions]
        documents = self.store.get_documents(ids, text=False)  # a hit shows its chunk, not the whole text
        chunks = self.store.get_chunks(int(index.chunk_ids[best_chunk[i]]) for i in positions)
        out = []
        for i, doc_id in zip(positions, ids):
            chunk_id = int(index.chunk_ids[best_chunk[i]])
            doc, stored = documents.get(doc_id), chunks.get(chunk_id)
            if doc is None or stored is None or stored.chunk.doc_id != doc_id:
                # Removed or rewritten by an ingest since this index was built (the new one is being
                # built behind it): left out until then, never shown half old, half new.
                continue
            out.append(
                Hit(
                    doc_id=doc_id,
                    score=round(float(scores[i]), 6),
                    # The title and the snippet from one read of the store (the chunk's row joins its
                    # document's): both of the same version of the document.
                    title=stored.chunk.title or doc.title,
                    snippet=_snippet(stored.chunk.text),
                    chunk_id=chunk_id,
                    places=index.places(i, self.territory),
                    url=doc.url,
                    source=doc.source,
                    lang=doc.lang,
                    signals={k: round(float(v[i]), 6) for k, v in signals.items() if v is not None},
                )
            )
        return out

    def _place_bonus(self, question: Question) -> np.ndarray | float:
        if not question.communes:
            return 0.0
        targets = question.communes | set(question.place_codes)
        declared_bonus = CLEAR_PLACE_BONUS if question.clear else WEAK_PLACE_BONUS
        bonus = np.zeros(len(self.index.docs), dtype=np.float32)
        bonus[self.index.mentioning(targets)] = MENTION_BONUS
        # A page that declares no place but is clearly about one (index.About) weighs as if it
        # declared it: crawled pages and articles are not buried under structured records.
        bonus[self.index.about(targets)] = declared_bonus
        return bonus

    def lexical_terms(self, question: Question, text: str) -> list[str]:
        """BM25 query terms: the question analyzed in its language and every language of the
        index, plus its words translated into the index's other languages (translation.py)."""
        terms = analyze_query(text, dict.fromkeys((question.lang, *self.index.langs)))
        for lang in self.translated_into(question):
            found = self.translator.translate(text, question.lang, lang)
            terms.extend(t for t in analyze(" ".join(found), lang) if t not in terms)
        return terms

    def translated_into(self, question: Question) -> list[str]:
        """The languages a question's words are translated into: those the collection holds
        more documents in than in the question's own language, and at least TRANSLATE_SHARE of
        it, that the translator knows from the question's. A language of a handful of documents
        is met by the question's own words and the embeddings; and where the collection speaks
        the question's language as much (the starter corpus's French and English sheets), its
        own words find their own copy: translated, "horaires de la mairie" would find the
        English sheet's "opening hours" as well."""
        if self.translator is None or not len(self.index.docs):
            return []
        counts = self.index.lang_counts
        own = counts.get(question.lang, 0)
        return [lang for lang, n in counts.items() if lang != question.lang and n > own
                and n / len(self.index.docs) >= TRANSLATE_SHARE and self.translator.available(question.lang, lang)]

    def lexical_weight(self, question: Question, translated: bool = True) -> float:
        """Words match words only within a language: BM25 counts as much as the collection
        speaks the question's language or one it is translated into (an English question over
        French sources without a dictionary leans on the multilingual embeddings), never less
        than LEXICAL_FLOOR. `translated=False`: the share of the question's own language alone,
        the weight the answerability model was fitted with (answers/answerability.py)."""
        if not len(self.index.docs):
            return LEXICAL_FLOOR
        langs = [question.lang, *(self.translated_into(question) if TRANSLATED_WEIGHT and translated else ())]
        share = self.index.share_in(langs)
        return max(LEXICAL_FLOOR, min(1.0, share / LEXICAL_MAJORITY))

    def _kind_bonus(self, question: Question) -> np.ndarray | float:
        """An open question asks for things of a kind ("festivals de théâtre", "sculpture
        museums"): the documents that are one (their title or first line says so) come before
        those that only share its words (a commune card that names a theatre festival)."""
        if not question.kind or not KIND_BONUS or (KIND_OPEN_ONLY and not question.is_open):
            return 0.0
        return np.where(self.index.of_kind(question.kind), np.float32(KIND_BONUS), np.float32(0.0))

    def _language_bonus(self, question: Question) -> np.ndarray:
        return np.where(self.index.same_lang(question.lang), SAME_LANGUAGE_BONUS, 0.0).astype(np.float32)

    def _today(self, question: Question):
        if question.today:
            return date.fromisoformat(question.today)
        return when.today(self.settings.today, getattr(self.territory, "timezone", when.DEFAULT_TZ))

    def _staleness(self, question: Question, ranking: np.ndarray, pool: int, n_docs: int) -> np.ndarray:
        """STALE_PENALTY for each stale document among the best 2 × `pool` (freshness.py), 0 elsewhere:
        the results come from the best `pool`, and a penalty this small moves a document a few places."""
        penalty = np.zeros(n_docs, dtype=np.float32)
        ages = freshness.limits(self.settings.stale_days)
        if not ages:
            return penalty
        today = self._today(question)
        for i in self._top(ranking, min(n_docs, 2 * pool), n_docs):
            if freshness.is_stale(self.index.docs[i], today, ages):
                penalty[i] = freshness.STALE_PENALTY
        return penalty

    def _in_time(self, date_from: str, date_to: str) -> np.ndarray:
        """What is dated outside the period searched is left out (a past event is not offered as
        upcoming); what carries no date (a museum, a beach, a news item) stays."""
        return self.index.in_period(date_from, date_to)

    def _filter_mask(self, filters: Filters) -> np.ndarray:
        """Which documents the filters keep: all of them, each by the document's own facts (a
        news item is dated by its publication)."""
        index = self.index
        wanted = self.territory.expand(filters.communes + filters.territories) | set(filters.territories)
        keep = np.ones(len(index.docs), dtype=bool)
        if wanted:
            keep &= index.located(wanted)
        if filters.themes:
            keep &= index.of_theme(filters.themes)
        if filters.langs:
            keep &= index.in_langs(filters.langs)
        if filters.date_from or filters.date_to:
            keep &= index.dated_within(filters.date_from, filters.date_to)
        return keep


def _unit(x: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Scale scores to [0, 1] (min-max, with `floor` as the minimum)."""
    top = float(x.max()) if x.size else 0.0
    if top <= floor:
        return np.zeros_like(x, dtype=np.float32)
    return ((x - floor) / (top - floor)).astype(np.float32)


def _rrf(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.float32)
    ranks[_descending(scores)] = np.arange(1, len(scores) + 1)
    fused = 1.0 / (k + ranks)
    return np.where(mask, fused, 0.0) if mask is not None else fused


def _descending(scores: np.ndarray) -> np.ndarray:
    """`np.argsort(-scores, kind="stable")` (ties in position order), for float32 scores without
    NaN 7 times faster (6.4 → 0.9 ms over 82,000 documents): one sort of 64-bit keys packing the
    score's bits, ordered as integers, above the position, so that no two keys are equal."""
    if scores.dtype != np.float32 or len(scores) >= 2**32:
        return np.argsort(-scores, kind="stable")
    bits = (-scores + np.float32(0)).view(np.int32).astype(np.int64)  # + 0: -0.0 is 0.0, as argsort has it
    bits = np.where(bits < 0, bits ^ 0x7FFFFFFF, bits)  # IEEE 754 floats in integer order
    keys = (bits + 2**31).astype(np.uint64) << np.uint64(32) | np.arange(len(scores), dtype=np.uint64)
    return (np.sort(keys) & np.uint64(0xFFFFFFFF)).astype(np.intp)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return text[: cut if cut > 0 else SNIPPET_CHARS] + "…"
