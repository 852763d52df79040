"""The search index: BM25 over chunk terms and a dense matrix of chunk embeddings.

It is derived state. The store is the truth; the index is rebuilt from it whenever the
store's version moved on, written to ``index/v<version>/`` and switched to by an atomic
rename of the ``CURRENT`` pointer, so a reader never sees half an index.
"""

import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np

from cigale.analysis import analyze, base_lang
from cigale.errors import StoreError

log = logging.getLogger(__name__)
BM25_PARAMS = {"k1": 1.2, "b": 0.75, "method": "lucene"}  # Lucene's defaults (Robertson & Zaragoza 2009)


@dataclass
class DocInfo:
    id: str
    places: frozenset[str]  # declared places (the document's own metadata)
    mentions: frozenset[str]  # places named in its chunks
    lang: str | None
    theme: str | None
    start: str | None
    end: str | None
    published: str | None


@dataclass
class Index:
    version: int
    chunk_ids: np.ndarray  # (n,) store ids of the chunks, grouped by document
    chunk_doc: np.ndarray  # (n,) position of each chunk's document in `docs`
    doc_offsets: np.ndarray  # (d,) first chunk of each document, for np.maximum.reduceat
    docs: list[DocInfo]
    dense: np.ndarray  # (n, dim) float32, L2-normalised
    bm25: bm25s.BM25 | None
    langs: tuple[str, ...]  # analysis languages present, used to analyze questions
    _doc_langs: np.ndarray | None = field(default=None, init=False, repr=False)
    _positions: dict | None = field(default=None, init=False, repr=False)

    def places(self, position: int, territory) -> tuple[str, ...]:
        """What the document at `position` is about: its declared places, else those its text names."""
        d = self.docs[position]
        return tuple(d.places) or tuple(territory.normalize(sorted(d.mentions)))

    def position(self, doc_id: str) -> int | None:
        if self._positions is None:
            self._positions = {d.id: i for i, d in enumerate(self.docs)}
        return self._positions.get(doc_id)

    @property
    def doc_langs(self) -> np.ndarray:
        """Each document's primary language ('fr+en' → 'fr'), for language preference."""
        if self._doc_langs is None:
            self._doc_langs = np.array([base_lang(d.lang) if d.lang else "" for d in self.docs])
        return self._doc_langs

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    def bm25_scores(self, terms: list[str]) -> np.ndarray:
        if self.bm25 is None:
            return np.zeros(self.size, dtype=np.float32)
        vocab = self.bm25.vocab_dict
        ids = [vocab[t] for t in terms if t in vocab]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return self.bm25.get_scores(ids)


def build(store, version: int, model: str) -> Index:
    ids, doc_pos, offsets, docs, keys, corpus, langs = [], [], [], [], [], [], set()
    documents = {}
    current = None
    stored = list(store.iter_chunks())
    documents = store.get_documents({s.chunk.doc_id for s in stored})
    mentions: dict[str, set] = {}
    for s in stored:
        mentions.setdefault(s.chunk.doc_id, set()).update(s.chunk.places)
    for s in stored:
        c = s.chunk
        if c.doc_id != current:
            current = c.doc_id
            d = documents[c.doc_id]
            offsets.append(len(ids))
            docs.append(
                DocInfo(
                    d.id, frozenset(d.places), frozenset(mentions[d.id]), d.lang, d.theme, d.start, d.end, d.published
                )
            )
        ids.append(s.id)
        doc_pos.append(len(docs) - 1)
        keys.append(s.vector_key)
        lang = base_lang(c.lang)
        langs.add(lang)
        corpus.append(analyze(c.indexed_text, lang))
    vectors = store.vectors(keys, model)
    missing = [k for k in keys if k not in vectors]
    if missing:
        raise StoreError(f"{len(missing)} chunks have no embedding for {model}: re-run `cigale ingest`.")
    dense = np.stack([vectors[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, 384), np.float32)
    bm25 = None
    if corpus and any(corpus):
        bm25 = bm25s.BM25(**BM25_PARAMS)
        bm25.index(corpus, show_progress=False)
    return Index(
        version,
        np.array(ids, dtype=np.int64),
        np.array(doc_pos, dtype=np.int32),
        np.array(offsets, dtype=np.int64),
        docs,
        dense,
        bm25,
        tuple(sorted(langs)),
    )


def save(index: Index, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    name = f"v{index.version}"
    tmp = root / f".{name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    np.save(tmp / "chunk_ids.npy", index.chunk_ids)
    np.save(tmp / "chunk_doc.npy", index.chunk_doc)
    np.save(tmp / "doc_offsets.npy", index.doc_offsets)
    np.save(tmp / "dense.npy", index.dense)
    meta = {
        "version": index.version,
        "langs": index.langs,
        "docs": [{**d.__dict__, "places": sorted(d.places), "mentions": sorted(d.mentions)} for d in index.docs],
    }
    (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    if index.bm25 is not None:
        index.bm25.save(str(tmp / "bm25"), show_progress=False)
    final = root / name
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    pointer = root / f".CURRENT.tmp-{os.getpid()}"
    pointer.write_text(name, encoding="utf-8")
    os.replace(pointer, root / "CURRENT")
    for old in root.glob("v*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)


def load(root: Path) -> Index | None:
    """The saved index, or None when there is none or it cannot be read (it will be rebuilt)."""
    try:
        folder = root / (root / "CURRENT").read_text(encoding="utf-8").strip()
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        docs = [
            DocInfo(**{**d, "places": frozenset(d["places"]), "mentions": frozenset(d["mentions"])})
            for d in meta["docs"]
        ]
        bm25 = None
        if (folder / "bm25").exists():
            bm25 = bm25s.BM25.load(str(folder / "bm25"), load_vocab=True, show_progress=False)
        return Index(
            meta["version"],
            np.load(folder / "chunk_ids.npy"),
            np.load(folder / "chunk_doc.npy"),
            np.load(folder / "doc_offsets.npy"),
            docs,
            np.load(folder / "dense.npy"),
            bm25,
            tuple(meta["langs"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if (root / "CURRENT").exists():
            log.warning("index in %s unreadable (%s); it will be rebuilt", root, exc)
        return None
