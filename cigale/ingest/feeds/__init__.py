"""Feeds: a partner's RSS/Atom feed, iCalendar feed or structured page, turned into documents.

Pure functions from downloaded bytes to documents: nothing here touches the network (the sync
fetches, with its own checks, and calls these). Each returns `Parsed(documents, skipped)`:
`skipped` holds one `SourceError` per item that could not be used (an event without a date, a
broken JSON-LD block), so the rest goes on; a feed that is unusable as a whole (not XML, not
iCalendar, not JSON, no items) raises `SourceError(url, reason)`.

Ids are `slug(partner) + ":" + the item's own identity` (its guid, UID, @id or url), so two
partners never collide and a re-sync of the same bytes yields the same documents with the same
`content_hash`: nothing here depends on the time of parsing (iCalendar's DTSTAMP, the time the
feed was generated, is ignored for that reason). Dates are ISO 8601: a date for what lasts whole
days, else a datetime with its offset in the territory's time zone, so that `start[:10]` is the
local day that search.py's `_in_time` compares with a question's window. `end` is inclusive.
`locate` (the gazetteer's `tag`, `str -> tuple[str, ...]`) fills `places` from venue texts.
"""

from cigale.ingest.feeds.ical import ical_documents
from cigale.ingest.feeds.parts import MAX_OCCURRENCES, Locate, Parsed, plain, slug, when
from cigale.ingest.feeds.rss import rss_documents
from cigale.ingest.feeds.structured import jsonld_documents

__all__ = ["MAX_OCCURRENCES", "Locate", "Parsed", "ical_documents", "jsonld_documents", "plain", "rss_documents",
           "slug", "when"]
