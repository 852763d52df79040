"""The embedded store: one SQLite database in WAL mode (readers never block the writer).

Every write is one transaction: when the disk fills up mid-way, SQLite rolls it back and the
user gets a `StoreError` saying so, with the data as it was before.
"""

import dataclasses
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from cigale.chunks import Chunk
from cigale.documents import Document
from cigale.errors import StoreError
from cigale.store import AnswerLog, Changes, Feedback, PageState, StoredChunk

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, url TEXT, source TEXT,
    license TEXT, lang TEXT, places TEXT NOT NULL, theme TEXT, audience TEXT, published TEXT,
    start TEXT, "end" TEXT, extra TEXT NOT NULL, origin TEXT, content_hash TEXT NOT NULL, modified TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, lang TEXT,
    places TEXT NOT NULL, vector_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ord);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, created TEXT NOT NULL, question TEXT NOT NULL, lang TEXT,
    useful INTEGER NOT NULL, comment TEXT, cited TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS exposure (subterritory TEXT PRIMARY KEY, amount REAL NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY, created TEXT NOT NULL, question TEXT NOT NULL, lang TEXT,
    open INTEGER NOT NULL, equity INTEGER NOT NULL, cited TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sync_pages (
    source TEXT NOT NULL, url TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (source, url)
);
CREATE TABLE IF NOT EXISTS vectors (
    key TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (key, model)
);
"""
DOC_COLUMNS = (
    "id",
    "title",
    "text",
    "url",
    "source",
    "license",
    "lang",
    "places",
    "theme",
    "audience",
    "published",
    "start",
    "end",
    "extra",
    "origin",
    "content_hash",
    "modified",
)
_COLS = ", ".join(f'"{c}"' for c in DOC_COLUMNS)
# How SQLite reports a full disk: SQLITE_FULL on ENOSPC, SQLITE_IOERR (_WRITE) when a write
# fails otherwise, e.g. EFBIG past a file size limit (os_unix.c, unixWrite).
_WRITE_FAILURES = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)


class SQLiteStore:
    def __init__(self, data_dir, read_only: bool = False):
        self.path = Path(data_dir) / "cigale.sqlite3"
        self._local = threading.local()
        self.read_only = read_only
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"Cannot create the data directory {self.path.parent}: {exc.strerror}") from None
        elif not self.path.exists():
            raise StoreError(f"No Cigale data in {self.path.parent}: run `cigale ingest` first.")
        try:
            with self._db() as db:
                if not read_only:
                    db.executescript(SCHEMA)
                    _migrate(db)
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                columns = {r[1] for r in db.execute("PRAGMA table_info(documents)")}
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        missing = {"meta", "documents", "chunks", "vectors"} - tables  # feedback came later: created on write
        if missing:
            raise StoreError(f"{self.path} is not a Cigale database (no {', '.join(sorted(missing))} table).")
        # A read-only store made by an older version lacks the columns added since: read as empty.
        self._select = ", ".join(f'"{c}"' if c in columns else f'NULL AS "{c}"' for c in DOC_COLUMNS)

    def _db(self) -> sqlite3.Connection:
        # One connection per thread: the web server answers from several threads.
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                uri = f"file:{self.path}?mode=ro" if self.read_only else f"file:{self.path}"
                db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL" if not self.read_only else "PRAGMA query_only=1")
                db.execute("PRAGMA foreign_keys=ON")
                # FULL: a commit is on disk when it returns, so a power cut cannot take back a
                # version number the index was already saved under (writes are few: ingests,
                # answers counted, feedback).
                db.execute("PRAGMA synchronous=FULL")
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None
            self._local.db = db
        return db

    def _error(self, exc: sqlite3.DatabaseError) -> StoreError:
        if _write_failed(exc):
            return StoreError(f"The disk is full (or failing): cannot write to {self.path} ({exc}). The documents "
                              "are as they were before this command; free some space and run it again.")
        return StoreError(f"{self.path} is not a usable Cigale database: {exc}")

    @contextmanager
    def _writing(self):
        """One write transaction: all of it or, on any error, none of it."""
        db = self._db()
        try:
            with db:
                yield db
        except sqlite3.OperationalError as exc:
            if not _write_failed(exc):
                raise
            raise self._error(exc) from None

    def version(self) -> int:
        row = self._db().execute("SELECT value FROM meta WHERE key='version'").fetchone()
        return int(row[0]) if row else 0

    def document_hashes(self) -> dict[str, tuple[str, str | None]]:
        rows = self._db().execute("SELECT id, content_hash, origin FROM documents")
        return {r[0]: (r[1], r[2]) for r in rows}

    def apply(self, changes: Changes) -> int:
        with self._writing() as db:
            for doc_id in changes.deletes:
                db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            for doc, chunks in changes.upserts:
                db.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
                db.execute(
                    f"INSERT INTO documents ({_COLS}) VALUES ({', '.join('?' * len(DOC_COLUMNS))})",
                    _doc_row(doc),
                )
                db.executemany(
                    'INSERT INTO chunks (doc_id, ord, start, "end", lang, places, vector_key) VALUES (?,?,?,?,?,?,?)',
                    [(c.doc_id, c.ord, c.start, c.end, c.lang, json.dumps(c.places), c.content_hash) for c in chunks],
                )
            version = self.version() + 1
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (str(version),))
        return version

    def get_documents(self, ids, text: bool = True) -> dict[str, Document]:
        ids = list(dict.fromkeys(ids))
        out = {}
        columns = self._select if text else self._select.replace('"text"', "'' AS \"text\"", 1)
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = self._db().execute(
                f"SELECT {columns} FROM documents WHERE id IN ({','.join('?' * len(part))})",
                part,
            )
            out.update((r[0], _row_doc(r)) for r in rows)
        return out

    def _chunk_rows(self, where: str = "", params=()):
        return self._db().execute(
            # substr counts characters, as Python offsets do; only the chunk's text is read.
            'SELECT c.id, c.doc_id, c.ord, c.start, c."end", c.lang, c.places, c.vector_key, d.title, '
            'substr(d.text, c.start + 1, c."end" - c.start) '
            f"FROM chunks c JOIN documents d ON d.id = c.doc_id {where}",
            params,
        )

    def get_chunks(self, ids) -> dict[int, StoredChunk]:
        ids = [int(i) for i in dict.fromkeys(ids)]
        out = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            out.update(
                (r[0], _row_chunk(r)) for r in self._chunk_rows(f"WHERE c.id IN ({','.join('?' * len(part))})", part)
            )
        return out

    def iter_chunks(self):
        for row in self._chunk_rows("ORDER BY c.doc_id, c.ord"):
            yield _row_chunk(row)

    def vectors(self, keys, model: str) -> dict[str, np.ndarray]:
        keys = list(dict.fromkeys(keys))
        out = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            rows = self._db().execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({','.join('?' * len(part))})",
                [model, *part],
            )
            out.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return out

    def put_vectors(self, vectors: dict[str, np.ndarray], model: str) -> None:
        with self._writing() as db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors (key, model, vector) VALUES (?, ?, ?)",
                [(k, model, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()],
            )

    def iter_vectors(self, batch: int = 1000) -> Iterator[tuple[str, list[tuple[str, np.ndarray]]]]:
        """Every cached vector, as (model, [(key, vector), …]) batches."""
        rows = self._db().execute("SELECT model, key, vector FROM vectors ORDER BY model, key")
        while part := rows.fetchmany(batch):
            by_model: dict[str, list] = {}
            for model, key, vector in part:
                by_model.setdefault(model, []).append((key, np.frombuffer(vector, dtype=np.float32)))
            yield from by_model.items()

    def sync_sources(self) -> list[str]:
        try:
            return [r[0] for r in self._db().execute("SELECT DISTINCT source FROM sync_pages ORDER BY source")]
        except sqlite3.OperationalError:  # a read-only store made before this table existed
            return []

    def sync_state(self, source: str) -> dict[str, PageState]:
        try:
            rows = self._db().execute("SELECT url, state FROM sync_pages WHERE source = ?", (source,))
            return {url: _page_state(url, json.loads(state)) for url, state in rows}
        except sqlite3.OperationalError:  # a read-only store made before this table existed
            return {}

    def put_sync_state(self, source: str, pages: dict[str, PageState]) -> None:
        with self._writing() as db:
            db.execute("DELETE FROM sync_pages WHERE source = ?", (source,))
            db.executemany("INSERT INTO sync_pages VALUES (?, ?, ?)", [
                (source, url, json.dumps({k: v for k, v in dataclasses.asdict(p).items() if k != "url"},
                                         ensure_ascii=False)) for url, p in pages.items()])

    def add_feedback(self, feedback: Feedback) -> int:
        with self._writing() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created, question, lang, useful, comment, cited) VALUES (?,?,?,?,?,?)",
                (feedback.created, feedback.question, feedback.lang, int(feedback.useful), feedback.comment,
                 json.dumps(list(feedback.cited))),
            )
            return cursor.lastrowid

    def feedback(self, limit: int = 100) -> list[Feedback]:
        rows = self._db().execute(
            "SELECT created, question, lang, useful, comment, cited FROM feedback ORDER BY id DESC LIMIT ?", (limit,))
        return [Feedback(r[1], bool(r[3]), r[4], r[2], tuple(json.loads(r[5])), r[0]) for r in rows]

    def add_exposure(self, amounts: dict[str, float]) -> None:
        with self._writing() as db:
            db.executemany(
                "INSERT INTO exposure VALUES (?, ?) ON CONFLICT(subterritory) DO UPDATE SET amount = amount + ?",
                [(k, v, v) for k, v in amounts.items()])

    def exposure_totals(self) -> dict[str, float]:
        try:
            return dict(self._db().execute("SELECT subterritory, amount FROM exposure"))
        except sqlite3.OperationalError:  # a read-only store made before this table existed
            return {}

    def log_answer(self, entry: AnswerLog) -> None:
        with self._writing() as db:
            db.execute("INSERT INTO answers (created, question, lang, open, equity, cited) VALUES (?,?,?,?,?,?)",
                       (entry.created, entry.question, entry.lang, int(entry.open), int(entry.equity),
                        json.dumps([list(c) for c in entry.cited])))

    def answer_log(self, limit: int = 10_000) -> list[AnswerLog]:
        rows = self._db().execute(
            "SELECT question, lang, open, equity, cited, created FROM answers ORDER BY id DESC LIMIT ?", (limit,))
        return [AnswerLog(r[0], r[1], bool(r[2]), bool(r[3]),
                          tuple((doc, tuple(places)) for doc, places in json.loads(r[4])), r[5]) for r in rows]

    def stats(self) -> dict:
        db = self._db()
        return {
            "documents": db.execute("SELECT count(*) FROM documents").fetchone()[0],
            "chunks": db.execute("SELECT count(*) FROM chunks").fetchone()[0],
            "vectors": db.execute("SELECT count(*) FROM vectors").fetchone()[0],
            "version": self.version(),
        }

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


# Columns added after the first release, with their type: added in place to older databases.
ADDED_COLUMNS = {"documents": {"modified": "TEXT"}}


def _migrate(db: sqlite3.Connection) -> None:
    for table, added in ADDED_COLUMNS.items():
        present = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        for column, kind in added.items():
            if column not in present:
                db.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {kind}')


def _write_failed(exc: sqlite3.Error) -> bool:
    # Only errors from SQLite itself carry a code (the primary code is its low byte).
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in _WRITE_FAILURES


def _doc_row(doc: Document) -> tuple:
    return (
        doc.id,
        doc.title,
        doc.text,
        doc.url,
        doc.source,
        doc.license,
        doc.lang,
        json.dumps(doc.places),
        doc.theme,
        doc.audience,
        doc.published,
        doc.start,
        doc.end,
        json.dumps(doc.extra, ensure_ascii=False, default=str),
        doc.origin,
        doc.content_hash,
        doc.modified,
    )


def _row_doc(r) -> Document:
    values = dict(zip(DOC_COLUMNS, r))
    values["places"] = tuple(json.loads(values["places"]))
    values["extra"] = json.loads(values["extra"])
    values.pop("content_hash")
    return Document(**values)


def _page_state(url: str, state: dict) -> PageState:
    return PageState(url, docs=tuple(state.pop("docs", ())), links=_tuples(state.pop("links", [])), **state)


def _tuples(value):
    """JSON's lists back into the tuples they were (a sitemap's entries are pairs in a pair)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _row_chunk(r) -> StoredChunk:
    cid, doc_id, ord_, start, end, lang, places, key, title, text = r
    chunk = Chunk(doc_id, ord_, start, end, text, title, lang, tuple(json.loads(places)))
    return StoredChunk(cid, chunk, key)
