"""Partner feeds and structured pages turned into documents (cigale/ingest/feeds)."""

import datetime
import re

import pytest

from cigale.errors import SourceError
from cigale.ingest.feeds import ical_documents, jsonld_documents, rss_documents, slug, when

TODAY = datetime.date(2026, 10, 1)  # a Thursday
MARKUP = re.compile(r"<[a-zA-Z/!]|&[#\w]+;")


def fake_gazetteer(text: str) -> tuple[str, ...]:
    """The territory's communes as the sync's gazetteer would tag them."""
    names = {"marseille": "13055", "aix-en-provence": "13001", "aubagne": "13005", "la ciotat": "13028",
             "13001": "13055", "13100": "13001"}
    return tuple(code for name, code in names.items() if name in text.lower())


def by_start(docs):
    return {d.start: d for d in docs}


# -- RSS and Atom --------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Actualités de l'Office de Tourisme</title><link>https://ot.example.fr/</link>
  <language>fr-FR</language>
  <item>
    <title>Réouverture du &lt;b&gt;Musée&lt;/b&gt; Granet</title>
    <link>https://ot.example.fr/actu/granet</link>
    <guid isPermaLink="false">actu-42</guid>
    <pubDate>Tue, 29 Sep 2026 08:30:00 GMT</pubDate>
    <category>Culture</category>
    <description><![CDATA[<p>Le musée <b>rouvre</b> ses portes&nbsp;!</p><script>alert(1)</script>
      <p>Entrée libre.</p>]]></description>
  </item>
  <item>
    <title>Marché de Noël</title>
    <link>/actu/noel</link>
    <description>Sur le cours Mirabeau, à Aix-en-Provence.</description>
  </item>
  <item><description></description></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Visit Provence news</title><id>urn:uuid:feed</id><updated>2026-09-30T10:00:00Z</updated>
  <entry>
    <title>Calanques: summer access rules</title>
    <id>tag:visit.example.com,2026:calanques</id>
    <link href="https://visit.example.com/news/calanques"/>
    <published>2026-06-01T09:00:00+02:00</published>
    <updated>2026-09-30T10:00:00Z</updated>
    <author><name>Parks team</name></author>
    <content type="html">&lt;p&gt;Booking is &lt;em&gt;required&lt;/em&gt; for Sugiton.&lt;/p&gt;</content>
  </entry>
</feed>"""


def test_an_rss_item_is_one_document_with_plain_text_and_dates_in_the_territory():
    docs, skipped = rss_documents(RSS, "https://ot.example.fr/rss", "Office de Tourisme d'Aix", license="CC-BY")
    assert [d.title for d in docs] == ["Réouverture du Musée Granet", "Marché de Noël"]
    first = docs[0]
    assert first.id == "office-de-tourisme-d-aix:actu-42"
    assert first.text == "Le musée rouvre ses portes !\n\nEntrée libre."  # no markup, no script
    assert first.url == "https://ot.example.fr/actu/granet"
    assert first.published == "2026-09-29T10:30:00+02:00"
    assert (first.source, first.license, first.lang) == ("Office de Tourisme d'Aix", "CC-BY", "fr")
    assert first.extra == {"kind": "article", "categories": ["Culture"]}
    assert [e.reason for e in skipped] == ["item has neither a title nor a text"]


def test_an_rss_item_without_guid_is_known_by_its_link_resolved_against_the_feed():
    docs, _ = rss_documents(RSS, "https://ot.example.fr/rss", "OT Aix")
    assert docs[1].id == "ot-aix:https://ot.example.fr/actu/noel"
    assert docs[1].url == "https://ot.example.fr/actu/noel"
    assert docs[1].published is None


def test_an_atom_entry_keeps_its_language_and_both_dates():
    [doc], skipped = rss_documents(ATOM, "https://visit.example.com/atom", "Visit Provence")
    assert doc.id == "visit-provence:tag:visit.example.com,2026:calanques"
    assert doc.text == "Booking is required for Sugiton."
    assert (doc.lang, doc.published, doc.modified) == ("en", "2026-06-01T09:00:00+02:00", "2026-09-30T12:00:00+02:00")
    assert doc.extra["author"] == "Parks team"
    assert skipped == []


def test_two_partners_never_share_an_id():
    ours, _ = rss_documents(RSS, "https://ot.example.fr/rss", "OT Aix")
    theirs, _ = rss_documents(RSS, "https://ot.example.fr/rss", "OT Marseille")
    assert not {d.id for d in ours} & {d.id for d in theirs}


@pytest.mark.parametrize("data, reason", [
    (b"this is not a feed", "not an RSS or Atom feed"),
    (b"<html><body><p>Hello</p></body></html>", "not an RSS or Atom feed"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title></channel></rss>',
     "the feed has no items"),
    (b"", "not an RSS or Atom feed"),
])
def test_a_feed_that_is_not_one_or_has_no_items_is_refused(data, reason):
    with pytest.raises(SourceError) as error:
        rss_documents(data, "https://ot.example.fr/rss", "OT")
    assert error.value.reason.startswith(reason)
    assert error.value.path == "https://ot.example.fr/rss"


def test_a_feed_given_as_bytes_that_name_a_file_is_parsed_not_opened(tmp_path):
    # feedparser opens a local file when handed its name as bytes: the bytes must stay data.
    path = tmp_path / "feed.xml"
    path.write_bytes(RSS)
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        rss_documents(str(path).encode(), "https://ot.example.fr/rss", "OT")


# -- iCalendar -----------------------------------------------------------------------------------

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Ville//Agenda//FR
X-WR-CALNAME:Agenda de la ville
BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:yoga@ville.example.fr
DTSTAMP:20260915T101010Z
CREATED:20260901T080000Z
LAST-MODIFIED:20260910T080000Z
DTSTART;TZID=Europe/Paris:20261003T183000
DTEND;TZID=Europe/Paris:20261003T193000
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE;TZID=Europe/Paris:20261017T183000
SUMMARY:Yoga au parc Borély
DESCRIPTION:Séance en plein air pour tous les niveaux. Apportez votre tapis
 \\, et une bouteille d'eau.
LOCATION:Parc Borély\\, avenue du Prado\\, 13008 Marseille
ORGANIZER;CN=Association Zen:mailto:contact@zen.example.org
X-PRICE:5 €
URL:https://ville.example.fr/agenda/yoga
END:VEVENT
BEGIN:VEVENT
UID:yoga@ville.example.fr
DTSTAMP:20260915T101010Z
RECURRENCE-ID;TZID=Europe/Paris:20261024T183000
DTSTART;TZID=Europe/Paris:20261024T203000
DTEND;TZID=Europe/Paris:20261024T213000
SUMMARY:Yoga au parc Borély (nocturne)
LOCATION:Parc Borély\\, avenue du Prado\\, 13008 Marseille
END:VEVENT
BEGIN:VEVENT
UID:fete-vendanges@ville.example.fr
DTSTAMP:20260915T101010Z
DTSTART;VALUE=DATE:20261031
DTEND;VALUE=DATE:20261102
SUMMARY:Fête des vendanges
DESCRIPTION:<p>Défilé et <b>dégustation</b> sur le port.</p>
LOCATION:Vieux-Port\\, La Ciotat
END:VEVENT
BEGIN:VEVENT
UID:concert-ete@ville.example.fr
DTSTAMP:20260915T101010Z
DTSTART;TZID=Europe/Paris:20260615T210000
SUMMARY:Concert de l'été
END:VEVENT
BEGIN:VEVENT
UID:jazz-night@ville.example.fr
DTSTAMP:20260915T101010Z
DTSTART:20261106T193000Z
DTEND:20261106T220000Z
SUMMARY;LANGUAGE=en:Jazz night at the harbour
DESCRIPTION;LANGUAGE=en:Tickets: 12 euros at the door.
LOCATION:Le Cri du Port\\, 8 rue du Pasteur Heuzé\\, 13003 Marseille
END:VEVENT
BEGIN:VEVENT
UID:next-year@ville.example.fr
DTSTAMP:20260915T101010Z
DTSTART;VALUE=DATE:20271201
SUMMARY:Salon des santons
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n").encode()


def parse_ics(data=ICS, **options):
    return ical_documents(data, "https://ville.example.fr/agenda.ics", "Ville", today=TODAY, locate=fake_gazetteer,
                          **options)


def test_a_weekly_event_is_one_document_per_week_without_the_excluded_date():
    docs, skipped = parse_ics()
    yoga = sorted(d.start for d in docs if d.id.startswith("ville:yoga@"))
    assert yoga == ["2026-10-03T18:30:00+02:00", "2026-10-10T18:30:00+02:00", "2026-10-24T20:30:00+02:00",
                    "2026-10-31T18:30:00+01:00", "2026-11-07T18:30:00+01:00"]  # not 17 October
    assert skipped == []


def test_an_overridden_instance_has_its_new_time_and_keeps_the_id_of_its_slot():
    docs, _ = parse_ics()
    moved = by_start(docs)["2026-10-24T20:30:00+02:00"]
    assert moved.id == "ville:yoga@ville.example.fr@2026-10-24T18:30:00+02:00"
    assert moved.title == "Yoga au parc Borély (nocturne)"
    assert moved.end == "2026-10-24T21:30:00+02:00"
    assert "Date : samedi 24 octobre 2026, de 20 h 30 à 21 h 30" in moved.text


def test_an_occurrence_reads_like_a_programme_in_french_for_a_french_calendar():
    docs, _ = parse_ics()
    doc = by_start(docs)["2026-10-31T18:30:00+01:00"]
    assert doc.id == "ville:yoga@ville.example.fr@2026-10-31T18:30:00+01:00"
    assert doc.text == (
        "Séance en plein air pour tous les niveaux. Apportez votre tapis, et une bouteille d'eau.\n\n"
        "Date : samedi 31 octobre 2026, de 18 h 30 à 19 h 30\n"
        "Lieu : Parc Borély, avenue du Prado, 13008 Marseille\n"
        "Organisateur : Association Zen\n"
        "Tarif : 5 €"
    )
    assert doc.url == "https://ville.example.fr/agenda/yoga"
    assert doc.places == ("13055",)
    assert (doc.published, doc.modified) == ("2026-09-01T10:00:00+02:00", "2026-09-10T10:00:00+02:00")
    assert doc.extra == {"kind": "event", "venue": "Parc Borély, avenue du Prado, 13008 Marseille",
                         "organizer": "Association Zen", "price": "5 €"}


def test_an_all_day_event_has_dates_and_an_inclusive_end():
    docs, _ = parse_ics()
    fete = by_start(docs)["2026-10-31"]
    assert (fete.id, fete.end) == ("ville:fete-vendanges@ville.example.fr@2026-10-31", "2026-11-01")
    assert fete.text == ("Défilé et dégustation sur le port.\n\n"
                         "Date : du samedi 31 octobre 2026 au dimanche 1er novembre 2026\n"
                         "Lieu : Vieux-Port, La Ciotat")
    assert fete.places == ("13028",)
    assert fete.url == "https://ville.example.fr/agenda.ics"  # no URL property: the feed's


def test_an_event_in_english_gets_english_labels_and_times_in_the_territory():
    docs, _ = parse_ics()
    jazz = next(d for d in docs if d.id.startswith("ville:jazz-night"))
    assert (jazz.start, jazz.end, jazz.lang) == ("2026-11-06T20:30:00+01:00", "2026-11-06T23:00:00+01:00", "en")
    assert "Date: Friday 6 November 2026, 8:30 pm to 11 pm\nVenue: Le Cri du Port" in jazz.text
    assert jazz.extra["price"] == "12 euros at the door."  # from the DESCRIPTION's "Tickets:" line
    assert jazz.places == ("13055",)  # the locality, not the street


def test_occurrences_outside_the_window_are_absent():
    docs, _ = parse_ics()
    titles = {d.title for d in docs}
    assert "Concert de l'été" not in titles  # June, more than past_days ago
    assert "Salon des santons" not in titles  # beyond the horizon
    docs, _ = parse_ics(horizon_days=500)
    assert "Salon des santons" in {d.title for d in docs}


def test_an_occurrence_still_under_way_at_the_window_start_is_kept():
    docs, _ = ical_documents(ICS, "u", "Ville", today=datetime.date(2026, 11, 1), past_days=0)
    assert "2026-10-31" in {d.start for d in docs}  # the festival ends on the 1st


def calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nUID:{uid}\r\n{lines}\r\nEND:VEVENT\r\n" for uid, lines in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{body}END:VCALENDAR\r\n".encode()


def test_a_rule_without_end_is_capped_to_its_earliest_occurrences():
    daily = calendar(("tide", "DTSTART;TZID=Europe/Paris:20260901T090000\r\nRRULE:FREQ=DAILY\r\nSUMMARY:Marée"))
    docs, _ = ical_documents(daily, "u", "P", today=TODAY)
    assert len(docs) == 100
    assert (docs[0].start, docs[-1].start[:10]) == ("2026-09-24T09:00:00+02:00", "2027-01-01")


def test_a_rule_recurring_more_than_hourly_is_skipped():
    data = calendar(("tick", "DTSTART:20261010T100000Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:Tick"),
                    ("tours", "DTSTART:20261010T100000Z\r\nRRULE:FREQ=DAILY;BYHOUR=10,11;BYMINUTE=0,30;COUNT=4\r\n"
                              "SUMMARY:Visite guidée"))
    docs, skipped = ical_documents(data, "u", "P", today=TODAY)
    assert [e.reason for e in skipped] == ["recurs 86,400 times a day (at most 24 are read)"]
    assert [d.title for d in docs] == ["Visite guidée"] * 4


def test_times_without_a_zone_are_the_territory_s_and_utc_times_are_moved_into_it():
    data = calendar(("floating", "DTSTART:20261010T100000\r\nSUMMARY:Marché"),
                    ("utc", "DTSTART:20261010T100000Z\r\nSUMMARY:Régate"))
    docs, _ = ical_documents(data, "u", "P", today=TODAY)
    assert [d.start for d in docs] == ["2026-10-10T10:00:00+02:00", "2026-10-10T12:00:00+02:00"]
    docs, _ = ical_documents(data, "u", "P", today=TODAY, tz="America/Martinique")
    assert [d.start for d in docs] == ["2026-10-10T10:00:00-04:00", "2026-10-10T06:00:00-04:00"]


def test_ids_and_hashes_are_stable_across_two_parses():
    first, second = parse_ics().documents, parse_ics().documents
    assert [(d.id, d.content_hash) for d in first] == [(d.id, d.content_hash) for d in second]
    assert len({d.id for d in first}) == len(first)
    changed = ICS.replace(b"DTSTAMP:20260915T101010Z", b"DTSTAMP:20261001T000000Z")  # re-exported
    assert [d.content_hash for d in parse_ics(changed).documents] == [d.content_hash for d in first]


def test_cancelled_and_private_occurrences_are_left_out():
    data = ICS.replace(b"SUMMARY:Salon des santons", b"SUMMARY:Salon des santons\r\nSTATUS:CANCELLED") \
              .replace(b"SUMMARY:F\xc3\xaate des vendanges", b"SUMMARY:F\xc3\xaate des vendanges\r\nCLASS:PRIVATE")
    titles = {d.title for d in parse_ics(data, horizon_days=500).documents}
    assert "Salon des santons" not in titles and "Fête des vendanges" not in titles


def test_an_event_that_cannot_be_read_is_skipped_and_the_others_kept():
    broken = ICS.replace(b"DTSTART;VALUE=DATE:20271201", b"DTSTART:someday")
    docs, skipped = parse_ics(broken)
    assert [e.path for e in skipped] == ["https://ville.example.fr/agenda.ics#next-year@ville.example.fr"]
    assert "event could not be read" in skipped[0].reason
    assert len(docs) == len(parse_ics().documents)


@pytest.mark.parametrize("data, reason", [
    (b"<rss></rss>", "not an iCalendar file"),
    (b"", "not an iCalendar file"),
    (ICS[: len(ICS) // 2], "truncated or malformed iCalendar"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "the calendar has no events"),
])
def test_a_calendar_that_is_not_one_is_refused(data, reason):
    with pytest.raises(SourceError) as error:
        parse_ics(data)
    assert error.value.reason.startswith(reason)


# -- schema.org and DATAtourisme -----------------------------------------------------------------

EVENTS_PAGE = """<!doctype html><html lang="fr"><head><title>Agenda</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "WebSite", "name": "OT"}</script>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "MusicEvent", "@id": "https://ot.example.fr/agenda/jazz#event", "name": "Nuit du jazz",
   "startDate": "2026-10-31T20:30", "endDate": "2026-10-31T23:00",
   "description": "<p>Trois <b>quartets</b> sur scène.</p>",
   "url": "https://ot.example.fr/agenda/jazz", "image": "https://ot.example.fr/jazz.jpg",
   "dateModified": "2026-09-15T10:00:00Z",
   "location": {"@type": "Place", "name": "Le Cri du Port",
                "address": {"@type": "PostalAddress", "streetAddress": "8 rue du Pasteur Heuzé",
                            "postalCode": "13003", "addressLocality": "Marseille"}},
   "organizer": {"@type": "Organization", "name": "Jazz sur la ville"},
   "offers": [{"@type": "Offer", "price": "12", "priceCurrency": "EUR"},
              {"@type": "Offer", "price": "20", "priceCurrency": "EUR"}]},
  {"@type": "Festival", "name": "Fête du livre", "startDate": "2026-11-14", "endDate": "2026-11-15",
   "isAccessibleForFree": true, "location": {"@id": "#cite-livre"}},
  {"@type": "Museum", "@id": "#cite-livre", "name": "Cité du Livre",
   "address": {"@type": "PostalAddress", "streetAddress": "8-10 rue des Allumettes",
               "postalCode": "13100", "addressLocality": "Aix-en-Provence"},
   "telephone": "+33 4 42 91 98 88",
   "openingHoursSpecification": [{"@type": "OpeningHoursSpecification",
       "dayOfWeek": ["https://schema.org/Tuesday", "https://schema.org/Saturday"],
       "opens": "10:00:00", "closes": "18:00:00"}]}
]}
</script>
<script type="application/ld+json">{"@type": "Event", "name": </script>
</head><body><h1>Agenda</h1></body></html>""".encode()

MICRODATA_PAGE = """<html lang="en"><body>
<div itemscope itemtype="https://schema.org/TheaterEvent">
  <h2 itemprop="name">Cyrano</h2>
  <meta itemprop="startDate" content="2026-12-05T20:00:00+01:00">
  <div itemprop="location" itemscope itemtype="https://schema.org/Place">
    <span itemprop="name">Théâtre du Jeu de Paume</span>
    <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
      <span itemprop="addressLocality">Aix-en-Provence</span></div></div>
  <p itemprop="description">A <em>swashbuckling</em> classic.</p>
  <div itemprop="offers" itemscope itemtype="https://schema.org/AggregateOffer">
    <meta itemprop="lowPrice" content="15"><meta itemprop="highPrice" content="32.5">
    <meta itemprop="priceCurrency" content="EUR"></div>
</div></body></html>""".encode()

DATATOURISME = """{
  "@context": {"@vocab": "https://www.datatourisme.fr/ontology/core#", "schema": "http://schema.org/",
               "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "dc": "http://purl.org/dc/elements/1.1/"},
  "@graph": [
    {"@id": "https://data.datatourisme.fr/13/abc-123",
     "@type": ["schema:Event", "EntertainmentAndEvent", "CulturalEvent", "PointOfInterest", "urn:resource"],
     "rdfs:label": [{"@language": "en", "@value": "Santons fair"}, {"@language": "fr", "@value": "Foire aux santons"}],
     ":hasDescription": {"dc:description": [{"@language": "fr", "@value": "Les santonniers de Provence."}]},
     ":takesPlaceAt": {"@type": "Period", ":startDate": {"@type": "xsd:date", "@value": "2026-11-28"},
                       ":endDate": {"@type": "xsd:date", "@value": "2026-12-31"},
                       ":startTime": "10:00:00", ":endTime": "19:00:00"},
     ":isLocatedAt": {"schema:address": {"schema:streetAddress": ["Place Charles-de-Gaulle"],
                                         "schema:postalCode": "13400",
                                         ":hasAddressCity": {"rdfs:label": [{"@language": "fr", "@value": "Aubagne"}],
                                                             ":insee": "13005"}}},
     ":hasContact": {"schema:telephone": ["04 42 03 49 98"], "foaf:homepage": ["https://aubagne.example.fr/santons"]},
     ":lastUpdate": {"@type": "xsd:date", "@value": "2026-09-20"}},
    {"@id": "https://data.datatourisme.fr/13/def-456",
     "@type": ["PlaceOfInterest", "CulturalSite", "schema:Museum", "urn:resource"],
     "rdfs:label": {"fr": ["Musée Grobet-Labadié"]},
     "hasDescription": [{"shortDescription": {"fr": ["Demeure bourgeoise et collections d'art."]}}],
     "isLocatedAt": [{"schema:address": [{"schema:streetAddress": ["140 boulevard Longchamp"],
                                          "schema:postalCode": "13001", "schema:addressLocality": "Marseille"}]}]}
  ]
}""".encode()


def parse_page(data=EVENTS_PAGE, **options):
    return jsonld_documents(data, "https://ot.example.fr/agenda", "OT Marseille", locate=fake_gazetteer, **options)


def test_a_json_ld_event_reads_with_its_venue_organizer_and_prices():
    docs, _ = parse_page()
    jazz = by_start(docs)["2026-10-31T20:30:00+01:00"]
    assert jazz.id == "ot-marseille:https://ot.example.fr/agenda/jazz#event@2026-10-31T20:30:00+01:00"
    assert (jazz.title, jazz.end, jazz.url) == ("Nuit du jazz", "2026-10-31T23:00:00+01:00",
                                                "https://ot.example.fr/agenda/jazz")
    assert jazz.text == ("Trois quartets sur scène.\n\n"
                         "Date : samedi 31 octobre 2026, de 20 h 30 à 23 h\n"
                         "Lieu : Le Cri du Port, 8 rue du Pasteur Heuzé, 13003 Marseille\n"
                         "Organisateur : Jazz sur la ville\n"
                         "Tarif : 12\u00a0€ – 20\u00a0€")
    assert (jazz.lang, jazz.places, jazz.modified) == ("fr", ("13055",), "2026-09-15T12:00:00+02:00")
    assert jazz.extra["kind"] == "event" and jazz.extra["price"] == "12\u00a0€ – 20\u00a0€"


def test_a_free_festival_over_two_days_follows_its_venue_reference():
    docs, _ = parse_page()
    fete = by_start(docs)["2026-11-14"]
    assert (fete.end, fete.url) == ("2026-11-15", "https://ot.example.fr/agenda")
    assert "Date : du samedi 14 novembre 2026 au dimanche 15 novembre 2026" in fete.text
    assert "Lieu : Cité du Livre, 8-10 rue des Allumettes, 13100 Aix-en-Provence" in fete.text
    assert "Tarif : gratuit" in fete.text
    assert fete.places == ("13001",)


def test_a_place_reads_with_its_address_hours_and_telephone():
    docs, _ = parse_page()
    [museum] = [d for d in docs if d.extra["kind"] == "place"]
    assert museum.id == "ot-marseille:https://ot.example.fr/agenda#cite-livre"  # its @id, resolved
    assert museum.title == "Cité du Livre"
    assert museum.text == ("Adresse : 8-10 rue des Allumettes, 13100 Aix-en-Provence\n"
                           "Horaires : mardi, samedi 10:00–18:00\n"
                           "Téléphone : +33 4 42 91 98 88")
    assert (museum.start, museum.places) == (None, ("13001",))


def test_a_broken_json_ld_block_is_skipped_and_the_others_kept():
    docs, skipped = parse_page()
    assert len(docs) == 3  # the WebSite block is no document
    assert [e.path for e in skipped] == ["https://ot.example.fr/agenda#jsonld-3"]
    assert skipped[0].reason.startswith("invalid JSON-LD")


def test_a_microdata_event_is_read_too():
    [doc], _ = jsonld_documents(MICRODATA_PAGE, "https://theatre.example.fr/cyrano", "Jeu de Paume",
                                locate=fake_gazetteer)
    assert (doc.title, doc.start, doc.lang) == ("Cyrano", "2026-12-05T20:00:00+01:00", "en")
    assert doc.text == ("A swashbuckling classic.\n\n"
                        "Date: Saturday 5 December 2026, 8 pm\n"
                        "Venue: Théâtre du Jeu de Paume, Aix-en-Provence\n"
                        "Price: 15\u00a0€ – 32.5\u00a0€")
    assert doc.places == ("13001",)


def test_an_item_in_json_ld_and_in_microdata_is_one_document():
    both = MICRODATA_PAGE.replace(b"<body>", b"""<body><script type="application/ld+json">
        {"@context": "https://schema.org", "@type": "TheaterEvent", "name": "Cyrano",
         "startDate": "2026-12-05T20:00:00+01:00", "description": "A <em>swashbuckling</em> classic.",
         "location": {"@type": "Place", "name": "Th\\u00e9\\u00e2tre du Jeu de Paume",
                      "address": {"@type": "PostalAddress", "addressLocality": "Aix-en-Provence"}},
         "offers": {"@type": "AggregateOffer", "lowPrice": "15", "highPrice": "32.5", "priceCurrency": "EUR"}}
        </script>""")
    docs, _ = jsonld_documents(both, "https://theatre.example.fr/cyrano", "Jeu de Paume")
    assert len(docs) == 1


def test_a_datatourisme_export_gives_its_events_and_places():
    docs, skipped = jsonld_documents(DATATOURISME, "https://diffuseur.datatourisme.fr/flux.jsonld", "DATAtourisme",
                                     content_type="application/ld+json", locate=fake_gazetteer)
    santons, museum = docs
    assert santons.id == "datatourisme:https://data.datatourisme.fr/13/abc-123@2026-11-28"
    assert (santons.title, santons.lang) == ("Foire aux santons", "fr")  # French preferred
    assert (santons.start, santons.end) == ("2026-11-28", "2026-12-31")
    assert santons.text == ("Les santonniers de Provence.\n\n"
                            "Date : du samedi 28 novembre 2026 au jeudi 31 décembre 2026\n"
                            "Horaires : de 10 h à 19 h\n"
                            "Lieu : Place Charles-de-Gaulle, 13400 Aubagne\n")[:-1]
    assert santons.places == ("13005",)  # given by DATAtourisme, confirmed by the locality
    assert (santons.url, santons.modified) == ("https://aubagne.example.fr/santons", "2026-09-20")
    assert museum.title == "Musée Grobet-Labadié"
    assert museum.text == ("Demeure bourgeoise et collections d'art.\n\n"
                           "Adresse : 140 boulevard Longchamp, 13001 Marseille")
    assert (museum.places, museum.start, museum.extra["kind"]) == (("13055",), None, "place")
    assert skipped == []


def test_a_single_datatourisme_object_file_is_read_as_json():
    one = b"""{"@id": "https://data.datatourisme.fr/13/xyz", "@type": ["schema:Event", "EntertainmentAndEvent"],
               "rdfs:label": {"fr": ["Feu d'artifice"]},
               "takesPlaceAt": [{"startDate": "2026-07-14", "startTime": "22:30:00"}],
               "isLocatedAt": [{"schema:address": [{"schema:addressLocality": "La Ciotat"}]}]}"""
    [doc], _ = jsonld_documents(one, "u", "DATAtourisme", content_type="application/json; charset=utf-8",
                                locate=fake_gazetteer)
    assert (doc.start, doc.places) == ("2026-07-14T22:30:00+02:00", ("13028",))
    assert doc.text == "Date : mardi 14 juillet 2026, 22 h 30\nLieu : La Ciotat"


def test_structured_documents_are_stable_and_free_of_markup():
    for data, kind in ((EVENTS_PAGE, "text/html"), (MICRODATA_PAGE, "text/html"),
                       (DATATOURISME, "application/ld+json")):
        first = jsonld_documents(data, "u", "P", content_type=kind).documents
        second = jsonld_documents(data, "u", "P", content_type=kind).documents
        assert [(d.id, d.content_hash) for d in first] == [(d.id, d.content_hash) for d in second]
        assert len({d.id for d in first}) == len(first)
        assert not any(MARKUP.search(d.text) or MARKUP.search(d.title) for d in first)


@pytest.mark.parametrize("data, kind, reason", [
    (b"{not json", "application/ld+json", "invalid JSON"),
    (b"", "application/json", "empty file"),
    (b"<html><body><p>Bienvenue</p></body></html>", "text/html", "no schema.org or DATAtourisme data in the page"),
    (b'{"@context": "https://schema.org", "@type": "WebSite", "name": "OT"}', "application/ld+json",
     "no schema.org Event or Place in the data (types found: WebSite)"),
    (b'<html><head><script type="application/ld+json">{oops</script></head></html>', "text/html",
     "invalid JSON-LD"),
])
def test_structured_data_that_is_unusable_is_refused(data, kind, reason):
    with pytest.raises(SourceError) as error:
        jsonld_documents(data, "https://ot.example.fr/p", "OT", content_type=kind)
    assert error.value.reason.startswith(reason)


def test_an_event_without_a_readable_date_is_skipped():
    data = b'[{"@type": "Event", "name": "Soon", "startDate": "bient\\u00f4t"}, {"@type": "Event", "name": "Ok",' \
           b' "startDate": "2026-10-10"}]'
    docs, skipped = jsonld_documents(data, "u", "P", content_type="application/json")
    assert [d.title for d in docs] == ["Ok"]
    assert [e.reason for e in skipped] == ["event 'Soon' has no readable start date"]


def test_the_partner_slug_is_the_id_prefix():
    assert slug("Office de Tourisme d'Aix-en-Provence") == "office-de-tourisme-d-aix-en-provence"
    assert slug("Métropole Aix-Marseille-Provence") == "metropole-aix-marseille-provence"


@pytest.mark.parametrize("start, end, lang, said", [
    (datetime.datetime(2026, 10, 31, 20, 30), None, "fr", "samedi 31 octobre 2026, 20 h 30"),
    (datetime.date(2026, 11, 1), None, "fr", "dimanche 1er novembre 2026"),
    (datetime.datetime(2026, 10, 31, 22, 0), datetime.datetime(2026, 11, 1, 2, 0), "fr",
     "du samedi 31 octobre 2026, 22 h au dimanche 1er novembre 2026, 2 h"),
    (datetime.datetime(2026, 8, 15, 12, 0), datetime.datetime(2026, 8, 15, 12, 45), "en",
     "Saturday 15 August 2026, 12 pm to 12:45 pm"),
    (datetime.date(2026, 8, 14), datetime.date(2026, 8, 16), "en",
     "from Friday 14 August 2026 to Sunday 16 August 2026"),
])
def test_a_period_is_said_as_a_programme_says_it(start, end, lang, said):
    assert when(start, end, lang) == said
