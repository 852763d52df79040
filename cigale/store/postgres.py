"""The shared store: PostgreSQL with pgvector, for several machines and workers at once.

Every write is one transaction. `apply`, a whole ingest, first locks the version row (two
machines ingesting take turns rather than deadlock on the same documents), writes, bumps the
version and sends ``NOTIFY cigale_corpus, '<version>'``, all in that one transaction:
PostgreSQL delivers the notification only on commit, and a reader, each of whose statements
sees one committed snapshot (READ COMMITTED), never sees half an ingest. Any error rolls all
of it back; a database error raises `StoreError`.

Embeddings live in a `vector` column of no fixed dimension; the first time `put_vectors` meets
a (model, dimension) it adds a partial HNSW index on ``embedding::vector(dim)`` of the vectors
that chunks use (`chunk`: not those of the lines answers compare), which `nearest` searches.
The schema is versioned by the SQL files of `cigale.store.migrations`.
"""

import dataclasses
import hashlib
import json
import random
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit, urlunsplit

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from cigale.documents import Document
from cigale.errors import StoreError
from cigale.store import AnswerLog, Changes, Feedback, PageState, StoredChunk, migrations

# Rows have the same shape as in the embedded store: one conversion for both backends.
from cigale.store.sqlite import DOC_COLUMNS, _doc_row, _page_state, _row_chunk, _row_doc

CHANNEL = "cigale_corpus"  # NOTIFY'd with the new version by every apply
HNSW_MAX_DIMS = 2000  # pgvector's HNSW indexes `vector`s of up to 2,000 dimensions; past that, nearest() scans
INDEX_LOCK = 0x43494749  # advisory lock key: two workers creating the same HNSW index take turns
CONNECT_DEFAULTS = {"connect_timeout": 10, "application_name": "cigale"}  # unless the URL says otherwise
NOTHING_APPLIED = " Nothing was applied: the documents are as they were before."

_COLS = ", ".join(f'"{c}"' for c in DOC_COLUMNS)
# JSON columns come back as their text, which the shared row converters parse.
_SELECT = [f'"{c}"::text' if c in ("places", "extra") else f'"{c}"' for c in DOC_COLUMNS]
_SELECT_TEXT = ", ".join(_SELECT)
_SELECT_NO_TEXT = ", ".join("'' AS \"text\"" if c == "text" else s for c, s in zip(DOC_COLUMNS, _SELECT))
_CHUNKS = (
    # substr counts characters, as Python offsets do; only the chunk's text is sent.
    'SELECT c.id, c.doc_id, c.ord, c.start, c."end", c.lang, c.places::text, c.vector_key, d.title, '
    'substr(d.text, c.start + 1, c."end" - c.start) FROM chunks c JOIN documents d ON d.id = c.doc_id'
)


def upgrade(url: str) -> list[str]:
    """Bring the schema of the database at `url` to this Cigale's; the migrations applied."""
    url = _plain(url)
    with connect(url) as conn:
        try:
            return migrations.upgrade(conn)
        except psycopg.Error as exc:
            raise StoreError(f"Upgrading the schema of {describe(url)} failed: {_reason(exc, url)} The "
                             "migration that failed was rolled back; the earlier ones stay applied.") from None


def connect(url: str, **kwargs) -> psycopg.Connection:
    """One connection in autocommit mode, outside the pool; StoreError when there is none to have."""
    try:
        return psycopg.connect(url, autocommit=True, **_defaults(url), **kwargs)
    except psycopg.Error as exc:
        raise StoreError(f"Cannot connect to the PostgreSQL database {describe(url)}: {_reason(exc, url)} Check "
                         "that the server is running and that database_url (env CIGALE_DATABASE_URL) names it, "
                         "e.g. postgresql://cigale@db/cigale.") from None


def describe(url: str) -> str:
    """The database URL as messages show it: its password hidden."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL at all (a bracket in the host): key=value settings, say
        parts = urlsplit("")
    if parts.scheme in ("postgresql", "postgres") and parts.password is not None:
        host = parts.netloc.rsplit("@", 1)[1]
        url = urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
    url = re.sub(r"(://[^:/?#@\s]*:)[^@\s]+@", r"\1***@", url)  # what urlsplit could not parse
    return re.sub(r"(password\s*=\s*)[^&\s]+", r"\1***", url)  # key=value settings, ?password=...


def _plain(url: str) -> str:
    """The URL itself, even from the `database_url` setting: a Secret prints as stars."""
    return str.__str__(url)


def _defaults(url: str) -> dict:
    """CONNECT_DEFAULTS less what the URL sets (a keyword argument would override the URL)."""
    return {k: v for k, v in CONNECT_DEFAULTS.items() if k not in conninfo_to_dict(url)}


ANSWER_CACHE_DAYS = 2  # an entry's key holds its day: after two days, none is asked for again
ANSWER_CACHE_PRUNE = 0.01  # the share of writes that also drop the old entries


class PostgresStore:
    def __init__(self, url: str, read_only: bool = False, pool_size: int = 8, upgrade: bool = False,
                 timeout: float = 10.0):
        """`upgrade`: first apply the migrations this Cigale needs (a writer's choice: `cigale
        init`, `ingest`); otherwise a database behind this Cigale's schema is a StoreError.
        `timeout`: seconds to wait for a connection of the pool."""
        self.url, self.read_only = _plain(url), read_only
        url = self.url
        self._where = describe(url)
        with connect(url) as conn:
            try:
                if upgrade:
                    migrations.upgrade(conn)
                at = migrations.current(conn)
            except psycopg.Error as exc:
                raise self._error(exc, "upgrade the schema" if upgrade else "read the schema version") from None
        needed = migrations.latest()
        # A newer schema is fine: migrations only add, so this Cigale still finds all it uses.
        if at < needed:
            raise StoreError(f"The schema of the database {self._where} is at {at}, this Cigale needs {needed}: "
                             "run `cigale db upgrade`.")
        self._pool = ConnectionPool(
            url, min_size=1, max_size=pool_size, open=True, timeout=timeout, configure=self._configure,
            kwargs={"autocommit": True, **_defaults(url)},
        )
        self._indexed: set[tuple[str, int]] = set()  # (model, dim) whose HNSW index exists
        self._listener: psycopg.Connection | None = None
        self._listen_lock = threading.Lock()

    def _configure(self, conn: psycopg.Connection) -> None:
        register_vector(conn)  # vectors travel as binary float32, as numpy arrays
        if self.read_only:
            conn.execute("SET default_transaction_read_only = on")

    @contextmanager
    def _conn(self, doing: str):
        """A connection of the pool (autocommit: reads cost no COMMIT); psycopg errors become StoreErrors."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.Error as exc:
            raise self._error(exc, doing) from None

    def _error(self, exc: psycopg.Error, doing: str, after: str = "") -> StoreError:
        reason, state = _reason(exc, self.url), exc.sqlstate or ""
        if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
            return StoreError(f"The store on {self._where} was opened read-only: cannot {doing}.{after}")
        lost = isinstance(exc, psycopg.InterfaceError) or (
            isinstance(exc, psycopg.OperationalError) and (not state or state.startswith(("08", "57P"))))
        if lost:  # no answer: the connection refused, lost, timed out, or the server shutting down
            return StoreError(f"Lost the PostgreSQL database {self._where} while trying to {doing}: {reason} Check "
                              f"that the server is running and reachable, then try again.{after}")
        if state.startswith("53"):  # insufficient resources: disk full, out of memory, too many connections
            return StoreError(f"The PostgreSQL server of {self._where} is out of resources (disk, memory or "
                              f"connections): cannot {doing}: {reason}{after}")
        return StoreError(f"Cannot {doing} in the PostgreSQL database {self._where}: {reason}{after}")

    def version(self) -> int:
        with self._conn("read the version") as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0]) if row else 0

    def document_hashes(self) -> dict[str, tuple[str, str | None]]:
        with self._conn("read the documents") as conn:
            return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, content_hash, origin FROM documents")}

    def apply(self, changes: Changes) -> int:
        upserts = {doc.id: (doc, chunks) for doc, chunks in changes.upserts}  # a repeated id: the last wins
        writing = None  # the document whose row is being made, for the message of an error it causes
        try:
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                row = cur.execute("SELECT value FROM meta WHERE key = 'version' FOR UPDATE").fetchone()
                replaced = [*changes.deletes, *upserts]
                cur.execute("CREATE TEMPORARY TABLE released ON COMMIT DROP AS "
                            "SELECT DISTINCT vector_key AS key FROM chunks WHERE doc_id = ANY(%s)", (replaced,))
                cur.execute("DELETE FROM documents WHERE id = ANY(%s)", (replaced,))
                # COPY: one round trip per table, not per row (an ingest is thousands of chunks).
                with cur.copy(f"COPY documents ({_COLS}) FROM STDIN") as copy:
                    for doc, _ in upserts.values():
                        writing = doc.id
                        copy.write_row(_doc_row(doc))
                with cur.copy('COPY chunks (doc_id, ord, start, "end", lang, places, vector_key) FROM STDIN') as copy:
                    for doc, chunks in upserts.values():
                        writing = doc.id
                        for c in chunks:
                            copy.write_row((c.doc_id, c.ord, c.start, c.end, c.lang, json.dumps(c.places),
                                            c.content_hash))
                writing = None
                # Dense retrieval searches the vectors chunks use (`chunk`), no other.
                cur.execute("UPDATE vectors SET chunk = true WHERE NOT chunk AND key IN "
                            "(SELECT vector_key FROM chunks WHERE doc_id = ANY(%s))", (list(upserts),))
                cur.execute("UPDATE vectors v SET chunk = false FROM released r WHERE v.key = r.key AND v.chunk "
                            "AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.vector_key = v.key)")
                version = int(row[0]) + 1 if row else 1
                cur.execute("INSERT INTO meta VALUES ('version', %s) ON CONFLICT (key) DO UPDATE SET value = "
                            "EXCLUDED.value", (str(version),))
                cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(version)))  # sent on commit only
        except psycopg.Error as exc:
            # A client-side error (a NUL in a text) names its document; the server's name their rows.
            doing = f"write the document {writing!r}" if writing and not exc.sqlstate else "apply the changes"
            raise self._error(exc, doing, NOTHING_APPLIED) from None
        return version

    def get_documents(self, ids, text: bool = True) -> dict[str, Document]:
        ids = [str(i) for i in dict.fromkeys(ids)]
        if not ids:
            return {}
        with self._conn("read the documents") as conn:
            rows = conn.execute(f"SELECT {_SELECT_TEXT if text else _SELECT_NO_TEXT} FROM documents "
                                "WHERE id = ANY(%s)", (ids,))
            return {r[0]: _row_doc(r) for r in rows}

    def get_chunks(self, ids) -> dict[int, StoredChunk]:
        ids = [int(i) for i in dict.fromkeys(ids)]
        if not ids:
            return {}
        with self._conn("read the chunks") as conn:
            return {r[0]: _row_chunk(r) for r in conn.execute(f"{_CHUNKS} WHERE c.id = ANY(%s)", (ids,))}

    def iter_chunks(self) -> Iterator[StoredChunk]:
        # A server-side cursor: one snapshot, streamed in batches, never the whole corpus in memory.
        # It holds a connection of the pool until the iteration ends or is closed.
        with self._conn("read the chunks") as conn, conn.transaction(), conn.cursor("cigale_chunks") as cur:
            cur.itersize = 5000
            cur.execute(f"{_CHUNKS} ORDER BY c.doc_id, c.ord")
            for row in cur:
                yield _row_chunk(row)

    def vectors(self, keys, model: str) -> dict[str, np.ndarray]:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        with self._conn("read the vectors") as conn:
            rows = conn.execute("SELECT key, embedding FROM vectors WHERE model = %s AND key = ANY(%s)",
                                (model, keys), binary=True)
            return {k: v.to_numpy() for k, v in rows}

    def put_vectors(self, vectors: dict[str, np.ndarray], model: str) -> None:
        rows = [(k, model, np.asarray(v, dtype=np.float32), k) for k, v in vectors.items()]
        with self._conn("store the vectors") as conn:
            with conn.transaction(), conn.cursor() as cur:
                # Ingest stores the chunks' vectors before their chunks (apply marks them then); a copy
                # (cigale migrate) stores them after: both ways, a vector a chunk uses is marked.
                cur.executemany("INSERT INTO vectors (key, model, embedding, chunk) VALUES (%s, %s, %b, "
                                "EXISTS (SELECT 1 FROM chunks WHERE vector_key = %s)) ON CONFLICT (key, model) "
                                "DO UPDATE SET embedding = EXCLUDED.embedding, chunk = EXCLUDED.chunk", rows)
            for dim in {len(v) for _, _, v, _ in rows} - {d for m, d in self._indexed if m == model}:
                self._index(conn, model, dim)

    def _index(self, conn: psycopg.Connection, model: str, dim: int) -> None:
        """The partial HNSW index of one model's vectors of one dimension. Made after the first
        vectors are in: building it over them at once is 8 times faster than growing it row by
        row (measured: 20,000 vectors of 384 dimensions, 5.5 s against 45 s), and a failure
        leaves the vectors stored, the index to be made next time. Later inserts keep it up to
        date. While it is built, other writers of vectors wait; readers do not."""
        name = "vectors_chunks_" + hashlib.sha256(f"{model}/{dim}".encode()).hexdigest()[:16]  # as 0003 names it
        if dim <= HNSW_MAX_DIMS and conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is None:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))
                conn.execute(sql.SQL(
                    "CREATE INDEX IF NOT EXISTS {name} ON vectors USING hnsw ((embedding::vector({dim})) "
                    "vector_ip_ops) WHERE model = {model} AND vector_dims(embedding) = {dim} AND chunk"
                ).format(name=sql.Identifier(name), dim=sql.SQL(str(int(dim))), model=sql.Literal(model)))
        self._indexed.add((model, dim))

    def nearest(self, vector: np.ndarray, model: str, k: int) -> list[tuple[int, float]]:
        """The `k` chunks whose vector of `model` has the largest inner product with `vector`, as
        (chunk id, similarity), best first; approximate, through the HNSW index."""
        query = np.asarray(vector, dtype=np.float32)
        if k <= 0:
            return []
        dim = sql.SQL(str(len(query)))
        # The model and the dimension are literals so that the planner matches the partial index.
        statement = sql.SQL(
            "SELECT c.id, v.embedding::vector({dim}) <#> %(q)b FROM vectors v JOIN chunks c ON c.vector_key = v.key "
            "WHERE v.model = {model} AND vector_dims(v.embedding) = {dim} AND v.chunk "
            "ORDER BY v.embedding::vector({dim}) <#> %(q)b LIMIT {k}"
        ).format(dim=dim, model=sql.Literal(model), k=sql.SQL(str(int(k))))
        with self._conn("search the vectors") as conn, conn.transaction():
            # For this transaction only (SET LOCAL): ef_search, the candidates kept while searching, at
            # least k (pgvector's default 40, its maximum 1000); and since the join drops the vectors no
            # chunk uses any more, an iterative scan, which goes on until k rows remain (pgvector 0.8).
            conn.execute("SELECT set_config('hnsw.ef_search', %s, true), "
                         "set_config('hnsw.iterative_scan', 'relaxed_order', true)", (str(min(max(40, k), 1000)),))
            rows = conn.execute(statement, {"q": query}).fetchall()
        # <#> is the negative inner product; relaxed_order may return them slightly out of order.
        return sorted(((cid, -distance) for cid, distance in rows), key=lambda r: -r[1])

    def listen(self, timeout: float, since: int | None = None) -> int | None:
        """Wait up to `timeout` seconds for an `apply` to commit; the newest version heard, or None.

        The first call starts listening, on a connection of its own; what commits afterwards is
        heard even between calls. With `since` (the version the caller has), a version already
        past it is returned at once, so a change committed before listening began is not missed."""
        with self._listen_lock:
            try:
                if self._listener is None:
                    self._listener = connect(self.url)
                    self._listener.execute(f"LISTEN {CHANNEL}")
                heard = [int(n.payload) for n in self._listener.notifies(timeout=0)]  # since the last call
                if since is not None:
                    heard.append(self.version())
                floor = -1 if since is None else since
                heard = [v for v in heard if v > floor]
                if not heard:
                    heard = [int(n.payload) for n in self._listener.notifies(timeout=timeout, stop_after=1)]
                    heard += [int(n.payload) for n in self._listener.notifies(timeout=0)]
                    heard = [v for v in heard if v > floor]
            except psycopg.Error as exc:
                self._listener.close()
                self._listener = None  # the next call listens again, on a new connection
                raise self._error(exc, "listen for changes") from None
            return max(heard, default=None)

    def iter_vectors(self, batch: int = 1000) -> Iterator[tuple[str, list[tuple[str, np.ndarray]]]]:
        """Every cached vector, as (model, [(key, vector), …]) batches (`cigale migrate` copies them)."""
        with self._conn("read the vectors") as conn, conn.transaction(), \
                conn.cursor("cigale_vectors", binary=True) as cur:
            cur.itersize = batch
            cur.execute('SELECT model, key, embedding FROM vectors ORDER BY model COLLATE "C", key COLLATE "C"')
            while part := cur.fetchmany(batch):
                by_model: dict[str, list] = {}
                for model, key, vector in part:
                    by_model.setdefault(model, []).append((key, vector.to_numpy()))
                yield from by_model.items()

    def sync_sources(self) -> list[str]:
        """The sources whose sync state is kept."""
        with self._conn("read the sync state") as conn:
            rows = conn.execute('SELECT DISTINCT source COLLATE "C" FROM sync_pages ORDER BY 1')
            return [r[0] for r in rows]

    def sync_state(self, source: str) -> dict[str, PageState]:
        with self._conn("read the sync state") as conn:
            rows = conn.execute("SELECT url, state::text FROM sync_pages WHERE source = %s", (source,))
            return {url: _page_state(url, json.loads(state)) for url, state in rows}

    def put_sync_state(self, source: str, pages: dict[str, PageState]) -> None:
        rows = [(source, url, json.dumps({k: v for k, v in dataclasses.asdict(p).items() if k != "url"},
                                         ensure_ascii=False)) for url, p in pages.items()]
        with self._conn("store the sync state") as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute("DELETE FROM sync_pages WHERE source = %s", (source,))
            cur.executemany("INSERT INTO sync_pages (source, url, state) VALUES (%s, %s, %s::json)", rows)

    def add_feedback(self, feedback: Feedback) -> int:
        with self._conn("store the feedback") as conn:
            return conn.execute(
                "INSERT INTO feedback (created, question, lang, useful, comment, cited) VALUES (%s, %s, %s, %s, %s, %s)"
                " RETURNING id", (feedback.created, feedback.question, feedback.lang, feedback.useful, feedback.comment,
                                  Jsonb(list(feedback.cited)))).fetchone()[0]

    def feedback(self, limit: int = 100) -> list[Feedback]:
        with self._conn("read the feedback") as conn:
            rows = conn.execute("SELECT created, question, lang, useful, comment, cited FROM feedback "
                                "ORDER BY id DESC LIMIT %s", (limit,))
            return [Feedback(r[1], r[3], r[4], r[2], tuple(r[5]), r[0]) for r in rows]

    def add_exposure(self, amounts: dict[str, float]) -> None:
        # In a stable order: two workers adding to the same territories cannot deadlock.
        rows = sorted((k, float(v)) for k, v in amounts.items())
        with self._conn("store the exposure") as conn, conn.transaction(), conn.cursor() as cur:
            cur.executemany("INSERT INTO exposure VALUES (%s, %s) ON CONFLICT (subterritory) "
                            "DO UPDATE SET amount = exposure.amount + EXCLUDED.amount", rows)

    def exposure_totals(self) -> dict[str, float]:
        with self._conn("read the exposure") as conn:
            return dict(conn.execute("SELECT subterritory, amount FROM exposure").fetchall())

    def log_answer(self, entry: AnswerLog) -> None:
        with self._conn("log the answer") as conn:
            conn.execute("INSERT INTO answers (created, question, lang, open, equity, cited) "
                         "VALUES (%s, %s, %s, %s, %s, %s)",
                         (entry.created, entry.question, entry.lang, entry.open, entry.equity,
                          Jsonb([[doc, list(places)] for doc, places in entry.cited])))

    def answer_log(self, limit: int = 10_000) -> list[AnswerLog]:
        with self._conn("read the answer log") as conn:
            rows = conn.execute("SELECT question, lang, open, equity, cited, created FROM answers "
                                "ORDER BY id DESC LIMIT %s", (limit,))
            return [AnswerLog(r[0], r[1], r[2], r[3], tuple((doc, tuple(places)) for doc, places in r[4]), r[5])
                    for r in rows]

    def cached_answer(self, key: str) -> dict | None:
        """An answer some worker computed and `cache_answer`ed (web/api.py), or None."""
        with self._conn("read the answer cache") as conn:
            row = conn.execute("SELECT value FROM answer_cache WHERE key = %s", (key,)).fetchone()
        return row[0] if row else None

    def cache_answer(self, key: str, value: dict) -> None:
        """Share an answer with every worker; entries older than ANSWER_CACHE_DAYS are dropped now
        and then (their keys name a past day or an older corpus: nobody asks for them)."""
        with self._conn("write the answer cache") as conn, conn.transaction():
            conn.execute("INSERT INTO answer_cache (key, value) VALUES (%s, %s) ON CONFLICT (key) "
                         "DO UPDATE SET value = EXCLUDED.value, created = now()", (key, Jsonb(value)))
            if random.random() < ANSWER_CACHE_PRUNE:
                conn.execute("DELETE FROM answer_cache WHERE created < now() - make_interval(days => %s)",
                             (ANSWER_CACHE_DAYS,))

    def stats(self) -> dict:
        with self._conn("read the statistics") as conn:  # one statement: one snapshot
            documents, chunks, vectors, version = conn.execute(
                "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks), "
                "(SELECT count(*) FROM vectors), (SELECT value FROM meta WHERE key = 'version')").fetchone()
        return {"documents": documents, "chunks": chunks, "vectors": vectors, "version": int(version or 0)}

    def close(self) -> None:
        self._pool.close()
        with self._listen_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None


def _reason(exc: psycopg.Error, url: str) -> str:
    """What went wrong, as one sentence, the password scrubbed out should libpq have echoed it."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    try:
        password = urlsplit(url).password if "://" in url else None
    except ValueError:
        password = None
    for secret in {password, unquote(password or "")} - {None, ""}:
        reason = reason.replace(secret, "***")
    reason = describe(reason)
    return reason if reason.endswith((".", "?", "!")) else f"{reason}."
