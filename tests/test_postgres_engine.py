"""The engine on PostgreSQL: the same answers as on the embedded store, a copy from one to the
other that embeds nothing, and workers that follow the corpus another process changes."""

import time
from pathlib import Path

import pytest

from cigale import Engine, Settings, cli
from cigale.documents import Document
from cigale.embed import default_embedder
from cigale.store.migrate import migrate

QUESTIONS = ["festivals de jazz", "Quels sont les horaires de la mairie de Trets ?", "where to swim near Cassis?",
             "musées à Martigues", "gare de Miramas"]


class Counting:
    """The real model, counting the passages it embeds."""

    def __init__(self):
        self.inner = default_embedder()
        self.model, self.dim, self.embedded = self.inner.model, self.inner.dim, 0

    def passages(self, texts):
        self.embedded += len(texts)
        return self.inner.passages(texts)

    def query(self, text):
        return self.inner.query(text)


def on_postgres(url, tmp_path, embedder=None) -> Engine:
    settings = Settings.load(environ={}, data_dir=tmp_path / "local", database_url=url)
    return Engine.open(settings=settings, embedder=embedder, upgrade=True)


def results(engine) -> list:
    return [[(h.doc_id, round(h.score, 4)) for h in engine.search(q, k=10)] for q in QUESTIONS]


def answers(engine) -> list:
    return [(a.answer, a.abstained, [c.doc_id for c in a.citations]) for a in map(engine.ask, QUESTIONS)]


@pytest.fixture
def migrated(engine, pg_url, tmp_path):
    """The test corpus's engine copied into a new PostgreSQL database; (SQLite engine, PostgreSQL engine,
    what the copy embedded)."""
    expected = answers(engine)  # its store now holds the vectors of the lines these answers compared
    engine.vectors.flush()
    model = Counting()
    target = on_postgres(pg_url, tmp_path, model)
    migrate(engine.store, target.store)
    yield engine, target, model, expected
    target.close()


def test_a_copy_into_postgresql_embeds_nothing_and_answers_alike(migrated):
    embedded, pg, model, expected = migrated
    assert pg.store.document_hashes() == embedded.store.document_hashes()
    assert results(pg) == results(embedded)
    assert answers(pg) == expected
    assert model.embedded == 0  # chunk vectors and answer lines' vectors came with the copy


def test_a_postgresql_worker_holds_no_chunk_vectors(migrated):
    """pgvector finds the nearest chunks: the worker's index is terms and facts only."""
    embedded, pg, _, _ = migrated
    assert len(embedded.refresh().dense) == embedded.refresh().size > 0
    assert len(pg.refresh().dense) == 0
    reopened = on_postgres(pg.settings.database_url.reveal(), Path(pg.settings.data_dir).parent)
    try:
        assert len(reopened.refresh().dense) == 0  # the index saved for it is the same
        assert results(reopened) == results(embedded)
    finally:
        reopened.close()


def test_the_copy_back_gives_the_same_engine_and_running_it_again_copies_nothing(migrated, tmp_path):
    embedded, pg, _, _ = migrated
    again = migrate(embedded.store, pg.store)
    assert (again.documents, again.unchanged) == (0, len(embedded.store.document_hashes()))
    back_dir = tmp_path / "back"
    url = pg.settings.database_url.reveal()
    assert cli.main(["migrate", "--from", url, "--to", str(back_dir)]) == 0
    back = Engine.open(settings=Settings.load(environ={}, data_dir=back_dir), embedder=Counting())
    assert results(back) == results(embedded)
    assert back.embedder.embedded == 0
    back.close()


def test_ingesting_into_postgresql_gives_the_embedded_stores_results(engine, pg_url, tmp_path, corpus_file):
    pg = on_postgres(pg_url, tmp_path)
    pg.ingest([corpus_file])
    assert results(pg) == results(engine)
    pg.close()


def test_a_serving_worker_follows_what_another_machine_ingests(pg_url, tmp_path, corpus_file):
    writer = on_postgres(pg_url, tmp_path / "writer")
    writer.ingest([corpus_file])
    worker = on_postgres(pg_url, tmp_path / "worker")
    assert worker.search("festivals de jazz")  # serving: its index is built
    news = Document(id="new-1", title="Fête du calisson à Aix-en-Provence",
                    text="La fête du calisson a lieu chaque septembre à Aix-en-Provence, avec un concours de "
                         "calissonniers.", places=("13001",))
    writer.ingest(documents=[news])
    deadline = time.monotonic() + 60
    while True:  # the previous index serves while the new one is built behind
        hits = worker.search("fête du calisson")
        if hits and hits[0].doc_id == "new-1":
            break
        assert time.monotonic() < deadline, "the worker never saw the new document"
        time.sleep(0.1)
    writer.close()
    worker.close()
