"""The HTTP API over real HTTP: answers, streams, search, places, feedback, health, and every error."""

import json

import httpx
import pytest
from server import start

from cigale.store import open_store

ANSWER_KEYS = {"question", "lang", "answer", "abstained", "confidence", "citations", "places"}


def sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_ask_returns_the_answer_of_the_core(http):
    r = http.get("/api/ask", params={"q": "Quelles lignes desservent la gare de Miramas ?"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    data = r.json()
    assert set(data) >= ANSWER_KEYS
    assert not data["abstained"] and data["citations"][0]["doc_id"] == "gare-miramas"
    assert data["lang"] == "fr" and data["places"][0]["name"] == "Miramas"


def test_the_language_parameter_is_respected(http):
    assert http.get("/api/ask", params={"q": "jazz", "lang": "en"}).json()["lang"] == "en"
    assert http.get("/api/ask", params={"q": "jazz", "hint": "it"}).json()["lang"] == "it"


def test_the_stream_sends_citations_deltas_sources_and_done(http):
    r = http.get("/api/ask/stream", params={"q": "musée Ziem à Martigues"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse(r.text)
    names = [name for name, _ in events]
    assert names[0] == "citation" and names[-2:] == ["sources", "done"] and "delta" in names
    text = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]
    assert set(done) >= ANSWER_KEYS
    assert all(s["text"] in text for s in done["sentences"])
    cited = [data["n"] for name, data in events if name == "citation"]
    assert cited == sorted(set(cited))  # each source announced once, in order


def test_a_stream_error_is_an_error_event(http):
    events = sse(http.get("/api/ask/stream", params={"q": "   "}).text)
    assert events == [("error", {"type": "QuestionError", "message": "The question is empty.", "status": 400})]


def test_search_returns_ranked_hits(http):
    data = http.get("/api/search", params={"q": "festival de piano", "k": 3}).json()
    assert data["hits"][0]["doc_id"] == "fest-piano" and len(data["hits"]) <= 3
    assert {"doc_id", "score", "title", "snippet", "places", "url", "source"} <= set(data["hits"][0])


def test_places_lists_the_territory(http):
    data = http.get("/api/places").json()
    assert len(data["communes"]) == 92 and len(data["subterritories"]) == 6
    assert {"insee", "name", "territory", "population", "lat", "lon"} <= set(data["communes"][0])


def test_feedback_is_stored(http, web_data):
    r = http.post("/api/feedback", json={"question": "festivals de jazz", "useful": False,
                                         "comment": "Il manque Aubagne", "lang": "fr",
                                         "cited": ["fest-jazz-vitrolles"]})
    assert r.status_code == 201 and r.json()["saved"]
    stored = open_store(web_data, read_only=True).feedback(limit=5)
    assert any(f.comment == "Il manque Aubagne" and f.cited == ("fest-jazz-vitrolles",) and not f.useful
               for f in stored)


def test_health_and_readiness(http):
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["documents"] > 0


def test_openapi_docs_are_served_without_a_cdn(http):
    spec = http.get("/openapi.json").json()
    assert {"/api/ask", "/api/ask/stream", "/api/search", "/api/places", "/api/feedback"} <= set(spec["paths"])
    page = http.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in page and "<script>" not in page
    assert http.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize("params, status, kind", [
    ({"q": ""}, 400, "QuestionError"),
    ({"q": "   "}, 400, "QuestionError"),
    ({"q": "x" * 5000}, 400, "QuestionError"),
    ({}, 400, "BadRequest"),
    ({"q": "jazz", "lang": "french"}, 400, "BadRequest"),
])
def test_bad_questions_are_400_with_a_message(http, params, status, kind):
    r = http.get("/api/ask", params=params)
    assert r.status_code == status
    error = r.json()["error"]
    assert error["type"] == kind and error["message"] and "Traceback" not in r.text


def test_unknown_paths_are_404_json_under_the_api(http):
    r = http.get("/api/nothing-here")
    assert r.status_code == 404 and r.json() == {"error": {"type": "HTTPError", "message": "Not found."}}


def test_bad_feedback_is_400(http):
    r = http.post("/api/feedback", json={"useful": "maybe"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "BadRequest"
    r = http.post("/api/feedback", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400


def test_oversized_bodies_are_413(http):
    big = json.dumps({"question": "q", "useful": True, "comment": "x" * 100_000})
    r = http.post("/api/feedback", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["type"] == "TooLarge"

    def chunks():  # no Content-Length: the limit holds while streaming too
        for _ in range(40):
            yield b"x" * 1024

    r = http.post("/api/feedback", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_security_headers_on_every_response(http):
    for path in ("/", "/api/ask?q=jazz", "/api/nothing", "/static/app.js"):
        headers = http.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


def test_an_empty_index_is_503(tmp_path):
    with start(tmp_path / "empty") as server:
        r = httpx.get(server.url + "/api/ask", params={"q": "jazz"})
        assert r.status_code == 503 and "ingest" in r.json()["error"]["message"]
        assert httpx.get(server.url + "/readyz").status_code == 503
        assert httpx.get(server.url + "/healthz").status_code == 200


def test_the_rate_limit_answers_429_with_retry_after(web_data):
    with start(web_data, rate_limit=3) as server:
        codes = [httpx.get(server.url + "/api/search", params={"q": "jazz"}).status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
        r = httpx.get(server.url + "/api/search", params={"q": "jazz"})
        assert int(r.headers["retry-after"]) >= 1 and "try again" in r.json()["error"]["message"]
        assert httpx.get(server.url + "/healthz").status_code == 200  # only questions are limited


def test_a_slow_answer_times_out_with_503(web_data):
    with start(web_data, ask_timeout=0.001) as server:
        r = httpx.get(server.url + "/api/ask", params={"q": "Un festival de jazz en juillet à Vitrolles ?"})
        assert r.status_code == 503 and "longer than" in r.json()["error"]["message"]
