"""The index is derived state: saved, reloaded identically, rebuilt when stale or damaged."""

from cigale import Engine, Settings
from cigale import index as index_mod


def reopen(data_dir):
    return Engine.open(settings=Settings.load(environ={}, data_dir=data_dir))


def test_save_then_load_gives_identical_hits(engine, data_dir):
    before = engine.search("festival de jazz en juillet", k=5)
    again = reopen(data_dir)
    assert index_mod.load(data_dir / "index") is not None
    assert again.search("festival de jazz en juillet", k=5) == before


def test_a_stale_index_is_rebuilt_from_the_store(engine, data_dir):
    engine.refresh()
    stale = index_mod.load(data_dir / "index").version
    other = reopen(data_dir)
    from cigale.documents import Document

    other.ingest(documents=[Document("new", "Calanque de Sormiou", "Une calanque accessible à pied.",
                                     places=("13055",))])
    assert engine.store.version() > stale
    assert engine.search("calanque accessible à pied", k=1)[0].doc_id == "new"  # first engine notices


def test_a_damaged_index_is_rebuilt_not_fatal(engine, data_dir):
    engine.refresh()
    folder = data_dir / "index" / (data_dir / "index" / "CURRENT").read_text()
    (folder / "meta.json").write_text("{broken")
    assert reopen(data_dir).search("musée Ziem", k=1)[0].doc_id == "musee-ziem"


def test_only_the_current_index_version_is_kept(engine, data_dir):
    from cigale.documents import Document

    engine.ingest(documents=[Document("x", "X", "Texte.")])
    engine.ingest(documents=[Document("y", "Y", "Autre texte.")])
    assert [p.name for p in (data_dir / "index").iterdir() if p.is_dir()] == [f"v{engine.store.version()}"]
