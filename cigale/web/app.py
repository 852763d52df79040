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
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware

from cigale.errors import CigaleError
from cigale.settings import Settings
from cigale.web import i18n
from cigale.web.limits import BodyLimit, Buckets, Clients, Lockout, RateLimit, SecurityHeaders, Visits

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
# What runs the engine or takes input is rate limited; pages, static files and health are not.
LIMITED_PATHS = ("/api/ask", "/api/search", "/api/feedback", "/v1", "/search", "/feedback", "/admin")


def create_app(settings: Settings | None = None, engine=None) -> FastAPI:
    from cigale.engine import Engine

    settings = settings or Settings.load()
    app = FastAPI(title="Cigale", version="0.1.0", docs_url=None, redoc_url=None, lifespan=_lifespan,
                  description="Questions about the territory, answered from the partners' sources, with citations.")
    app.state.settings = settings
    app.state.engine = engine or Engine.open(settings=settings)
    app.state.templates = _templates()
    app.state.answers = OrderedDict()  # recent answers, see api.answer_for
    app.state.clients = Clients(settings.trusted_proxies)
    app.state.buckets = Buckets(settings.rate_limit, settings.rate_limit_clients)
    app.state.counted = Visits()  # answers already counted for the equity audit, see api.answer_for
    app.state.admin_failures = Lockout()

    from cigale.web import admin, api, pages, v1

    app.include_router(api.router)
    app.include_router(v1.router)
    app.include_router(pages.router)
    app.include_router(admin.router)
    _mount_swagger(app)  # before /static, which would otherwise answer for /static/swagger
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.openapi = lambda: _openapi(app)
    app.add_exception_handler(CigaleError, _cigale_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(RateLimit, paths=LIMITED_PATHS, limiter=app.state.buckets, clients=app.state.clients)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)

    return app


def server_options(settings: Settings) -> dict:
    """uvicorn's options for `cigale serve` (and the tests' servers): the client's address is
    decided by `Clients` (uvicorn would otherwise believe X-Forwarded-For from loopback), no
    server banner, idle connections closed soon, and a bound on open connections (503 beyond).
    The supervisor's health check of each worker waits 30 s, not uvicorn's 5: a worker busy with
    the model on a saturated machine (4 workers on 2 cores) answers its ping late, and was killed
    with the requests it held (bench/load.py, PostgreSQL, 4 workers)."""
    return {"proxy_headers": False, "server_header": False, "timeout_keep_alive": 5,
            "limit_concurrency": 256, "h11_max_incomplete_event_size": 16_384, "timeout_worker_healthcheck": 30}


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
    templates.env.globals["languages"] = i18n.NAMES  # the language selector, on every page
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


ERROR_SCHEMA = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["type", "message"],
    "properties": {"type": {"type": "string"}, "message": {"type": "string"}}}}}
# The errors every operation may answer, in the one error shape (FastAPI would document a 422
# with its own shape; invalid input is a 400 here).
ERRORS = {"400": "Invalid input: a missing, malformed or over-long parameter or body.",
          "413": "The request body is too large.", "431": "The request's headers are too large.",
          "429": "Too many requests from this client: see Retry-After.",
          "500": "An error on the server's side, logged.", "503": "Not ready (no index yet) or the answer timed out."}

PATH_ERRORS = {"/v1/models": {"401": "A valid API key is required."},
               "/v1/chat/completions": {"401": "A valid API key is required."},
               "/api/feedback": {"403": "Sent by a browser on behalf of another site."}}


def _openapi(app: FastAPI) -> dict:
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            schema["components"]["schemas"].pop(name, None)
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for url, path in schema.get("paths", {}).items():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                for status, description in {**ERRORS, **PATH_ERRORS.get(url, {})}.items():
                    responses.setdefault(status, {"description": description, **error})
                for parameter in operation.get("parameters", []):
                    if parameter["name"] == "q":  # checked by the engine (QuestionError), documented here
                        parameter["schema"] |= {"minLength": 1, "maxLength": app.state.settings.max_question_chars,
                                                "pattern": r"\S"}
        app.openapi_schema = schema
    return app.openapi_schema


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api", "/healthz", "/readyz", "/v1"))


def _error(request: Request, status: int, kind: str, message: str, headers=None):
    if _wants_json(request):
        return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status, headers=headers)
    lang = i18n.language_of(request)
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
