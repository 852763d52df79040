"""Large exports are streamed, not refused: documents flow through the ingest in batches, memory
stays bounded whatever the size of the file, and the store still changes in one transaction, all
or nothing. Small batches (`BATCH_DOCUMENTS` patched) make a few documents span many of them."""

import json
import subprocess
import sys
import tracemalloc

import pytest
from records import write_jsonl

from cigale import ingest as ingest_mod
from cigale.embed import E5Embedder
from cigale.ingest import readers


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(ingest_mod, "BATCH_DOCUMENTS", 10)


def fiches(n, start=0, word="fiche", distinct=False):
    """Records `word`-0, `word`-1…: of one text (one embedding) unless `distinct`."""
    return [{"id": f"{word}-{i}", "title": "Fiche",
             "text": f"La {word} numéro {i} parle du marché de Trets." if distinct else f"Une {word} sur Trets."}
            for i in range(start, start + n)]


class CrashingEmbedder(E5Embedder):
    """The real model, which crashes at its call number `crash_at` (counting from 1) to `passages`."""

    def __init__(self, crash_at):
        super().__init__()
        self.crash_at, self.calls = crash_at, 0

    def passages(self, texts):
        self.calls += 1
        if self.calls == self.crash_at:
            raise RuntimeError("the model crashed")
        return super().passages(texts)


def spilled_files(data_dir):
    return [p.name for p in data_dir.iterdir() if p.name.startswith(".ingest-")]


@pytest.mark.slow
def test_a_jsonl_export_over_the_old_file_cap_is_ingested_in_bounded_memory(empty_engine, tmp_path):
    # Partner records carry much besides their text (DATAtourisme's are mostly metadata): ~5 KB each,
    # four texts in all, so that little is embedded.
    path = tmp_path / "export.jsonl"
    details = {"horaires": "Ouvert du mardi au dimanche. " * 60, "accès": "Bus 12, arrêt Mairie. " * 80}
    with open(path, "w", encoding="utf-8") as f:
        n = 0
        while f.tell() <= 51 * 1024 * 1024:  # over the 50 MB that used to refuse the file
            f.write(json.dumps({"id": f"fiche-{n}", "title": f"Fiche {n % 4}", "places": ["13110"],
                                "text": f"Le marché numéro {n % 4} de Trets.", **details}, ensure_ascii=False) + "\n")
            n += 1

    engine = empty_engine
    tracemalloc.start()
    try:  # the ingest alone: the engine builds its index from the store afterwards
        report = ingest_mod.ingest(engine.store, engine.embedder, engine.gazetteer, engine.settings, [path])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert (report.added, report.failed, report.embedded) == (n, [], 4)
    assert len(engine.store.document_hashes()) == n
    last = engine.store.get_documents([f"fiche-{n - 1}"])[f"fiche-{n - 1}"]
    assert last.extra == details and last.places == ("13110",)
    assert peak < path.stat().st_size / 4  # measured: 8 MB, a batch of 500 records and what it makes
    assert spilled_files(engine.settings.data_dir) == []


def test_a_record_over_the_record_limit_is_refused_by_its_line_and_the_others_go_in(empty_engine, tmp_path,
                                                                                    monkeypatch):
    monkeypatch.setattr(readers, "MAX_RECORD_BYTES", 1000)
    records = fiches(3)
    records.insert(1, {"id": "enorme", "title": "Énorme", "text": "mot " * 1000})
    path = write_jsonl(tmp_path / "export.jsonl", records)

    report = empty_engine.ingest([path])

    assert [e.path for e in report.failed] == [f"{path}:2"]
    assert report.failed[0].reason.startswith("record too large (")
    assert report.added == 3
    assert set(empty_engine.store.document_hashes()) == {"fiche-0", "fiche-1", "fiche-2"}


def test_an_ingest_that_crashes_after_some_batches_leaves_the_store_as_it_was(open_engine, data_dir, tmp_path,
                                                                             small_batches):
    # The chunks' embeddings counted alone (the lines answers quote are embedded in their own calls).
    engine = open_engine(data_dir, embedder=CrashingEmbedder(crash_at=3), embed_lines=False)
    version, hashes = engine.store.version(), engine.store.document_hashes()
    vectors = engine.stats()["vectors"]
    path = write_jsonl(tmp_path / "export.jsonl", fiches(60, distinct=True))

    with pytest.raises(RuntimeError, match="the model crashed"):
        engine.ingest([path])

    assert engine.store.version() == version
    assert engine.store.document_hashes() == hashes
    assert engine.stats()["vectors"] == vectors + 20  # the first two batches' embeddings are kept
    assert spilled_files(data_dir) == []

    report = engine.ingest([path])  # the model's third call crashed; this ingest makes the fourth and on

    assert (report.added, report.chunks, report.embedded) == (60, 60, 40)
    assert set(engine.store.document_hashes()) == set(hashes) | {f"fiche-{i}" for i in range(60)}


def test_a_file_refused_after_some_batches_contributes_nothing_and_prune_keeps_its_documents(
        empty_engine, tmp_path, small_batches, monkeypatch):
    monkeypatch.setattr(readers, "SNIFF_BYTES", 256)  # what is looked at before reading: a few lines
    folder = tmp_path / "exports"
    folder.mkdir()
    damaged = write_jsonl(folder / "a.jsonl", fiches(30, word="ancienne"))
    write_jsonl(folder / "b.jsonl", fiches(25))
    empty_engine.ingest([folder])
    before = empty_engine.store.document_hashes()
    # Its records changed, then a zero-filled tail (a copy cut short), three batches further.
    write_jsonl(damaged, fiches(30, word="nouvelle"))
    with open(damaged, "ab") as f:
        f.write(b"\x00" * 100)
    write_jsonl(folder / "b.jsonl", fiches(40))

    report = empty_engine.ingest([folder], prune=True)

    assert [(e.path, e.reason) for e in report.failed] == [(f"{damaged}:31", "binary content, not text (NUL bytes)")]
    assert (report.added, report.updated, report.unchanged, report.deleted) == (15, 0, 25, 0)
    hashes = empty_engine.store.document_hashes()
    assert {i: hashes[i] for i in before} == before  # the damaged file's documents as they were
    assert set(hashes) == set(before) | {f"fiche-{i}" for i in range(25, 40)}


def test_duplicate_ids_far_apart_in_a_stream_are_reported_and_the_first_kept(empty_engine, tmp_path, small_batches):
    records = fiches(50)
    records.append({"id": "fiche-3", "title": "Doublon", "text": "Un doublon, cinq lots plus loin."})
    path = write_jsonl(tmp_path / "export.jsonl", records)

    report = empty_engine.ingest([path])

    assert [(e.path, e.reason) for e in report.failed] == [
        (str(path), "duplicate document id 'fiche-3' (kept the one earlier in this file)")]
    assert report.added == 50
    assert empty_engine.store.get_documents(["fiche-3"])["fiche-3"].title == "Fiche"


def test_the_ids_of_a_refused_file_are_free_for_the_files_after_it(empty_engine, tmp_path, small_batches,
                                                                   monkeypatch):
    monkeypatch.setattr(readers, "SNIFF_BYTES", 256)
    folder = tmp_path / "exports"
    folder.mkdir()
    refused = write_jsonl(folder / "a.jsonl", fiches(20))
    with open(refused, "ab") as f:
        f.write(b"\x00\n")
    later = write_jsonl(folder / "b.jsonl", fiches(20))

    report = empty_engine.ingest([folder])

    assert [e.path for e in report.failed] == [f"{refused}:21"]
    assert report.added == 20
    assert {d.origin for d in empty_engine.store.get_documents([f"fiche-{i}" for i in range(20)]).values()} == {
        str(later)}


def test_prune_across_batches_removes_only_what_the_file_no_longer_holds(empty_engine, tmp_path, small_batches):
    path = write_jsonl(tmp_path / "export.jsonl", fiches(45))
    empty_engine.ingest([path])
    write_jsonl(path, fiches(40, start=5))

    report = empty_engine.ingest([path], prune=True)

    assert (report.unchanged, report.deleted) == (40, 5)
    assert set(empty_engine.store.document_hashes()) == {f"fiche-{i}" for i in range(5, 45)}


def test_ready_made_documents_from_a_one_shot_iterator_are_ingested_with_deletes(empty_engine, tmp_path,
                                                                                 small_batches):
    from cigale.documents import Document

    empty_engine.ingest(documents=[Document.from_record(r) for r in fiches(5, word="vieille")])

    report = ingest_mod.ingest(empty_engine.store, empty_engine.embedder, empty_engine.gazetteer,
                               empty_engine.settings, documents=(Document.from_record(r) for r in fiches(35)),
                               deletes=["vieille-0", "vieille-1", "absente"])

    assert (report.added, report.deleted) == (35, 2)
    assert set(empty_engine.store.document_hashes()) == (
        {f"fiche-{i}" for i in range(35)} | {f"vieille-{i}" for i in range(2, 5)})


# The CLI in a process whose files may not grow past LIMIT: a write past it fails with EFBIG, as one
# on a full disk fails with ENOSPC (tests/test_crash.py does the same for the store's writes).
LIMITED = """
import resource, signal, sys
from cigale.cli import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
sys.exit(main(sys.argv[1:]))
"""


def test_a_spill_that_fills_the_disk_stops_cleanly_and_changes_nothing(open_engine, tmp_path):
    from test_cli import environment

    data = tmp_path / "data"
    engine = open_engine(data)
    engine.ingest([write_jsonl(tmp_path / "un.jsonl", fiches(1))])  # its one text embedded: only the spill grows
    before = engine.store.document_hashes(), engine.store.version()
    engine.close()
    export = write_jsonl(tmp_path / "export.jsonl", fiches(1000))

    result = subprocess.run([sys.executable, "-c", LIMITED, "ingest", str(export), "--data", str(data)],
                            capture_output=True, text=True, env=environment(), timeout=180)

    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("cigale: The disk is full (or failing): cannot write the ingest's "
                                            "temporary file")
    engine = open_engine(data)
    assert (engine.store.document_hashes(), engine.store.version()) == before
    assert spilled_files(data) == []
