"""The JSONL interchange schema."""

import pytest

from cigale.documents import Document


def test_required_and_optional_fields_with_the_shared_corpus_aliases():
    doc = Document.from_record({"id": "a", "title": "T", "text": "x", "insee": ["13001"], "category": "culture",
                                "url": "https://example.org", "lat": 43.5, "territoires": ["Pays d'Aix"]})
    assert doc.places == ("13001",) and doc.theme == "culture" and doc.url == "https://example.org"
    assert doc.extra == {"lat": 43.5, "territoires": ["Pays d'Aix"]}  # unknown fields are kept


@pytest.mark.parametrize("record, reason", [
    ({"title": "T", "text": "x"}, "missing required field"),
    ({"id": "a", "title": "", "text": "x"}, "missing required field"),
    ({"id": 3, "title": "T", "text": "x"}, "'id' must be a string"),
    ({"id": "a", "title": "T", "text": "x", "places": {"13001": 1}}, "'places' must be a list"),
    (["not", "an", "object"], "must be a JSON object"),
])
def test_invalid_records_say_why(record, reason):
    with pytest.raises(ValueError, match=reason):
        Document.from_record(record)


def test_the_content_hash_changes_with_content_not_with_origin():
    a = Document.from_record({"id": "a", "title": "T", "text": "x"}, origin="/one")
    b = Document.from_record({"id": "a", "title": "T", "text": "x"}, origin="/two")
    c = Document.from_record({"id": "a", "title": "T", "text": "y"})
    assert a.content_hash == b.content_hash != c.content_hash


def test_a_record_round_trips():
    record = {"id": "a", "title": "T", "text": "x", "places": ["13005"], "start": "2026-07-01", "custom": 1}
    assert Document.from_record(Document.from_record(record).to_record()) == Document.from_record(record)
