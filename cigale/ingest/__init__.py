"""Ingest: files → documents → chunks (geotagged, embedded) → one atomic store write.

Re-ingesting unchanged files is a no-op (documents are compared by content hash);
embeddings are cached by chunk content hash, so an unchanged chunk is never embedded twice.
Everything slow happens before the single `store.apply`, so Ctrl-C or a crash leaves the
previous state intact.
"""

import dataclasses
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from cigale.chunks import chunk_document
from cigale.documents import Document
from cigale.errors import SourceError
from cigale.ingest.readers import READERS, os_reason, read
from cigale.store import Changes


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    chunks: int = 0
    embedded: int = 0  # chunks sent to the model (the others came from the cache)
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
    """Documents from the files, the errors met, and the files that could not be read at all."""
    docs: dict[str, Document] = {}
    errors, unreadable = [], set()
    for path, doc_id in files:
        try:
            items = list(read(path, doc_id, options))  # a file that fails half-way contributes nothing
        except SourceError as exc:
            errors.append(exc)
            unreadable.add(str(path))
            continue
        for item in items:
            if isinstance(item, SourceError):
                errors.append(item)
            elif item.id in docs:
                where = "earlier in this file" if docs[item.id].origin == item.origin else docs[item.id].origin
                errors.append(SourceError(path, f"duplicate document id {item.id!r} (kept the one {where})"))
            else:
                docs[item.id] = item
    return list(docs.values()), errors, unreadable


def ingest(store, embedder, gazetteer, settings, paths=(), documents=(), prune=False, options=None,
           progress=None) -> IngestReport:
    """Bring the store up to date with `paths` (files, folders) and ready-made `documents`."""
    started = time.perf_counter()
    report = IngestReport()
    files, report.failed = discover(paths)
    report.files = len(files)
    docs, errors, unreadable = collect(files, options)
    docs += list(documents)
    report.failed += errors
    territory = gazetteer.territory
    known = store.document_hashes()

    changes = Changes()
    pending = []
    for doc in docs:
        doc = dataclasses.replace(doc, places=territory.normalize(doc.places))
        old = known.get(doc.id)
        if old and old[0] == doc.content_hash:
            report.unchanged += 1
            continue
        if old:
            report.updated += 1
        else:
            report.added += 1
        chunks = [
            dataclasses.replace(c, places=tuple(dict.fromkeys(doc.places + gazetteer.tag(c.indexed_text))))
            for c in chunk_document(doc, settings.chunk_words, settings.chunk_max_words)
        ]
        changes.upserts.append((doc, chunks))
        pending.extend(chunks)
    report.chunks = len(pending)

    if prune:
        # A file that failed to read says nothing about its documents: they stay.
        readable = [(p, i) for p, i in files if str(p) not in unreadable]
        changes.deletes = _gone(known, {d.id for d in docs}, readable, paths)
        report.deleted = len(changes.deletes)

    report.embedded = embed_missing(store, embedder, pending, settings.embed_batch, progress)
    if changes.upserts or changes.deletes:
        store.apply(changes)
    report.seconds = time.perf_counter() - started
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


def embed_missing(store, embedder, chunks, batch: int, progress=None) -> int:
    """Embed the chunks whose vectors are not cached yet; each batch is saved as it is done,
    so an interrupted ingest resumes where it stopped."""
    keys = {c.content_hash: c.indexed_text for c in chunks}
    cached = store.vectors(list(keys), embedder.model)
    todo = [(k, t) for k, t in keys.items() if k not in cached]
    for i in range(0, len(todo), batch):
        part = todo[i : i + batch]
        vectors = embedder.passages([t for _, t in part])
        store.put_vectors({k: v for (k, _), v in zip(part, vectors)}, embedder.model)
        if progress:
            progress(min(i + batch, len(todo)), len(todo))
    return len(todo)
