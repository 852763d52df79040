"""The web application: the answer page and the HTTP API over one `Engine`.

    uvicorn --factory cigale.web.app:create_app    # settings from CIGALE_* and cigale.toml

Errors are translated here and only here: JSON ``{"error": {"type", "message"}}`` under
/api, an error page elsewhere; never a traceback.
"""

import logging
from collections import OrderedDict
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware

from cigale.errors import CigaleError
from cigale.settings import Settings
from cigale.web import i18n
from cigale.web.limits import BodyLimit, RateLimit, SecurityHeaders

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
QUESTION_PATHS = ("/api/ask", "/api/search", "/v1/chat")


def create_app(settings: Settings | None = None, engine=None) -> FastAPI:
    from cigale.engine import Engine

    settings = settings or Settings.load()
    app = FastAPI(title="Cigale", version="0.1.0", docs_url=None, redoc_url=None, lifespan=_lifespan,
                  description="Questions about the territory, answered from the partners' sources, with citations.")
    app.state.settings = settings
    app.state.engine = engine or Engine.open(settings=settings)
    app.state.templates = _templates()
    app.state.answers = OrderedDict()  # recent answers, see api.answer_for

    from cigale.web import admin, api, pages, v1

    app.include_router(api.router)
    app.include_router(v1.router)
    app.include_router(pages.router)
    app.include_router(admin.router)
    _mount_swagger(app)  # before /static, which would otherwise answer for /static/swagger
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.add_exception_handler(CigaleError, _cigale_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(RateLimit, per_minute=settings.rate_limit, paths=QUESTION_PATHS)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)

    return app


@asynccontextmanager
async def _lifespan(app: FastAPI):
    try:  # the first visitor should not wait for the index, the model and the language detector
        await run_in_threadpool(app.state.engine.warm)
    except CigaleError as exc:
        log.warning("not ready: %s", exc.message)
    yield


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.autoescape = True  # everything ingested is untrusted
    templates.env.filters["safe_url"] = safe_url
    return templates


def safe_url(url: str | None) -> str | None:
    """Only web links leave the page: no javascript:, data: or relative surprises."""
    if url and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None


def _mount_swagger(app: FastAPI) -> None:
    """OpenAPI docs with Swagger UI served from the swagger-ui-bundle package: no CDN, no inline script."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # optional: the API works without its docs page
        return
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cigale API</title>'
            '<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head>'
            '<body><div id="swagger-ui"></div><script src="/static/swagger/swagger-ui-bundle.js"></script>'
            '<script src="/static/docs.js"></script></body></html>')


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api", "/healthz", "/readyz", "/v1"))


def _error(request: Request, status: int, kind: str, message: str, headers=None):
    if _wants_json(request):
        return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status, headers=headers)
    lang = i18n.negotiate(request.cookies.get("lang"), request.headers.get("accept-language"))
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"t": i18n.TEXTS[lang], "lang": lang, "status": status, "message": message},
        status_code=status, headers=headers)


async def _cigale_error(request: Request, exc: CigaleError):
    return _error(request, exc.http_status, type(exc).__name__, exc.message)


async def _http_error(request: Request, exc: HTTPException):
    messages = {404: "Not found.", 405: "Method not allowed."}
    message = exc.detail if isinstance(exc.detail, str) and exc.status_code not in messages else messages.get(
        exc.status_code, str(exc.detail))
    return _error(request, exc.status_code, "HTTPError", message, getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: RequestValidationError):
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}" for e in exc.errors())
    return _error(request, 400, "BadRequest", f"Invalid request ({problems}).")


async def _unexpected_error(request: Request, exc: Exception):
    log.exception("unexpected error on %s", request.url.path)
    return _error(request, 500, "InternalError", "Something went wrong on our side; the error is logged.")
