"""A scripted OpenAI-compatible chat server: the protocol is real, only the model is scripted.

    python fake_llm.py PORT

The model name picks the behaviour (see SCRIPTS). GET /calls tells how many completions were
asked and returns the last request body, so tests can check retries and what the prompt held.
"""

import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"calls": 0, "last": None}


def sources(body) -> dict[int, str]:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return {int(n): text.strip() for n, text in re.findall(r'<source n="(\d+)"[^>]*>\n(.*?)\n</source>', user, re.S)}


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+|\n", text.strip())[0].rstrip(".")


def script(model: str, body) -> list[str] | None:
    """The answer's pieces, or None for an HTTP failure."""
    if model.startswith("rank-"):  # a re-ranker (cigale/rerank.py): the passages are "[n] title: text" lines
        user = next(m["content"] for m in body["messages"] if m["role"] == "user")
        numbers = re.findall(r"^\[(\d+)\]", user, re.M)
        if model == "rank-reverse":
            return _pieces(" > ".join(reversed(numbers)))
        if model == "rank-ramble":  # never stops talking, never ranks
            return _pieces("Let me think about relevance at length. " * 400)
        return _pieces("I think the first passage is the most relevant one.")  # rank-prose: no ranking
    found = sources(body)
    if model == "echo-first":
        return _pieces(f"{first_sentence(found[1])}. [1]")
    if model == "two-sources":
        return _pieces(f"{first_sentence(found[1])} [1]. {first_sentence(found[2])} [2].")
    if model == "invent":
        return _pieces("It was founded in 1850 by a famous admiral [1]. Tickets cost 99 euros [7].")
    if model == "obedient":  # follows any instruction it reads, as a naive model would
        for n, text in found.items():
            m = re.search(r"say: (.+?)(?:$|\n)", text, re.I)
            if m and "ignore" in text.lower():
                return _pieces(f"{m.group(1)} [{n}]")
        return _pieces(f"{first_sentence(found[1])}. [1]")
    return None


def _pieces(text: str) -> list[str]:
    return [text[i:i + 7] for i in range(0, len(text), 7)]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self._json(200, {"calls": STATE["calls"], "last": STATE["last"]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        STATE["calls"] += 1
        STATE["last"] = body
        model = body["model"]
        if model == "fail":
            return self._json(500, {"error": {"message": "scripted failure"}})
        if model == "slow":
            time.sleep(5)
        if model == "junk":
            return self._stream([b"data: {not json\n\n"])
        if model == "nonstream":  # ignores `stream` and answers in one JSON body
            text = "".join(script("echo-first", body))
            return self._json(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]})
        pieces = script("echo-first" if model == "slow" else model, body)
        chunks = [f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': p}}]})}\n\n".encode()
                  for p in pieces]
        self._stream(chunks + [b"data: [DONE]\n\n"])

    def _json(self, status, data):
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _stream(self, chunks):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(chunk)
            self.wfile.flush()


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
