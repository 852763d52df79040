"""The index is derived state: saved, reloaded identically, rebuilt when stale or damaged.

A damaged or unwritable index costs a rebuild, never an answer; what an interrupted save
leaves behind is cleaned up.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from test_cli import cigale

from cigale import Engine, Settings
from cigale import index as index_mod
from cigale.documents import Document


def reopen(data_dir):
    return Engine.open(settings=Settings.load(environ={}, data_dir=data_dir))


def current(data_dir):
    return data_dir / "index" / (data_dir / "index" / "CURRENT").read_text()


def test_save_then_load_gives_identical_hits(engine, data_dir):
    before = engine.search("festival de jazz en juillet", k=5)
    again = reopen(data_dir)
    assert index_mod.load(data_dir / "index") is not None
    assert again.search("festival de jazz en juillet", k=5) == before


def test_a_documents_places_keep_the_order_it_declares_them_in_through_save_and_load(engine, data_dir):
    """Its first place is where it is (a station on the land of two communes names its own
    first): hits, items and citations show that one, in every worker, after every restart."""
    declared = ("13117", "13056", "13047", "13005", "13001")  # Vitrolles, Martigues, Istres, Aubagne, Aix
    engine.ingest(documents=[Document("gare-x", "Gare de l'étang", "Une gare au bord de l'étang.", places=declared)])
    assert engine.search("gare au bord de l'étang", k=1)[0].places == declared
    reopened = reopen(data_dir)
    position = reopened.refresh().position("gare-x")
    assert reopened.refresh().docs[position].places == declared  # read back from the saved index
    assert reopened.search("gare au bord de l'étang", k=1)[0].places == declared
    reopened.close()


def test_a_stale_index_is_rebuilt_from_the_store(engine, data_dir):
    engine.refresh()
    stale = index_mod.load(data_dir / "index").version
    other = reopen(data_dir)

    other.ingest(documents=[Document("new", "Calanque de Sormiou", "Une calanque accessible à pied.",
                                     places=("13055",))])
    assert engine.store.version() > stale
    engine.search("calanque accessible à pied", k=1)  # served by the previous index, the new one built behind it
    assert engine.refresh().version == engine.store.version()  # waits for that build
    assert engine.search("calanque accessible à pied", k=1)[0].doc_id == "new"  # the first engine noticed


def test_only_the_current_index_version_is_kept(engine, data_dir):
    engine.ingest(documents=[Document("x", "X", "Texte.")])
    engine.ingest(documents=[Document("y", "Y", "Autre texte.")])
    assert [p.name for p in (data_dir / "index").iterdir() if p.is_dir()] == [f"v{engine.store.version()}"]


def test_the_documents_facts_are_indexed_as_each_document_states_them(engine):
    """What search looks up (place postings, date, theme and language columns) against the
    definition on each document, on a corpus with events, news and pages that declare no place."""
    engine.ingest(documents=[
        Document("news", "Brève", "Nouvelles de Cassis et d'Aubagne.", lang="fr+en", published="2026-06-01",
                 theme="actualité"),
        Document("page", "Flamants", "À Martigues, les flamants roses. Martigues, Martigues et Istres."),
        Document("late", "Nuit", "Concert.", start="2026-07-05T21:00", theme="culture/festival", places=("13117",))])
    index = engine.refresh()
    docs = index.docs
    assert any(d.about for d in docs) and any(not d.places and d.mentions for d in docs)  # cases covered
    for code in set().union(*(set(d.places) | d.about | d.mentions for d in docs)):
        assert set(index.about([code])) == {i for i, d in enumerate(docs) if code in set(d.places) | d.about}
        assert set(index.mentioning([code])) == {i for i, d in enumerate(docs) if code in d.mentions}
        assert index.located({code}).tolist() == [code in (d.places or d.mentions) for d in docs]
    for low, high in [("2026-07-01", "2026-07-04"), ("2026-07-06", "2026-07-14"), ("2026-05-01", "2026-06-30"),
                      ("2026-07-25", "9999-12-31"), ("2026-07-05", "2026-07-05")]:
        assert index.in_period(low, high).tolist() == [
            not d.start or (d.start[:10] <= high and (d.end or d.start)[:10] >= low) for d in docs]
        for a, b in [(low, high), (low, None), (None, high)]:
            dated = [(d.start or d.published, d.end or d.start or d.published) for d in docs]
            assert index.dated_within(a, b).tolist() == [
                bool(start) and (not b or start[:10] <= b) and (not a or end[:10] >= a) for start, end in dated]
    for prefixes in [("culture",), ("culture/festival", "tourisme"), ("",), ("nothing",)]:
        assert index.of_theme(prefixes).tolist() == [
            bool(d.theme) and any(d.theme.startswith(t) for t in prefixes) for d in docs]
    for langs in [("fr",), ("en",), ("de", "en")]:
        assert index.in_langs(langs).tolist() == [
            bool(d.lang) and any(x in d.lang.split("+") for x in langs) for d in docs]
    assert index.rows(index.chunk_ids).tolist() == list(range(index.size))
    assert index.rows([-1, int(index.chunk_ids.max()) + 1]).tolist() == [-1, -1]


# --- damage ------------------------------------------------------------------------------------------


def truncate(name, keep=0.5):
    def damage(data_dir):
        path = current(data_dir) / name
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])

    return damage


def resave(name, change):
    def damage(data_dir):
        path = current(data_dir) / name
        np.save(path, change(np.load(path)))

    return damage


def edit_meta(change):
    def damage(data_dir):
        path = current(data_dir) / "meta.json"
        path.write_text(json.dumps(change(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")

    return damage


def point_at(name):
    def damage(data_dir):
        (data_dir / "index" / "CURRENT").write_text(name, encoding="utf-8")

    return damage


def pickled(data_dir):
    # Unpickling runs code: the index refuses an array of objects rather than unpickle it.
    np.save(current(data_dir) / "chunk_ids.npy", np.array(["one", 2], dtype=object), allow_pickle=True)


def without_bm25(data_dir):
    for path in (current(data_dir) / "bm25").iterdir():
        path.unlink()
    (current(data_dir) / "bm25").rmdir()


DAMAGES = {
    "dense.npy empty": truncate("dense.npy", 0),
    "dense.npy truncated": truncate("dense.npy"),
    "dense.npy one row short": resave("dense.npy", lambda a: a[:-1]),
    "chunk_doc.npy out of order": resave("chunk_doc.npy", lambda a: a[::-1]),
    "doc_offsets.npy one short": resave("doc_offsets.npy", lambda a: a[:-1]),
    "chunk_ids.npy a pickle": pickled,
    "meta.json empty": truncate("meta.json", 0),
    "meta.json truncated": truncate("meta.json"),
    "meta.json of another version": edit_meta(lambda m: {**m, "version": m["version"] + 1}),
    "meta.json one document short": edit_meta(lambda m: {**m, "docs": m["docs"][:-1]}),
    "CURRENT empty": point_at(""),
    "CURRENT names a missing folder": point_at("v99"),
    "CURRENT names a folder outside": point_at("../.."),
    "bm25 vocabulary empty": truncate("bm25/vocab.index.json", 0),
    "bm25 matrix truncated": truncate("bm25/data.csc.index.npy"),
    "bm25 pointers empty": truncate("bm25/indptr.csc.index.npy", 0),
    "bm25 folder missing": without_bm25,
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_index_is_rebuilt_with_identical_hits(data_dir, damage):
    before = reopen(data_dir).search("musée Ziem", k=5)
    damage(data_dir)

    assert index_mod.load(data_dir / "index") is None
    assert reopen(data_dir).search("musée Ziem", k=5) == before
    assert index_mod.load(data_dir / "index") is not None  # and saved again, whole


@pytest.mark.parametrize(("damage", "command"), [
    ("dense.npy empty", "search"),  # numpy's EOFError was a traceback
    ("dense.npy one row short", "ask"),  # loaded, then an IndexError at every question
    ("CURRENT empty", "search"),
    ("bm25 pointers empty", "ask"),
])
def test_the_cli_answers_over_a_damaged_index(data_dir, damage, command):
    DAMAGES[damage](data_dir)

    result = cigale(command, "Que voir au musée Ziem ?", "--lang", "fr", "--data", data_dir)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Musée Ziem" in result.stdout


def test_an_index_that_cannot_be_written_is_served_from_memory(data_dir, caplog):
    (data_dir / "index").rename(data_dir / "index.old")
    (data_dir / "index").write_text("a file where the index folder should be", encoding="utf-8")

    assert reopen(data_dir).search("musée Ziem", k=1)[0].doc_id == "musee-ziem"
    assert "cannot save the index" in caplog.text


# --- durability and leftovers ------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to name the synced files")
def test_save_syncs_every_file_before_the_renames_that_publish_it(engine, data_dir, monkeypatch):
    events = []  # ("fsync", path) and ("rename", source), in order
    fsync, replace = os.fsync, os.replace

    def recording_fsync(fd):
        events.append(("fsync", Path(os.readlink(f"/proc/self/fd/{fd}"))))
        fsync(fd)

    def recording_replace(source, target):
        events.append(("rename", Path(source).resolve()))
        replace(source, target)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(os, "replace", recording_replace)
    engine.ingest(documents=[Document("x", "X", "Texte.")])

    (folder_at, folder), (pointer_at, pointer) = [(i, e[1]) for i, e in enumerate(events) if e[0] == "rename"]
    synced = [path for kind, path in events[:folder_at] if kind == "fsync"]
    saved = current(data_dir)
    assert {p.relative_to(saved) for p in saved.rglob("*")} <= {p.relative_to(folder) for p in synced
                                                                  if p.is_relative_to(folder)}
    assert folder in synced
    assert ("fsync", pointer) in events[folder_at:pointer_at]
    assert ("fsync", (data_dir / "index").resolve()) in events[pointer_at:]  # the renames made durable


def dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def leave_leftovers(root):
    """What saves killed at various moments leave, plus a save in progress in another process."""
    dead, alive = dead_pid(), os.getppid()
    version = int(current(root.parent).name[1:])
    made = {
        f".v{version + 1}.tmp-{dead}": "dir",  # killed while writing
        f".CURRENT.tmp-{dead}": "file",  # killed before switching
        f".v{version + 1}.tmp-{alive}": "dir",  # another process, saving right now
        f".v{version + 2}.tmp-{alive}": "old dir",  # a stalled one: its PID may have been reused
        f"v{version - 1}": "dir",  # an older version, no longer current
        f"v{version + 5}": "dir",  # newer: another process may be about to switch to it
    }
    for name, kind in made.items():
        if kind == "file":
            (root / name).write_text("v1", encoding="utf-8")
        else:
            (root / name).mkdir()
            (root / name / "dense.npy").write_bytes(b"half an index")
        if kind == "old dir":
            past = time.time() - index_mod.STALE_SECONDS - 60
            os.utime(root / name, (past, past))
    return version, alive


def test_leftovers_of_killed_saves_are_removed_by_the_next_save(engine, data_dir):
    root = data_dir / "index"
    version, alive = leave_leftovers(root)

    engine.ingest(documents=[Document("x", "X", "Texte.")])

    new = engine.store.version()
    assert sorted(p.name for p in root.iterdir()) == sorted(
        ["CURRENT", f"v{new}", f".v{version + 1}.tmp-{alive}", f"v{version + 5}"])


def test_leftovers_of_killed_saves_are_removed_when_the_index_is_loaded(data_dir):
    root = data_dir / "index"
    version, alive = leave_leftovers(root)

    assert reopen(data_dir).search("musée Ziem", k=1)[0].doc_id == "musee-ziem"

    assert sorted(p.name for p in root.iterdir()) == sorted(
        ["CURRENT", f"v{version}", f".v{version + 1}.tmp-{alive}", f"v{version + 5}"])
