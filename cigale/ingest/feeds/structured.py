"""Structured data: schema.org JSON-LD and microdata in a page, JSON-LD files, DATAtourisme exports."""

import codecs
import dataclasses
import datetime
import json
import re
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from cigale.documents import Document
from cigale.errors import SourceError
from cigale.ingest.feeds.parts import (
    DAYS,
    DEFAULT_TZ,
    MAX_OCCURRENCES,
    Locate,
    Parsed,
    Skip,
    clock_range,
    describe,
    labels,
    lang_tag,
    local_time,
    locate_venue,
    moment,
    plain,
    slug,
    unique,
    when,
)
from cigale.language import function_words


def jsonld_documents(data: bytes, url: str, partner: str, *, content_type: str = "text/html",
                     license: str | None = None, tz: str = DEFAULT_TZ, locate: Locate | None = None) -> Parsed:
    """Documents from schema.org data: an HTML page's JSON-LD and microdata, or a JSON / JSON-LD
    file (`content_type` application/json or application/ld+json, such as a DATAtourisme export).

    Read: every top-level item, `@graph` member, ItemList element and mainEntity (`{"@id"}`
    references to another node of the data are followed) that is
    - an event (a type named *Event, Festival, DATAtourisme's EntertainmentAndEvent, or any item
      with a startDate or takesPlaceAt): one document per period, id
      `slug(partner):@id-or-url@start`. The periods are its takesPlaceAt or eventSchedule entries
      when it has some, else its startDate/endDate; a period over several days with daily times
      is dated by its days, its times in an "Horaires" line (schedules are not expanded into
      days). Text: description, then Date, Lieu (location's name and PostalAddress), Organisateur,
      Tarif (offers' price, lowPrice–highPrice, priceCurrency; "gratuit" when
      isAccessibleForFree or priced 0);
    - a place (Place and its subtypes, LocalBusiness, DATAtourisme's PlaceOfInterest, or any item
      with an address but an Organization, a Person or a web page): one document, id
      `slug(partner):@id-or-url`, text: description, then Adresse, Horaires (openingHours,
      openingHoursSpecification), Téléphone.
    Either kind: url (else the page's), lang (inLanguage, the text's @language, the page's
    lang), published/modified (datePublished/dateModified), places (`locate` on the locality,
    else the postal code, the street, the venue). Images, reviews, geo coordinates are ignored.
    An item found twice (in JSON-LD and in microdata) gives one document.

    DATAtourisme (its ontology, as the national platform exports it in JSON-LD with `@graph` or
    as one JSON object per point of interest): keys in any prefix form (`rdfs:label`, `:label`,
    `label`), language maps (`{"fr": ["…"]}`) and `@language` lists (French preferred, then
    English), rdfs:label, hasDescription (dc:description, shortDescription), rdfs:comment,
    takesPlaceAt (startDate, endDate, startTime, endTime), isLocatedAt → schema:address
    (streetAddress, postalCode, addressLocality, hasAddressCity's label and INSEE code, which
    goes into `places` as given), hasContact (schema:telephone, foaf:homepage), creationDate,
    lastUpdate. Not read: its opening periods and detailed price specifications.
    """
    kind = content_type.split(";", 1)[0].strip().lower()
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    is_json = kind.endswith("json") or (not kind.endswith("html") and head in (b"{", b"["))
    skipped: list[SourceError] = []
    if is_json:
        if not head:
            raise SourceError(url, "empty file")
        try:
            roots, page_lang = [json.loads(data)], None
        except (ValueError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else describe(exc)
            raise SourceError(url, f"invalid JSON ({reason})") from None
    else:
        roots, page_lang = _page_items(data, url, _html_encoding(data, content_type), skipped)
    items = [n for n in _top_items(_resolve(roots)) if _types(n) or _get(n, "takesPlaceAt", "startDate", "address")]
    if not items:
        if skipped:
            raise SourceError(url, skipped[0].reason)
        raise SourceError(url, "no schema.org or DATAtourisme data in the " + ("file" if is_json else "page"))
    zone = ZoneInfo(tz)
    prefix, docs, skipped_items, seen, met, found = slug(partner), [], [], set(), set(), set()
    for n, item in enumerate(items, start=1):
        types = _types(item)
        found.update(types - {"resource"})
        try:
            if _is_event(item, types):
                made = _events(item, prefix, url, partner, license, zone, locate, page_lang)
            elif _is_place(item, types):
                made = [_place(item, prefix, url, partner, license, zone, locate, page_lang)]
            else:
                continue
        except Skip as skip:
            skipped_items.append(SourceError(f"{url}#{n}", str(skip)))
            continue
        for doc in made:
            # The same item in JSON-LD and in microdata (the first is kept): one name, one date, one place.
            key = (doc.title, doc.start, doc.extra.get("venue") or doc.extra.get("address"))
            if key not in met:
                met.add(key)
                docs.append(dataclasses.replace(doc, id=unique(doc.id, seen)))
    if not docs and not skipped_items:
        raise SourceError(url, f"no schema.org Event or Place in the data (types found: "
                               f"{', '.join(sorted(found)) or 'none'})")
    return Parsed(docs, skipped + skipped_items)


def _html_encoding(data: bytes, content_type: str) -> str:
    """The page's encoding as HTML sniffs it: a byte-order mark, else the HTTP charset, else a
    <meta> charset in the first 1,024 bytes, else UTF-8 when the bytes are valid UTF-8 (a step
    browsers skip, but pages without a charset are UTF-8 more often than not), else Windows-1252.
    Latin-1 labels mean Windows-1252, as in browsers (WHATWG Encoding, "latin1")."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    for source in (content_type, data[:1024].decode("ascii", "replace")):
        if m := re.search(r"""charset\s*=\s*["']?([\w.:-]+)""", source, re.IGNORECASE):
            try:
                name = codecs.lookup(m.group(1)).name
            except LookupError:
                continue
            return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _page_items(data: bytes, url: str, encoding: str, skipped: list) -> tuple[list, str | None]:
    """The page's JSON-LD blocks, each parsed on its own (a broken block costs only itself), and
    its microdata through extruct, in schema.org's JSON-LD shape."""
    import extruct
    import lxml.html

    try:
        tree = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding=encoding))
    except Exception as exc:  # lxml refuses empty documents and some hostile ones
        raise SourceError(url, f"not an HTML page ({describe(exc)})") from None
    roots = []
    scripts = tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'application/ld+json')]")
    for n, script in enumerate(scripts, start=1):
        # Some CMSs wrap the block in an HTML comment or a CDATA section.
        block = re.sub(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)\s*$", "", script.text or "")
        try:
            roots.append(json.loads(block))
        except (ValueError, RecursionError) as exc:
            skipped.append(SourceError(f"{url}#jsonld-{n}", f"invalid JSON-LD ({describe(exc)})"))
    try:
        found = extruct.extract(data, base_url=url, encoding=encoding, syntaxes=["microdata"], uniform=True)
        roots += found["microdata"]
    except Exception as exc:  # extruct parses again, and may fail where lxml did not
        skipped.append(SourceError(f"{url}#microdata", f"unreadable microdata ({describe(exc)})"))
    return roots, lang_tag(tree.get("lang"))


MAX_NESTING = 8  # containers within containers: a WebPage's mainEntity's ItemList's ListItems…
MAX_JSON_DEPTH = 100  # as readers.py: deeper JSON is not a record (and would exhaust the recursion limit)
_CONTAINERS = ("graph", "itemListElement", "mainEntity", "item")


def _resolve(roots: list) -> list:
    """`{"@id": …}` references replaced by the node of that @id the data describes (Yoast and
    others write a page's graph so), in place; a reference to a missing node stays as it is."""
    holders = list(_walk(roots))  # walked before any replacement, while the data is still a tree
    nodes = {}
    for node in holders:
        if isinstance(node, dict) and isinstance(node.get("@id"), str) and len(node) > 1:
            nodes.setdefault(node["@id"], node)
    for holder in holders:
        keys = holder.keys() if isinstance(holder, dict) else range(len(holder))
        for key in list(keys):
            value = holder[key]
            if isinstance(value, dict) and set(value) == {"@id"} and value["@id"] in nodes:
                holder[key] = nodes[value["@id"]]
    return roots


def _walk(roots: list, limit: int = MAX_JSON_DEPTH):
    """Every dict and list of parsed JSON (a tree), down to `limit` levels."""
    stack = [(r, 0) for r in roots]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict | list) or depth > limit:
            continue
        yield node
        stack.extend((c, depth + 1) for c in (node.values() if isinstance(node, dict) else node))


def _top_items(roots: list) -> list[dict]:
    """The items the data is about, containers opened (@graph, ItemList, ListItem, mainEntity)."""
    out, stack, met = [], [(r, 0) for r in reversed(roots)], set()
    while stack:
        node, depth = stack.pop()
        if isinstance(node, list):
            stack.extend((n, depth) for n in reversed(node))
            continue
        if not isinstance(node, dict) or depth > MAX_NESTING or id(node) in met:
            continue  # references resolved, a node may be reached twice, or through a cycle
        met.add(id(node))
        inner = [v for k, v in node.items() if _local(k) in _CONTAINERS]
        if _types(node) or not inner:
            out.append(node)
        stack.extend((v, depth + 1) for v in reversed(inner))
    return out


_SKIP_TYPES = {"WebPage", "WebSite", "BreadcrumbList", "ItemList", "ListItem", "Organization", "Corporation",
               "NGO", "GovernmentOrganization", "Person", "ImageObject", "SearchAction", "CollectionPage",
               "SiteNavigationElement", "PostalAddress", "Offer", "AggregateOffer", "resource"}
_EVENT_TYPES = {"Festival", "EventSeries", "EntertainmentAndEvent", "CulturalEvent", "SportsCompetition",
                "Concert", "Exhibition"}
_PLACE_TYPES = {"Place", "TouristAttraction", "TouristDestination", "LocalBusiness", "Museum", "Restaurant",
                "PlaceOfInterest", "PointOfInterest", "CivicStructure", "LandmarksOrHistoricalBuildings",
                "Park", "Beach", "FoodEstablishment", "LodgingBusiness", "Accommodation", "CulturalSite",
                "NaturalHeritage", "Store", "Winery"}


def _local(key: str) -> str:
    """`schema:startDate`, `:startDate`, `http://schema.org/startDate` → `startDate`; `@graph` → `graph`."""
    if key.startswith("@") and key != "@graph":
        return key
    return re.split(r"[:/#]", key.lstrip("@"))[-1]


def _types(node: dict) -> set[str]:
    value = node.get("@type") or ()
    return {_local(t) for t in ([value] if isinstance(value, str) else value) if isinstance(t, str)}


def _get(node, *names) -> list:
    """The values of the first of `names` the node has (whatever the prefix), as a flat list."""
    if not isinstance(node, dict):
        return []
    for name in names:
        for key, value in node.items():
            if _local(key) == name and value not in (None, "", [], {}):
                return [v for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
    return []


_LANG_KEY = re.compile(r"^[a-z]{2}(?:-[A-Za-z]{2,4})?$")
PREFERRED_LANGS = ("fr", "en")  # the territory's language, then its visitors'


def _text(values, lang: str | None = None) -> tuple[str | None, str | None]:
    """The text among `values` (strings, numbers, {"@value", "@language"}, language maps such as
    DATAtourisme's {"fr": ["…"]}) in `lang`, else a preferred language, with its language."""
    candidates = []  # (text, language)
    for value in values if isinstance(values, list) else [values]:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            candidates.append((str(value), None))
        elif isinstance(value, dict) and "@value" in value:
            candidates.append((str(value["@value"]), value.get("@language")))
        elif isinstance(value, dict) and value and all(_LANG_KEY.match(k) for k in value):
            for code, texts in value.items():
                candidates += [(str(t), code) for t in (texts if isinstance(texts, list) else [texts])
                               if isinstance(t, str)]
    order = [code for code in dict.fromkeys((lang, *PREFERRED_LANGS)) if code] + [None]
    candidates = [(plain(t), code) for t, code in candidates if t.strip()]
    candidates.sort(key=lambda c: order.index(lang_tag(c[1])) if lang_tag(c[1]) in order else len(order))
    return candidates[0] if candidates else (None, None)


def _first(node, *names) -> str | None:
    return _text(_get(node, *names))[0]


def _is_event(item: dict, types: set[str]) -> bool:
    return bool(types & _EVENT_TYPES or any(t.endswith("Event") for t in types)
                or _get(item, "takesPlaceAt", "startDate"))


def _is_place(item: dict, types: set[str]) -> bool:
    return bool(types & _PLACE_TYPES or (not types & _SKIP_TYPES and _get(item, "address", "isLocatedAt")))


def _common(item: dict, url: str, page_lang: str | None) -> dict:
    """What events and places share: title, description, language, url, own id, dates."""
    title, title_lang = _text(_get(item, "name", "label"), page_lang)
    if not title:
        raise Skip("item has no name")
    descriptions = [d for node in _get(item, "hasDescription") for d in _get(node, "description", "shortDescription")]
    description, text_lang = _text(descriptions or _get(item, "description", "comment"), title_lang or page_lang)
    lang = (lang_tag(_first(item, "inLanguage")) or lang_tag(title_lang or text_lang) or page_lang
            or function_words(f"{title} {description or ''}"))
    contacts = _get(item, "hasContact")
    link = _first(item, "url") or _text([h for c in contacts for h in _get(c, "homepage")])[0]
    telephone = _first(item, "telephone") or _text([t for c in contacts for t in _get(c, "telephone")])[0]
    own = item.get("@id") if isinstance(item.get("@id"), str) and not item["@id"].startswith("_:") else None
    own = urljoin(url, own) if own else None  # "#venue" names a node of the page at `url`
    return {"title": title, "description": description or "", "lang": lang, "url": link,
            "own": own or link, "telephone": telephone,
            "published": _first(item, "datePublished", "creationDate"),
            "modified": _first(item, "dateModified", "lastUpdate")}


def _where(item: dict) -> dict:
    """Venue name, street, postal code, locality and INSEE codes, from `location` (schema.org),
    `isLocatedAt` (DATAtourisme) or, for a place, its own `address`."""
    located = [w for w in _get(item, "location", "isLocatedAt") if isinstance(w, dict | str)] or [item]
    where = next((w for w in located if _get(w, "address")), located[0])
    if isinstance(where, str):
        return {"venue": plain(where)}
    address = (_get(where, "address") or [{}])[0]
    if isinstance(address, str):
        address = {"streetAddress": address}
    cities = _get(address, "hasAddressCity")
    return {
        "venue": _first(where, "name", "label") if where is not item else None,
        "street": ", ".join(s for s in (_text(v)[0] for v in _get(address, "streetAddress")) if s) or None,
        "postcode": _first(address, "postalCode"),
        "locality": _first(address, "addressLocality") or _text([v for c in cities for v in _get(c, "label")])[0],
        "insee": tuple(code for c in cities if (code := _first(c, "insee"))),
        "hours": _hours(item) or _hours(where),
    }


def _address_line(where: dict) -> str | None:
    town = " ".join(p for p in (where.get("postcode"), where.get("locality")) if p)
    return ", ".join(p for p in (where.get("street"), town) if p) or None


def _places(where: dict, locate: Locate | None) -> tuple[str, ...]:
    """The INSEE codes the data gives, then `locate`'s for the most precise text it names."""
    codes = list(where.get("insee") or ())
    if locate:
        for text in (where.get("locality"), where.get("postcode"), where.get("street")):
            if text and (found := tuple(locate(text))):
                codes += found
                break
        else:
            codes += locate_venue(where.get("venue"), locate)
    return tuple(dict.fromkeys(codes))


_DAY_CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")  # schema.org openingHours


def _hours(node) -> str | None:
    """openingHours ("Tu-Su 10:00-19:00") as given, or each openingHoursSpecification as
    "Tuesday, Wednesday 10:00–19:00" (day names translated by `_day_names`)."""
    given = [_text(h)[0] for h in _get(node, "openingHours")]
    for spec in _get(node, "openingHoursSpecification"):
        days = [_local(_text(d)[0] or "" if not isinstance(d, dict) else d.get("@id") or _first(d, "label") or "")
                for d in _get(spec, "dayOfWeek")]
        opens, closes = _first(spec, "opens"), _first(spec, "closes")
        if opens and closes:
            given.append(" ".join(p for p in (", ".join(d for d in days if d), f"{opens[:5]}–{closes[:5]}") if p))
    return "; ".join(h for h in given if h) or None


def _day_names(hours: str, lang: str) -> str:
    names = dict(zip(_DAY_CODES, DAYS[lang])) | dict(zip(DAYS["en"], DAYS[lang]))
    return re.sub(r"\b(" + "|".join(names) + r")\b", lambda m: names[m.group(1)], hours)


def _price(item: dict, lang: str) -> str | None:
    free = "gratuit" if lang == "fr" else "free"
    if any(v is True or str(_text(v)[0]).lower().endswith("true") for v in _get(item, "isAccessibleForFree")):
        return free
    figures, currency = [], None
    for offer in _get(item, "offers"):
        for spec in [offer, *_get(offer, "priceSpecification")]:
            for key in ("price", "lowPrice", "minPrice", "highPrice", "maxPrice"):
                figures += [_text(v)[0] for v in _get(spec, key)]
            currency = currency or _first(spec, "priceCurrency")
    numbers = sorted({float(f.replace(",", ".")) for f in figures if f and re.fullmatch(r"\d+(?:[.,]\d+)?", f)})
    if not numbers:
        return next((f for f in figures if f), None)  # "sur réservation", "5 à 10 €"
    if numbers[-1] == 0:
        return free
    unit = "\u00a0€" if currency in (None, "EUR") else f" {currency}"
    shown = [f"{n:g}".replace(".", "," if lang == "fr" else ".") + unit for n in (numbers[0], numbers[-1])]
    return shown[0] if len(numbers) == 1 else f"{shown[0]} – {shown[1]}"


def _periods(item: dict, zone: ZoneInfo, lang: str) -> list[tuple]:
    """(start, end, daily times) of each period, earliest first, at most MAX_OCCURRENCES."""
    periods = set()
    for node in (_get(item, "takesPlaceAt") + _get(item, "eventSchedule")) or [item]:
        first_day, last_day = _first(node, "startDate"), _first(node, "endDate")
        opens, closes = _first(node, "startTime"), _first(node, "endTime")
        start = _json_time(first_day, opens, zone)
        if start is None:
            continue
        several_days = last_day and first_day and last_day[:10] > first_day[:10]
        if several_days and opens:  # a festival from the 10th to the 20th, at 21 h each day
            start, end = start.date(), _json_time(last_day[:10], None, zone)
            daily = clock_range(_json_time(first_day[:10], opens, zone),
                                 _json_time(first_day[:10], closes, zone) if closes else None, lang)
        else:
            end, daily = _json_time(last_day or (first_day if closes else None), closes, zone), None
        if end is not None and moment(end, zone) < moment(start, zone):
            end = None  # inconsistent source data: keep the start only
        periods.add((start, end, daily))
    return sorted(periods, key=lambda p: moment(p[0], zone))[:MAX_OCCURRENCES]


def _json_time(day: str | None, clock: str | None, zone: ZoneInfo):
    """A schema.org date or datetime (with a separate time of day, as DATAtourisme writes them)."""
    if not day:
        return None
    if clock and len(day) <= 10:
        day = f"{day}T{clock}"
    try:
        value = (datetime.datetime.fromisoformat(day.replace("Z", "+00:00")) if len(day) > 10
                 else datetime.date.fromisoformat(day))
    except ValueError:
        return None
    return local_time(value, zone)


def _events(item, prefix, url, partner, license, zone, locate, page_lang) -> list[Document]:
    common = _common(item, url, page_lang)
    words = labels(common["lang"])
    periods = _periods(item, zone, words["code"])
    if not periods:
        raise Skip(f"event {common['title']!r} has no readable start date")
    where = _where(item)
    organizer = ", ".join(t for o in _get(item, "organizer", "organisedBy")
                          if (t := _text(_get(o, "name", "legalName", "label") if isinstance(o, dict) else o)[0]))
    venue = ", ".join(p for p in (where.get("venue"), _address_line(where)) if p) or None
    price = _price(item, words["code"])
    places = _places(where, locate)
    docs = []
    for start, end, daily in periods:
        lines = [f"{words['date']}{when(start, end, words['code'])}"]
        lines += [f"{words[k]}{v}" for k, v in (("hours", daily), ("venue", venue), ("organizer", organizer),
                                                 ("price", price)) if v]
        extra = {"kind": "event", "venue": venue, "organizer": organizer or None, "price": price}
        docs.append(Document(
            id=f"{prefix}:{common['own'] or url + '#' + slug(common['title'])}@{start.isoformat()}",
            title=common["title"], text="\n\n".join(p for p in (common["description"], "\n".join(lines)) if p),
            url=common["url"] or url, source=partner, license=license, lang=common["lang"],
            places=places, published=_iso(common["published"], zone), modified=_iso(common["modified"], zone),
            start=start.isoformat(), end=end.isoformat() if end else None,
            extra={k: v for k, v in extra.items() if v},
        ))
    return docs


def _place(item, prefix, url, partner, license, zone, locate, page_lang) -> Document:
    common = _common(item, url, page_lang)
    words = labels(common["lang"])
    where = _where(item)
    address = _address_line(where)
    hours = _day_names(where["hours"], words["code"]) if where.get("hours") else None
    lines = [f"{words[k]}{v}" for k, v in (("address", address), ("hours", hours),
                                            ("telephone", common["telephone"])) if v]
    extra = {"kind": "place", "address": address, "opening_hours": hours, "telephone": common["telephone"]}
    return Document(
        id=f"{prefix}:{common['own'] or url + '#' + slug(common['title'])}", title=common["title"],
        text="\n\n".join(p for p in (common["description"], "\n".join(lines)) if p) or common["title"],
        url=common["url"] or url, source=partner, license=license, lang=common["lang"],
        places=_places(where, locate), published=_iso(common["published"], zone),
        modified=_iso(common["modified"], zone), extra={k: v for k, v in extra.items() if v},
    )


def _iso(value: str | None, zone: ZoneInfo) -> str | None:
    """A source's date as ISO 8601 (a datetime moved into the territory's zone); None if unreadable."""
    parsed = _json_time(value, None, zone) if value else None
    return parsed.isoformat() if parsed is not None else None
