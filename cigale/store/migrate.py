"""`cigale migrate`: copy one store into another (the embedded SQLite into PostgreSQL, or back)
without embedding anything again.

Everything the contract exposes is copied: documents with their chunks (the same offsets, places
and vector keys), every cached vector (the chunks' and the answer lines'), each source's sync
state, and the activity (feedback, the answer log, the exposure counters). Documents go in
batches, each one transaction: a copy interrupted half-way leaves whole documents, and the same
command run again copies only what is missing or different (by content hash). Activity is copied
only into a target that has none, so that running the command twice does not count it twice.
"""

from collections.abc import Callable
from dataclasses import dataclass

from cigale.errors import StoreError
from cigale.store import Changes, Store

BATCH = 200  # documents per transaction: the memory held at once, whatever the corpus


@dataclass
class Copied:
    documents: int = 0  # copied (missing in the target or different there)
    unchanged: int = 0  # already there, identical
    removed: int = 0  # in the target only, removed (`exact`)
    chunks: int = 0
    vectors: int = 0
    sources: int = 0
    feedback: int = 0
    answers: int = 0
    activity: bool = False  # feedback, answer log and exposure copied (the target had none)


def migrate(source: Store, target: Store, exact: bool = True, progress: Callable[[str, int, int], None] | None = None
            ) -> Copied:
    """Copy `source` into `target`; `exact`: documents the source does not hold are removed from
    the target, which then holds the same corpus."""
    if source is target:
        raise StoreError("The source and the target of a migration are the same store.")
    done = Copied()
    theirs, mine = target.document_hashes(), source.document_hashes()
    wanted = [i for i, (h, origin) in mine.items() if theirs.get(i) != (h, origin)]
    done.unchanged = len(mine) - len(wanted)
    todo, pending = set(wanted), {}

    def copy(ids: list[str]) -> None:  # one transaction: whole documents, with their chunks
        docs = source.get_documents(ids)
        changes = Changes(upserts=[(docs[i], pending.get(i, [])) for i in ids if i in docs])
        target.apply(changes)
        done.documents += len(changes.upserts)
        done.chunks += sum(len(c) for _, c in changes.upserts)
        todo.difference_update(ids)
        pending.clear()
        if progress:
            progress("documents", done.documents, len(wanted))

    # Streamed, grouped by document (the vectors' keys come with the chunks): BATCH documents'
    # chunks held at once, whatever the size of the store.
    for stored in source.iter_chunks():
        doc_id = stored.chunk.doc_id
        if doc_id not in todo:
            continue
        if doc_id not in pending and len(pending) == BATCH:
            copy(list(pending))
        pending.setdefault(doc_id, []).append(stored.chunk)
    if pending:
        copy(list(pending))
    rest = [i for i in wanted if i in todo]  # documents without chunks (an empty text)
    for start in range(0, len(rest), BATCH):
        copy(rest[start:start + BATCH])
    gone = [i for i in theirs if i not in mine] if exact else []
    if gone:
        target.apply(Changes(deletes=gone))
        done.removed = len(gone)
    for model, batch in source.iter_vectors():
        target.put_vectors(dict(batch), model)
        done.vectors += len(batch)
        if progress:
            progress("vectors", done.vectors, 0)
    for name in source.sync_sources():
        target.put_sync_state(name, source.sync_state(name))
        done.sources += 1
    if not (target.feedback(limit=1) or target.answer_log(limit=1) or target.exposure_totals()):
        for entry in reversed(source.feedback(limit=10**9)):  # oldest first: ids keep their order
            target.add_feedback(entry)
            done.feedback += 1
        for entry in reversed(source.answer_log(limit=10**9)):
            target.log_answer(entry)
            done.answers += 1
        totals = source.exposure_totals()
        if totals:
            target.add_exposure(totals)
        done.activity = True
    return done
