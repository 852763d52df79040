"""The engine: the one object every surface (CLI, web, library) talks to.

engine = Engine.open("cigale-data")
engine.ingest(["docs/"])
hits = engine.search("festivals de jazz", k=10)
answer = engine.ask("Which territory is Trets in?")
"""

import dataclasses
import hashlib
import logging
import threading
import time
from pathlib import Path

import numpy as np

from cigale import index as index_mod
from cigale import when
from cigale.answers.compose import compose
from cigale.answers.extractive import quotable
from cigale.answers.frames import LANGS
from cigale.answers.generative import generate
from cigale.answers.intent import Intent, Reading, classify, refine
from cigale.answers.lists import POOL
from cigale.answers.types import Answer
from cigale.embed import CachedEmbedder, Embedder, embedder_for
from cigale.equity import exposure, target
from cigale.errors import EmbeddingError, NotReadyError, StoreError
from cigale.followup import Resolved, resolve
from cigale.ingest import IngestReport, embed_quotable, ingest
from cigale.rerank import rerank
from cigale.search import Filters, Hit, Question, Searcher, parse_question
from cigale.settings import Mode, Settings
from cigale.store import AnswerLog, Store, open_store
from cigale.territory import Territory, load
from cigale.territory.places import Gazetteer
from cigale.translation import Translator

log = logging.getLogger(__name__)
# Seconds the first requests after a new corpus version wait for its index before the previous one
# serves them: a corpus of a few thousand chunks is rebuilt within it, a big one is built behind.
REFRESH_PATIENCE = 2.0
ANSWER_HITS = 8  # documents searched for a factual answer
# Intents a model may write the answer of; refusals and declines are always Cigale's own words.
GENERATED = (Intent.FACTUAL, Intent.PRACTICAL, Intent.LIST, Intent.OPEN)


class Engine:
    def __init__(self, settings: Settings, store: Store, embedder: Embedder, territory: Territory):
        self.settings, self.store, self.embedder, self.territory = settings, store, embedder, territory
        # What answers embed (the question, the candidate lines), each text once: see embed.py.
        self.vectors = CachedEmbedder(embedder, store)
        self.gazetteer = Gazetteer(territory)
        sources = tuple(s.strip() for s in settings.translation.split(",") if s.strip())
        self.translator = Translator(territory.glossary, settings.dictionaries, sources) if sources else None
        self._index = None
        self._lock = threading.Lock()
        self._behind_lock = threading.Lock()
        self._builder: tuple[float, threading.Thread] | None = None
        self.generator = None
        if settings.llm_base_url and settings.llm_model:
            from cigale.answers.llm import CircuitBreaker, OpenAICompatible

            self.generator = OpenAICompatible(settings.llm_base_url, settings.llm_model,
                                              settings.llm_api_key.reveal(), settings.llm_timeout,
                                              settings.llm_retries)
            self.breaker = CircuitBreaker()
            self.rerank_breaker = CircuitBreaker()

    @classmethod
    def open(
        cls, data_dir=None, settings: Settings | None = None, embedder: Embedder | None = None, read_only: bool = False,
        upgrade: bool = False,
    ) -> "Engine":
        """`upgrade`: bring a PostgreSQL store's schema up to date first (what `cigale ingest`
        does; serving never changes a schema: `cigale db upgrade` does, once, for every worker)."""
        settings = settings or Settings.load(data_dir=data_dir)
        if data_dir is not None and Path(data_dir) != settings.data_dir:
            settings = settings.replace(data_dir=data_dir)
        store = open_store(settings.data_dir, read_only=read_only, database_url=settings.database_url.reveal(),
                           upgrade=upgrade)
        if settings.database_url.reveal() and not read_only:
            try:  # with PostgreSQL, the data directory holds only this machine's index and an ingest's spill
                Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                store.close()
                raise StoreError(f"Cannot create the data directory {settings.data_dir}: {exc.strerror}") from None
        return cls(settings, store, embedder or embedder_for(settings), load(settings.territory))

    @property
    def index_dir(self) -> Path:
        """Where the index is saved: in the data directory; with PostgreSQL, named after the
        database, so that an index is never taken for another store's of the same version."""
        url = self.settings.database_url.reveal()
        if not url:
            return Path(self.settings.data_dir) / "index"
        from cigale.store.postgres import describe

        return Path(self.settings.data_dir) / f"index-{hashlib.sha256(describe(url).encode()).hexdigest()[:12]}"

    def ingest(self, paths=(), documents=(), prune: bool = False, options: dict | None = None,
               progress=None) -> IngestReport:
        """Add or update files, folders and `Document`s; returns what changed."""
        report = ingest(self.store, self.embedder, self.gazetteer, self.settings, paths, documents, prune, options,
                        progress, lines=self.quotable)
        self.refresh()
        return report

    @property
    def quotable(self):
        """What ingest embeds besides the chunks: the lines answers may embed (setting embed_lines)."""
        return quotable if self.settings.embed_lines else None

    def embed_lines(self, progress=None) -> int:
        """Embed the lines answers may quote of the documents stored before `embed_lines` was on
        (nothing else changes: the index stays); returns how many lines the model embedded."""
        return embed_quotable(self.store, self.embedder, quotable, self.settings.embed_batch, progress)

    def refresh(self, wait: bool = True):
        """The index for the store's current version: loaded, or rebuilt and saved. With
        `wait=False` (what serving does), a new version found while an index is already served
        (another process ingested) is built in the background: the requests of its first
        REFRESH_PATIENCE seconds wait for it (a small corpus is rebuilt by then), later ones are
        served by the previous index until it is ready. No reader sees half of a rebuild."""
        version = self.store.version()
        index = self._index
        if index is not None and index.version == version:
            return index
        if index is not None and not wait:
            started, builder = self._refresh_behind()
            builder.join(max(0.0, started + REFRESH_PATIENCE - time.monotonic()))
            return self._index
        with self._lock:
            return self._load(self.store.version())

    def _load(self, version: int):
        if self._index is not None and self._index.version == version:
            return self._index
        loaded = index_mod.load(self.index_dir)
        if loaded is None or loaded.version != version:
            loaded = index_mod.build(self.store, version, self.embedder.model, self.gazetteer,
                                     vectors=not hasattr(self.store, "nearest"))
            if not getattr(self.store, "read_only", False):
                index_mod.save(loaded, self.index_dir)
        self._index = loaded
        return loaded

    def _refresh_behind(self) -> tuple[float, threading.Thread]:
        """The background rebuild under way, or a new one: (when it started, its thread)."""
        with self._behind_lock:
            if self._builder is not None and self._builder[1].is_alive():
                return self._builder

            def rebuild():
                try:
                    with self._lock:
                        self._load(self.store.version())
                except Exception:  # noqa: BLE001 - the previous index keeps serving; the next request retries
                    log.exception("the index could not be refreshed")

            thread = threading.Thread(target=rebuild, name="cigale-refresh", daemon=True)
            self._builder = (time.monotonic(), thread)
            thread.start()
            return self._builder

    def warm(self) -> None:
        """Load what the first question would otherwise wait for: index, model, language detector."""
        index = self.refresh()
        self.vectors.query("warm-up")
        self.question("Quels festivals cet été ?")
        if self.translator is not None:  # the dictionaries are read once, not by a visitor's first question
            for lang in LANGS:
                for target in index.langs:
                    self.translator.lexicons(lang, target)

    @property
    def searcher(self) -> Searcher:
        index = self.refresh(wait=False)
        if index.size == 0:
            raise NotReadyError("The index is empty: ingest documents first (`cigale ingest PATH`).")
        return Searcher(index, self.store, self.vectors, self.territory, self.settings, self.translator,
                        nearest=self._nearest if hasattr(self.store, "nearest") else None)

    def _nearest(self, qvec, k: int) -> list[tuple[int, float]]:
        """Dense retrieval by PostgreSQL (pgvector's HNSW index): the `k` chunks nearest the question."""
        return self.store.nearest(qvec, self.embedder.model, k)

    def question(self, text: str, lang: str | None = None, hint: str | None = None) -> Question:
        return parse_question(text, self.gazetteer, self.settings, lang=lang, hint=hint,
                              default=self.collection_lang())

    def followup(self, text: str, previous: str | None, lang: str | None = None) -> Resolved:
        """`text` read as a follow-up of the `previous` resolved question ("et à Aix ?" after
        "festivals de jazz à Marseille"): the question to answer, and what it carried over."""
        on = when.today(self.settings.today, getattr(self.territory, "timezone", when.DEFAULT_TZ))
        return resolve(text, previous, self.gazetteer, on=on, lang=lang)

    def collection_lang(self) -> str:
        """The language most of the collection is in: what an unclear question is taken to be in."""
        index = self.refresh(wait=False)
        if not len(index.docs):
            return self.settings.default_lang
        counts = index.lang_counts
        return max(counts, key=counts.get) if counts else self.settings.default_lang

    def search(
        self,
        question: str | Question,
        k: int = 10,
        mode: Mode | str | None = None,
        filters: Filters | None = None,
        lang: str | None = None,
        equity: bool | None = None,
    ) -> list[Hit]:
        if isinstance(question, str):
            question = self.question(question, lang=lang)
        if question.kind is None:
            kind = self.reading(question).kind
            question = dataclasses.replace(question, kind=kind.id if kind else None)
        mode = Mode(mode) if mode else None
        searcher = self.searcher
        try:
            hits = searcher.search(question, k=k, mode=mode, filters=filters, equity=equity, deficit=self.deficit())
        except EmbeddingError as exc:
            if mode is Mode.BM25:
                raise
            # A remote embedding service down: the index still serves, by its words alone.
            log.warning("searching by words alone: %s", exc.message)
            hits = searcher.search(question, k=k, mode=Mode.BM25, filters=filters, equity=equity,
                                   deficit=self.deficit())
        return self.reranked(question, hits)

    def reranked(self, question: Question, hits: list[Hit]) -> list[Hit]:
        """The model's order of the best results, where one is configured and asked to (rerank.py)."""
        if not self.settings.llm_rerank or self.generator is None:
            return hits
        return rerank(question, hits, self.generator, self.rerank_breaker, self.settings.llm_rerank,
                      self.settings.llm_timeout)[0]

    def ask(
        self, question: str | Question, lang: str | None = None, hint: str | None = None,
        filters: Filters | None = None, equity: bool | None = None, record: bool = False,
    ) -> Answer:
        """The answer; `record` (the website does) adds it to the cumulative exposure and the log."""
        for event, data in self.ask_stream(question, lang, hint, filters, equity, record):
            if event == "answer":
                return data
        raise AssertionError("ask_stream ends with an answer")

    def reading(self, question: Question) -> Reading:
        """What the question asks (see answers/intent.py)."""
        return classify(question)

    def ask_stream(
        self, question: str | Question, lang: str | None = None, hint: str | None = None,
        filters: Filters | None = None, equity: bool | None = None, record: bool = False,
    ):
        """The answer as it comes: with a model, ("citation", Citation) and ("delta", {"text",
        "citation"}) for each verified sentence as soon as the model completes it; always, last,
        ("answer", Answer). Without a model, or when it fails, only the extractive answer."""
        r = self.retrieve(question, lang, hint, filters, equity)
        question, reading, hits = r.question, r.reading, r.hits
        answer = compose(question, reading, hits, self.store, self.vectors, self.territory, self.settings, r.qvec,
                         lexical_weight=r.lexical_weight, diverse=r.diverse)
        if self.generator is not None and not answer.abstained and reading.intent in GENERATED:
            if self.breaker.allow():
                generated, fallback, log = yield from generate(
                    question, reading, _sources(answer, hits, reading), self.store.get_documents(
                        [h.doc_id for h in hits]), self.generator, self.breaker, self.vectors, self.territory,
                    self.settings)
            else:
                generated, fallback, log = None, "the model failed repeatedly; it is given a rest", {}
            if generated is not None:
                answer = generated
            else:
                rejected = [{"text": c["claim"], "why": c["why"]} for c in log.get("checked", ())
                            if not c["supported"]]
                answer = dataclasses.replace(answer, evidence={**answer.evidence, "fallback": fallback,
                                                               "rejected": rejected, "verification": log})
        if r.asked is not question:
            answer = dataclasses.replace(answer, question=r.asked.text, intent=Intent.INJECTION.value,
                                         evidence={**answer.evidence, "legitimate": question.text})
        if record:
            self.record(answer, question.is_open, r.equity)
        yield "answer", answer

    def retrieve(self, question: str | Question, lang: str | None = None, hint: str | None = None,
                 filters: Filters | None = None, equity: bool | None = None) -> "Retrieval":
        """The question understood and searched: what every answer is composed from."""
        if isinstance(question, str):
            question = self.question(question, lang=lang, hint=hint)
        equity = self.settings.equity if equity is None else equity
        asked, reading = question, self.reading(question)
        if reading.intent is Intent.INJECTION and reading.legitimate:
            # Never obeyed: the legitimate part of the question, if any, is what gets answered.
            question = self.question(reading.legitimate, lang=question.lang)
            reading = dataclasses.replace(self.reading(question), legitimate=reading.legitimate)
            if reading.intent is Intent.INJECTION:
                reading = dataclasses.replace(reading, legitimate=None)
        searcher = self.searcher
        kind = reading.kind.id if reading.kind else None
        asked, question = (asked, dataclasses.replace(question, kind=kind)) if asked is not question else \
            (dataclasses.replace(question, kind=kind),) * 2
        qvec = self.vectors.query(question.text)  # once, for the search and for the answer
        k = POOL if reading.wants_items or reading.intent is Intent.OPINION else ANSWER_HITS
        hits = searcher.search(question, k=k, filters=filters, qvec=qvec, equity=equity, deficit=self.deficit())
        hits = self.reranked(question, hits)
        reading = refine(reading, question, hits, self.store.get_documents([h.doc_id for h in hits[:1]]))
        return Retrieval(asked, question, reading, hits, qvec, searcher.lexical_weight(question, translated=False),
                         equity and question.is_open, equity)

    def places_of(self, doc_ids) -> dict[str, tuple[str, ...]]:
        """What each document is about: its declared places, else the places its text names."""
        index = self.refresh(wait=False)
        out = {}
        for doc_id in doc_ids:
            position = index.position(doc_id)
            if position is not None:
                out[doc_id] = index.places(position, self.territory)
        return out

    def deficit(self) -> dict[str, float]:
        """How far each sub-territory's cumulative exposure falls short of its target, in [-1, 1]."""
        totals = self.store.exposure_totals()
        total = sum(totals.values())
        if not total:
            return {}
        goal = target(self.territory, self.settings.equity_policy)
        return {t: max(-1.0, min(1.0, (g - totals.get(t, 0.0) / total) / g)) for t, g in goal.items()}

    def record(self, answer: Answer, is_open: bool, equity: bool) -> None:
        """Log an answer served; an open one adds its citations' exposure to the running totals.
        An abstention cites nothing (its closest sources are not an answer)."""
        cited = () if answer.abstained else tuple((c.doc_id, tuple(c.places)) for c in answer.citations)
        if is_open and cited:
            shown = exposure([places for _, places in cited], self.territory)
            self.store.add_exposure({t: s * shown.total * (1 - shown.territory_wide) for t, s in shown.shares.items()})
        self.store.log_answer(AnswerLog(answer.question, answer.lang, is_open, equity, cited))

    def ingest_starter(self, progress=None) -> IngestReport:
        """The factual sheets generated from the territory pack (see territory/starter.py)."""
        from cigale.territory.starter import starter_documents

        return self.ingest(documents=starter_documents(self.territory), progress=progress)

    def stats(self) -> dict:
        return {**self.store.stats(), "territory": self.territory.id}

    def close(self) -> None:
        self.store.close()


@dataclasses.dataclass(frozen=True)
class Retrieval:
    asked: Question  # as the visitor asked it
    question: Question  # what is answered: the same, or an injection's legitimate part
    reading: Reading
    hits: list[Hit]
    qvec: np.ndarray
    lexical_weight: float
    diverse: bool  # an open question under equity: its answer draws on several places
    equity: bool


def _sources(answer: Answer, hits: list[Hit], reading: Reading) -> list[Hit]:
    """What the model reads: the documents the extractive answer cites first (the items of a
    list, only them), then, for a factual question, the next best documents."""
    cited = [c.doc_id for c in answer.citations]
    by_id = {h.doc_id: h for h in hits}
    first = [by_id[d] for d in cited if d in by_id]
    if reading.wants_items:
        return first
    return first + [h for h in hits if h.doc_id not in cited]
