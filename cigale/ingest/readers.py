"""Readers: one function per file format, each turning a file into documents.

A reader raises `SourceError` when the whole file is unusable, and yields
`SourceError`s for single bad records (a broken JSONL line), so the rest goes on.

Line-oriented exports (JSONL, CSV) are read line by line, so a file of any size is read in
little memory: their cap is on each line (`MAX_RECORD_BYTES`), not on the file. The other
formats hold one document and are read whole, under `MAX_FILE_BYTES`. A streamed file may
still be refused after some of its documents were yielded (a NUL byte on line 900,000): the
caller takes those back (see `cigale.ingest`).
"""

import codecs
import csv
import errno
import io
import itertools
import json
import re
import stat
from pathlib import Path

from cigale.documents import Document
from cigale.errors import SourceError

MAX_FILE_BYTES = 50 * 1024 * 1024  # a file read whole: one page, one PDF
# One line of a line-oriented export, that is one document: some 1.5 million words, far beyond any
# notice (the longest record in bench/data is 6 KB). It bounds the memory a line takes while it is
# decoded and parsed (a few times its size), whatever the size of the file.
MAX_RECORD_BYTES = 10 * 1024 * 1024
# No field can be longer than its record; the csv module's default (128 KB) refuses a long description.
CSV_FIELD_LIMIT = MAX_RECORD_BYTES
# How much of a streamed file is looked at before reading it, to refuse a binary file at once and tell
# UTF-16 without a byte-order mark; the rest is checked line by line (git looks at 8,000 bytes).
SNIFF_BYTES = 64 * 1024
_SKIP_BYTES = 1024 * 1024  # the piece an over-long line is skipped by, never held whole
# Real records nest a few levels; deeper ones would exhaust Python's recursion limit later, when the
# document is hashed or stored (dataclasses.asdict and json.dumps recurse), and abort the whole ingest.
MAX_JSON_DEPTH = 100
# libxml2 builds at most 256 levels (xmlParserMaxDepth, unless XML_PARSE_HUGE) and silently drops
# whatever is nested deeper: a tree that reaches the ceiling may have lost part of the page.
MAX_HTML_DEPTH = 255
# Text files hold tabs, line and page breaks, and little else below U+0020; binary data holds them
# everywhere (1 byte in 8 in random data). Vertical tab is allowed too: Word exports its line breaks so.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r") + b"\x7f"
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
MAX_CONTROL_SHARE = 0.01
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
CSV_SNIFF_CHARS = 4096  # what csv.Sniffer is shown of the file to tell its delimiter


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(path, data)
    _refuse_binary(path, data)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding).replace("\r\n", "\n")
        except UnicodeDecodeError:
            continue
    raise SourceError(path, "not valid UTF-8 or Windows-1252 text")


def _refuse_binary(path: Path, data: bytes) -> None:
    """SourceError if `data` (a whole file, or the first bytes of one) is not text."""
    if b"\x00" in data:
        if _looks_like_utf16(data):
            raise SourceError(path, "UTF-16 text without a byte-order mark; save it as UTF-8")
        raise SourceError(path, "binary content, not text (NUL bytes)")
    if _control_bytes(data) > MAX_CONTROL_SHARE * len(data):
        raise SourceError(path, "binary content, not text (control characters)")


def _control_bytes(data: bytes) -> int:
    # Control bytes mean the same in UTF-8 and Windows-1252, so they are counted before decoding.
    return len(data.translate(None, _NOT_CONTROL))


def _decode_utf16(path: Path, data: bytes) -> str:
    """Text saved as "Unicode" by Windows tools: UTF-16 with its byte-order mark."""
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError:
        raise SourceError(path, "invalid UTF-16 text") from None
    if "\x00" in text:
        raise SourceError(path, "binary content, not text (NUL characters)")
    return text.replace("\r\n", "\n")


def _looks_like_utf16(data: bytes) -> bool:
    """Latin-script UTF-16 has a NUL as every other byte (the high byte of each character)."""
    even, odd = data[0::2], data[1::2]
    return max(even.count(0), odd.count(0)) > 0.9 * len(odd) and min(even.count(0), odd.count(0)) < 0.1 * len(odd)


def _read_lines(path: Path):
    """(line number, text) for each line of a line-oriented export, read as it goes: the text ends with
    its "\n" ("\r\n" becomes "\n"), or is a SourceError for a line that cannot be read on its own (too
    long, in no known encoding). Raises SourceError for a file that is not text.

    The checks are read_text's, made as the file is read: the first bytes are sniffed (a binary file
    is refused at once; a UTF-16 byte-order mark decides the encoding of the whole file), a NUL byte
    anywhere refuses the file (it is damaged or not text, and a file refused whole keeps its stored
    documents under --prune), and the share of control bytes is that of the whole file, checked at
    its end. Each line is decoded on its own, as UTF-8, else Windows-1252."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            f.seek(0)
            yield from _utf16_lines(path, io.TextIOWrapper(f, encoding="utf-16", newline="\n"))
            return
        _refuse_binary(path, head)
        f.seek(len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0)
        size = controls = 0
        for n, line in _lines(f, MAX_RECORD_BYTES, b"\n"):
            if isinstance(line, int):
                yield n, _too_large(path, n, line)
                continue
            if b"\x00" in line:
                raise SourceError(f"{path}:{n}", "binary content, not text (NUL bytes)")
            size, controls = size + len(line), controls + _control_bytes(line)
            if line.endswith(b"\r\n"):
                line = line[:-2] + b"\n"
            yield n, _decode_line(line) or SourceError(f"{path}:{n}", "not valid UTF-8 or Windows-1252 text")
        if controls > MAX_CONTROL_SHARE * size:
            raise SourceError(path, "binary content, not text (control characters)")


def _utf16_lines(path: Path, text):
    try:
        # In characters: UTF-16 takes two bytes for each (four for the few beyond U+FFFF).
        for n, line in _lines(text, MAX_RECORD_BYTES // 2, "\n"):
            if isinstance(line, int):
                yield n, _too_large(path, n, 2 * line)
            elif "\x00" in line:
                raise SourceError(f"{path}:{n}", "binary content, not text (NUL characters)")
            else:
                yield n, (line[:-2] + "\n" if line.endswith("\r\n") else line)
    except UnicodeDecodeError:  # found a chunk ahead of the lines read: no line to name
        raise SourceError(path, "invalid UTF-16 text") from None


def _lines(f, limit: int, newline):
    """(line number, line) for each line of `f` (bytes or text, ending with `newline`); a line longer
    than `limit` is skipped piece by piece and given as its length instead."""
    n = 0
    while line := f.readline(limit + 1):
        n += 1
        if len(line) <= limit or line.endswith(newline):
            yield n, line
            continue
        length = len(line)
        while not line.endswith(newline) and (line := f.readline(_SKIP_BYTES)):
            length += len(line)
        yield n, length - (len(newline) if line.endswith(newline) else 0)


def _too_large(path: Path, n: int, size: int) -> SourceError:
    return SourceError(f"{path}:{n}", f"record too large ({size:,} bytes; the limit for one record is "
                                      f"{MAX_RECORD_BYTES:,} bytes)")


def _decode_line(line: bytes) -> str | None:
    for encoding in ("utf-8", "cp1252"):
        try:
            return line.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_jsonl(path: Path, doc_id: str, options: dict):
    # Lines end at "\n" only: JSON strings may hold U+2028 and friends, which splitlines() breaks on.
    for n, line in _read_lines(path):
        if isinstance(line, SourceError):
            yield line
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            too_deep = _json_depth(record) > MAX_JSON_DEPTH
        except json.JSONDecodeError as exc:
            yield SourceError(f"{path}:{n}", f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:  # json.loads itself gives up around 1,000 levels
            too_deep = True
        if too_deep:
            yield SourceError(f"{path}:{n}", f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)")
            continue
        try:
            yield Document.from_record(record, origin=str(path))
        except ValueError as exc:
            yield SourceError(f"{path}:{n}", str(exc))


def _json_depth(value) -> int:
    """How deeply a parsed JSON value nests, found without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((v, depth + 1) for v in value)
    return deepest


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HEADING = re.compile(r"^#\s+(.+)$", re.MULTILINE)
# [text](url "title"), one level of parentheses allowed in the url (Wikipedia's "Aix_(Provence)").
# Neither part may hold a bracket, so a failed attempt stops at the next "[": the scans from
# different "[" never overlap and the substitution stays linear. The former `\[([^\]]*)\]\([^)]*\)`
# rescanned to the end of the text from every "[": 60 KB of "[" took 20 s.
_LINK = re.compile(r"!?\[([^\[\]]*)\]\((?:[^()\[\]\n]|\([^()\[\]\n]*\))*\)")
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
    tree = html_tree(read_text(path), path)
    result = html_main(tree, path)
    record = {"id": doc_id, "title": result.get("title") or path.stem, "text": result["text"]}
    for ours, theirs in (("url", "url"), ("published", "date"), ("source", "sitename"), ("lang", "language")):
        if result.get(theirs):
            record[ours] = result[theirs]
    yield _document(path, record)


def html_tree(html: str | bytes, where):
    """The lxml tree of an HTML page (a file's text, or a downloaded page's bytes: trafilatura finds
    their encoding); SourceError when it is no page or nested too deeply to be read whole."""
    import trafilatura

    try:
        # Parsed once here (as bare_extraction would), to tell a page nested too deeply from an empty one.
        tree = trafilatura.load_html(html)
    except Exception as exc:  # trafilatura/lxml raise many kinds on hostile markup
        raise SourceError(where, f"HTML could not be parsed ({_describe(exc)})") from None
    if tree is None:  # trafilatura refuses text, and fragments, that do not open with <html>
        raise SourceError(where, "not an HTML page (no <html> at its start)")
    if _tree_depth(tree) > MAX_HTML_DEPTH:
        raise SourceError(where, f"HTML nested too deeply (more than {MAX_HTML_DEPTH} levels)")
    return tree


def html_main(tree, where, url: str | None = None) -> dict:
    """trafilatura's reading of a page: its main text (navigation, footers and the like left out),
    title, date, site name, language; SourceError when it holds no main text."""
    import trafilatura

    try:
        extracted = trafilatura.bare_extraction(tree, url=url, with_metadata=True, include_comments=False,
                                                include_tables=True)
        result = extracted.as_dict() if extracted is not None else None
    except Exception as exc:
        raise SourceError(where, f"HTML could not be parsed ({_describe(exc)})") from None
    if not result or not (result.get("text") or "").strip():
        raise SourceError(where, "no main content found in the HTML page")
    return result


def _tree_depth(tree) -> int:
    from lxml import etree

    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def read_pdf(path: Path, doc_id: str, options: dict):
    import logging

    from pypdf import PdfReader

    with open(path, "rb") as f:
        # Readers accept the header anywhere in the first 1,024 bytes (PDF 32000-1, annex H).
        if b"%PDF-" not in f.read(1024):
            raise SourceError(path, "not a PDF file (no %PDF- header)")
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
        raise SourceError(path, f"unreadable PDF ({_describe(exc)})") from None
    if not text:
        raise SourceError(path, "the PDF has no extractable text (scanned images?)")
    yield _document(path, {"id": doc_id, "title": str(title), "text": text})


def read_csv(path: Path, doc_id: str, options: dict):
    """One document per row. `options["csv_map"]` maps fields to columns (``title=name``);
    without a text column, the other columns are rendered as ``Column : value`` lines.
    Read line by line: a row may span lines (a quoted field), so a line that cannot be read
    refuses the file, as a malformed row does."""
    lines = _csv_lines(path)
    head, sample = [], 0
    while sample < CSV_SNIFF_CHARS and (line := next(lines, None)) is not None:
        head.append(line)
        sample += len(line)
    csv.field_size_limit(CSV_FIELD_LIMIT)  # process-wide, but nothing else in Cigale reads CSV
    try:
        dialect = csv.Sniffer().sniff("".join(head)[:CSV_SNIFF_CHARS], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = csv.DictReader(itertools.chain(head, lines), dialect=dialect)
    try:
        yield from _csv_rows(path, doc_id, options, rows)
    except csv.Error as exc:
        # The csv module cannot resynchronise after a malformed row: the file is refused.
        reason = (f"CSV field longer than {CSV_FIELD_LIMIT:,} characters" if "field limit" in str(exc)
                  else f"malformed CSV ({exc})")
        raise SourceError(f"{path}:{rows.reader.line_num}", reason) from None


def _csv_lines(path: Path):
    for _, line in _read_lines(path):
        if isinstance(line, SourceError):
            raise line
        yield line


def _csv_rows(path: Path, doc_id: str, options: dict, rows: csv.DictReader):
    columns = rows.fieldnames or []
    mapping = {f: f for f in CSV_FIELDS if f in columns}
    mapping.update(options.get("csv_map") or {})
    unknown = [c for c in mapping.values() if c not in columns]
    if unknown:
        raise SourceError(path, f"column(s) {', '.join(unknown)} not in the header ({', '.join(columns)})")
    used = set(mapping.values())
    for n, row in enumerate(rows, start=1):
        if None in row:  # DictReader files the values beyond the header under None: they would be lost
            yield SourceError(f"{path}:{rows.line_num}",
                              f"row has {len(columns) + len(row[None])} fields, the header has {len(columns)}")
            continue
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


# Line-oriented: read as they go, without a cap on the file's size (MAX_RECORD_BYTES caps each line).
STREAMED = frozenset({read_jsonl, read_csv})


def read(path: Path, doc_id: str, options: dict | None = None):
    """Documents (and per-record SourceErrors) from one file; SourceError if it is unusable."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SourceError(path, f"unsupported file type {path.suffix or '(none)'}; supported: {', '.join(READERS)}")
    try:
        info = path.stat()
    except OSError as exc:
        raise SourceError(path, os_reason(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(path, "not a regular file")  # reading a named pipe or a device never ends
    if info.st_size == 0:
        raise SourceError(path, "empty file")
    if reader not in STREAMED and info.st_size > MAX_FILE_BYTES:
        raise SourceError(path, f"file too large ({info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes)")
    try:
        yield from reader(path, doc_id, options or {})
    except SourceError:
        raise
    except OSError as exc:
        raise SourceError(path, os_reason(exc)) from None
    except RecursionError:
        raise SourceError(path, "content nested too deeply to be read") from None
    except MemoryError:
        raise SourceError(path, "not enough memory to read this file") from None
    except Exception as exc:  # a parser's bug on hostile input must not abort the whole batch
        raise SourceError(path, f"could not be read ({_describe(exc)})") from None


def os_reason(exc: OSError) -> str:
    """Why the system refused a file, worded like Cigale's other reasons ("permission denied")."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


def _describe(exc: Exception) -> str:
    """An exception in one short line: its type and the first line of its message."""
    message = str(exc).strip().split("\n", 1)[0][:200]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
