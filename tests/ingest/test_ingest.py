"""Ingest through the engine, with the real store and model: what the report counts, what is
(re)embedded, what --prune removes, and that a failure or a crash never damages the index."""

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import pytest
from records import CORPUS, write_jsonl

from cigale.embed import default_embedder
from cigale.ingest import collect, discover, readers


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def found(engine, word) -> list[str]:
    """Documents a lexical search for `word` returns (BM25 returns only documents holding it)."""
    return [h.doc_id for h in engine.search(word, k=20, mode="bm25")]


def stored_vector_count(data_dir) -> int:
    """Read straight from the database file, as another process would."""
    with closing(sqlite3.connect(f"file:{data_dir / 'cigale.sqlite3'}?mode=ro", uri=True)) as db:
        return db.execute("SELECT count(*) FROM vectors").fetchone()[0]


def ranking(engine, question):
    return [(h.doc_id, h.score) for h in engine.search(question, k=5)]


# Sentences of ~10 words: with chunk_words=8 each one is a chunk of its own.
SENTENCES = [
    "La navette électrique relie le Vieux-Port au Pharo toutes les vingt minutes.",
    "Elle circule de sept heures du matin jusqu'à neuf heures du soir.",
    "Le ticket coûte un euro et se valide directement à bord du bus.",
    "Les vélos pliants sont acceptés dans la navette en dehors des heures de pointe.",
]


# --- the report --------------------------------------------------------------------------------------


def test_first_ingest_reports_every_added_document_and_embedded_chunk(empty_engine, tmp_path):
    docs = tmp_path / "docs"
    write(docs / "marche.md", "# Marché de Trets\n\nLe marché se tient le vendredi matin.\n")
    write(docs / "navette.txt", "Navette\nLa navette relie Aubagne et La Ciotat.\n")
    write_jsonl(docs / "lieux.jsonl", [{"id": "plage", "title": "Plage", "text": "Une crique à Carry-le-Rouet."},
                                       {"id": "port", "title": "Port", "text": "Le port de Cassis."}])

    report = empty_engine.ingest([docs])

    assert (report.added, report.updated, report.unchanged, report.deleted) == (4, 0, 0, 0)
    assert report.files == 3
    assert report.failed == []
    stats = empty_engine.stats()
    assert stats["documents"] == 4
    assert report.chunks == stats["chunks"] == 4
    assert report.embedded == 4
    assert set(empty_engine.store.document_hashes()) == {"docs/marche.md", "docs/navette.txt", "plage", "port"}
    as_dict = report.as_dict()
    assert as_dict["failed"] == [] and as_dict["added"] == 4 and as_dict["seconds"] >= 0


def test_reingesting_the_same_files_is_a_no_op(engine, corpus_file):
    version = engine.store.version()
    before = ranking(engine, "festival de jazz")

    report = engine.ingest([corpus_file])

    assert (report.added, report.updated, report.unchanged, report.deleted) == (0, 0, len(CORPUS), 0)
    assert (report.chunks, report.embedded) == (0, 0)
    assert engine.store.version() == version
    assert ranking(engine, "festival de jazz") == before


def test_a_changed_document_replaces_its_old_chunks(engine, tmp_path):
    source = write_jsonl(tmp_path / "navette.jsonl",
                         [{"id": "navette", "title": "Navette", "text": "La navette zorglubium dessert le port."}])
    engine.ingest([source])
    assert found(engine, "zorglubium") == ["navette"]

    write_jsonl(source, [{"id": "navette", "title": "Navette", "text": "La navette quetzalcoatl dessert la gare."}])
    report = engine.ingest([source])

    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    assert found(engine, "zorglubium") == []
    assert found(engine, "quetzalcoatl") == ["navette"]
    texts = [s.chunk.text for s in engine.store.iter_chunks() if s.chunk.doc_id == "navette"]
    assert texts == ["La navette quetzalcoatl dessert la gare."]


def test_only_the_chunks_that_changed_are_embedded_again(open_engine, tmp_path):
    engine = open_engine(tmp_path / "data", chunk_words=8, chunk_max_words=16)
    source = tmp_path / "navette.jsonl"
    write_jsonl(source, [{"id": "navette", "title": "Navette du port", "text": "\n".join(SENTENCES)}])
    first = engine.ingest([source])
    assert (first.chunks, first.embedded) == (4, 4)

    changed = [*SENTENCES[:2], "Le ticket coûte deux euros depuis janvier et se valide à bord.", SENTENCES[3]]
    write_jsonl(source, [{"id": "navette", "title": "Navette du port", "text": "\n".join(changed)}])
    second = engine.ingest([source])

    assert (second.updated, second.chunks, second.embedded) == (1, 4, 1)
    assert [s.chunk.text for s in engine.store.iter_chunks()] == changed


def test_a_chunk_already_embedded_for_another_document_comes_from_the_cache(open_engine, tmp_path):
    engine = open_engine(tmp_path / "data", chunk_words=8, chunk_max_words=16)
    record = {"id": "navette", "title": "Navette du port", "text": "\n".join(SENTENCES)}
    engine.ingest([write_jsonl(tmp_path / "a.jsonl", [record])])

    report = engine.ingest([write_jsonl(tmp_path / "b.jsonl", [{**record, "id": "navette-copie"}])])

    assert (report.added, report.chunks, report.embedded) == (1, 4, 0)


# --- prune -------------------------------------------------------------------------------------------


def test_prune_removes_documents_whose_file_was_deleted_from_an_ingested_folder(engine, tmp_path):
    docs = tmp_path / "docs"
    write(docs / "garder.md", "# Garder\n\nLe marché aux poissons du quai des Belges.\n")
    write(docs / "sous" / "retirer.md", "# Retirer\n\nLa fête xylophonique de la Saint-Jean.\n")
    engine.ingest([docs])
    assert found(engine, "xylophonique") == ["docs/sous/retirer.md"]
    (docs / "sous" / "retirer.md").unlink()

    kept = engine.ingest([docs])
    assert kept.deleted == 0
    assert "docs/sous/retirer.md" in engine.store.document_hashes()

    pruned = engine.ingest([docs], prune=True)

    assert (pruned.deleted, pruned.unchanged) == (1, 1)
    hashes = engine.store.document_hashes()
    assert "docs/sous/retirer.md" not in hashes
    assert "docs/garder.md" in hashes
    assert {r["id"] for r in CORPUS} <= set(hashes)  # other sources are never touched
    assert found(engine, "xylophonique") == []


def test_prune_removes_documents_dropped_from_a_reingested_jsonl(engine, tmp_path):
    records = [{"id": f"fiche-{i}", "title": f"Fiche {i}", "text": f"Fiche {i} de la foire aux santons."}
               for i in range(3)]
    source = write_jsonl(tmp_path / "fiches.jsonl", records)
    engine.ingest([source])
    write_jsonl(source, records[:2])

    kept = engine.ingest([source])
    assert (kept.unchanged, kept.deleted) == (2, 0)
    assert "fiche-2" in engine.store.document_hashes()

    pruned = engine.ingest([source], prune=True)

    assert (pruned.unchanged, pruned.deleted) == (2, 1)
    hashes = engine.store.document_hashes()
    assert "fiche-2" not in hashes and {"fiche-0", "fiche-1"} <= set(hashes)
    assert len(hashes) == len(CORPUS) + 2


def test_prune_finds_deleted_files_whatever_the_path_spelling(open_engine, tmp_path, monkeypatch):
    engine = open_engine(tmp_path / "data")
    docs = tmp_path / "project" / "docs"
    write(docs / "garder.md", "# Garder\n\nUn texte.\n")
    write(docs / "retirer.md", "# Retirer\n\nUn autre texte.\n")
    monkeypatch.chdir(tmp_path / "project")
    engine.ingest(["docs"])
    (docs / "retirer.md").unlink()
    monkeypatch.chdir(tmp_path)

    report = engine.ingest([docs], prune=True)

    assert report.deleted == 1
    assert "docs/retirer.md" not in engine.store.document_hashes()


def test_prune_keeps_the_documents_of_a_file_that_failed_to_read(engine, tmp_path):
    source = write_jsonl(tmp_path / "fiches.jsonl", [{"id": "fiche", "title": "Fiche", "text": "Une fiche."}])
    engine.ingest([source])
    source.write_bytes(b"\x00\x00 half-copied file \x00")

    report = engine.ingest([source], prune=True)

    assert [e.path for e in report.failed] == [str(source)]
    assert report.deleted == 0
    assert "fiche" in engine.store.document_hashes()


# --- failures ----------------------------------------------------------------------------------------


def test_broken_files_are_reported_with_path_and_reason_while_the_others_are_ingested(empty_engine, tmp_path):
    docs = tmp_path / "docs"
    write(docs / "bon.md", "# Bon\n\nLe château de l'Empéri domine Salon.\n")
    write(docs / "lignes.jsonl", json.dumps({"id": "ligne-ok", "title": "OK", "text": "Une ligne valide."})
          + "\n{pas du json\n")
    (docs / "casse.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    write(docs / "ignore.docx", "not scanned: folders only hold supported types")
    missing = tmp_path / "absent.md"

    report = empty_engine.ingest([docs, missing])

    failures = {e.path: e.reason for e in report.failed}
    assert set(failures) == {str(docs / "casse.pdf"), f"{docs / 'lignes.jsonl'}:2", str(missing)}
    assert "unreadable PDF" in failures[str(docs / "casse.pdf")]
    assert "invalid JSON" in failures[f"{docs / 'lignes.jsonl'}:2"]
    assert failures[str(missing)] == "no such file or directory"
    assert report.files == 3
    assert report.added == 2
    assert set(empty_engine.store.document_hashes()) == {"docs/bon.md", "ligne-ok"}
    assert [h.doc_id for h in empty_engine.search("château de l'Empéri", k=1)] == ["docs/bon.md"]


def test_a_report_with_failures_converts_to_a_dict(empty_engine, tmp_path):
    missing = tmp_path / "absent.md"

    report = empty_engine.ingest([missing])

    assert report.as_dict()["failed"] == [{"path": str(missing), "reason": "no such file or directory"}]


def test_a_damaged_pdf_never_aborts_the_ingest_of_the_other_files(empty_engine, tmp_path):
    from test_readers import GOOD_PDF

    docs = tmp_path / "docs"
    write(docs / "bon.md", "# Bon\n\nUn texte.\n")
    (docs / "abime.pdf").write_bytes(GOOD_PDF.replace(b"/Catalog", b"/CatXlog").replace(b"5 0 obj\n", b"5 0 objX"))

    report = empty_engine.ingest([docs])

    assert [e.path for e in report.failed] == [str(docs / "abime.pdf")]
    assert report.added == 1


def test_a_symbolic_link_loop_named_on_the_command_line_is_reported_and_the_rest_ingested(empty_engine, tmp_path):
    loop = tmp_path / "boucle.md"
    loop.symlink_to(loop)
    good = write(tmp_path / "bon.md", "# Bon\n\nLe marché zorglubien.\n")

    report = empty_engine.ingest([loop, good])

    assert [(e.path, e.reason) for e in report.failed] == [(str(loop), "symbolic link loop")]
    assert found(empty_engine, "zorglubien") == ["bon.md"]


def test_prune_with_a_symbolic_link_loop_among_the_paths_deletes_nothing(engine, tmp_path):
    loop = tmp_path / "boucle"
    loop.symlink_to(loop)
    hashes = engine.store.document_hashes()

    report = engine.ingest([loop], prune=True)

    assert report.deleted == 0
    assert engine.store.document_hashes() == hashes


def test_a_symbolic_link_loop_inside_an_ingested_folder_is_reported_and_the_rest_ingested(empty_engine, tmp_path):
    docs = tmp_path / "docs"
    write(docs / "bon.md", "# Bon\n\nLe marché zorglubien.\n")
    (docs / "boucle.md").symlink_to("boucle.md")
    (docs / "aller.txt").symlink_to("retour.txt")
    (docs / "retour.txt").symlink_to("aller.txt")

    report = empty_engine.ingest([docs])

    assert {(e.path, e.reason) for e in report.failed} == {
        (str(docs / name), "symbolic link loop") for name in ("boucle.md", "aller.txt", "retour.txt")}
    assert found(empty_engine, "zorglubien") == ["docs/bon.md"]


def test_a_symbolic_link_out_of_an_ingested_folder_is_refused_and_its_target_never_searchable(empty_engine, tmp_path):
    private = tmp_path / "prive"
    write(private / "secret.md", "# Secret\n\nLe mot de passe est zorglubium.\n")
    docs = tmp_path / "docs"
    write(docs / "bon.md", "# Bon\n\nLe marché du vendredi.\n")
    (docs / "lien.md").symlink_to(private / "secret.md")
    (docs / "dossier").symlink_to(private)

    report = empty_engine.ingest([docs])

    assert {(e.path, e.reason) for e in report.failed} == {
        (str(docs / name), "symbolic link points outside the ingested folder") for name in ("lien.md", "dossier")}
    assert set(empty_engine.store.document_hashes()) == {"docs/bon.md"}
    assert found(empty_engine, "zorglubium") == []


def test_a_symbolic_link_within_an_ingested_folder_ingests_nothing_twice(empty_engine, tmp_path):
    docs = tmp_path / "docs"
    write(docs / "vrai.md", "# Vrai\n\nLe marché zorglubien.\n")
    write(docs / "sous" / "autre.md", "# Autre\n\nLa fête de la Saint-Jean.\n")
    (docs / "alias.md").symlink_to("vrai.md")
    (docs / "raccourci").symlink_to(docs / "sous")
    (docs / "sous" / "parent").symlink_to("..")

    report = empty_engine.ingest([docs])

    assert report.failed == []
    assert set(empty_engine.store.document_hashes()) == {"docs/vrai.md", "docs/sous/autre.md"}
    assert found(empty_engine, "zorglubien") == ["docs/vrai.md"]


def test_a_file_named_alone_and_within_its_folder_is_read_once(empty_engine, tmp_path):
    docs = tmp_path / "docs"
    good = write(docs / "bon.md", "# Bon\n\nLe marché zorglubien.\n")

    report = empty_engine.ingest([docs, good])

    assert (report.files, report.added, report.failed) == (1, 1, [])
    assert found(empty_engine, "zorglubien") == ["docs/bon.md"]


def test_a_file_gone_between_discovery_and_reading_is_a_source_error_and_the_rest_is_read(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "bon.md", "# Bon\n\nUn texte.\n")
    gone = write(docs / "parti.md", "# Parti\n\nUn autre texte.\n")
    files, _ = discover([docs])
    gone.unlink()

    documents, errors, unreadable = collect(files)

    assert [d.id for d in documents] == ["docs/bon.md"]
    assert [(e.path, e.reason) for e in errors] == [(str(gone), "no such file or directory")]
    assert unreadable == {str(gone)}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_a_source_error_and_the_rest_is_ingested(empty_engine, tmp_path):
    docs = tmp_path / "docs"
    write(docs / "bon.md", "# Bon\n\nUn texte.\n")
    locked = write(docs / "prive.md", "# Privé\n\nUn autre texte.\n")
    locked.chmod(0)

    report = empty_engine.ingest([docs])

    assert [(e.path, e.reason) for e in report.failed] == [(str(locked), "permission denied")]
    assert report.added == 1


def test_a_file_refused_half_way_stores_none_of_its_documents(empty_engine, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CSV_FIELD_LIMIT", 1000)
    source = write(tmp_path / "lieux.csv", 'title,text\nPlage,Baignade zorglubienne.\nLong,"' + "x" * 2000 + '"\n')

    report = empty_engine.ingest([source])

    assert [(e.path, e.reason) for e in report.failed] == [(f"{source}:3", "CSV field longer than 1,000 characters")]
    assert report.added == 0
    assert empty_engine.store.document_hashes() == {}


class FailingEmbedder:
    """The real embedder, made to crash after `batches` successful calls to `passages`."""

    def __init__(self, inner, batches=1):
        self.inner, self.model, self.dim = inner, inner.model, inner.dim
        self.batches, self.calls, self.armed = batches, 0, True

    def passages(self, texts):
        if self.armed and self.calls >= self.batches:
            raise RuntimeError("the model crashed")
        self.calls += 1
        return self.inner.passages(texts)

    def query(self, text):
        return self.inner.query(text)


def test_a_crash_while_embedding_leaves_the_index_usable_and_the_next_ingest_resumes(open_engine, data_dir, tmp_path):
    embedder = FailingEmbedder(default_embedder())
    engine = open_engine(data_dir, embedder=embedder, embed_batch=2)
    version, hashes = engine.store.version(), engine.store.document_hashes()
    before = ranking(engine, "festival de jazz")
    vectors_before = engine.stats()["vectors"]
    source = write_jsonl(tmp_path / "nouveau.jsonl",
                         [{"id": f"n{i}", "title": f"Fiche {i}", "text": f"Fiche numéro {i} sur le jazz à Marseille."}
                          for i in range(5)])

    with pytest.raises(RuntimeError, match="the model crashed"):
        engine.ingest([source])

    assert engine.store.version() == version
    assert engine.store.document_hashes() == hashes
    assert ranking(engine, "festival de jazz") == before
    assert engine.stats()["vectors"] == vectors_before + 2  # the first batch was kept

    embedder.armed = False
    report = engine.ingest([source])

    assert (report.added, report.chunks, report.embedded) == (5, 5, 3)
    assert engine.store.version() > version
    assert {f"n{i}" for i in range(5)} <= set(engine.store.document_hashes())


def test_an_ingest_killed_mid_way_leaves_the_previous_index_intact(open_engine, data_dir, tmp_path):
    engine = open_engine(data_dir)
    version, hashes = engine.store.version(), engine.store.document_hashes()
    before = {q: ranking(engine, q) for q in ("festival de jazz", "gare de Miramas")}
    engine.close()
    vectors_before = stored_vector_count(data_dir)
    communes = ["Aubagne", "Martigues", "Istres", "Vitrolles", "Marignane", "La Ciotat", "Gardanne", "Pertuis"]
    big = write_jsonl(tmp_path / "big.jsonl", [
        {"id": f"fiche-{i}", "title": f"Fiche pratique {i}",
         "text": f"Fiche {i} : à {communes[i % len(communes)]}, la permanence numéro {i * 7} ouvre le "
                 f"{['lundi', 'mardi', 'jeudi'][i % 3]} et reçoit sur rendez-vous au {i} rue de la République."}
        for i in range(400)
    ])
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIGALE_")}

    log = tmp_path / "ingest.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cigale.cli", "ingest", str(big), "--data", str(data_dir)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while stored_vector_count(data_dir) <= vectors_before:
            assert proc.poll() is None, f"the ingest ended before it could be killed:\n{log.read_text()}"
            assert time.monotonic() < deadline, "the ingest never stored a vector"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    partial = stored_vector_count(data_dir)
    assert vectors_before < partial < vectors_before + 400

    reopened = open_engine(data_dir)

    assert reopened.store.version() == version
    assert reopened.store.document_hashes() == hashes
    assert {q: ranking(reopened, q) for q in before} == before


# --- chunks ------------------------------------------------------------------------------------------

LONG_SENTENCE = " ".join(f"mot{i}" for i in range(40)) + "."


def test_every_stored_chunk_is_an_exact_slice_of_its_document(open_engine, data_dir, tmp_path):
    engine = open_engine(data_dir, chunk_words=8, chunk_max_words=16)  # over the corpus, chunked by default
    text = ("  Premier paragraphe : la navette relie le Vieux-Port au Pharo.  Elle est gratuite !\n\n"
            + "\n".join(SENTENCES) + "\n\t" + LONG_SENTENCE + "\nDernière ligne… « Fin » ?  ")
    source = write_jsonl(tmp_path / "long.jsonl", [{"id": "long", "title": "Navette", "text": text}])
    engine.ingest([source])

    stored = list(engine.store.iter_chunks())
    docs = engine.store.get_documents({s.chunk.doc_id for s in stored})
    vectors = engine.store.vectors([s.vector_key for s in stored], engine.embedder.model)

    assert set(docs) == {r["id"] for r in CORPUS} | {"long"}
    for doc_id, doc in docs.items():
        chunks = [s.chunk for s in stored if s.chunk.doc_id == doc_id]
        assert [c.ord for c in chunks] == list(range(len(chunks)))
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            assert c.text and c.text == c.text.strip()
            if doc_id == "long":
                assert len(c.text.split()) <= 16
        # the chunks, in order, hold every word of the document exactly once
        assert [w for c in chunks for w in c.text.split()] == doc.text.split()
    for s in stored:
        assert s.vector_key == hashlib.sha256(f"{s.chunk.title}\n{s.chunk.text}".encode()).hexdigest()
        assert vectors[s.vector_key].shape == (engine.embedder.dim,)
    assert len([s for s in stored if s.chunk.doc_id == "long"]) > 5


def test_chunks_are_geotagged_with_the_places_their_text_names(empty_engine, tmp_path):
    source = write_jsonl(tmp_path / "geo.jsonl", [
        {"id": "sans-lieu", "title": "Navette régionale",
         "text": "Une navette relie Salon-de-Provence à la gare d'Aix-en-Provence TGV."},
        {"id": "declare", "title": "Marché", "text": "Le marché de Trets se tient le vendredi.",
         "places": ["13203", "99999"]},
    ])
    empty_engine.ingest([source])

    chunks = {s.chunk.doc_id: s.chunk for s in empty_engine.store.iter_chunks()}
    docs = empty_engine.store.get_documents(["sans-lieu", "declare"])

    assert docs["sans-lieu"].places == ()
    assert {"13103", "13001"} <= set(chunks["sans-lieu"].places)
    # declared places are normalised (arrondissement → its city, unknown codes dropped) and come first
    assert docs["declare"].places == ("13055",)
    assert chunks["declare"].places[0] == "13055"
    assert "13110" in chunks["declare"].places
    hit = empty_engine.search("navette", k=1)[0]
    assert hit.doc_id == "sans-lieu" and "13103" in hit.places


def test_chunk_geotags_of_the_shared_corpus_include_declared_places(engine):
    chunks = {s.chunk.doc_id: s.chunk for s in engine.store.iter_chunks()}
    assert "13084" in chunks["fest-piano"].places  # from `insee`
    assert "13055" in chunks["fest-jazz-marseille"].places  # 13203, 3rd arrondissement → Marseille
    assert chunks["no-place-note"].places == ()
