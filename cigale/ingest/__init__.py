"""Ingest: files → documents → chunks (geotagged, embedded) → one atomic store write.

Re-ingesting unchanged files is a no-op (documents are compared by content hash);
embeddings are cached by chunk content hash, so an unchanged chunk is never embedded twice.
Everything slow happens before the single `store.apply`, so Ctrl-C or a crash leaves the
previous state intact.
"""

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

from cigale.chunks import chunk_document
from cigale.documents import Document
from cigale.errors import SourceError
from cigale.ingest.readers import READERS, read
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
        # Resolved, so that --prune recognises a file whatever directory the ingest ran from.
        path = Path(raw).resolve()
        if path.is_dir():
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = f.relative_to(path)
                if any(part.startswith(".") for part in rel.parts) or f.suffix.lower() not in READERS:
                    continue
                files.append((f, f"{path.name}/{rel.as_posix()}"))
        elif path.is_file():
            files.append((path, path.name))
        else:
            errors.append(SourceError(path, "no such file or directory"))
    return files, errors


def collect(files, options=None) -> tuple[list[Document], list[SourceError], set[str]]:
    """Documents from the files, the errors met, and the files that could not be read at all."""
    docs: dict[str, Document] = {}
    errors, unreadable = [], set()
    for path, doc_id in files:
        try:
            for item in read(path, doc_id, options):
                if isinstance(item, SourceError):
                    errors.append(item)
                elif item.id in docs:
                    where = "earlier in this file" if docs[item.id].origin == item.origin else docs[item.id].origin
                    errors.append(SourceError(path, f"duplicate document id {item.id!r} (kept the one {where})"))
                else:
                    docs[item.id] = item
        except SourceError as exc:
            errors.append(exc)
            unreadable.add(str(path))
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
    roots = [Path(p).resolve() for p in paths if Path(p).is_dir()]
    missing = {str(Path(p).resolve()) for p in paths if not Path(p).exists()}  # a file named but deleted
    gone = []
    for doc_id, (_, origin) in known.items():
        if not origin or doc_id in seen:
            continue
        if origin in ingested:
            gone.append(doc_id)  # the file is still there but no longer holds this document
        elif origin in missing or (
            not Path(origin).exists() and any(Path(origin).resolve().is_relative_to(r) for r in roots)
        ):
            gone.append(doc_id)
    return gone


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
