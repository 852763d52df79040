"""The answer page, rendered on the server: a real URL per question, usable without JavaScript."""

import secrets
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from cigale.answers import frames
from cigale.errors import QuestionError
from cigale.web import i18n
from cigale.web.api import FeedbackIn, answer_for, same_site
from cigale.web.map import territory_map

router = APIRouter(include_in_schema=False)
YEAR = 60 * 60 * 24 * 365
CSRF = "cigale_csrf"
MAX_FOLLOWUP = 2000  # characters of a follow-up and of the question it refines that are read
MAX_ASKED = 200  # a follow-up's words longer than this are not shown back (followup.MAX_WORDS words)


def remember_language(response, lang: str) -> None:
    response.set_cookie("lang", lang, max_age=YEAR, samesite="lax", httponly=True)


def remember_link_choice(request: Request, response, lang: str) -> None:
    """A link's ?lang= lasts like the selector's choice, so the next question keeps the language."""
    if request.query_params.get("lang") == lang and request.cookies.get("lang") != lang:
        remember_language(response, lang)


@router.get("/")
async def home(request: Request, q: str | None = None, thanks: int = 0, previous: str | None = None,
               asked: str | None = None):
    lang = i18n.language_of(request)
    t = i18n.TEXTS[lang]
    engine = request.app.state.engine
    if q and q.strip() and previous:
        # A follow-up ("et à Aix ?") becomes the question it asks, in the address bar too: the
        # page of the resolved question, which says how the visitor's words were understood.
        r = await run_in_threadpool(engine.followup, q[:MAX_FOLLOWUP], previous[:MAX_FOLLOWUP])
        if r.followup:
            keep = {"lang": request.query_params["lang"]} if "lang" in request.query_params else {}
            return RedirectResponse(f"/?{urlencode({'q': r.text, 'asked': q, **keep})}", status_code=303)
    # What a follow-up's words were: shown as said, escaped, and only as long as a follow-up is.
    understood = t["understood"].format(asked=asked, q=q) if asked and q and asked != q \
        and len(asked) <= MAX_ASKED else None
    context = {"t": t, "lang": lang, "q": q or "", "answer": None, "thanks": bool(thanks), "understood": understood,
               "next_url": href(q) if q else "/",
               "map": territory_map(engine.territory), "territory": engine.territory}
    if q and q.strip():
        # The script completing a streamed answer says so: that answer was already counted.
        answer = await answer_for(request, q, None, lang, count="x-cigale-rest" not in request.headers)
        context |= {"answer": answer, "cited": {p.insee for p in answer.places},
                    "related": await run_in_threadpool(related_questions, answer, engine),
                    "lang_answer": answer.lang, "more_text": t["more"].format(n=answer.more)}
    else:
        context["suggestions"] = suggestions(engine.territory, t)
    token = request.cookies.get(CSRF) or secrets.token_urlsafe(18)
    context["csrf"] = token
    response = request.app.state.templates.TemplateResponse(request, "index.html", context)
    if request.cookies.get(CSRF) != token:
        # The feedback form's token, also in the form: another site can post a form here but
        # can neither read nor set this cookie (double submit).
        response.set_cookie(CSRF, token, samesite="strict", httponly=True, path="/")
    remember_link_choice(request, response, lang)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/"):
    """Remember the interface language (works without JavaScript)."""
    if code not in i18n.LANGUAGES:
        code = i18n.DEFAULT
    if not next.startswith("/") or next.startswith(("//", "/\\")):
        next = "/"  # never redirect off-site (browsers read "/\\host" as "//host")
    response = RedirectResponse(next, status_code=303)
    remember_language(response, code)
    return response


@router.post("/feedback")
async def feedback_form(request: Request):
    """The no-JavaScript feedback form, with the API's checks; the page's script posts JSON to
    /api/feedback instead."""
    same_site(request)
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    cookie = request.cookies.get(CSRF, "")
    if not cookie or not secrets.compare_digest(form.get("csrf", "").encode(), cookie.encode()):
        raise HTTPException(403, "The feedback form has expired: reload the page and send it again.")
    try:
        feedback = FeedbackIn(question=form.get("question", ""), useful=form.get("useful", ""),
                              comment=form.get("comment") or None, lang=form.get("lang") or None,
                              cited=[c for c in form.get("cited", "").split(",") if c])
    except ValidationError:
        raise QuestionError("The feedback form is incomplete or malformed.") from None
    await run_in_threadpool(request.app.state.engine.store.add_feedback, feedback.stored())
    return RedirectResponse("/?" + urlencode({"q": feedback.question, "thanks": 1}), status_code=303)


def suggestions(territory, t) -> list[str]:
    """One idea per sub-territory, around its largest commune: the whole territory, not only its centre."""
    out = []
    for i, sub in enumerate(territory.subterritories.values()):
        communes = sorted((territory.communes[c] for c in sub.communes), key=lambda c: -c.population)
        # Not always the largest: the second one of the biggest territories, so Marseille is one voice of six.
        commune = communes[1] if len(communes) > 20 else communes[0]
        out.append(t["suggest"][i % len(t["suggest"])].format(place=commune.name))
    return out


def related_questions(answer, engine) -> list[str]:
    """Next questions, in the question's language: the same kind of thing in the place and its
    neighbours ("Quels musées à Port-de-Bouc ?"), what to do there."""
    territory, lang = engine.territory, answer.lang
    reading = engine.reading(engine.question(answer.question, lang=lang))
    kind = reading.kind if reading.kind and not answer.abstained else None  # nothing of that kind was found
    communes = [territory.commune(p.insee) for p in answer.places if territory.commune(p.insee)]
    out = []
    if communes:
        first = communes[0]
        places = [first] if reading.intent.value not in ("list", "open") else []
        places += [territory.communes[c] for c in first.neighbours[:2]]
        if kind:
            out += [frames.text(frames.RELATED_KIND, lang, which=kind.which(lang), kind=kind.plural(lang),
                                at=frames.at(p.name, lang)) for p in places]
        out.append(frames.text(frames.RELATED_PLACE, lang, at=frames.at(first.name, lang)))
    return list(dict.fromkeys(out))[:4]


@router.get("/search")
async def search_page(request: Request, q: str = ""):
    """Every document found for a question, ranked: where a list answer's "and N more" leads."""
    lang = i18n.language_of(request)
    t = i18n.TEXTS[lang]
    engine = request.app.state.engine
    hits = await run_in_threadpool(engine.search, q, 50) if q.strip() else []
    response = request.app.state.templates.TemplateResponse(
        request, "search.html", {"t": t, "lang": lang, "q": q, "hits": hits, "territory": engine.territory,
                                 "next_url": "/search?q=" + quote(q)})
    remember_link_choice(request, response, lang)
    return response


def href(question: str) -> str:
    return "/?q=" + quote(question)
