"""Where documents, chunks and embeddings live.

`Store` is the contract; `SQLiteStore` (one file in the data directory, WAL mode) is the
embedded default, `PostgresStore` (PostgreSQL with pgvector, setting `database_url`) the one
several machines and workers share. Every backend passes the same suite,
``tests/store/contract.py``; `open_store` picks one.
Writes of documents are atomic: `apply` commits a whole ingest or nothing, so a crash
mid-ingest leaves the previous state (and the index built from it) usable. A write the disk
has no room for raises `StoreError` and changes nothing.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import numpy as np

from cigale.chunks import Chunk
from cigale.documents import Document


@dataclass(frozen=True)
class StoredChunk:
    id: int
    chunk: Chunk
    vector_key: str  # content hash of chunk.indexed_text: the embedding cache key


@dataclass(frozen=True)
class Feedback:
    """A visitor's verdict on an answer: what was asked, what was cited, useful or not."""

    question: str
    useful: bool
    comment: str | None = None
    lang: str | None = None
    cited: tuple[str, ...] = ()  # doc ids of the answer's citations
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


@dataclass(frozen=True)
class AnswerLog:
    """One answer served: no address, no cookie, only what the equity audit needs."""

    question: str
    lang: str | None
    open: bool  # the question named no place
    equity: bool
    cited: tuple[tuple[str, tuple[str, ...]], ...]  # (doc id, its places), in citation order
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


@dataclass(frozen=True)
class PageState:
    """What the last sync learnt of one URL of a source: the documents it gave, how to ask the
    server whether it changed (validators), and what it links to (a sitemap's entries, a page's
    links), so that an unchanged page costs no download and still leads the crawl on."""

    url: str
    docs: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None  # the server's Last-Modified header, verbatim
    lastmod: str | None = None  # the sitemap's <lastmod> when it was fetched
    body_hash: str | None = None  # sha256 of the body: a 200 with the same bytes changes nothing
    links: tuple = ()


@dataclass
class Changes:
    """One ingest's worth of writes, applied in a single transaction."""

    upserts: list[tuple[Document, list[Chunk]]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


class Store(Protocol):
    def version(self) -> int:
        """Increases with every committed change of documents."""

    def document_hashes(self) -> dict[str, tuple[str, str | None]]:
        """doc id → (content hash, origin) of every stored document."""

    def apply(self, changes: Changes) -> int:
        """Apply all changes atomically; returns the new version. On a full disk: StoreError, nothing applied."""

    def get_documents(self, ids, text: bool = True) -> dict[str, Document]:
        """The documents of `ids` (unknown ids left out); `text=False`: all but their text, which
        is then empty (what the index needs, without holding the corpus in memory)."""

    def get_chunks(self, ids) -> dict[int, StoredChunk]: ...

    def iter_chunks(self) -> Iterator[StoredChunk]:
        """All chunks, grouped by document, in a stable order."""

    def vectors(self, keys, model: str) -> dict[str, np.ndarray]:
        """Cached embeddings by content hash (missing keys are left out)."""

    def put_vectors(self, vectors: dict[str, np.ndarray], model: str) -> None: ...

    def iter_vectors(self, batch: int = 1000) -> Iterator[tuple[str, list[tuple[str, np.ndarray]]]]:
        """Every cached vector, as (model, [(key, vector), …]) batches (what `cigale migrate` copies)."""

    def sync_sources(self) -> list[str]:
        """The sources a sync state is kept for."""

    def sync_state(self, source: str) -> dict[str, PageState]:
        """url → what the last sync of `source` learnt of it."""

    def put_sync_state(self, source: str, pages: dict[str, PageState]) -> None:
        """Replace the sync state of `source` (after its documents were applied)."""

    def add_feedback(self, feedback: Feedback) -> int:
        """Store a visitor's feedback; returns its id."""

    def feedback(self, limit: int = 100) -> list[Feedback]:
        """The latest feedback, newest first."""

    def add_exposure(self, amounts: dict[str, float]) -> None:
        """Add to the cumulative exposure of each sub-territory (amortized equity)."""

    def exposure_totals(self) -> dict[str, float]: ...

    def log_answer(self, entry: AnswerLog) -> None:
        """Remember an answer served, for `cigale audit --log`."""

    def answer_log(self, limit: int = 10_000) -> list[AnswerLog]: ...

    def stats(self) -> dict: ...

    def close(self) -> None: ...


def open_store(data_dir, read_only: bool = False, database_url: str = "", upgrade: bool = False) -> Store:
    """The PostgreSQL store when `database_url` is a postgresql:// (or postgres://) URL, else
    the SQLite store in `data_dir`. `upgrade`: bring PostgreSQL's schema up to date first (what
    a writer does); SQLite's is always brought up to date when opened writable."""
    if database_url.startswith(("postgresql://", "postgres://")):
        from cigale.store.postgres import PostgresStore

        return PostgresStore(database_url, read_only=read_only, upgrade=upgrade)
    from cigale.store.sqlite import SQLiteStore

    return SQLiteStore(data_dir, read_only=read_only)
