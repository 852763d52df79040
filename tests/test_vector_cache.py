"""What answers embed is embedded once: the question in a small memory, the candidate lines in
memory and in the store's vector cache, which every worker shares (cigale/embed.py)."""

import numpy as np
import pytest

from cigale import Engine, Settings
from cigale.embed import LRU, CachedEmbedder, default_embedder, text_key
from cigale.store import open_store

LINES = ["Mairie de Trets — Horaires : du lundi au vendredi, 8 h 30 - 12 h.",
         "Plage du Prophète — Surveillée en juillet et en août."]


class Counting:
    """The real model, counting the texts it is given."""

    def __init__(self):
        self.inner = default_embedder()
        self.model, self.dim = self.inner.model, self.inner.dim
        self.passages_seen, self.queries_seen = [], []

    def passages(self, texts):
        self.passages_seen.extend(texts)
        return self.inner.passages(texts)

    def query(self, text):
        self.queries_seen.append(text)
        return self.inner.query(text)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path)
    yield s
    s.close()


def test_a_passage_is_embedded_once_and_its_vector_is_the_models(store):
    model = Counting()
    cached = CachedEmbedder(model, store)
    first = cached.passages(LINES)
    again = cached.passages(list(reversed(LINES)) + [LINES[0]])
    assert model.passages_seen == LINES  # the second call cost nothing
    np.testing.assert_allclose(first, default_embedder().passages(LINES), atol=1e-6)
    np.testing.assert_array_equal(again, first[[1, 0, 0]])


def test_the_store_shares_vectors_between_workers_and_restarts(store):
    line = "Une ligne que personne n'a encore lue."
    first = CachedEmbedder(Counting(), store)
    first.passages([line])
    first.flush()  # written behind the answer, by the cache's own thread
    assert set(store.vectors([text_key(line)], first.model)) == {text_key(line)}
    other = Counting()
    CachedEmbedder(other, store).passages([line])  # another worker, or the same after a restart
    assert other.passages_seen == []


def test_a_read_only_store_is_read_never_written(tmp_path):
    open_store(tmp_path).close()
    read_only = open_store(tmp_path, read_only=True)
    cached = CachedEmbedder(Counting(), read_only)
    cached.passages(LINES)
    cached.flush()
    assert read_only.vectors([text_key(t) for t in LINES], cached.model) == {}
    read_only.close()


def test_a_question_is_embedded_once_for_the_search_and_the_answer(tmp_path, copy_of_built):
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=copy_of_built(tmp_path / "d")))
    model = Counting()
    engine.vectors = CachedEmbedder(model, engine.store)
    engine.ask("Quels sont les horaires de la mairie de Trets ?")
    engine.ask("Quels sont les horaires de la mairie de Trets ?")
    engine.search("Quels sont les horaires de la mairie de Trets ?")
    assert model.queries_seen == ["Quels sont les horaires de la mairie de Trets ?"]
    engine.close()


QUESTIONS = ["Quels sont les horaires de la mairie de Trets ?", "Où se baigner à Cassis ?", "festivals de jazz",
             "Which museums are in Martigues?", "Quel est le numéro de téléphone de la mairie de Trets ?"]


def asked(data, **settings) -> tuple[Counting, list]:
    """The questions asked of a fresh engine on `data`: what its model embedded, and the answers."""
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=data, **settings))
    model = Counting()
    engine.vectors = CachedEmbedder(model, engine.store)
    answers = [(a.answer, [c.doc_id for c in a.citations]) for a in map(engine.ask, QUESTIONS)]
    engine.vectors.flush()
    engine.close()
    return model, answers


def test_the_lines_answers_quote_are_embedded_at_ingest_so_a_new_question_costs_only_itself(tmp_path, corpus_file):
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path / "d"))
    report = engine.ingest([corpus_file])
    engine.close()
    assert report.lines > report.chunks > 0
    model, _ = asked(tmp_path / "d")
    assert model.passages_seen == []
    assert model.queries_seen == QUESTIONS


def test_with_embed_lines_off_an_answer_embeds_its_lines_and_the_answers_are_the_same(tmp_path, corpus_file):
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path / "off", embed_lines=False))
    report = engine.ingest([corpus_file])
    engine.close()
    assert report.lines == 0
    late, late_answers = asked(tmp_path / "off", embed_lines=False)
    assert late.passages_seen  # lines embedded as answers met them
    early = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path / "on"))
    early.ingest([corpus_file])
    early.close()
    assert asked(tmp_path / "on")[1] == late_answers  # the same vectors, embedded earlier


def test_embed_lines_catches_up_with_documents_ingested_before_and_then_has_nothing_to_do(tmp_path, corpus_file):
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path / "d", embed_lines=False))
    engine.ingest([corpus_file])
    engine.close()
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path / "d"))
    seen = []
    assert engine.embed_lines(lambda done, total: seen.append((done, total))) > 0
    assert seen and seen[-1][0] == seen[-1][1]  # the progress counts up to its total
    assert engine.embed_lines() == 0
    engine.close()
    model, _ = asked(tmp_path / "d")
    assert model.passages_seen == []


def test_the_memory_is_bounded_and_forgets_the_least_recent_first():
    lru = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "b" is now the least recent
    lru.put("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c"), len(lru)) == (1, None, 3, 2)
    nothing = LRU(0)
    nothing.put("a", 1)
    assert nothing.get("a") is None


def test_with_postgresql_a_question_one_worker_embedded_costs_the_others_nothing(pg_url):
    from cigale.store.postgres import PostgresStore

    question = "Quels sont les horaires de la mairie de Trets ?"
    first, second = PostgresStore(pg_url), PostgresStore(pg_url)  # two workers, two pools
    try:
        one, other = Counting(), Counting()
        writer = CachedEmbedder(one, first)
        vector = writer.query(question)
        writer.flush()  # written behind the answer, by the cache's own thread
        np.testing.assert_array_equal(CachedEmbedder(other, second).query(question), vector)
        assert (one.queries_seen, other.queries_seen) == ([question], [])
    finally:
        first.close()
        second.close()


def test_with_sqlite_question_vectors_stay_in_each_worker(store):
    one, other = Counting(), Counting()
    first = CachedEmbedder(one, store)
    first.query("Où se baigner ?")
    first.flush()
    CachedEmbedder(other, store).query("Où se baigner ?")
    assert other.queries_seen == ["Où se baigner ?"]  # the embedded store keeps no question vectors
