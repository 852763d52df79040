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


def test_a_question_is_embedded_once_for_the_search_and_the_answer(built_data, tmp_path, copy_of_built):
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=copy_of_built(tmp_path / "d")))
    model = Counting()
    engine.vectors = CachedEmbedder(model, engine.store)
    engine.ask("Quels sont les horaires de la mairie de Trets ?")
    engine.ask("Quels sont les horaires de la mairie de Trets ?")
    engine.search("Quels sont les horaires de la mairie de Trets ?")
    assert model.queries_seen == ["Quels sont les horaires de la mairie de Trets ?"]
    seen = len(model.passages_seen)
    assert seen  # the first answer compared lines with the question
    engine.ask("Quels sont les horaires de la mairie de Trets ?")
    assert len(model.passages_seen) == seen  # the lines were not embedded again
    engine.close()


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
