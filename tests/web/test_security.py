"""What a public site must hold against its visitors, over real HTTP: rate limits nobody can
dodge or spoof, bounded memory, equity counters that repetition cannot move, forms other sites
cannot post, an admin that locks out guessers, and no 500 for malformed input."""

import logging
import re
from functools import partial

import httpx
import pytest
from server import start

from cigale.store import open_store
from cigale.web.limits import Buckets, Clients, Lockout, Visits

get, post, request = (partial(f, timeout=60) for f in (httpx.get, httpx.post, httpx.request))


def scope(client: str, forwarded: str | None = None) -> dict:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (client, 1234), "headers": headers}


# Rate limiting

def test_an_encoded_question_name_is_limited_like_a_plain_one(web_data):
    with start(web_data, rate_limit=2) as server:
        codes = [get(server.url + "/?%71=jazz").status_code for _ in range(3)]
        assert codes == [200, 200, 429]


def test_a_spoofed_forwarded_for_does_not_get_a_fresh_bucket(web_data):
    with start(web_data, rate_limit=2) as server:
        codes = [get(server.url + "/api/search", params={"q": "jazz"},
                           headers={"x-forwarded-for": f"203.0.113.{i}"}).status_code for i in range(3)]
        assert codes == [200, 200, 429]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_bucket(web_data):
    with start(web_data, rate_limit=1, trusted_proxies="127.0.0.1") as server:
        def search(forwarded):
            return get(server.url + "/api/search", params={"q": "jazz"},
                             headers={"x-forwarded-for": forwarded}).status_code

        assert search("203.0.113.1") == 200
        assert search("203.0.113.2") == 200
        # What the client wrote to the left of the proxy's entry is not believed.
        assert search("198.51.100.7, 203.0.113.1") == 429


def test_the_client_is_the_connection_unless_it_is_a_trusted_proxy():
    assert Clients().of(scope("192.0.2.1", "203.0.113.9")) == "192.0.2.1"
    trusting = Clients("10.0.0.0/8, 192.0.2.1")
    assert trusting.of(scope("192.0.2.1", "203.0.113.9")) == "203.0.113.9"
    assert trusting.of(scope("192.0.2.1", "203.0.113.9, 10.1.2.3")) == "203.0.113.9"  # a chain of proxies
    assert trusting.of(scope("192.0.2.1", "not-an-address")) == "192.0.2.1"
    assert trusting.of(scope("198.51.100.1", "203.0.113.9")) == "198.51.100.1"  # not a proxy: not believed


def test_an_ipv6_client_is_counted_by_its_64_network():
    clients = Clients()
    assert clients.of(scope("2001:db8:1:2::1")) == clients.of(scope("2001:db8:1:2:ffff::9"))
    assert clients.of(scope("2001:db8:1:3::1")) != clients.of(scope("2001:db8:1:2::1"))
    assert clients.of(scope("::ffff:192.0.2.1")) == "192.0.2.1"


def test_the_rate_limit_table_is_bounded_and_still_limits():
    buckets = Buckets(per_minute=2, size=1000)
    for i in range(20_000):
        buckets.allow(f"client-{i}")
    assert len(buckets.buckets) == 1000
    assert [buckets.allow("busy") for _ in range(3)][:2] == [0.0, 0.0]
    assert buckets.allow("busy") > 0


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/feedback", {"json": {"question": "jazz", "useful": True}}),
    ("POST", "/feedback", {"data": {"question": "jazz", "useful": "1"}}),
    ("GET", "/admin", {}),
    ("GET", "/search?q=jazz", {}),
])
def test_forms_feedback_search_and_admin_are_limited_too(web_data, method, path, body):
    with start(web_data, rate_limit=1, admin_key="s3cret") as server:
        codes = [request(method, server.url + path, **body).status_code for _ in range(2)]
        assert codes[1] == 429


# Equity counters

def test_repeating_an_answer_does_not_move_the_equity_counters(web_data_copy):
    with start(web_data_copy, rate_limit=0) as server:
        for _ in range(20):
            assert get(server.url + "/api/ask", params={"q": "festivals de jazz"}).status_code == 200
            assert get(server.url + "/", params={"q": "festivals de jazz"}).status_code == 200
    store = open_store(web_data_copy, read_only=True)
    try:
        assert len([a for a in store.answer_log() if a.question == "festivals de jazz"]) == 1
        once = store.exposure_totals()
    finally:
        store.close()
    assert sum(once.values()) > 0


def test_one_visitor_counts_for_a_bounded_number_of_answers():
    visits = Visits(per_client=3)
    assert [visits.first("a", ("q", i)) for i in range(5)] == [True, True, True, False, False]
    assert visits.first("b", ("q", 0))  # another visitor counts
    assert not visits.first("b", ("q", 0))  # but once


# Forms and the API's checks

def page_token(client: httpx.Client) -> str:
    page = client.get("/", params={"q": "festivals de jazz"}).text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_the_feedback_form_needs_the_page_token(http):
    with httpx.Client(base_url=http.base_url, timeout=60) as visitor:
        form = {"question": "festivals de jazz", "useful": "1", "csrf": page_token(visitor)}
        assert visitor.post("/feedback", data=form).status_code == 303
        assert visitor.post("/feedback", data={**form, "csrf": "forged"}).status_code == 403
    # Another site's form: no cookie of ours, or its own origin.
    assert post(f"{http.base_url}/feedback", data=form).status_code == 403
    with httpx.Client(base_url=http.base_url, timeout=60) as visitor:
        form["csrf"] = page_token(visitor)
        assert visitor.post("/feedback", data=form, headers={"origin": "https://evil.example"}).status_code == 403


def test_feedback_from_another_site_is_refused_by_the_api(http):
    r = http.post("/api/feedback", json={"question": "jazz", "useful": True},
                  headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"})
    assert r.status_code == 403 and r.json()["error"]["type"] == "HTTPError"


@pytest.mark.parametrize("field", [{"lang": "x" * 5000}, {"cited": ["x" * 5000]}, {"cited": ["a"] * 21}])
def test_the_form_and_the_api_check_the_same_fields(http, field):
    body = {"question": "festivals de jazz", "useful": True, **field}
    assert http.post("/api/feedback", json=body).status_code == 400
    with httpx.Client(base_url=http.base_url, timeout=60) as visitor:
        form = {"question": body["question"], "useful": "1", "csrf": page_token(visitor),
                **{k: ",".join(v) if isinstance(v, list) else v for k, v in field.items()}}
        assert visitor.post("/feedback", data=form).status_code == 400


@pytest.mark.parametrize("content", [[{"type": "text", "text": 5}], [{"type": "text", "text": None}],
                                     [{"type": "text", "text": ["a"]}], [7, "x"]])
def test_odd_chat_content_parts_are_a_400_not_a_500(http, content):
    r = http.post("/v1/chat/completions", json={"model": "cigale", "messages": [{"role": "user", "content": content}]})
    assert r.status_code == 400 and r.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/api/feedback", "/feedback", "/v1/chat/completions"])
def test_an_oversize_streamed_body_is_a_413_without_an_error_logged(http, caplog, path):
    def chunks():
        for _ in range(64):
            yield b"x" * 1024

    with caplog.at_level(logging.WARNING):
        r = http.post(path, content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]


def test_the_api_documents_the_errors_it_returns(http):
    schema = http.get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert "422" not in operation["responses"], path
            assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}


# Admin

def test_admin_locks_out_a_password_guesser(web_data):
    with start(web_data, admin_key="s3cret") as server:
        for _ in range(5):
            assert get(server.url + "/admin", auth=("admin", "guess")).status_code == 401
        locked = get(server.url + "/admin", auth=("admin", "s3cret"))
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 60


def test_a_right_password_clears_the_failures():
    lockout = Lockout(attempts=3)
    lockout.failed("a")
    lockout.failed("a")
    lockout.succeeded("a")
    lockout.failed("a")
    lockout.failed("a")
    assert lockout.wait("a") == 0


def test_admin_pages_are_never_cached(web_data):
    with start(web_data, admin_key="s3cret") as server:
        assert get(server.url + "/admin", auth=("admin", "s3cret")).headers["cache-control"] == "no-store"
        assert get(server.url + "/admin").headers["cache-control"] == "no-store"


# The answer cache

def test_streamed_answers_do_not_outgrow_the_answer_cache(web_data_copy, llm):
    with start(web_data_copy, answer_cache=2, llm_base_url=llm + "/v1", llm_model="echo-first",
               llm_timeout=2.0) as server:
        for q in ("festival de piano", "musée Ziem à Martigues", "gare de Miramas", "plages de Sausset"):
            assert get(server.url + "/api/ask/stream", params={"q": q}).status_code == 200
        assert len(server.app.state.answers) == 2


# Secrets and outbound requests

def test_the_model_key_never_shows_in_logs_answers_or_errors(web_data_copy, llm, caplog):
    key = "sk-test-4f1c2e9a7b"
    with caplog.at_level(logging.DEBUG), start(web_data_copy, llm_base_url=llm + "/v1", llm_model="fails",
                                               llm_api_key=key, llm_timeout=2.0) as server:
        answer = get(server.url + "/api/ask", params={"q": "festival de piano"})
        stream = get(server.url + "/api/ask/stream", params={"q": "musée Ziem"})
        settings_page = get(server.url + "/openapi.json")
    assert answer.status_code == 200 and answer.json()["evidence"]["fallback"]
    for text in (caplog.text, answer.text, stream.text, settings_page.text):
        assert key not in text


def test_links_in_ingested_content_are_never_fetched(tmp_path):
    import http.server
    import threading

    from cigale import Engine, Settings

    hits = []

    class Trap(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    trap = http.server.HTTPServer(("127.0.0.1", 0), Trap)
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{trap.server_port}"
    page = tmp_path / "page.html"
    page.write_text(f'<html><head><link rel="stylesheet" href="{url}/style.css"><base href="{url}/">'
                    f'<meta http-equiv="refresh" content="0; url={url}/refresh"></head><body><article>'
                    f'<h1>Festival des lumières à Istres</h1><img src="{url}/image.png">'
                    f'<p>Le festival des lumières a lieu chaque hiver à Istres, <a href="{url}/more">plus</a>.</p>'
                    f'<iframe src="{url}/frame"></iframe></article></body></html>', encoding="utf-8")
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=tmp_path / "data"))
    try:
        assert engine.ingest([page]).added == 1
        assert not engine.ask("festival des lumières à Istres").abstained
    finally:
        engine.close()
        trap.shutdown()
    assert hits == []


# Malformed HTTP

def test_huge_headers_are_refused_and_the_server_goes_on(http, server):
    try:
        refused = get(server.url + "/api/ask", params={"q": "jazz"},
                      headers={"x-padding": "a" * 100_000}).status_code >= 400
    except httpx.HTTPError:  # closing the connection is a refusal too
        refused = True
    assert refused
    assert http.get("/healthz").status_code == 200


def test_a_slow_client_does_not_hold_up_the_others(http, server):
    import socket

    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as slow:
        slow.sendall(b"GET /api/ask?q=jazz HTTP/1.1\r\nHost: x\r\n")  # and never finishes its headers
        assert http.get("/api/search", params={"q": "jazz"}).status_code == 200
