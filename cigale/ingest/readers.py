"""Readers: one function per file format, each turning a file into documents.

A reader raises `SourceError` when the whole file is unusable, and yields
`SourceError`s for single bad records (a broken JSONL line), so the rest goes on.
"""

import csv
import io
import json
import re
from pathlib import Path

from cigale.documents import Document
from cigale.errors import SourceError

MAX_FILE_BYTES = 50 * 1024 * 1024
# CSV column mapping defaults: document field → column name.
CSV_FIELDS = (
    "id",
    "title",
    "text",
    "url",
    "source",
    "license",
    "lang",
    "places",
    "theme",
    "audience",
    "published",
    "start",
    "end",
)


def read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise SourceError(path, "binary content (NUL bytes); not a text file")
        return text.replace("\r\n", "\n")
    raise SourceError(path, "not valid UTF-8 or Windows-1252 text")


def read_jsonl(path: Path, doc_id: str, options: dict):
    # Split on "\n" only: JSON strings may hold U+2028 and friends, which splitlines() breaks on.
    for n, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield Document.from_record(json.loads(line), origin=str(path))
        except json.JSONDecodeError as exc:
            yield SourceError(f"{path}:{n}", f"invalid JSON ({exc.msg} at column {exc.colno})")
        except ValueError as exc:
            yield SourceError(f"{path}:{n}", str(exc))


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HEADING = re.compile(r"^#\s+(.+)$", re.MULTILINE)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_MD_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+)", re.MULTILINE)


def read_markdown(path: Path, doc_id: str, options: dict):
    text = read_text(path)
    meta = {}
    if m := _FRONT_MATTER.match(text):
        # Simple `key: value` front matter (no YAML dependency for a handful of fields).
        for line in m.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep and value.strip():
                meta[key.strip()] = value.strip().strip("\"'")
        text = text[m.end() :]
    heading = _HEADING.search(text)
    title = meta.pop("title", None) or (heading.group(1).strip() if heading else path.stem)
    body = _MD_PREFIX.sub("", _EMPHASIS.sub("", _LINK.sub(r"\1", text))).strip()
    if "places" in meta:
        meta["places"] = [p.strip() for p in re.split(r"[,;\s]+", meta["places"].strip("[]")) if p.strip()]
    yield _document(path, {"id": doc_id, **meta, "title": title, "text": body})


def read_plain(path: Path, doc_id: str, options: dict):
    text = read_text(path).strip()
    first = text.split("\n", 1)[0].strip()
    title = first if 0 < len(first) <= 120 else path.stem
    yield _document(path, {"id": doc_id, "title": title, "text": text})


def read_html(path: Path, doc_id: str, options: dict):
    import trafilatura

    html = read_text(path)
    try:
        extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                                include_tables=True)
        result = extracted.as_dict() if extracted is not None else None
    except Exception as exc:  # trafilatura/lxml raise many kinds on hostile markup
        raise SourceError(path, f"HTML could not be parsed ({type(exc).__name__})") from None
    if not result or not (result.get("text") or "").strip():
        raise SourceError(path, "no main content found in the HTML page")
    record = {"id": doc_id, "title": result.get("title") or path.stem, "text": result["text"]}
    for ours, theirs in (("url", "url"), ("published", "date"), ("source", "sitename"), ("lang", "language")):
        if result.get(theirs):
            record[ours] = result[theirs]
    yield _document(path, record)


def read_pdf(path: Path, doc_id: str, options: dict):
    import logging

    from pypdf import PdfReader

    # pypdf logs every repair it attempts; the user gets one clear SourceError instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise SourceError(path, "the PDF is encrypted")
        text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
        title = (reader.metadata.title if reader.metadata else None) or path.stem
    except SourceError:
        raise
    except Exception as exc:  # a damaged PDF makes pypdf raise almost anything
        raise SourceError(path, f"unreadable PDF ({type(exc).__name__}: {exc})") from None
    if not text:
        raise SourceError(path, "the PDF has no extractable text (scanned images?)")
    yield _document(path, {"id": doc_id, "title": str(title), "text": text})


def read_csv(path: Path, doc_id: str, options: dict):
    """One document per row. `options["csv_map"]` maps fields to columns (``title=name``);
    without a text column, the other columns are rendered as ``Column : value`` lines."""
    text = read_text(path)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = rows.fieldnames or []
    mapping = {f: f for f in CSV_FIELDS if f in columns}
    mapping.update(options.get("csv_map") or {})
    unknown = [c for c in mapping.values() if c not in columns]
    if unknown:
        raise SourceError(path, f"column(s) {', '.join(unknown)} not in the header ({', '.join(columns)})")
    used = set(mapping.values())
    for n, row in enumerate(rows, start=1):
        record = {field: (row.get(col) or "").strip() for field, col in mapping.items()}
        record["id"] = record.get("id") or f"{doc_id}#{n}"
        if not record.get("text"):
            record["text"] = "\n".join(
                f"{c} : {row[c].strip()}" for c in columns if c not in used and row.get(c) and row[c].strip()
            )
        if not record.get("title"):
            record["title"] = record["text"].split("\n", 1)[0][:120]
        if record.get("places"):
            record["places"] = [p for p in re.split(r"[,;|\s]+", record["places"]) if p]
        try:
            yield Document.from_record(record, origin=str(path))
        except ValueError as exc:
            yield SourceError(f"{path}:{rows.line_num}", str(exc))


def _document(path: Path, record: dict) -> Document:
    try:
        return Document.from_record(record, origin=str(path))
    except ValueError as exc:
        raise SourceError(path, str(exc)) from None


READERS = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_plain,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".csv": read_csv,
}


def read(path: Path, doc_id: str, options: dict | None = None):
    """Documents (and per-record SourceErrors) from one file; SourceError if it is unusable."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SourceError(path, f"unsupported file type {path.suffix or '(none)'}; supported: {', '.join(READERS)}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(path, exc.strerror or str(exc)) from None
    if size > MAX_FILE_BYTES:
        raise SourceError(path, f"file too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes)")
    try:
        yield from reader(path, doc_id, options or {})
    except OSError as exc:
        raise SourceError(path, exc.strerror or str(exc)) from None
