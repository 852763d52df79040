"""Cigale as a model: an OpenAI-compatible `/v1/chat/completions` (and `/v1/models`), so any
OpenAI client or chat front end can use "cigale". The last user message is the question, read
with the earlier ones (a follow-up such as "et à Aix ?" refines the question before it); the
answer carries its citations inline, the sources in a `sources` field and, for a follow-up, the
question answered in `followup`."""

import hashlib
import json
import secrets
import time
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from cigale.errors import QuestionError
from cigale.web.api import answer_for, followup_of

router = APIRouter(tags=["OpenAI-compatible"])
MODEL = "cigale"
TURNS = 5  # the last user turns read for follow-ups


class Message(BaseModel):
    role: str
    content: str | list | None = None


class ChatRequest(BaseModel):
    model: str = MODEL
    messages: list[Message] = Field(min_length=1, max_length=100)
    stream: bool = False


def _authorize(request: Request, authorization: str | None) -> None:
    keys = [k.strip() for k in request.app.state.settings.v1_keys.reveal().split(",") if k.strip()]
    if not keys:
        return
    # Digests of equal length, every key compared: the time taken does not tell how close a guess is.
    given = hashlib.sha256((authorization or "").removeprefix("Bearer ").strip().encode()).digest()
    matches = [secrets.compare_digest(given, hashlib.sha256(k.encode()).digest()) for k in keys]
    if not any(matches):
        raise HTTPException(401, "A valid API key is required (Authorization: Bearer KEY).")


def _text(message: Message) -> str:
    content = message.content
    if isinstance(content, list):  # the multi-part form: keep the text parts that are text
        content = " ".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return content.strip() if isinstance(content, str) else ""


def _question(engine, body: ChatRequest):
    """The question the last user message asks, read with the earlier turns: each user message
    may refine the one before ("et à Aix ?"), so they are resolved in order (followup.py)."""
    turns = [text for m in body.messages if m.role == "user" and (text := _text(m))]
    if not turns:
        raise QuestionError("The conversation has no user message to answer.")
    previous = None
    for text in turns[-TURNS:]:  # a follow-up refines the turns just before it, not a whole history
        r = engine.followup(text, previous)
        previous = r.text
    return turns[-1], r


def _sources(answer) -> list[dict]:
    return [{"n": c.n, "doc_id": c.doc_id, "title": c.title, "url": c.url, "source": c.source,
             "places": list(c.places)} for c in answer.citations]


@router.get("/v1/models", summary="The models Cigale offers: one, `cigale`")
def models(request: Request, authorization: Annotated[str | None, Header()] = None) -> dict:
    _authorize(request, authorization)
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "cigale"}]}


@router.post("/v1/chat/completions", summary="An answer as an OpenAI chat completion, streamed or not")
async def chat(request: Request, body: ChatRequest, authorization: Annotated[str | None, Header()] = None):
    _authorize(request, authorization)
    asked, r = await run_in_threadpool(_question, request.app.state.engine, body)
    answer = await answer_for(request, r.text, None, None)
    followup = {"followup": followup_of(asked, r)} if r.followup else {}
    ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    if not body.stream:
        return JSONResponse({
            "id": ident, "object": "chat.completion", "created": created, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer.answer}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "sources": _sources(answer), "abstained": answer.abstained, "kind": answer.kind, **followup,
        })

    def chunk(delta: dict, finish=None, **extra) -> str:
        data = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": MODEL,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    def events():
        yield chunk({"role": "assistant", "content": ""})
        pieces = [answer.answer] if answer.abstained or answer.items else [
            ("" if i == 0 else " ") + f"{s.text} [{s.citation}]" for i, s in enumerate(answer.sentences)]
        for piece in pieces:
            yield chunk({"content": piece})
        yield chunk({}, "stop", sources=_sources(answer), **followup)
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")
