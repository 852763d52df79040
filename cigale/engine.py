"""The engine: the one object every surface (CLI, web, library) talks to.

engine = Engine.open("cigale-data")
engine.ingest(["docs/"])
hits = engine.search("festivals de jazz", k=10)
answer = engine.ask("Which territory is Trets in?")
"""

import dataclasses
import threading
import time
from pathlib import Path

from cigale import index as index_mod
from cigale.answer import Answer, answer_question
from cigale.embed import Embedder, default_embedder
from cigale.equity import exposure, target
from cigale.errors import NotReadyError
from cigale.ingest import IngestReport, ingest
from cigale.search import Filters, Hit, Question, Searcher, parse_question
from cigale.settings import Mode, Settings
from cigale.store import AnswerLog, Store, open_store
from cigale.territory import Territory, load
from cigale.territory.places import Gazetteer

GENERATION_SOURCES = 5  # sources given to the model, in ranking (equity-aware) order


class Engine:
    def __init__(self, settings: Settings, store: Store, embedder: Embedder, territory: Territory):
        self.settings, self.store, self.embedder, self.territory = settings, store, embedder, territory
        self.gazetteer = Gazetteer(territory)
        self._index = None
        self._lock = threading.Lock()
        self.generator = None
        if settings.llm_base_url and settings.llm_model:
            from cigale.generate import CircuitBreaker, OpenAICompatible

            self.generator = OpenAICompatible(settings.llm_base_url, settings.llm_model,
                                              settings.llm_api_key.reveal(), settings.llm_timeout,
                                              settings.llm_retries)
            self.breaker = CircuitBreaker()

    @classmethod
    def open(
        cls, data_dir=None, settings: Settings | None = None, embedder: Embedder | None = None, read_only: bool = False
    ) -> "Engine":
        settings = settings or Settings.load(data_dir=data_dir)
        if data_dir is not None and Path(data_dir) != settings.data_dir:
            settings = settings.replace(data_dir=data_dir)
        store = open_store(settings.data_dir, read_only=read_only)
        return cls(settings, store, embedder or default_embedder(), load(settings.territory))

    @property
    def index_dir(self) -> Path:
        return Path(self.settings.data_dir) / "index"

    def ingest(self, paths=(), documents=(), prune: bool = False, options: dict | None = None,
               progress=None) -> IngestReport:
        """Add or update files, folders and `Document`s; returns what changed."""
        report = ingest(self.store, self.embedder, self.gazetteer, self.settings, paths, documents, prune, options,
                        progress)
        self.refresh()
        return report

    def refresh(self):
        """The index for the store's current version: loaded, or rebuilt and saved."""
        version = self.store.version()
        with self._lock:
            if self._index is not None and self._index.version == version:
                return self._index
            loaded = index_mod.load(self.index_dir)
            if loaded is None or loaded.version != version:
                loaded = index_mod.build(self.store, version, self.embedder.model)
                if not getattr(self.store, "read_only", False):
                    index_mod.save(loaded, self.index_dir)
            self._index = loaded
            return loaded

    def warm(self) -> None:
        """Load what the first question would otherwise wait for: index, model, language detector."""
        self.refresh()
        self.embedder.query("warm-up")
        self.question("Quels festivals cet été ?")

    @property
    def searcher(self) -> Searcher:
        index = self.refresh()
        if index.size == 0:
            raise NotReadyError("The index is empty: ingest documents first (`cigale ingest PATH`).")
        return Searcher(index, self.store, self.embedder, self.territory, self.settings)

    def question(self, text: str, lang: str | None = None, hint: str | None = None) -> Question:
        return parse_question(text, self.gazetteer, self.settings, lang=lang, hint=hint)

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
        return self.searcher.search(question, k=k, mode=Mode(mode) if mode else None, filters=filters,
                                    equity=equity, deficit=self.deficit())

    def ask(
        self, question: str | Question, lang: str | None = None, hint: str | None = None,
        filters: Filters | None = None, equity: bool | None = None, record: bool = False,
    ) -> Answer:
        """The answer; `record` (the website does) adds it to the cumulative exposure and the log."""
        for event, data in self.ask_stream(question, lang, hint, filters, equity, record):
            if event == "answer":
                return data
        raise AssertionError("ask_stream ends with an answer")

    def ask_stream(
        self, question: str | Question, lang: str | None = None, hint: str | None = None,
        filters: Filters | None = None, equity: bool | None = None, record: bool = False,
    ):
        """The answer as it comes: with a model, ("citation", Citation) and ("delta", {"text",
        "citation"}) for each verified sentence as soon as the model completes it; always, last,
        ("answer", Answer). Without a model, or when it fails, only the extractive answer."""
        if isinstance(question, str):
            question = self.question(question, lang=lang, hint=hint)
        equity = self.settings.equity if equity is None else equity
        searcher = self.searcher
        qvec = self.embedder.query(question.text)  # once, for the search and for the answer
        hits = searcher.search(question, k=8, filters=filters, qvec=qvec, equity=equity, deficit=self.deficit())
        answer, fallback = None, None
        if self.generator is not None and hits:
            if self.breaker.allow():
                answer, fallback = yield from self._generate(question, hits)
            else:
                fallback = "the model failed repeatedly; it is given a rest"
        if answer is None:
            answer = answer_question(question, hits, self.store, self.embedder, self.territory, self.settings, qvec,
                                     lexical_weight=searcher.lexical_weight(question),
                                     diverse=equity and question.is_open)
            if fallback:
                answer = dataclasses.replace(answer, evidence={**answer.evidence, "fallback": fallback})
        if record:
            self.record(answer, question.is_open, equity)
        yield "answer", answer

    def _generate(self, question: Question, hits: list[Hit]):
        """Stream the model's verified sentences (as events); return (answer, None), or (None, why
        not) when nothing it wrote is supported or it failed: the caller then extracts."""
        from cigale.answer import Citation, generated_answer
        from cigale.generate import GenerationError, build_messages, complete_sentence
        from cigale.verify import Grounding, verify

        hits = hits[:GENERATION_SOURCES]
        docs = self.store.get_documents([h.doc_id for h in hits])
        sources = {n: docs[h.doc_id] for n, h in enumerate(hits, 1)}
        places = {h.doc_id: h.places for h in hits}

        def place_names(doc):
            return [p.name for p in (self.territory.commune(c) for c in places.get(doc.id, ())) if p]

        messages = build_messages(question, list(sources.items()), self.territory.name, place_names)
        started, buffer, kept, checked, order = time.monotonic(), "", [], 0, {}

        def check(text):
            nonlocal checked
            for claim in verify(text, sources, self._vectors_of, self.embedder, question.lang)[0]:
                checked += 1
                if not claim.supported:
                    continue
                kept.append(claim)
                for n in claim.cited:
                    if n not in order:
                        order[n] = len(order) + 1
                        hit = hits[n - 1]
                        yield "citation", Citation(order[n], hit.doc_id, hit.title, hit.url, hit.source, hit.places)
                prefix = " " if len(kept) > 1 else ""
                text = claim.text if claim.text.endswith((".", "!", "?", "…")) else claim.text + "."
                yield "delta", {"text": f"{prefix}{text}", "citation": order[claim.cited[0]], "lang": question.lang}

        try:
            for piece in self.generator.stream(messages):
                buffer += piece
                if time.monotonic() - started > self.settings.llm_timeout or len(buffer) > 8000:
                    raise GenerationError("the model took too long or wrote too much")
                while (split := complete_sentence(buffer)) is not None:
                    sentence, buffer = split
                    yield from check(sentence)
            if buffer.strip():
                yield from check(buffer)
        except GenerationError as exc:
            self.breaker.record(False)
            if not kept:
                return None, exc.message
        else:
            self.breaker.record(True)
        if not kept:
            return None, f"the generated answer was not supported by its sources (0/{checked})"
        grounding = Grounding(checked, len(kept))
        return generated_answer(question, hits, docs, kept, grounding, self.territory, self.generator.model), None

    def places_of(self, doc_ids) -> dict[str, tuple[str, ...]]:
        """What each document is about: its declared places, else the places its text names."""
        index = self.refresh()
        out = {}
        for doc_id in doc_ids:
            position = index.position(doc_id)
            if position is not None:
                out[doc_id] = index.places(position, self.territory)
        return out

    def _vectors_of(self, doc_id: str):
        index = self.refresh()
        position = index.position(doc_id)
        if position is None:
            return index.dense[:0]
        start = int(index.doc_offsets[position])
        end = int(index.doc_offsets[position + 1]) if position + 1 < len(index.docs) else index.size
        return index.dense[start:end]

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
