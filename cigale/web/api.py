"""The HTTP API: the same answer, hits and places as the CLI and the library."""

import asyncio
import hashlib
import json
import logging
from collections import OrderedDict
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.exceptions import HTTPException

from cigale import when
from cigale.answers import frames
from cigale.answers.types import Answer
from cigale.errors import CigaleError, NotReadyError, QuestionError, StoreError
from cigale.store import Feedback
from cigale.web.limits import forget_oldest

log = logging.getLogger(__name__)

router = APIRouter()
Q = Annotated[str, Query(description="The question, in any language.")]
LANG = Annotated[str | None, Query(pattern="^[a-z]{2}$", description="The question's language (ISO 639-1), "
                                   "if known; detected otherwise.")]
EQUITY = Annotated[str | None, Query(pattern="^(on|off)$", description="Equity-aware ranking of open "
                                     "questions (default: the server's `equity` setting, on).")]
HINT = Annotated[str | None, Query(pattern="^[a-z]{2}$", description="The interface language, a hint for "
                                   "short questions.")]
PREVIOUS = Annotated[str | None, Query(max_length=2000, description="The previous question, as answered (its "
                                       "`question`): `q` may refine it (\"et à Aix ?\", \"and in July?\").")]


async def resolved(request: Request, q: str, previous: str | None, lang: str | None):
    """`q` as a follow-up of `previous` (cigale/followup.py), off the event loop; unchanged when
    it is not one."""
    return await run_in_threadpool(request.app.state.engine.followup, q, previous, lang)


def followup_of(q: str, r) -> dict:
    """What the answer says of a follow-up: the words asked and what they carried over."""
    return {"asked": q, "question": r.text, "carried": list(r.carried)}


def _cache_key(engine, q: str, lang, hint, equity) -> tuple:
    """Same question, same options, same index, same day: same answer ("ce week-end" moves on)."""
    today = when.today(engine.settings.today, getattr(engine.territory, "timezone", when.DEFAULT_TZ))
    return " ".join(q.split()), lang, hint, equity, engine.store.version(), today


async def answer_for(request: Request, q: str, lang: str | None, hint: str | None, equity: str | None = None,
                     count: bool = True):
    """The engine's answer, computed off the event loop within the configured time, and kept a
    while (popular questions repeat). An answer served is counted for the equity audit once per
    visitor and question (see limits.Visits), never for `count=False`: the page completing an
    answer the stream already delivered."""
    engine, settings = request.app.state.engine, request.app.state.settings
    hint = hint or browser_language(request)
    cache: OrderedDict = request.app.state.answers
    key = _cache_key(engine, q, lang, hint, equity)
    count = count and counts(request, key)
    if key in cache:
        cache.move_to_end(key)
        answer, is_open, on = cache[key]
        if count:
            await run_in_threadpool(engine.record, answer, is_open, on)
        return answer
    shared = settings.answer_cache and hasattr(engine.store, "cached_answer")
    if shared:  # PostgreSQL: another worker, on any machine, may have answered it
        entry = await run_in_threadpool(_shared_answer, engine.store, key)
        if entry is not None:
            remember(request, key, entry)
            if count:
                await run_in_threadpool(engine.record, *entry)
            return entry[0]

    def ask():
        question = engine.question(q, lang=lang, hint=hint)
        on = settings.equity if equity is None else equity == "on"
        answer = engine.ask(question, equity=on, record=count)
        return answer, question.is_open, on

    try:
        entry = await asyncio.wait_for(run_in_threadpool(ask), settings.ask_timeout)
    except TimeoutError:
        raise NotReadyError(f"The answer took longer than {settings.ask_timeout:g} s; please try again.") from None
    remember(request, key, entry)
    if shared:
        await run_in_threadpool(_share_answer, engine.store, key, entry)
    return entry[0]


def _shared_key(key: tuple) -> str:
    return hashlib.sha256(json.dumps(key, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def _shared_answer(store, key: tuple):
    try:
        value = store.cached_answer(_shared_key(key))
        return (Answer.from_dict(value["answer"]), value["open"], value["equity"]) if value else None
    except (StoreError, KeyError, TypeError) as exc:  # a cache that fails costs an answer, not an error
        log.warning("shared answer cache unreadable: %s", exc)
        return None


def _share_answer(store, key: tuple, entry) -> None:
    answer, is_open, on = entry
    try:
        store.cache_answer(_shared_key(key), {"answer": answer.to_dict(), "open": is_open, "equity": on})
    except StoreError as exc:
        log.warning("answer not shared: %s", exc.message)


def counts(request: Request, key: tuple) -> bool:
    """Whether this serving of the answer `key` counts for the equity audit: the same words from
    the same visitor count once, whatever the interface language or the index version."""
    q, lang, _hint, equity, _version, _today = key
    return request.app.state.counted.first(request.app.state.clients.of(request.scope), (q, lang, equity))


def remember(request: Request, key: tuple, entry) -> None:
    """Keep an answer in the bounded cache, the oldest forgotten first."""
    cache: OrderedDict = request.app.state.answers
    limit = request.app.state.settings.answer_cache
    if not limit:
        return
    cache[key] = entry
    cache.move_to_end(key)
    forget_oldest(cache, limit)


def browser_language(request: Request) -> str | None:
    """The first language of the browser's `Accept-Language` that Cigale answers in: a hint for
    short questions (a question's own words decide first, see language.py)."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in frames.LANGS:
            return code
    return None


@router.get("/api/ask", tags=["answers"], summary="A grounded answer with numbered citations")
async def ask(request: Request, q: Q, lang: LANG = None, hint: HINT = None, equity: EQUITY = None,
              previous: PREVIOUS = None) -> JSONResponse:
    r = await resolved(request, q, previous, lang)
    answer = await answer_for(request, r.text, lang, hint, equity)
    return JSONResponse(answer.to_dict() | ({"followup": followup_of(q, r)} if r.followup else {}))


@router.get("/api/ask/stream", tags=["answers"], summary="The same answer as Server-Sent Events",
            response_class=StreamingResponse,
            description="Events: `followup` (first, when `q` refines `previous`: the question answered), "
                        "`delta` (answer text), `citation` (a source, when first cited), "
                        "`sources` (all sources and places), `done` (the whole answer), `error`.")
async def ask_stream(request: Request, q: Q, lang: LANG = None, hint: HINT = None,
                     equity: EQUITY = None, previous: PREVIOUS = None) -> StreamingResponse:
    engine = request.app.state.engine
    r = await resolved(request, q, previous, lang)
    asked, q = q, r.text

    async def events():
        if r.followup:
            yield _event("followup", followup_of(asked, r))
        try:
            if engine.generator is None:  # extractive: the whole answer at once, cached
                for event, data in answer_events(await answer_for(request, q, lang, hint, equity)):
                    yield _event(event, data)
                return
            async for event in _live(request, q, lang, hint, equity):
                yield event
        except CigaleError as exc:
            yield _event("error", {"type": type(exc).__name__, "message": exc.message, "status": exc.http_status})

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


async def _live(request: Request, q: str, lang, hint, equity):
    """A model's verified sentences as they come, then the sources; the page's follow-up request
    finds the finished answer in the cache."""
    engine, settings = request.app.state.engine, request.app.state.settings
    hint = hint or browser_language(request)
    question = await run_in_threadpool(engine.question, q, lang, hint)
    on = settings.equity if equity is None else equity == "on"
    key = _cache_key(engine, q, lang, hint, equity)
    record = counts(request, key)
    streamed = False
    async for event, data in iterate_in_threadpool(engine.ask_stream(question, equity=on, record=record)):
        if event == "citation":
            streamed = True
            yield _event("citation", _citation(data))
        elif event == "delta":
            yield _event("delta", data)
        else:
            answer = data
            for name, payload in answer_events(answer):
                if not streamed or name in ("sources", "done"):
                    yield _event(name, payload)
            remember(request, key, (answer, question.is_open, on))


def answer_events(answer):
    """The answer as a sequence of (event, data): sentences as deltas, each source when first
    cited; a list answer's frame, then one delta per item (`"item": true`)."""
    citations = {c.n: c for c in answer.citations}
    if answer.abstained:
        yield "delta", {"text": answer.answer}
    elif answer.items:
        yield "delta", {"text": answer.frame, "frame": True}
        sent = set()
        for item, sentence in zip(answer.items, answer.sentences):
            if item.citation not in sent:
                sent.add(item.citation)
                yield "citation", _citation(citations[item.citation])
            yield "delta", {"text": sentence.text, "citation": item.citation, "item": True,
                            "lang": item.lang or answer.lang}
    else:
        sent = set()
        for i, sentence in enumerate(answer.sentences):
            if sentence.citation not in sent:
                sent.add(sentence.citation)
                yield "citation", _citation(citations[sentence.citation])
            yield "delta", {"text": ("" if i == 0 else " ") + sentence.text, "citation": sentence.citation,
                            "lang": sentence.lang or answer.lang}
    yield "sources", {"citations": [_citation(c) for c in answer.citations],
                      "places": [p.__dict__ for p in answer.places], "abstained": answer.abstained,
                      "fallback": bool(answer.evidence.get("fallback")), "intent": answer.intent,
                      "expert": answer.expert.__dict__ if answer.expert else None, "more": answer.more}
    yield "done", answer.to_dict()


def _citation(c) -> dict:
    return {"n": c.n, "doc_id": c.doc_id, "title": c.title, "url": c.url, "source": c.source,
            "publisher": c.publisher, "places": list(c.places)}


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get("/api/search", tags=["search"], summary="Ranked documents")
async def search(request: Request, q: Q, k: Annotated[int, Query(ge=1, le=100)] = 10, lang: LANG = None,
                 mode: Annotated[str | None, Query(pattern="^(bm25|dense|hybrid)$")] = None,
                 equity: EQUITY = None) -> JSONResponse:
    engine = request.app.state.engine
    on = None if equity is None else equity == "on"
    hits = await run_in_threadpool(engine.search, q, k, mode, None, lang, on)
    return JSONResponse({"question": q, "hits": [h.__dict__ for h in hits]})


@router.get("/api/places", tags=["territory"], summary="The communes and sub-territories of the territory")
def places(request: Request) -> JSONResponse:
    territory = request.app.state.engine.territory
    return JSONResponse({
        "territory": {"id": territory.id, "name": territory.name, "name_en": territory.name_en},
        "subterritories": [{"id": s.id, "name": s.name, "communes": list(s.communes),
                            "population": territory.population_of(s.id)} for s in territory.subterritories.values()],
        "communes": [{"insee": c.insee, "name": c.name, "territory": c.territory, "population": c.population,
                      "lat": c.lat, "lon": c.lon} for c in territory.communes.values()],
    })


class FeedbackIn(BaseModel):
    """What a visitor says of an answer; the same checks for the API and the page's form."""

    question: str = Field(min_length=1, max_length=2000)
    useful: bool
    comment: str | None = Field(default=None, max_length=2000)
    lang: str | None = Field(default=None, pattern="^[a-z]{2}$")
    cited: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list, max_length=20)

    def stored(self) -> Feedback:
        if not self.question.strip():
            raise QuestionError("The feedback must name the question it is about.")
        return Feedback(self.question.strip(), self.useful, (self.comment or "").strip() or None, self.lang,
                        tuple(self.cited))


def same_site(request: Request) -> None:
    """Refuse what a browser sends on behalf of another site (a form or script elsewhere): its
    `Sec-Fetch-Site` or `Origin` says so. Clients that are not browsers send neither."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    # The host only: behind a proxy that ends TLS, the scheme seen here is not the browser's.
    if site == "cross-site" or (origin and urlsplit(origin).netloc != request.headers.get("host")):
        raise HTTPException(403, "Requests from other sites are refused.")


@router.post("/api/feedback", tags=["feedback"], summary="Was an answer useful?", status_code=201)
def feedback(request: Request, body: FeedbackIn) -> JSONResponse:
    same_site(request)
    stored = request.app.state.engine.store.add_feedback(body.stored())
    return JSONResponse({"id": stored, "saved": True}, status_code=201)


@router.get("/healthz", tags=["operations"], summary="The process is up")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", tags=["operations"], summary="The index is loaded and not empty")
def readyz(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    index = engine.refresh(wait=False)  # a new version builds behind: the worker stays ready
    if index.size == 0:
        raise NotReadyError("The index is empty: ingest documents first.")
    return JSONResponse({"status": "ready", "documents": len(index.docs), "chunks": index.size,
                         "version": index.version})
