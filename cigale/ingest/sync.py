"""Sync: every partner source brought up to date, incrementally, one source at a time.

For each URL of a source, the last sync's `PageState` decides what this one costs:

- a sitemap `<lastmod>` equal to last time: nothing is requested;
- else a conditional request (If-None-Match / If-Modified-Since): a 304 costs no body;
- a body with the same bytes as last time (sha256): nothing is parsed;
- a changed page is parsed, and its documents go through `ingest`, which compares content
  hashes (an unchanged document is not rewritten) and embeds only chunks it has never seen.

What a source no longer lists (a sitemap entry gone, a 404/410, a feed item dropped, a page a
complete crawl no longer reaches) is deleted; what failed (a 500, a timeout) keeps its former
documents. Each source is one `ingest` transaction, written before its sync state: a sync
killed at any point leaves the previous documents and index serving, and the next one redoes
at most the downloads of the source it was in. A source that fails is reported, and the
others go on.
"""

import contextlib
import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from cigale import when
from cigale.errors import CigaleError, ConfigError, SourceError
from cigale.ingest import crawl, feeds, ingest
from cigale.ingest.fetch import Failed, Fetcher, Gone, Refused
from cigale.ingest.readers import html_tree
from cigale.ingest.sources import Kind, Source
from cigale.store import PageState

log = logging.getLogger(__name__)
FEED_REFUSED = ("image/", "audio/", "video/", "font/")  # what no feed parser can read
MAX_SITEMAPS = 100  # sitemaps read per source (an index of indexes stays bounded)


@dataclass
class Problem:
    url: str
    reason: str


@dataclass
class SourceReport:
    name: str
    partner: str
    kind: str
    fetched: int = 0  # bodies downloaded (robots.txt and sitemaps included)
    requests: int = 0  # requests sent (a 304 is a request without a body)
    new: int = 0  # documents
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    embedded: int = 0  # chunks sent to the model
    refused: list[Problem] = field(default_factory=list)  # not fetched by choice: robots, address, size...
    failed: list[Problem] = field(default_factory=list)  # could not be fetched or read: kept as they were
    error: str | None = None  # the whole source failed (its sitemap or feed unreachable)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        out = dict(self.__dict__)
        out["refused"] = [p.__dict__ for p in self.refused]
        out["failed"] = [p.__dict__ for p in self.failed]
        return out


@dataclass
class _Visit:
    state: PageState | None  # None: forget the URL
    docs: list | None = None  # documents to ingest (None: the page's documents stay as they are)
    links: tuple = ()
    outcome: str = "unchanged"  # unchanged | changed | removed | refused | failed
    reason: str = ""
    skipped: list = field(default_factory=list)  # items of a feed that could not be used


def sync(engine, sources: list[Source], progress=None) -> list[SourceReport]:
    """Bring each source up to date; `progress(source, done, total)` as pages are visited."""
    if not engine.settings.crawler_contact and any(s.kind is not Kind.FOLDER for s in sources):
        raise ConfigError("Set `crawler_contact` (CIGALE_CRAWLER_CONTACT): a URL or e-mail address where the "
                          "partners' webmasters can reach you; it goes in the User-Agent of every request.")
    with _alone(engine.settings.data_dir):
        return _sync(engine, sources, progress)


@contextlib.contextmanager
def _alone(data_dir):
    """One sync at a time per data directory: a cron run that overlaps a slow one waits for nothing
    and says so. The lock is the kernel's (flock), so a killed sync never leaves it taken."""
    import fcntl

    path = Path(data_dir) / "sync.lock"
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CigaleError(f"Another `cigale sync` is running on {data_dir}; this one did nothing.") from None
        yield


def _sync(engine, sources: list[Source], progress=None) -> list[SourceReport]:
    reports = []
    for source in sources:
        started = time.perf_counter()
        report = SourceReport(source.name, source.partner, source.kind.value)
        try:
            if source.kind is Kind.FOLDER:
                _sync_folder(engine, source, report)
            else:
                _sync_web(engine, source, report, progress)
        except SourceError as exc:
            report.error = exc.reason if exc.path in (str(source.path), *source.urls) else str(exc)
        except (KeyboardInterrupt, ConfigError):
            raise
        except Exception as exc:  # a bug met on hostile input must not cost the other sources their sync
            log.exception("sync of %s failed", source.name)
            report.error = f"unexpected error ({type(exc).__name__}: {str(exc)[:200]}); the source is as it was"
        report.seconds = time.perf_counter() - started
        reports.append(report)
    engine.refresh()  # one index for the whole sync, not one per source
    return reports


def _ingest(engine, **kwargs):
    return ingest(engine.store, engine.embedder, engine.gazetteer, engine.settings, lines=engine.quotable, **kwargs)


def _sync_folder(engine, source: Source, report: SourceReport) -> None:
    if not source.path.is_dir():
        raise SourceError(source.path, "no such folder")
    result = _ingest(engine, paths=[source.path], prune=True)
    report.new, report.updated, report.unchanged = result.added, result.updated, result.unchanged
    report.removed, report.embedded, report.fetched = result.deleted, result.embedded, result.files
    report.failed = [Problem(e.path, e.reason) for e in result.failed]


def _sync_web(engine, source: Source, report: SourceReport, progress) -> None:
    settings = engine.settings
    old = engine.store.sync_state(source.name)
    robots = {u: s.links for u, s in old.items() if s.links and u.endswith("/robots.txt")}
    old = {u: s for u, s in old.items() if not u.endswith("/robots.txt")}
    with Fetcher(settings.crawler_contact, allow_private=source.allow_private, rate=source.rate,
                 concurrency=source.concurrency, max_bytes=settings.sync_max_page_bytes,
                 robots_cache=robots) as fetcher:
        reader = _Reader(engine, source)
        visits: dict[str, _Visit] = {}
        try:
            if source.kind is Kind.SITEMAP:
                complete = _sitemap(fetcher, source, old, visits, report, reader, progress)
            elif source.kind is Kind.CRAWL:
                complete = _crawl(fetcher, source, old, visits, report, reader, progress)
            else:
                complete = True
                _visit_all(fetcher, source, [(u, None) for u in source.urls], old, visits, reader, progress)
                if all(visits[u].outcome in ("failed", "refused", "removed") for u in source.urls):
                    raise SourceError(source.urls[0], visits[source.urls[0]].reason)
        finally:
            report.requests, report.fetched = fetcher.requests, fetcher.downloaded
        robots = {u: PageState(u, links=seen) for u, seen in fetcher.robots_seen.items()}

    documents, deletes, state = [], [], {}
    kept = set()
    for url, visit in visits.items():
        before = old.get(url)
        if visit.outcome == "refused":
            report.refused.append(Problem(url, visit.reason))
        elif visit.outcome == "failed":
            report.failed.append(Problem(url, visit.reason))
        report.failed += visit.skipped
        if visit.docs is not None:
            documents += visit.docs
            kept |= {d.id for d in visit.docs}
            deletes += [d for d in (before.docs if before else ()) if d not in kept]
        elif before:
            kept |= set(before.docs)
            report.unchanged += len(before.docs) if visit.outcome == "unchanged" else 0
        if visit.state is not None:
            state[url] = visit.state
    if complete:  # a truncated listing or crawl says nothing of the pages it did not reach
        for url, before in old.items():
            if url not in visits:
                deletes += [d for d in before.docs if d not in kept]
    else:
        state.update({u: s for u, s in old.items() if u not in visits})
    result = _ingest(engine, documents=documents, deletes=[d for d in dict.fromkeys(deletes) if d not in kept])
    report.new, report.updated, report.removed, report.embedded = (result.added, result.updated, result.deleted,
                                                                   result.embedded)
    report.unchanged += result.unchanged
    engine.store.put_sync_state(source.name, state | robots)


def _sitemap(fetcher, source, old, visits, report, reader, progress) -> bool:
    entries, queue, seen, complete = {}, list(source.urls), set(), True
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if len(seen) > MAX_SITEMAPS:
            report.failed.append(Problem(url, f"more than {MAX_SITEMAPS} sitemaps: the rest is left for later"))
            complete = False
            break
        before = old.get(url)
        try:
            r = fetcher.get(url, *(before.etag, before.last_modified) if before else (None, None))
            if r.status == 304 and before:
                pages, subs = [tuple(p) for p in before.links[0]], list(before.links[1])
            else:
                pages, subs = crawl.sitemap_entries(r.body, r.url)
            visits[url] = _Visit(PageState(url, etag=r.etag, last_modified=r.last_modified,
                                           links=(tuple(pages), tuple(subs))), outcome="sitemap")
        except SourceError as exc:
            if url in source.urls:
                raise  # the source's own sitemap: nothing to go on, nothing removed
            report.failed.append(Problem(url, exc.reason))
            complete = False
            if before:
                visits[url] = _Visit(before, outcome="sitemap")
                pages, subs = [tuple(p) for p in before.links[0]], list(before.links[1])
            else:
                continue
        queue += [s for s in subs if crawl.same_site(s, url)]
        for page, lastmod in pages:
            entries.setdefault(page, lastmod)
    wanted = []
    for page, lastmod in entries.items():
        if not crawl.same_site(page, source.urls[0]):
            visits[page] = _Visit(None, outcome="refused", reason="not on the source's site")
        elif source.wants(page):
            wanted.append((page, lastmod))
    if len(wanted) > source.max_pages:
        complete = False
        report.failed.append(Problem(source.urls[0], f"{len(wanted)} pages listed, the first {source.max_pages} "
                                     "synced (max_pages)"))
        wanted = wanted[: source.max_pages]
    _visit_all(fetcher, source, wanted, old, visits, reader, progress)
    return complete


def _crawl(fetcher, source, old, visits, report, reader, progress) -> bool:
    level = [(u, None) for u in source.urls]
    seen = set(source.urls)
    for depth in range(source.depth + 1):
        room = source.max_pages - sum(1 for v in visits.values() if v.outcome != "refused")
        if room <= 0 and level:
            report.failed.append(Problem(source.urls[0], f"page budget reached ({source.max_pages} pages, max_pages)"))
            return False
        _visit_all(fetcher, source, level[:room], old, visits, reader, progress)
        if depth == 0 and not any(visits[u].outcome in ("changed", "unchanged") for u in source.urls):
            # The start pages answered nothing usable (a 404, a firewall): not a site emptied.
            raise SourceError(source.urls[0], visits[source.urls[0]].reason or "no start page could be read")
        if len(level) > room:
            report.failed.append(Problem(source.urls[0], f"page budget reached ({source.max_pages} pages, max_pages)"))
            return False
        if depth == source.depth:
            break
        following = []
        for url, _ in level:
            for link in visits[url].links:
                if link not in seen and crawl.same_site(link, source.urls[0]) and source.wants(link):
                    seen.add(link)
                    following.append((link, None))
        level = following
    return True


def _visit_all(fetcher, source, targets, old, visits, reader, progress) -> None:
    total = len(targets)

    def one(target):
        url, lastmod = target
        return url, _visit(fetcher, url, lastmod, old.get(url), reader)

    with ThreadPoolExecutor(max_workers=max(1, source.concurrency)) as pool:
        for done, (url, visit) in enumerate(pool.map(one, targets), start=1):
            visits[url] = visit
            if progress:
                progress(source, done, total)


def _visit(fetcher, url: str, lastmod: str | None, before: PageState | None, reader) -> _Visit:
    try:
        return _visit_one(fetcher, url, lastmod, before, reader)
    except Exception as exc:  # a parser's bug on one hostile page: that page fails, the rest goes on
        log.exception("sync: %s", url)
        return _Visit(before, outcome="failed", reason=f"could not be read ({type(exc).__name__})",
                      links=before.links if before else ())


def _visit_one(fetcher, url: str, lastmod: str | None, before: PageState | None, reader) -> _Visit:
    if reader.source.kind is Kind.ICAL:
        # A calendar's occurrences depend on the day (the window moves on): it is read again, whole,
        # once a day, even unchanged; `lastmod` remembers the day it was expanded on.
        lastmod = reader.today.isoformat()
        if before and before.lastmod != lastmod:
            before = replace(before, etag=None, last_modified=None, body_hash=None)
    if before and lastmod and before.lastmod == lastmod:
        return _Visit(before, links=before.links)  # the sitemap says unchanged: not even asked
    try:
        r = fetcher.get(url, *(before.etag, before.last_modified) if before else (None, None),
                        accept=reader.accept, site=url if reader.accept else None)
    except Gone as exc:
        return _Visit(None, docs=[], outcome="removed" if before else "failed", reason=exc.reason)
    except Refused as exc:
        return _Visit(None, docs=[], outcome="refused", reason=exc.reason)
    except Failed as exc:
        return _Visit(before, outcome="failed", reason=exc.reason, links=before.links if before else ())
    if r.status == 304 and before:
        return _Visit(replace(before, lastmod=lastmod or before.lastmod), links=before.links)
    digest = hashlib.sha256(r.body).hexdigest()
    state = PageState(url, etag=r.etag, last_modified=r.last_modified, lastmod=lastmod, body_hash=digest)
    if before and before.body_hash == digest:
        return _Visit(replace(state, docs=before.docs, links=before.links), links=before.links)
    try:
        docs, links, skipped = reader.read(r, lastmod)
    except SourceError as exc:
        if before:  # changed into something unreadable: what it said before stays
            return _Visit(before, outcome="failed", reason=exc.reason, links=before.links)
        return _Visit(None, outcome="failed", reason=exc.reason)
    return _Visit(replace(state, docs=tuple(d.id for d in docs), links=tuple(links)), docs=docs,
                  links=tuple(links), outcome="changed", skipped=[Problem(e.path, e.reason) for e in skipped])


class _Reader:
    """Turns a fetched body into the source's documents, by kind."""

    def __init__(self, engine, source: Source):
        self.engine, self.source = engine, source
        self.prefix = feeds.slug(source.name)
        tz = getattr(engine.territory, "timezone", when.DEFAULT_TZ)
        self.today, self.tz = when.today(engine.settings.today, tz), tz
        self.accept = crawl.PAGE_TYPES if source.kind in (Kind.SITEMAP, Kind.CRAWL) else ()

    def locate(self, text: str) -> tuple[str, ...]:
        return self.engine.territory.normalize(self.engine.gazetteer.tag(text or ""))

    def read(self, r, lastmod: str | None):
        """(documents, links, skipped items) of a fetched body."""
        source, kind = self.source, self.source.kind
        if kind not in (Kind.SITEMAP, Kind.CRAWL) and r.content_type.startswith(FEED_REFUSED):
            raise SourceError(r.url, f"content type {r.content_type} is not a feed")
        common = {"license": source.license, "locate": self.locate, "tz": self.tz}
        if kind is Kind.RSS:
            parsed = feeds.rss_documents(r.body, r.url, source.partner, **common)
        elif kind is Kind.ICAL:
            parsed = feeds.ical_documents(r.body, r.url, source.partner, today=self.today, **common)
        elif kind is Kind.JSONLD:
            parsed = feeds.jsonld_documents(r.body, r.url, source.partner, content_type=r.content_type, **common)
        else:
            return self._page(r, lastmod)
        return [self._complete(d) for d in parsed.documents], (), parsed.skipped

    def _page(self, r, lastmod):
        tree = html_tree(r.body, r.url)
        fields = {"source": self.source.partner, "lang": self.source.lang,
                  "modified": lastmod or _http_date(r.last_modified)}
        fields = {k: v for k, v in fields.items() if v} | {"kind": "page"}  # unknown keys go to `extra`
        docs = [self._complete(crawl.page_document(tree, r.url, f"{self.prefix}:{r.url}", fields))]
        # The events and places a page describes in schema.org markup are documents too; a page
        # without structured data is the page alone.
        skipped = []
        with contextlib.suppress(SourceError):
            parsed = feeds.jsonld_documents(r.body, r.url, self.source.partner, content_type=r.content_type,
                                            license=self.source.license, locate=self.locate, tz=self.tz)
            docs += [self._complete(d) for d in parsed.documents]
            skipped = parsed.skipped
        return docs, crawl.page_links(tree, r.url), skipped

    def _complete(self, doc):
        """The source's own metadata where the document has none; its id prefixed by the source's
        name, not the partner's: two sources of one partner never claim (and delete) one document."""
        source = self.source
        partner = feeds.slug(source.partner) + ":"
        doc_id = doc.id if doc.id.startswith(self.prefix + ":") else (
            f"{self.prefix}:{doc.id.removeprefix(partner)}")
        return replace(doc, id=doc_id, source=doc.source or source.partner, license=doc.license or source.license,
                       lang=doc.lang or source.lang, theme=doc.theme or source.theme,
                       places=doc.places or source.places, extra={**doc.extra, "sync": source.name})


def _http_date(value: str | None) -> str | None:
    """An HTTP date (Last-Modified) as ISO 8601."""
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
