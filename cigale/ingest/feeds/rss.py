"""RSS and Atom feeds: one document per item."""

import datetime
import hashlib
import io
from zoneinfo import ZoneInfo

from cigale.documents import Document
from cigale.errors import SourceError
from cigale.ingest.feeds.parts import DEFAULT_TZ, Locate, Parsed, describe, lang_tag, plain, slug, unique
from cigale.language import function_words


def rss_documents(data: bytes, url: str, partner: str, *, license: str | None = None, tz: str = DEFAULT_TZ,
                  locate: Locate | None = None) -> Parsed:
    """One document per item of an RSS (0.9x, 1.0, 2.0) or Atom feed.

    id `slug(partner):guid` (else the item's link, else a hash of its title and text); title;
    text = its content or summary as plain text; url = its link (else the feed's); published /
    modified from pubDate/published and updated, in `tz`; lang from the item's or the feed's
    xml:lang / <language>; extra {"kind": "article", "author", "categories"} when given. `places`
    stays empty: a news item has no venue, and ingest tags the places its text names. `locate` is
    accepted for symmetry and unused.
    """
    import feedparser

    # Bytes, in a stream: feedparser fetches a str that looks like a URL, and `open()`s bytes that
    # name a local file (api._open_resource); a stream it only reads. The content-location header
    # is the base for relative links, as if the feed had been fetched from `url`.
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": url})
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            raise SourceError(url, f"not an RSS or Atom feed ({describe(parsed.get('bozo_exception'))})")
        raise SourceError(url, "the feed has no items" if parsed.get("version") else "not an RSS or Atom feed")
    zone = ZoneInfo(tz)
    feed_lang = lang_tag(parsed.feed.get("language"))
    prefix, docs, skipped, seen = slug(partner), [], [], set()
    for n, entry in enumerate(parsed.entries, start=1):
        body = max((c.get("value") or "" for c in entry.get("content") or ()), key=len, default="")
        text = plain(body if len(body) > len(entry.get("summary") or "") else entry.get("summary") or "")
        title = plain(entry.get("title") or "") or text.split("\n", 1)[0][:120]
        if not title:
            skipped.append(SourceError(f"{url}#{n}", "item has neither a title nor a text"))
            continue
        text = text or title  # a headline with a link, and nothing else
        own = entry.get("id") or entry.get("link") or hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:16]
        doc_id = unique(f"{prefix}:{own}", seen)
        detail = entry.get("content", [{}])[0] if entry.get("content") else entry.get("summary_detail") or {}
        extra = {"kind": "article", "author": entry.get("author"),
                 "categories": [t["term"] for t in entry.get("tags") or () if t.get("term")] or None}
        docs.append(Document(
            id=doc_id, title=title, text=text, url=entry.get("link") or url, source=partner, license=license,
            lang=lang_tag(detail.get("language")) or feed_lang or function_words(f"{title} {text}"),
            published=_struct_time(entry.get("published_parsed"), zone),
            modified=_struct_time(entry.get("updated_parsed"), zone),
            extra={k: v for k, v in extra.items() if v},
        ))
    return Parsed(docs, skipped)


def _struct_time(value, zone: ZoneInfo) -> str | None:
    """feedparser's dates are UTC `time.struct_time`s."""
    if not value:
        return None
    return datetime.datetime(*value[:6], tzinfo=datetime.UTC).astimezone(zone).isoformat()
