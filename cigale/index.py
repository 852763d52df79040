"""The search index: BM25 over chunk terms and a dense matrix of chunk embeddings.

It is derived state. The store is the truth; the index is rebuilt from it whenever the
store's version moved on, written to ``index/v<version>/`` and switched to by an atomic
rename of the ``CURRENT`` pointer, so a reader never sees half an index. Files are synced
before the rename, so not even a power loss can leave ``CURRENT`` naming empty files; an
index that is damaged anyway, or cannot be written, costs a rebuild, never an answer.
"""

import bisect
import contextlib
import functools
import json
import logging
import os
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np

from cigale import freshness
from cigale.analysis import base_lang, index_terms
from cigale.answers.lexicon import kinds_named
from cigale.chunks import sentences
from cigale.errors import StoreError

log = logging.getLogger(__name__)
BM25_PARAMS = {"k1": 1.2, "b": 0.75, "method": "lucene"}  # Lucene's defaults (Robertson & Zaragoza 2009)
ARRAYS = ("chunk_ids", "chunk_doc", "doc_offsets", "dense")  # the Index fields saved as .npy files
_FOLDER = re.compile(r"v(\d+)")
_TEMPORARY = re.compile(r"\.(?:v\d+|CURRENT)\.tmp-(\d+)")  # what `save` writes before its renames
# A save only writes what is already built in memory: seconds. A temporary older than this
# belongs to a dead process even if its PID was reused since.
STALE_SECONDS = 600


@dataclass
class DocInfo:
    id: str
    # Declared places (the document's own metadata), in its order: the first is where it is (a
    # station on two communes' land names its own first), and a set's order changed with each process.
    places: tuple[str, ...]
    mentions: frozenset[str]  # places named in its chunks
    lang: str | None
    theme: str | None
    start: str | None
    end: str | None
    published: str | None
    modified: str | None = None
    kind: str | None = None  # freshness.kind_of: what staleness is judged by, without reading the store
    # Places its text is clearly about, for a document that declares none (a crawled page, a feed
    # item, a partner's article): named in its title or lead, or again and again (`about`).
    about: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()  # the kinds of thing it is, by its title and first line (lexicon.KINDS)


ABOUT_MENTIONS = 3  # named this often, a place is what the text is about
LEAD_MENTIONS = 2  # named in the first sentence and again later, too
OPENING_WORDS = 3  # a place within the first words of the first sentence is its subject ("À Martigues, les…")


class About:
    """The places a document that declares none is clearly about, read from its chunks in
    order: those its title names, those named ABOUT_MENTIONS times or more, the commune its first
    sentence opens with (a page names its subject first: "À Martigues, les flamants roses…",
    "Aubagne est une commune…"), and the others that sentence names if they come back later. A
    page about Aubagne "à l'est de Marseille" that never names Marseille again is about Aubagne
    only."""

    def __init__(self, gazetteer):
        self.gazetteer, self.active = gazetteer, False
        self.counts, self.title, self.lead, self.opening = Counter(), set(), [], []

    def start(self, doc) -> None:
        self.counts, self.title, self.lead, self.opening = Counter(), set(), [], []
        self.active = self.gazetteer is not None and not doc.places
        if self.active and doc.title:
            self.title.update(self.gazetteer.tag(doc.title))

    def read(self, chunk) -> None:
        if not self.active:
            return
        if chunk.ord == 0 and (first := sentences(chunk.text)[:1]):
            sentence = chunk.text[slice(*first[0])]
            found = self.gazetteer.find(sentence) + self.gazetteer.arrondissements(sentence)
            found.sort(key=lambda m: m.start)
            self.lead = [m.code for m in found if not m.weak]
            self.opening = [m.code for m in found if len(sentence[:m.start].split()) <= OPENING_WORDS]
        found = self.gazetteer.find(chunk.text) + self.gazetteer.arrondissements(chunk.text)
        self.counts.update(m.code for m in found if not m.weak)

    def places(self) -> frozenset[str]:
        if not self.active:
            return frozenset()
        # The subject is a commune or a sub-territory: a landmark ("l'étang de Berre") spans several.
        subject = self.gazetteer.territory.normalize(self.opening)[:1]
        lead = set(subject) | {code for code in self.lead if self.counts[code] >= LEAD_MENTIONS}
        return frozenset(self.title | lead | {code for code, n in self.counts.items() if n >= ABOUT_MENTIONS})


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
    _kinds: dict = field(default_factory=dict, init=False, repr=False)
    _same_lang: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self):
        # The documents' facts as postings and arrays, derived here (never saved, so a saved index
        # stays readable): search's place bonus, filters and time windows are then numpy indexing,
        # where a loop over 80,000 documents cost 20 ms a question (bench/scale.py).
        about, mentions, located, kinds = {}, {}, {}, {}
        for i, d in enumerate(self.docs):
            for code in (*d.places, *d.about):
                about.setdefault(code, []).append(i)
            for code in d.mentions:
                mentions.setdefault(code, []).append(i)
            for code in d.places or d.mentions:  # what a place filter matches
                located.setdefault(code, []).append(i)
            for kind in d.kinds:
                kinds.setdefault(kind, []).append(i)
        self._about, self._mentions, self._located, self._kinds_at = (
            {k: np.array(v, dtype=np.int32) for k, v in postings.items()}
            for postings in (about, mentions, located, kinds))
        self._themes = _Column([d.theme for d in self.docs])
        self._raw_langs = _Column([d.lang for d in self.docs])
        # Per document, an event's [start, end] (what `in_period` checks) and [start, end] counting
        # `published` (news, for date filters): four columns of one vocabulary, `_dates.codes[:, j]`.
        self._dates = _Column([day[:10] for d in self.docs for day in _days(d)])
        self._dates.codes = self._dates.codes.reshape(-1, 4)

    def places(self, position: int, territory) -> tuple[str, ...]:
        """What the document at `position` is about: its declared places, else those its text names."""
        d = self.docs[position]
        return tuple(d.places) or territory.normalize(sorted(d.about)) or territory.normalize(sorted(d.mentions))

    def position(self, doc_id: str) -> int | None:
        if self._positions is None:
            self._positions = {d.id: i for i, d in enumerate(self.docs)}
        return self._positions.get(doc_id)

    @functools.cached_property
    def lang_counts(self) -> dict[str, int]:
        """Documents per primary language (for query translation: search.translated_into)."""
        langs, counts = np.unique(self.doc_langs, return_counts=True)
        return {str(lang): int(n) for lang, n in zip(langs, counts) if lang}

    def of_kind(self, kind: str) -> np.ndarray:
        """Which documents are of `kind` (lexicon.KINDS id), computed once per kind."""
        if kind not in self._kinds:
            self._kinds[kind] = self._mask(self._kinds_at.get(kind, ()))
        return self._kinds[kind]

    def about(self, codes) -> np.ndarray:
        """Positions of the documents that declare one of the places `codes` or are clearly about
        one (DocInfo.about), in no order, maybe repeated."""
        return _union(self._about, codes)

    def mentioning(self, codes) -> np.ndarray:
        """Positions of the documents whose text names one of the places `codes`."""
        return _union(self._mentions, codes)

    def located(self, codes) -> np.ndarray:
        """Which documents a place filter on `codes` keeps: by their declared places, else by
        those their text names."""
        return self._mask(_union(self._located, codes))

    def of_theme(self, prefixes) -> np.ndarray:
        """Which documents have a theme starting with one of `prefixes` ("culture" keeps "culture/festival")."""
        return self._themes.having(lambda theme: bool(theme) and any(theme.startswith(t) for t in prefixes))

    def in_langs(self, langs) -> np.ndarray:
        """Which documents are written in one of `langs` ("fr+en" is in both)."""
        return self._raw_langs.having(lambda lang: bool(lang) and any(x in lang.split("+") for x in langs))

    def in_period(self, date_from: str, date_to: str) -> np.ndarray:
        """Which documents are undated (no `start`) or events whose [start, end] meets [date_from,
        date_to] (ISO dates, compared as strings on their first 10 characters)."""
        dates = self._dates
        start, end = dates.codes[:, 0], dates.codes[:, 1]
        return dates.equal(start, "") | (dates.at_most(start, date_to) & dates.at_least(end, date_from))

    def dated_within(self, date_from: str | None, date_to: str | None) -> np.ndarray:
        """Which documents carry a date (start, else published) and meet the range; None: unbounded."""
        dates = self._dates
        start, end = dates.codes[:, 2], dates.codes[:, 3]
        keep = ~dates.equal(start, "")
        if date_to:
            keep &= dates.at_most(start, date_to)
        if date_from:
            keep &= dates.at_least(end, date_from)
        return keep

    def same_lang(self, lang: str) -> np.ndarray:
        """Which documents' primary language is `lang`, computed once per language."""
        if lang not in self._same_lang:
            self._same_lang[lang] = self.doc_langs == lang
        return self._same_lang[lang]

    def share_in(self, langs) -> float:
        """The share of the documents whose primary language is one of `langs`."""
        if not self.docs:
            return 0.0
        return sum(self._lang_totals.get(lang, 0) for lang in set(langs)) / len(self.docs)

    @functools.cached_property
    def _lang_totals(self) -> Counter:
        return Counter(str(lang) for lang in self.doc_langs)

    def rows(self, chunk_ids) -> np.ndarray:
        """Rows of the chunks of store ids `chunk_ids`; -1 for a chunk the index does not hold (one
        added to the store since it was built)."""
        ids = np.asarray(chunk_ids, dtype=np.int64)
        if not self.size:
            return np.full(len(ids), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.chunk_ids, ids, sorter=self._id_order), self.size - 1)
        rows = self._id_order[at]
        return np.where(self.chunk_ids[rows] == ids, rows, -1)

    @functools.cached_property
    def _id_order(self) -> np.ndarray:
        return np.argsort(self.chunk_ids, kind="stable")

    def _mask(self, positions) -> np.ndarray:
        mask = np.zeros(len(self.docs), dtype=bool)
        mask[np.asarray(positions, dtype=np.int64)] = True
        return mask

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


class _Shared(dict):
    """One object for equal values: 80,000 documents name few distinct places, languages, themes
    and dates, and each copy of a set costs 200 bytes (60 MB of 460 saved at 100,000 chunks)."""

    def __call__(self, value):
        return self.setdefault(value, value)


_SETS = ("mentions", "about", "kinds")  # DocInfo's frozensets, lists in meta.json


class _Column:
    """A column of strings as codes into its sorted distinct values: a test on the values is
    evaluated once per distinct value, and a comparison with a string is a comparison of codes,
    exactly Python's string order."""

    def __init__(self, values):
        self.values = sorted(set(values), key=lambda v: (v is not None, v or ""))  # None first
        code = {v: i for i, v in enumerate(self.values)}
        self.codes = np.array([code[v] for v in values], dtype=np.int32)

    def having(self, test) -> np.ndarray:
        return np.isin(self.codes, [i for i, v in enumerate(self.values) if test(v)])

    def equal(self, codes: np.ndarray, value: str) -> np.ndarray:
        i = bisect.bisect_left(self.values, value)
        return codes == (i if i < len(self.values) and self.values[i] == value else -1)

    def at_most(self, codes: np.ndarray, value: str) -> np.ndarray:
        return codes < bisect.bisect_right(self.values, value)

    def at_least(self, codes: np.ndarray, value: str) -> np.ndarray:
        return codes >= bisect.bisect_left(self.values, value)


def _days(d: DocInfo) -> tuple[str, str, str, str]:
    start, end = d.start or "", d.end or d.start or ""
    return start, end, start or d.published or "", end or d.published or ""


def _union(postings: dict, codes) -> np.ndarray:
    found = [postings[c] for c in codes if c in postings]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int32)


def build(store, version: int, model: str, gazetteer=None, vectors: bool = True) -> Index:
    """The index of everything in the store, read in one pass over the chunks: what it holds
    at once is the index itself (terms, vectors, document facts), never the texts. `vectors=False`:
    without the chunks' vectors, for a store that finds the nearest chunks itself (PostgreSQL's
    pgvector): 1.5 KB a chunk neither read nor held."""
    ids, doc_pos, offsets, docs, keys, corpus, langs = [], [], [], [], [], [], set()
    one = _Shared()
    documents = store.get_documents(store.document_hashes(), text=False)
    mentions: set = set()
    reading = About(gazetteer)
    current = None

    def close():  # the places a document's chunks name are known once its last chunk is read
        if current is not None:
            docs[-1].mentions = one(frozenset(mentions))
            docs[-1].about = one(reading.places())

    for s in store.iter_chunks():
        c = s.chunk
        if c.doc_id != current:
            close()
            current, mentions = c.doc_id, set()
            d = documents[c.doc_id]
            offsets.append(len(ids))
            docs.append(DocInfo(d.id, one(tuple(d.places)), frozenset(), one(d.lang), one(d.theme), one(d.start),
                                one(d.end), one(d.published), one(d.modified), one(freshness.kind_of(d))))
            reading.start(d)
        if c.ord == 0:
            docs[-1].kinds = one(kinds_named(d.title or "", c.text.split("\n", 1)[0]))
        mentions.update(c.places)
        reading.read(c)
        ids.append(s.id)
        doc_pos.append(len(docs) - 1)
        keys.append(s.vector_key)
        lang = base_lang(c.lang)
        langs.add(lang)
        corpus.append(index_terms(c.indexed_text, lang))
    close()
    dense = _dense(store, keys, model) if vectors else np.zeros((0, 384), np.float32)
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


def _dense(store, keys: list[str], model: str) -> np.ndarray:
    vectors = store.vectors(keys, model)
    missing = [k for k in keys if k not in vectors]
    if missing:
        raise StoreError(f"{len(missing)} chunks have no embedding for {model}: re-run `cigale ingest`.")
    # Filled in place: stacking then converting would hold the matrix twice (a 200 MB export's
    # 300,000 chunks make it 460 MB).
    dense = np.empty((len(keys), len(next(iter(vectors.values()))) if vectors else 384), np.float32)
    for i, k in enumerate(keys):
        dense[i] = vectors[k]
    return dense


def save(index: Index, root: Path) -> bool:
    """Write `index` to ``root/v<version>/`` and switch ``CURRENT`` to it; False when it could not
    be written (a full disk): the caller keeps serving it from memory, and the old one stays."""
    name = f"v{index.version}"
    tmp = root / f".{name}.tmp-{os.getpid()}"
    pointer = root / f".CURRENT.tmp-{os.getpid()}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        _clean(root)  # leftovers first: on a full disk their space may be what this save needs
        _write(index, tmp)
        final = root / name
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        pointer.write_text(name, encoding="utf-8")
        _fsync(pointer)
        os.replace(pointer, root / "CURRENT")
        _fsync(root)  # the renames themselves are durable only once the directory is
    except OSError as exc:
        log.warning("cannot save the index in %s (%s): is the disk full? It is served from memory, and rebuilt "
                    "at each start until it can be saved", root, exc.strerror or exc)
        shutil.rmtree(tmp, ignore_errors=True)  # give the space back
        with contextlib.suppress(OSError):
            pointer.unlink(missing_ok=True)
        return False
    with contextlib.suppress(OSError):  # saved: what is left behind can wait for the next save
        _clean(root, name)
    return True


def _write(index: Index, folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for array in ARRAYS:
        np.save(folder / f"{array}.npy", getattr(index, array), allow_pickle=False)
    meta = {
        "version": index.version,
        "langs": index.langs,
        "bm25": index.bm25 is not None,
        "places_in_order": True,
        "docs": [{**d.__dict__, "places": list(d.places), "mentions": sorted(d.mentions),
                  "about": sorted(d.about), "kinds": sorted(d.kinds)} for d in index.docs],
    }
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    if index.bm25 is not None:
        index.bm25.save(str(folder / "bm25"), show_progress=False)
    # Every file on disk before the rename: else a power loss can leave CURRENT naming empty files.
    for path in [*folder.rglob("*"), folder]:
        _fsync(path)


def _fsync(path: Path) -> None:
    if path.is_dir() and os.name != "posix":
        return  # only POSIX can open a directory to sync it
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _clean(root: Path, current: str | None = None) -> None:
    """Remove what interrupted saves left behind: unfinished folders and pointers of processes
    that are gone (or long stalled), and, once `current` is the one in use, older index folders.
    A newer folder is left alone: another process may be about to switch to it."""
    for path in root.iterdir():
        if m := _FOLDER.fullmatch(path.name):
            stale = current is not None and int(m.group(1)) < int(current[1:])
        elif m := _TEMPORARY.fullmatch(path.name):
            stale = not _alive(int(m.group(1))) or time.time() - _mtime(path) > STALE_SECONDS
        else:
            continue
        if stale and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif stale:
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours can only be a leftover: this process saves one index at a time
    try:
        os.kill(pid, 0)  # signal 0 checks existence and sends nothing
    except (ProcessLookupError, OverflowError):  # gone, or a number no process can have
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()


def load(root: Path) -> Index | None:
    """The saved index, or None when there is none or it is unreadable or inconsistent (it is then
    rebuilt from the store)."""
    if not (root / "CURRENT").exists():
        return None
    try:
        index = _read(root)
    # Whatever a damaged file makes numpy, json or bm25s raise (EOFError, UnpicklingError,
    # ValueError, IndexError, MemoryError...): the index is a cache, and a cache is rebuilt.
    except Exception as exc:
        log.warning("index in %s unreadable (%s: %s); it will be rebuilt", root, type(exc).__name__, exc)
        return None
    with contextlib.suppress(OSError):  # a read-only data directory keeps its leftovers
        _clean(root, f"v{index.version}")
    return index


def _read(root: Path) -> Index:
    name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    if not (m := _FOLDER.fullmatch(name)):
        raise ValueError(f"CURRENT names {name!r}, not an index folder")
    folder = root / name
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta["version"] != int(m.group(1)):
        raise ValueError(f"{name} holds version {meta['version']}")
    if meta["docs"] and "kinds" not in meta["docs"][0]:
        raise ValueError("saved before documents had their kinds")  # rebuilt, not guessed
    if not meta.get("places_in_order"):
        raise ValueError("saved before documents' places kept their order")
    one = _Shared()
    docs = [DocInfo(**{k: v if k == "id" else one(frozenset(v) if k in _SETS else tuple(v) if k == "places" else v)
                       for k, v in d.items()})
            for d in meta["docs"]]
    arrays = {a: np.load(folder / f"{a}.npy", allow_pickle=False) for a in ARRAYS}
    bm25 = None
    if meta["bm25"]:
        bm25 = bm25s.BM25.load(str(folder / "bm25"), load_vocab=True, show_progress=False)
    index = Index(meta["version"], docs=docs, bm25=bm25, langs=tuple(meta["langs"]), **arrays)
    _check(index)
    return index


def _check(index: Index) -> None:
    """Raise ValueError unless the parts of `index` agree with each other."""
    n, d = index.size, len(index.docs)
    if any(a.ndim != 1 or not np.issubdtype(a.dtype, np.integer)
           for a in (index.chunk_ids, index.chunk_doc, index.doc_offsets)):
        raise ValueError("chunk arrays are not integer vectors")
    dense = index.dense
    # No vectors at all is an index for a store that finds the nearest chunks itself (`build`).
    if dense.dtype != np.float32 or dense.ndim != 2 or len(dense) not in (0, n) or len(index.chunk_doc) != n:
        raise ValueError(f"{n} chunks but {dense.shape} vectors and {len(index.chunk_doc)} chunk documents")
    if len(index.doc_offsets) != d:
        raise ValueError(f"{d} documents but {len(index.doc_offsets)} offsets")
    # Each document owns at least one chunk, from its offset up to the next document's.
    counts = np.diff(np.append(index.doc_offsets, n))
    if (d and index.doc_offsets[0] != 0) or np.any(counts < 1):
        raise ValueError("document offsets out of order")
    if not np.array_equal(index.chunk_doc, np.repeat(np.arange(d), counts)):
        raise ValueError("chunks do not follow their documents' offsets")
    if index.bm25 is not None and not _bm25_fits(index.bm25, n):
        raise ValueError("the BM25 matrix does not match the chunks")


def _bm25_fits(bm25: bm25s.BM25, n: int) -> bool:
    """Whether the term × chunk matrix (CSC: one column of chunk scores per term) covers `n` chunks."""
    scores = bm25.scores
    indptr, indices, data = scores["indptr"], scores["indices"], scores["data"]
    return (
        scores["num_docs"] == n
        and len(indptr) > 0
        and indptr[-1] == len(data) == len(indices)
        and not np.any(np.diff(indptr) < 0)
        and not (len(indices) and indices.max() >= n)
        and all(0 <= i < len(indptr) for i in bm25.vocab_dict.values())
    )
