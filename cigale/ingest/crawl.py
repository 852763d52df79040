"""Pages of partner sites: what a sitemap lists, what a page links to, and the documents a page holds.

No network here: `cigale.ingest.fetch` downloads, these functions read what it brought back.
Sitemaps are parsed by `ultimate-sitemap-parser` (XML, plain text and RSS sitemaps, indexes),
pages as `cigale ingest` reads HTML files (readers.html_tree, html_main), dates by `htmldate`.
"""

import gzip
import io
import logging
import zlib
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from cigale.documents import Document
from cigale.errors import SourceError
from cigale.ingest.readers import html_main

PAGE_TYPES = ("text/html", "application/xhtml+xml")
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed
MAX_SITEMAP_URLS = 50_000  # ditto
MAX_LINKS = 5000  # links read from one page (a page of 250,000 links is no page)


def sitemap_entries(body: bytes, url: str) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(page URL, lastmod) pairs and the URLs of sub-sitemaps, from a downloaded sitemap."""
    from usp.tree import sitemap_from_str

    logging.getLogger("usp").setLevel(logging.ERROR)  # it warns about every odd line; we report instead
    if body[:2] == b"\x1f\x8b":  # a sitemap.xml.gz served as a file, not as a Content-Encoding
        try:
            body = _gunzip(body, MAX_SITEMAP_BYTES)
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(url, f"broken gzip sitemap ({exc})") from None
    text = body.decode("utf-8", "replace").lstrip("\ufeff")
    if not text.strip():
        raise SourceError(url, "empty sitemap")
    if text.lstrip().startswith("<"):
        _well_formed(body, url)  # usp keeps what it read before a break: a cut file would look complete
    parsed = sitemap_from_str(text)
    subs = [s.url for s in getattr(parsed, "sub_sitemaps", ())]
    pages = []
    for page in parsed.all_pages():
        if len(pages) >= MAX_SITEMAP_URLS:
            break
        if link := _absolute(url, page.url):
            pages.append((link, _iso(page.last_modified)))
    if not pages and not subs:
        raise SourceError(url, "no page URL in the sitemap (not a sitemap?)")
    return pages, subs


def _well_formed(body: bytes, url: str) -> None:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(url, f"malformed sitemap XML ({str(exc)[:120]}): nothing is removed on its word") from None


def _absolute(base: str, href: str) -> str | None:
    """`href` made absolute against `base`, without its fragment; None unless it is a usable http(s) URL."""
    try:
        link = urljoin(base, href.strip()).split("#", 1)[0]
        parts = urlsplit(link)
        parts.port  # noqa: B018 (raises ValueError on a port that is no number)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(link) > 2000 or not link.isprintable():
        return None
    return link


def _gunzip(data: bytes, limit: int) -> bytes:
    out = gzip.GzipFile(fileobj=io.BytesIO(data)).read(limit + 1)
    if len(out) > limit:
        raise OSError(f"more than {limit:,} bytes once decompressed")
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def same_site(url: str, base: str) -> bool:
    """Whether `url` is on the host of `base` (www. aside): a source's pages stay on its site."""
    def host(u):
        try:
            h = (urlsplit(u).hostname or "").lower()
        except ValueError:  # "http://[::1" and such
            return ""
        return h[4:] if h.startswith("www.") else h

    return url.startswith(("http://", "https://")) and bool(host(url)) and host(url) == host(base)


def page_links(tree, url: str) -> list[str]:
    """The http(s) links of a parsed page, absolute, without fragments, in order, once each."""
    base = url
    for b in tree.xpath("//base[@href]/@href")[:1]:
        base = _absolute(url, b) or url
    out = {}
    for href in tree.xpath("//a[@href]/@href")[:MAX_LINKS]:
        skip = not href.strip() or href.strip().startswith(("mailto:", "tel:", "javascript:", "#"))
        if not skip and (link := _absolute(base, href)):
            out.setdefault(link, None)
    return list(out)


def page_document(tree, url: str, doc_id: str, fields: dict) -> Document:
    """The document a page holds (`readers.html_main`: its main text, title, language) and its
    dates: `published` (htmldate's original date) and `modified` (the page's own last-update date,
    else what the server or the sitemap said, in `fields`)."""
    from htmldate import find_date

    result = html_main(tree, url, url=url)
    record = {"id": doc_id, "title": result.get("title") or url, "text": result["text"].strip(), "url": url,
              **fields}
    declared = (tree.get("lang") or "").split("-", 1)[0].strip().lower()  # <html lang="fr-FR">
    if not record.get("lang") and (result.get("language") or declared):
        record["lang"] = result.get("language") or declared
    try:
        published = find_date(tree, url=url, original_date=True, extensive_search=False)
        updated = find_date(tree, url=url, original_date=False, extensive_search=False)
    except Exception:  # a date is a bonus: a page without one is still a page
        published = updated = None
    if published:
        record["published"] = published
    if updated and updated != published:
        record["modified"] = updated
    try:
        return Document.from_record(record)
    except ValueError as exc:
        raise SourceError(url, str(exc)) from None
