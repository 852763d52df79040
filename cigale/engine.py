"""The engine: the one object every surface (CLI, web, library) talks to.

engine = Engine.open("cigale-data")
engine.ingest(["docs/"])
hits = engine.search("festivals de jazz", k=10)
answer = engine.ask("Which territory is Trets in?")
"""

import threading
from pathlib import Path

from cigale import index as index_mod
from cigale.answer import Answer, answer_question
from cigale.embed import Embedder, default_embedder
from cigale.errors import NotReadyError
from cigale.ingest import IngestReport, ingest
from cigale.search import Filters, Hit, Question, Searcher, parse_question
from cigale.settings import Mode, Settings
from cigale.store import Store, open_store
from cigale.territory import Territory, load
from cigale.territory.places import Gazetteer


class Engine:
    def __init__(self, settings: Settings, store: Store, embedder: Embedder, territory: Territory):
        self.settings, self.store, self.embedder, self.territory = settings, store, embedder, territory
        self.gazetteer = Gazetteer(territory)
        self._index = None
        self._lock = threading.Lock()

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
    ) -> list[Hit]:
        if isinstance(question, str):
            question = self.question(question, lang=lang)
        return self.searcher.search(question, k=k, mode=Mode(mode) if mode else None, filters=filters)

    def ask(
        self, question: str | Question, lang: str | None = None, hint: str | None = None, filters: Filters | None = None
    ) -> Answer:
        if isinstance(question, str):
            question = self.question(question, lang=lang, hint=hint)
        searcher = self.searcher
        qvec = self.embedder.query(question.text)  # once, for the search and for the answer
        hits = searcher.search(question, k=8, filters=filters, qvec=qvec)
        return answer_question(question, hits, self.store, self.embedder, self.territory, self.settings, qvec,
                               lexical_weight=searcher.lexical_weight(question))

    def ingest_starter(self, progress=None) -> IngestReport:
        """The factual sheets generated from the territory pack (see territory/starter.py)."""
        from cigale.territory.starter import starter_documents

        return self.ingest(documents=starter_documents(self.territory), progress=progress)

    def stats(self) -> dict:
        return {**self.store.stats(), "territory": self.territory.id}

    def close(self) -> None:
        self.store.close()
