"""Ingest: files → documents → chunks (geotagged, embedded) → one atomic store write.

Re-ingesting unchanged files is a no-op (documents are compared by content hash);
embeddings are cached by chunk content hash, so an unchanged chunk is never embedded twice.
Everything slow happens before the single `store.apply`, so Ctrl-C or a crash leaves the
previous state intact.

Memory stays bounded whatever the size of the files: documents flow through in batches
(`BATCH_DOCUMENTS`, `BATCH_CHARS`). Each batch is compared with the stored hashes, its changed
documents chunked and geotagged, their missing chunks embedded (each embedding batch saved as it
is done, so an interrupted ingest resumes), and the documents with their chunks written to a
spill: an unnamed temporary file in the data directory. The single `store.apply` then reads the
spill back as it writes, one document at a time. What grows with the corpus is small: the ids met
(duplicates, --prune) and the stored hashes.

Why a spill rather than
- a second pass over the files inside the transaction: it would read, chunk and geotag everything
  twice, would store what the files hold by then (a file changed in between brings chunks that were
  never embedded), and cannot replay `documents`, which may be a one-shot iterator (a sync's);
- a transaction opened at the start and written as the batches go: it would hold the store's write
  lock for the whole embedding, during which the embedding cache, committed batch by batch, could
  not be written;
- staging tables in the store, moved into place at the end: every backend would need them; the
  spill asks nothing of a store but that `apply` iterate over its upserts once.
A file that fails half-way (a NUL byte on line 900,000, a malformed CSV row) contributes nothing,
as when files were read whole: its spilled documents are skipped, its ids and counts taken back.
"""

import dataclasses
import errno
import os
import pickle
import tempfile
import time
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from cigale.chunks import chunk_document
from cigale.documents import Document
from cigale.embed import text_key
from cigale.errors import SourceError, StoreError
from cigale.ingest.readers import READERS, os_reason, read
from cigale.store import Changes

# Documents flow through the ingest in batches of this many, or of this much text, whichever comes
# first: what is held in memory at once (with their chunks and vectors) whatever the size of the files.
BATCH_DOCUMENTS = 500
BATCH_CHARS = 16 * 1024 * 1024
READY = -1  # the source of ready-made documents, which cannot fail half-way


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    chunks: int = 0
    embedded: int = 0  # chunks sent to the model (the others came from the cache)
    lines: int = 0  # lines answers may quote, sent to the model (setting embed_lines)
    files: int = 0
    failed: list[SourceError] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["failed"] = [{"path": e.path, "reason": e.reason} for e in self.failed]
        return out


def discover(paths) -> tuple[list[tuple[Path, str]], list[SourceError]]:
    """Supported files under `paths`, each with the id prefix its documents get."""
    files, errors = [], []
    for raw in paths:
        try:
            # Resolved, so that --prune recognises a file whatever directory the ingest ran from.
            path = _resolve(Path(raw))
        except SourceError as exc:
            errors.append(exc)
            continue
        if path.is_dir():
            files += _walk(path, errors)
        elif path.exists():
            files.append((path, path.name))  # if it is no regular file, reading it says so
        else:
            errors.append(SourceError(path, "no such file or directory"))
    unique: dict[Path, str] = {}
    for f, doc_id in files:
        unique.setdefault(f, doc_id)  # a file named twice (alone and in its folder) is read once
    return list(unique.items()), errors


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except RuntimeError:  # how Python < 3.13 reports a symbolic link loop
        raise SourceError(path.absolute(), "symbolic link loop") from None
    except OSError as exc:  # Python >= 3.13 reports a loop so too (ELOOP)
        raise SourceError(path.absolute(), os_reason(exc)) from None


def _walk(root: Path, errors: list[SourceError]) -> list[tuple[Path, str]]:
    """The supported files of a folder, not hidden. A symbolic link is never followed: one that
    points inside the folder is skipped (its target is ingested under its own name, once), one
    that points outside it is refused, so that linking a private file never makes it searchable."""
    files = []

    def unlisted(exc: OSError):  # os.walk would skip a folder it cannot list without a word
        errors.append(SourceError(exc.filename, os_reason(exc)))

    for folder, subfolders, names in os.walk(root, onerror=unlisted):
        here = Path(folder)
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        candidates = [here / d for d in subfolders if (here / d).is_symlink()]
        candidates += [here / n for n in sorted(names) if not n.startswith(".") and Path(n).suffix.lower() in READERS]
        for f in candidates:
            if not f.is_symlink():
                files.append((f, f"{root.name}/{f.relative_to(root).as_posix()}"))
                continue
            try:
                target = _resolve(f)
            except SourceError as exc:
                errors.append(exc)
                continue
            if not target.is_relative_to(root):
                errors.append(SourceError(f, "symbolic link points outside the ingested folder"))
    return sorted(files)


def collect(files, options=None) -> tuple[list[Document], list[SourceError], set[str]]:
    """Documents from the files, the errors met, and the files that could not be read at all
    (all in memory: for a few files; `ingest` streams them)."""
    ledger = _Ledger(files)
    pairs = list(_documents(ledger, (), options))
    return [doc for source, doc in pairs if source not in ledger.failed], ledger.errors, ledger.unreadable


def ingest(store, embedder, gazetteer, settings, paths=(), documents=(), prune=False, options=None,
           progress=None, deletes=(), lines=None) -> IngestReport:
    """Bring the store up to date with `paths` (files, folders) and ready-made `documents` (any iterable,
    read once), and remove the documents of ids `deletes` (what a sync found gone), all in one transaction.
    `lines(doc, chunks)`: the texts answers may embed of a new or changed document, embedded with its
    chunks, before it can be found (answers/extractive.py `quotable`)."""
    started = time.perf_counter()
    report = IngestReport()
    files, report.failed = discover(paths)
    report.files = len(files)
    known = store.document_hashes()
    ledger = _Ledger(files)
    counts: dict[int, Counter] = {}  # per file: a file that fails half-way counts for nothing
    embedded = _Progress(progress)
    with _Spill.open(settings.data_dir) as spill:
        for batch in _batches(_documents(ledger, documents, options), ledger.failed):
            upserts, pending, quoted = [], [], {}
            for source, doc in batch:
                tally = counts.setdefault(source, Counter())
                doc = dataclasses.replace(doc, places=gazetteer.territory.normalize(doc.places))
                old = known.get(doc.id)
                if old and old[0] == doc.content_hash:
                    tally["unchanged"] += 1
                    continue
                tally["updated" if old else "added"] += 1
                chunks = [
                    dataclasses.replace(c, places=tuple(dict.fromkeys(doc.places + gazetteer.tag(c.indexed_text))))
                    for c in chunk_document(doc, settings.chunk_words, settings.chunk_max_words)
                ]
                tally["chunks"] += len(chunks)
                upserts.append((source, doc, chunks))
                pending.extend(chunks)
                if lines is not None:
                    quoted.update((text_key(t), t) for t in lines(doc, chunks))
            report.embedded += embed_missing(store, embedder, {c.content_hash: c.indexed_text for c in pending},
                                             settings.embed_batch, embedded.batch())
            report.lines += embed_missing(store, embedder, quoted, settings.embed_batch, embedded.batch())
            spill.write(upserts)

        report.failed += ledger.errors
        for field_ in ("added", "updated", "unchanged", "chunks"):
            setattr(report, field_, sum(c[field_] for s, c in counts.items() if s not in ledger.failed))
        removed = []
        if prune:
            # A file that failed to read says nothing about its documents: they stay.
            readable = [(p, i) for p, i in files if str(p) not in ledger.unreadable]
            removed = _gone(known, ledger.seen, readable, paths)
        pruned = set(removed)
        removed += [i for i in dict.fromkeys(deletes) if i in known and i not in pruned]
        report.deleted = len(removed)
        if report.added or report.updated or removed:
            store.apply(Changes(upserts=spill.replay(skip=ledger.failed), deletes=removed))
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _Ledger:
    """What the documents met so far came from: what duplicates and --prune need, and what a
    file that fails half-way takes back."""

    files: list[tuple[Path, str]]
    seen: dict[str, int] = field(default_factory=dict)  # doc id → index of its file in `files` (or READY)
    failed: set[int] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    errors: list[SourceError] = field(default_factory=list)


def _documents(ledger: _Ledger, documents, options):
    """(source, document) for each document of the files, then of `documents`; a duplicate id is
    reported, not yielded. A file that fails half-way is recorded as failed once some of its
    documents went by: the consumer drops those; its ids and its other errors are taken back."""
    for source, (path, doc_id) in enumerate(ledger.files):
        errors, claimed = [], []
        try:
            for item in read(path, doc_id, options):
                if isinstance(item, SourceError):
                    errors.append(item)
                elif (first := ledger.seen.get(item.id)) is not None:
                    where = "earlier in this file" if first == source else str(ledger.files[first][0])
                    errors.append(SourceError(path, f"duplicate document id {item.id!r} (kept the one {where})"))
                else:
                    ledger.seen[item.id] = source
                    claimed.append(item.id)
                    yield source, item
        except SourceError as exc:
            ledger.failed.add(source)
            ledger.unreadable.add(str(path))
            ledger.errors.append(exc)
            for doc_id in claimed:
                del ledger.seen[doc_id]
            continue
        ledger.errors += errors
    for doc in documents:  # not checked for duplicates: the last one given is the one stored, as ever
        ledger.seen.setdefault(doc.id, READY)
        yield READY, doc


def _batches(pairs, failed: set[int]):
    batch, chars = [], 0
    for source, doc in pairs:
        batch.append((source, doc))
        chars += len(doc.text)
        if len(batch) >= BATCH_DOCUMENTS or chars >= BATCH_CHARS:
            yield [p for p in batch if p[0] not in failed]
            batch, chars = [], 0
    if batch:
        yield [p for p in batch if p[0] not in failed]


class _Spill:
    """The chunked documents of one ingest, on disk until the transaction that applies them: a file
    without a name in the data directory (O_TMPFILE on Linux, unlinked at once elsewhere), which no
    crash leaves behind and no other process can open, so the pickles read back are those written.
    A chunk is spilled without its text, a slice of its document's (``doc.text[c.start:c.end]``)."""

    def __init__(self, file, folder: Path):
        self._file, self.folder = file, folder

    @classmethod
    @contextmanager
    def open(cls, folder):
        folder = Path(folder)
        try:
            file = tempfile.TemporaryFile(dir=folder, prefix=".ingest-")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise _spill_error(folder, exc) from None
        try:
            yield cls(file, folder)
        finally:
            # Flushing what a full disk refused fails again on closing; the file is closed all the same.
            with suppress(OSError):
                file.close()

    def write(self, upserts) -> None:
        try:
            for source, doc, chunks in upserts:
                spilled = [dataclasses.replace(c, text="") for c in chunks]
                pickle.dump((source, doc, spilled), self._file, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as exc:
            raise _spill_error(self.folder, exc) from None

    def replay(self, skip: set[int]):
        """(document, chunks) as written, but those of the sources in `skip`."""
        try:
            self._file.flush()
            self._file.seek(0)
        except OSError as exc:
            raise _spill_error(self.folder, exc) from None
        while True:
            try:
                source, doc, spilled = pickle.load(self._file)
            except EOFError:
                return
            if source not in skip:
                yield doc, [dataclasses.replace(c, text=doc.text[c.start : c.end]) for c in spilled]


def _spill_error(folder: Path, exc: OSError) -> StoreError:
    what = f"the ingest's temporary file in {folder} ({os_reason(exc)})"
    if exc.errno in _FULL:
        return StoreError(f"The disk is full (or failing): cannot write {what}. The documents are as they were "
                          "before this command; free some space and run it again.")
    return StoreError(f"Cannot write {what}. The documents are as they were before this command.")


# How a write reports a full disk: ENOSPC, EDQUOT past a quota, EFBIG past a file size limit, EIO.
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


class _Progress:
    """The embedding progress of the whole ingest, batch after batch: done and total so far."""

    def __init__(self, progress):
        self.progress, self.done, self.total = progress, 0, 0

    def batch(self):
        if self.progress is None:
            return None
        base = self.done

        def report(done, total):
            self.done, self.total = base + done, base + total
            self.progress(self.done, self.total)

        return report


def _gone(known, seen, files, paths) -> list[str]:
    """Stored documents whose source, under the ingested paths, no longer holds them."""
    ingested = {str(p) for p, _ in files}
    given = [r for r in map(_real, paths) if r]
    roots = [r for r in given if r.is_dir()]
    missing = {str(r) for r in given if not r.exists()}  # a file named but deleted
    gone = []
    for doc_id, (_, origin) in known.items():
        if not origin or doc_id in seen:
            continue
        if origin in ingested:
            gone.append(doc_id)  # the file is still there but no longer holds this document
        elif origin in missing or (
            not Path(origin).exists() and (r := _real(origin)) and any(r.is_relative_to(root) for root in roots)
        ):
            gone.append(doc_id)
    return gone


def _real(path) -> Path | None:
    """The resolved path, or None for a symbolic link loop (which holds no document)."""
    try:
        return _resolve(Path(path))
    except SourceError:
        return None


def embed_missing(store, embedder, keys: dict[str, str], batch: int, progress=None) -> int:
    """Embed the texts (by their cache key) whose vectors are not cached yet; each batch is saved
    as it is done, so an interrupted ingest resumes where it stopped. Returns how many were embedded."""
    cached = store.vectors(list(keys), embedder.model)
    todo = [(k, t) for k, t in keys.items() if k not in cached]
    for i in range(0, len(todo), batch):
        part = todo[i : i + batch]
        vectors = embedder.passages([t for _, t in part])
        store.put_vectors({k: v for (k, _), v in zip(part, vectors)}, embedder.model)
        if progress:
            progress(min(i + batch, len(todo)), len(todo))
    return len(todo)


def embed_quotable(store, embedder, lines, batch: int, progress=None, documents: int = 50) -> int:
    """Embed the lines answers may quote of every stored document that are not embedded yet
    (documents ingested before `embed_lines`, or with it off), `documents` at a time. Only the
    chunks' places in their documents are held, not their texts."""
    spans: dict[str, list[_Span]] = {}
    for stored in store.iter_chunks():  # read to the end first: no write while a read is open
        spans.setdefault(stored.chunk.doc_id, []).append(_Span(stored.chunk.start, stored.chunk.end))
    ids, done, tally = list(spans), 0, _Progress(progress)
    for i in range(0, len(ids), documents):
        docs = store.get_documents(ids[i : i + documents])
        quoted = {text_key(t): t for d in docs.values() for t in lines(d, spans[d.id])}
        done += embed_missing(store, embedder, quoted, batch, tally.batch())
    return done


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
