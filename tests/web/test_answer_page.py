"""What the page shows around the answer: lists as lists, the expert to ask, publishers a
visitor knows, related questions in the question's language, and every item found."""

import json

from test_api import sse


def test_a_list_answer_is_rendered_as_a_list_with_the_expert(http):
    html = http.get("/", params={"q": "festivals de jazz"}).text
    assert '<ul class="items">' in html and html.count("<li><strong>") >= 2
    assert "Voici des festivals sur tout le territoire" in html
    assert 'class="expert"' in html and "Provence Tourisme" in html


def test_a_refusal_names_the_town_hall_and_links_to_it(http):
    html = http.get("/", params={"q": "horaires de la piscine d'Istres"}).text
    assert "Je n&#39;ai pas trouvé de réponse fiable" in html
    assert "Mairie d&#39;Istres" in html and 'href="https://www.istres.fr/"' in html  # its own site, from the pack


def test_related_questions_are_phrased_in_the_question_language(http):
    html = http.get("/", params={"q": "festivals à Vitrolles"}, cookies={"lang": "en"}).text
    related = html.split('id="related-title"', 1)[1].split("</section>", 1)[0]
    assert "Quels festivals à " in related and " — " not in related  # French question, French phrasing
    assert "Que faire à Vitrolles ?" in related


def test_the_stream_sends_a_list_frame_then_one_item_each(http):
    events = sse(http.get("/api/ask/stream", params={"q": "festivals de jazz"}).text)
    deltas = [data for name, data in events if name == "delta"]
    assert deltas[0]["frame"] and deltas[0]["text"].startswith("Voici des festivals")
    assert len(deltas) >= 3 and all(d["item"] and d["citation"] for d in deltas[1:])
    sources = next(data for name, data in events if name == "sources")
    assert sources["intent"] == "open" and sources["expert"]["name"] == "Provence Tourisme"


def test_the_browser_language_is_a_hint_for_short_questions(http):
    assert http.get("/api/ask", params={"q": "jazz"}, headers={"accept-language": "en-GB,en;q=0.8"}).json()["lang"] \
        == "en"
    assert http.get("/api/ask", params={"q": "Wann findet das Festival statt?"},
                    headers={"accept-language": "en"}).json()["lang"] == "de"  # its own words decide first


def test_the_search_page_lists_every_document_found(http):
    r = http.get("/search", params={"q": "festivals de jazz"})
    assert r.status_code == 200 and '<ol class="hits">' in r.text
    assert "Charlie Jazz Festival" in r.text and "Marseille Jazz des cinq continents" in r.text


def test_the_answer_json_carries_intent_items_and_expert(http):
    data = http.get("/api/ask", params={"q": "festivals à Vitrolles"}).json()
    assert data["intent"] == "list" and data["items"][0]["doc_id"] == "fest-jazz-vitrolles"
    assert json.dumps(data["expert"]) and data["expert"]["url"].startswith("https://")
