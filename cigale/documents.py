"""Documents: the unit a partner publishes, and the JSONL interchange schema."""

import hashlib
import json
from dataclasses import asdict, dataclass, field

# Fields of the interchange schema (README, "Document schema"); anything else is kept in `extra`.
OPTIONAL_FIELDS = ("url", "source", "license", "lang", "theme", "audience", "published", "modified", "start",
                   "end")
# The shared corpus says `insee` and `category`; the engine says `places` and `theme`.
ALIASES = {"insee": "places", "category": "theme"}


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str
    url: str | None = None
    source: str | None = None
    license: str | None = None
    lang: str | None = None
    places: tuple[str, ...] = ()
    theme: str | None = None
    audience: str | None = None
    published: str | None = None
    modified: str | None = None  # last change at the source (sitemap lastmod, Last-Modified, dateModified)
    start: str | None = None
    end: str | None = None
    extra: dict = field(default_factory=dict, compare=False)
    origin: str | None = None  # the file it came from, for --prune

    @property
    def content_hash(self) -> str:
        payload = {k: v for k, v in asdict(self).items() if k != "origin"}
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    @classmethod
    def from_record(cls, record: dict, origin: str | None = None) -> "Document":
        """Build a document from one JSONL object; raises ValueError with a readable reason."""
        if not isinstance(record, dict):
            raise ValueError("a document must be a JSON object")
        record = dict(record)
        for alias, name in ALIASES.items():
            if alias in record and name not in record:
                record[name] = record.pop(alias)
        # An id or a title of spaces is missing too: both are stored stripped, and an empty id
        # would make every such record the same document.
        missing = [k for k in ("id", "title", "text")
                   if not record.get(k) or (k != "text" and isinstance(record[k], str) and not record[k].strip())]
        if missing:
            raise ValueError(f"missing required field(s): {', '.join(missing)}")
        for key in ("id", "title", "text"):
            if not isinstance(record[key], str):
                raise ValueError(f"field {key!r} must be a string")
        places = record.pop("places", None) or ()
        if isinstance(places, str):
            places = [places]
        if not isinstance(places, list | tuple) or not all(isinstance(p, str | int) for p in places):
            raise ValueError("field 'places' must be a list of INSEE codes")
        known = {k: _text_or_none(record.pop(k, None)) for k in OPTIONAL_FIELDS}
        doc_id, title, text = (record.pop(k) for k in ("id", "title", "text"))
        return cls(
            id=doc_id.strip(),
            title=title.strip(),
            text=text,
            places=tuple(dict.fromkeys(str(p) for p in places)),
            extra=record,
            origin=origin,
            **known,
        )

    def to_record(self) -> dict:
        record = {k: v for k, v in asdict(self).items() if v not in (None, (), {}) and k != "extra"}
        record.pop("origin", None)
        if self.places:
            record["places"] = list(self.places)
        return {**self.extra, **record}


def _text_or_none(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
