"""The contract every store backend passes (see cigale/store/__init__.py).

Subclass `StoreContract` in a backend's ``test_*.py`` module and narrow conftest.py's
parametrized `store` fixture (a fresh, empty, writable store) to that backend:
``@pytest.mark.parametrize("store", ["sqlite"], indirect=True)``. Nothing here depends on how
the backend keeps its data.
"""

import dataclasses

import numpy as np
import pytest

from cigale.chunks import chunk_document
from cigale.documents import Document
from cigale.store import Changes

MODEL = "test-model"


def make_doc(doc_id, text=None, **fields) -> Document:
    text = text or (
        f"Premier paragraphe du document {doc_id}, sur le port de Cassis. "
        f"Deuxième phrase du document {doc_id}, sur la gare de Miramas.\n"
        f"Troisième phrase du document {doc_id}, sur le musée Ziem de Martigues."
    )
    fields.setdefault("title", f"Titre {doc_id}")
    return Document(id=doc_id, text=text, **fields)


def make_chunks(doc: Document, places=("13001",)):
    """Several small chunks with real offsets, geotagged with `places`."""
    return [dataclasses.replace(c, places=tuple(places)) for c in chunk_document(doc, target=8, maximum=16)]


def upsert(*docs) -> Changes:
    return Changes(upserts=[(d, make_chunks(d)) for d in docs])


def snapshot(store) -> dict:
    """Everything observable through the contract, to compare before and after."""
    hashes = store.document_hashes()
    docs = store.get_documents(hashes)
    chunks = list(store.iter_chunks())
    return {
        "version": store.version(),
        "hashes": hashes,
        "docs": {i: (d, d.extra) for i, d in docs.items()},
        "chunks": [(s.id, s.chunk, s.vector_key) for s in chunks],
        "by_id": store.get_chunks([s.id for s in chunks]),
    }


class StoreContract:
    """Inherit and choose the backend of the `store` fixture; every test gets a fresh empty store."""

    # --- versions and atomic writes ----------------------------------------------------------------

    def test_a_new_store_is_empty_at_version_zero(self, store):
        assert store.version() == 0
        assert store.document_hashes() == {}
        assert list(store.iter_chunks()) == []
        assert store.stats()["documents"] == 0

    def test_apply_writes_upserts_and_returns_the_new_version(self, store):
        a, b = make_doc("a"), make_doc("b")

        version = store.apply(upsert(a, b))

        assert version == store.version() > 0
        assert set(store.document_hashes()) == {"a", "b"}
        stats = store.stats()
        assert (stats["documents"], stats["chunks"]) == (2, len(make_chunks(a)) + len(make_chunks(b)))
        assert stats["version"] == version

    def test_every_apply_increases_the_version(self, store):
        v1 = store.apply(upsert(make_doc("a")))
        v2 = store.apply(upsert(make_doc("b")))
        v3 = store.apply(Changes(deletes=["a"]))
        assert v1 < v2 < v3 == store.version()

    def test_apply_upserts_and_deletes_in_one_change(self, store):
        store.apply(upsert(make_doc("a"), make_doc("b")))

        store.apply(Changes(upserts=[(make_doc("c"), make_chunks(make_doc("c")))], deletes=["a"]))

        assert set(store.document_hashes()) == {"b", "c"}
        assert {s.chunk.doc_id for s in store.iter_chunks()} == {"b", "c"}

    def test_deleting_a_document_removes_its_chunks(self, store):
        store.apply(upsert(make_doc("a"), make_doc("b")))
        a_chunk_ids = [s.id for s in store.iter_chunks() if s.chunk.doc_id == "a"]

        store.apply(Changes(deletes=["a"]))

        assert store.get_documents(["a"]) == {}
        assert store.get_chunks(a_chunk_ids) == {}
        assert {s.chunk.doc_id for s in store.iter_chunks()} == {"b"}

    def test_deleting_an_unknown_document_is_harmless(self, store):
        store.apply(upsert(make_doc("a")))
        store.apply(Changes(deletes=["never-stored"]))
        assert set(store.document_hashes()) == {"a"}

    def test_upserting_an_existing_document_replaces_it_and_all_its_chunks(self, store):
        store.apply(upsert(make_doc("a")))
        old_ids = [s.id for s in store.iter_chunks()]
        new = make_doc("a", "Un seul texte court, remplacé.", title="Nouveau titre")

        store.apply(Changes(upserts=[(new, make_chunks(new))]))

        assert store.get_documents(["a"])["a"].title == "Nouveau titre"
        chunks = list(store.iter_chunks())
        assert [s.chunk.text for s in chunks] == ["Un seul texte court, remplacé."]
        assert store.document_hashes()["a"][0] == new.content_hash
        assert set(store.get_chunks(old_ids)) <= {s.id for s in chunks}  # no stale chunk survives

    def test_a_failing_apply_leaves_the_store_exactly_as_before(self, store):
        store.apply(upsert(make_doc("a"), make_doc("b")))
        before = snapshot(store)
        c = make_doc("c")
        broken = Changes(
            upserts=[(make_doc("a", "Texte modifié de a."), make_chunks(make_doc("a", "Texte modifié de a."))),
                     (c, [*make_chunks(c), object()])],  # not a chunk: the write fails part-way
            deletes=["b"],
        )

        with pytest.raises(Exception):  # noqa: B017 - any backend error will do; the state is what matters
            store.apply(broken)

        assert snapshot(store) == before

    # --- reading documents and chunks --------------------------------------------------------------

    def test_document_hashes_give_content_hash_and_origin(self, store):
        a = make_doc("a", origin="/data/partner/a.jsonl")
        b = make_doc("b")
        store.apply(upsert(a, b))

        assert store.document_hashes() == {"a": (a.content_hash, "/data/partner/a.jsonl"), "b": (b.content_hash, None)}

    def test_get_documents_round_trips_every_field(self, store):
        doc = Document(
            id="fest-jazz", title="Charlie Jazz Festival", text="Du jazz à Vitrolles, début juillet.",
            url="https://example.org/jazz", source="Ville de Vitrolles", license="CC-BY-4.0", lang="fr",
            places=("13117", "13001"), theme="culture/festival", audience="tous publics", published="2025-03-01",
            modified="2026-06-30T10:00:00+02:00", start="2026-07-03", end="2026-07-05",
            extra={"capacity": 1200, "tags": ["jazz", "blues"], "organiser": {"name": "Charlie Free", "ok": True}},
            origin="/partners/vitrolles.jsonl",
        )
        minimal = Document(id="min", title="Minimal", text="Rien d'autre.")
        store.apply(upsert(doc, minimal))

        got = store.get_documents(["fest-jazz", "min", "absent", "fest-jazz"])

        assert set(got) == {"fest-jazz", "min"}
        assert got["fest-jazz"] == doc
        assert got["fest-jazz"].extra == doc.extra  # not part of Document equality
        assert got["fest-jazz"].places == ("13117", "13001")
        assert got["fest-jazz"].content_hash == doc.content_hash
        assert got["min"] == minimal and got["min"].extra == {}

    def test_get_documents_without_text_gives_every_other_field(self, store):
        doc = Document(id="d", title="Marché de Cassis", text="Tous les mercredis sur le port.", lang="fr",
                       places=("13022",), start="2026-07-01", modified="2026-06-01", extra={"kind": "event"})
        store.apply(upsert(doc))

        [got] = store.get_documents(["d"], text=False).values()

        assert got.text == "" and dataclasses.replace(got, text=doc.text) == doc

    def test_sync_state_is_kept_per_source_and_replaced_whole(self, store):
        from cigale.store import PageState

        page = PageState("https://a.example/p", docs=("a:p",), etag='"1"',
                         last_modified="Tue, 01 Dec 2026 10:00:00 GMT", lastmod="2026-12-01", body_hash="ab",
                         links=("https://a.example/q",))
        sitemap = PageState("https://a.example/sitemap.xml", links=((("https://a.example/p", "2026-12-01"),), ()))
        store.put_sync_state("a", {page.url: page, sitemap.url: sitemap})
        store.put_sync_state("b", {page.url: PageState(page.url)})

        assert store.sync_state("a") == {page.url: page, sitemap.url: sitemap}
        store.put_sync_state("a", {page.url: page})
        assert store.sync_state("a") == {page.url: page}
        assert store.sync_state("b") == {page.url: PageState(page.url)} and store.sync_state("c") == {}

    def test_get_chunks_round_trips_chunks_with_their_offsets(self, store):
        doc = make_doc("a", lang="fr")
        chunks = make_chunks(doc, places=("13022", "13063"))
        assert len(chunks) > 1
        store.apply(Changes(upserts=[(doc, chunks)]))
        ids = [s.id for s in store.iter_chunks()]

        got = store.get_chunks(ids)

        assert [got[i].chunk for i in ids] == chunks
        for i in ids:
            c = got[i].chunk
            assert doc.text[c.start : c.end] == c.text
            assert got[i].id == i
            assert got[i].vector_key == c.content_hash
            assert c.places == ("13022", "13063") and c.lang == "fr" and c.title == doc.title
        assert store.get_chunks([]) == {}
        assert store.get_chunks([max(ids) + 1000]) == {}

    def test_iter_chunks_groups_chunks_by_document_in_a_stable_order(self, store):
        docs = [make_doc(i) for i in ("m", "b", "x", "a")]
        store.apply(upsert(*docs[:2]))
        store.apply(upsert(*docs[2:]))

        first = [(s.id, s.chunk.doc_id, s.chunk.ord) for s in store.iter_chunks()]
        second = [(s.id, s.chunk.doc_id, s.chunk.ord) for s in store.iter_chunks()]

        assert first == second
        order = [doc_id for _, doc_id, _ in first]
        grouped = list(dict.fromkeys(order))
        assert sorted(grouped) == ["a", "b", "m", "x"]
        # each document's chunks are contiguous and in reading order
        for doc_id in grouped:
            positions = [i for i, d in enumerate(order) if d == doc_id]
            assert positions == list(range(positions[0], positions[-1] + 1))
            assert [o for _, d, o in first if d == doc_id] == list(range(len(positions)))
        # and they reassemble the document text
        texts = {d.id: d.text for d in docs}
        for s in store.iter_chunks():
            assert texts[s.chunk.doc_id][s.chunk.start : s.chunk.end] == s.chunk.text

    # --- the embedding cache -----------------------------------------------------------------------

    def test_vectors_round_trip_as_float32(self, store):
        rng = np.random.default_rng(0)
        v1 = rng.standard_normal(384).astype(np.float32)
        v2 = rng.standard_normal(384)  # float64 in: stored as float32

        store.put_vectors({"k1": v1, "k2": v2}, MODEL)
        got = store.vectors(["k1", "k2", "missing"], MODEL)

        assert set(got) == {"k1", "k2"}
        assert got["k1"].dtype == np.float32 and got["k2"].dtype == np.float32
        assert np.array_equal(got["k1"], v1)
        assert np.array_equal(got["k2"], v2.astype(np.float32))

    def test_vectors_are_keyed_by_key_and_model(self, store):
        store.put_vectors({"k": np.ones(4, np.float32)}, "model-a")
        store.put_vectors({"k": np.full(4, 2, np.float32)}, "model-b")

        assert np.array_equal(store.vectors(["k"], "model-a")["k"], np.ones(4, np.float32))
        assert np.array_equal(store.vectors(["k"], "model-b")["k"], np.full(4, 2, np.float32))
        assert store.vectors(["k"], "model-c") == {}

    def test_put_vectors_overwrites_the_same_key(self, store):
        store.put_vectors({"k": np.zeros(3, np.float32)}, MODEL)
        store.put_vectors({"k": np.array([1.5, -2.0, 3.25], np.float32)}, MODEL)
        assert store.vectors(["k"], MODEL)["k"].tolist() == [1.5, -2.0, 3.25]

    def test_vectors_for_many_keys(self, store):
        vectors = {f"key-{i}": np.full(2, i, np.float32) for i in range(1200)}
        store.put_vectors(vectors, MODEL)

        got = store.vectors(list(vectors), MODEL)

        assert len(got) == 1200
        assert all(np.array_equal(got[k], v) for k, v in vectors.items())

    def test_vectors_do_not_change_the_document_version(self, store):
        store.apply(upsert(make_doc("a")))
        version = store.version()
        store.put_vectors({"k": np.ones(2, np.float32)}, MODEL)
        assert store.version() == version

    def test_chunk_text_matches_offsets_beyond_the_basic_plane(self, store):
        """Offsets are code points: emoji, CJK and combining accents must not shift them."""
        doc = make_doc("unicode", text="Fête 🎉 à Aix. 東京の友人も来ます。\nCafe\u0301 du port 🚤 ouvert. " * 5)
        store.apply(upsert(doc))
        stored = list(store.iter_chunks())
        assert stored
        for s in stored:
            assert doc.text[s.chunk.start:s.chunk.end] == s.chunk.text
        assert store.get_chunks([s.id for s in stored]) == {s.id: s for s in stored}

    def test_feedback_is_kept_newest_first(self, store):
        from cigale.store import Feedback

        store.add_feedback(Feedback("festivals de jazz", True, None, "fr", ("a", "b")))
        store.add_feedback(Feedback("musées", False, "Il manque Arles <script>", "fr"))
        latest, first = store.feedback()
        assert (latest.question, latest.useful, latest.comment) == ("musées", False, "Il manque Arles <script>")
        assert first.cited == ("a", "b") and first.useful and first.created
        assert store.feedback(limit=1) == [latest]
