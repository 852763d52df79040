"""The embedded SQLite store: the shared contract, plus what only SQLite promises."""

import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from contract import StoreContract, make_chunks, make_doc, snapshot, upsert

from cigale.errors import StoreError
from cigale.store import Changes, open_store
from cigale.store.sqlite import SQLiteStore


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
class TestSQLiteStore(StoreContract):
    pass


def test_open_store_gives_the_sqlite_store_in_the_data_directory(tmp_path):
    store = open_store(tmp_path / "data")
    assert isinstance(store, SQLiteStore)
    assert store.path == tmp_path / "data" / "cigale.sqlite3"
    assert store.path.is_file()


def test_database_runs_in_wal_mode(tmp_path):
    store = SQLiteStore(tmp_path)
    store.apply(upsert(make_doc("a")))

    with closing(sqlite3.connect(store.path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_data_survives_closing_and_reopening(tmp_path):
    store = SQLiteStore(tmp_path)
    version = store.apply(upsert(make_doc("a")))
    hashes = store.document_hashes()
    store.close()

    again = SQLiteStore(tmp_path, read_only=True)
    assert again.version() == version
    assert again.document_hashes() == hashes


def test_read_only_open_of_a_missing_directory_says_to_ingest_first(tmp_path):
    missing = tmp_path / "nowhere"

    with pytest.raises(StoreError) as exc:
        SQLiteStore(missing, read_only=True)

    assert str(missing) in exc.value.message
    assert "cigale ingest" in exc.value.message
    assert not missing.exists()  # reading never creates the data directory


def test_writable_open_creates_the_data_directory(tmp_path):
    SQLiteStore(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b" / "cigale.sqlite3").is_file()


def test_data_directory_that_cannot_be_created_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")

    with pytest.raises(StoreError) as exc:
        SQLiteStore(blocker / "data")

    assert "Cannot create the data directory" in exc.value.message


@pytest.mark.parametrize("read_only", [False, True], ids=["writable", "read-only"])
def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path, read_only):
    (tmp_path / "cigale.sqlite3").write_bytes(b"these are the notes of a partner, not a database\n" * 100)

    with pytest.raises(StoreError) as exc:
        SQLiteStore(tmp_path, read_only=read_only).version()

    assert "cigale.sqlite3" in exc.value.message
    assert "not a usable Cigale database" in exc.value.message


def test_read_only_open_of_an_sqlite_file_without_cigale_tables_is_a_store_error(tmp_path):
    with closing(sqlite3.connect(tmp_path / "cigale.sqlite3")) as db:
        db.execute("CREATE TABLE other_app (x)")

    with pytest.raises(StoreError):
        SQLiteStore(tmp_path, read_only=True).version()


def test_read_only_store_sees_what_a_writer_committed(tmp_path):
    writer = SQLiteStore(tmp_path)
    reader = SQLiteStore(tmp_path, read_only=True)
    assert reader.version() == 0

    writer.apply(upsert(make_doc("a")))

    assert reader.version() == writer.version()
    assert set(reader.document_hashes()) == {"a"}


class _GatedChunk:
    """A chunk that, once `apply` reads it (inside the write transaction), holds the transaction
    open until the test says go."""

    def __init__(self, chunk, inside: threading.Event, go: threading.Event):
        self._chunk, self._inside, self._go = chunk, inside, go

    def __getattr__(self, name):
        if name == "doc_id":
            self._inside.set()
            self._go.wait(10)
        return getattr(self._chunk, name)


@pytest.mark.parametrize("reader_kind", ["same-store-other-thread", "read-only-store"])
def test_a_reader_thread_sees_the_last_committed_state_while_a_write_is_in_progress(tmp_path, reader_kind):
    store = SQLiteStore(tmp_path)
    before_version = store.apply(upsert(make_doc("a")))
    reader_store = store if reader_kind == "same-store-other-thread" else SQLiteStore(tmp_path, read_only=True)

    b, c = make_doc("b"), make_doc("c")
    inside, go = threading.Event(), threading.Event()
    gated = [*make_chunks(c)[:-1], _GatedChunk(make_chunks(c)[-1], inside, go)]
    changes = Changes(upserts=[(b, make_chunks(b)), (c, gated)], deletes=["a"])
    outcome = []
    writer = threading.Thread(target=lambda: outcome.append(store.apply(changes)))

    def read():
        return {
            "version": reader_store.version(),
            "documents": set(reader_store.document_hashes()),
            "chunk_docs": {s.chunk.doc_id for s in reader_store.iter_chunks()},
        }

    def read_in_thread():
        seen = []
        reader = threading.Thread(target=lambda: seen.append(read()))
        reader.start()
        reader.join(5)
        assert not reader.is_alive(), "the reader was blocked by the writer"
        return seen[0]

    writer.start()
    try:
        assert inside.wait(10), "the write never started"
        # 'a' is deleted and 'b' written in the open transaction: a reader sees none of it
        during = read_in_thread()
    finally:
        go.set()
        writer.join(10)

    assert during == {"version": before_version, "documents": {"a"}, "chunk_docs": {"a"}}
    assert outcome == [before_version + 1]
    assert read_in_thread() == {"version": before_version + 1, "documents": {"b", "c"}, "chunk_docs": {"b", "c"}}


# --- a full disk -------------------------------------------------------------------------------------

# Run in a child process whose files may not grow past the limit (RLIMIT_FSIZE; with SIGXFSZ
# ignored, a write past it fails with EFBIG, as on a full disk); it exits 4 on a StoreError.
FULL_DISK = """
import resource, signal, sys
import numpy as np
from contract import make_doc, upsert
from cigale.errors import StoreError
from cigale.store.sqlite import SQLiteStore

data, write, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = SQLiteStore(data)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
try:
    if write == "apply":
        store.apply(upsert(*[make_doc(f"big-{i}", "Un paragraphe assez long pour remplir le disque. " * 80)
                             for i in range(40)]))
    else:
        store.put_vectors({f"key-{i}": np.full(384, 0.05, np.float32) for i in range(400)}, "test-model")
except StoreError as exc:
    print(exc.message)
    sys.exit(4)
"""
LIMIT = 64 * 1024  # room for SQLite's 32 KiB shared-memory index and a few pages, not for the write


def state(store) -> dict:
    return {**snapshot(store), "stats": store.stats(), "k": store.vectors(["k"], "test-model")["k"].tobytes()}


@pytest.mark.parametrize("write", ["apply", "put_vectors"])
def test_a_write_that_fills_the_disk_is_a_store_error_and_changes_nothing(tmp_path, write):
    store = SQLiteStore(tmp_path)
    store.apply(upsert(make_doc("a"), make_doc("b")))
    store.put_vectors({"k": np.ones(384, np.float32)}, "test-model")
    before = state(store)
    store.close()

    child = subprocess.run([sys.executable, "-c", FULL_DISK, str(tmp_path), write, str(LIMIT)], capture_output=True,
                           text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)})

    assert child.returncode == 4, child.stderr
    assert child.stdout.startswith("The disk is full")
    assert "free some space" in child.stdout
    again = SQLiteStore(tmp_path)
    assert state(again) == before
    with closing(sqlite3.connect(again.path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert again.apply(upsert(make_doc("c"))) == before["version"] + 1  # usable once there is room
