"""Follow-up questions on every surface: the API (`previous`), the page's follow-up box, and the
OpenAI-compatible chat (earlier turns). The follow-up carries over what it does not change and
the question answered is shown; a new topic is answered as it is."""

import json
from urllib.parse import parse_qs, urlsplit

import openai
import pytest

FIRST = "festivals de jazz à Marseille"


def test_the_api_answers_a_follow_up_as_the_question_it_refines(http):
    data = http.get("/api/ask", params={"q": "et à Vitrolles ?", "previous": FIRST}).json()
    assert data["followup"] == {"asked": "et à Vitrolles ?", "question": "festivals de jazz à Vitrolles",
                                "carried": ["kind"]}
    assert data["question"] == "festivals de jazz à Vitrolles"
    assert data["citations"][0]["doc_id"] == "fest-jazz-vitrolles"


def test_a_new_topic_is_not_polluted_by_the_previous_question(http):
    data = http.get("/api/ask", params={"q": "Quelles lignes à la gare de Miramas ?", "previous": FIRST}).json()
    assert "followup" not in data and data["question"] == "Quelles lignes à la gare de Miramas ?"
    assert data["citations"][0]["doc_id"] == "gare-miramas"


def test_the_stream_says_first_which_question_it_answers(http):
    with http.stream("GET", "/api/ask/stream", params={"q": "and in Vitrolles?", "previous": FIRST}) as response:
        lines = [line for line in response.iter_lines() if line]
    assert lines[0] == "event: followup"
    assert json.loads(lines[1].removeprefix("data: "))["question"] == "festivals de jazz à Vitrolles"


def test_the_page_box_sends_the_follow_up_to_the_page_of_the_question_it_asks(http):
    page = http.get("/", params={"q": FIRST}).text
    assert 'class="followup"' in page and f'name="previous" value="{FIRST}"' in page
    redirect = http.get("/", params={"q": "et à Vitrolles ?", "previous": FIRST})
    assert redirect.status_code == 303
    query = parse_qs(urlsplit(redirect.headers["location"]).query)
    assert query == {"q": ["festivals de jazz à Vitrolles"], "asked": ["et à Vitrolles ?"]}
    shown = http.get(redirect.headers["location"]).text
    assert "Votre question « et à Vitrolles ? », comprise comme : festivals de jazz à Vitrolles" in shown
    assert "Charlie Jazz Festival" in shown


def test_a_page_question_that_refines_nothing_is_answered_as_it_is(http):
    response = http.get("/", params={"q": "Quelles lignes à la gare de Miramas ?", "previous": FIRST})
    assert response.status_code == 200 and "comprise comme" not in response.text


@pytest.fixture
def client(server):
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)


def test_the_chat_reads_each_user_turn_as_refining_the_one_before(client):
    completion = client.chat.completions.create(model="cigale", messages=[
        {"role": "user", "content": "festivals de jazz à Vitrolles"},
        {"role": "assistant", "content": "Voici des festivals de jazz à Vitrolles : …"},
        {"role": "user", "content": "et à Marseille ?"},
    ])
    followup = completion.model_extra["followup"]
    assert followup["question"] == "festivals de jazz à Marseille" and followup["carried"] == ["kind"]
    assert completion.model_extra["sources"][0]["doc_id"] == "fest-jazz-marseille"


def test_the_chat_answers_a_new_topic_alone(client):
    completion = client.chat.completions.create(model="cigale", messages=[
        {"role": "user", "content": "festivals de jazz à Vitrolles"},
        {"role": "user", "content": "Quelles lignes passent à la gare de Miramas ?"},
    ])
    assert "followup" not in completion.model_extra
    assert completion.model_extra["sources"][0]["doc_id"] == "gare-miramas"


def test_words_shown_back_are_escaped_and_short(http):
    shown = http.get("/", params={"q": "festivals de jazz à Vitrolles", "asked": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in shown and "&lt;script&gt;" in shown
    long = http.get("/", params={"q": "festivals de jazz à Vitrolles", "asked": "x" * 5000}).text
    assert "comprise comme" not in long


def test_a_huge_previous_question_is_not_read(http):
    data = http.get("/api/ask", params={"q": "et à Vitrolles ?", "previous": "festivals " * 199}).json()
    assert "followup" not in data  # longer than any question the engine answers: not refined


def test_the_follow_up_redirect_keeps_the_chosen_language(http):
    redirect = http.get("/", params={"q": "and in Vitrolles?", "previous": FIRST, "lang": "en"})
    assert parse_qs(urlsplit(redirect.headers["location"]).query)["lang"] == ["en"]


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example"])
def test_the_language_switch_never_redirects_off_site(http, target):
    response = http.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == "/"
