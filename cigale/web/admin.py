"""The agency's equity page: exposure per territory over the answers served, against the target,
as a table, a bar chart and a map; the coverage report; CSV export. HTTP Basic, user "admin",
password the `admin_key` setting (no key: no admin pages)."""

import csv
import io
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from cigale.audit import audit_log, coverage
from cigale.web import i18n
from cigale.web.map import territory_map

router = APIRouter(include_in_schema=False)
basic = HTTPBasic(auto_error=False, realm="Cigale admin")


def admin(request: Request, credentials: Annotated[HTTPBasicCredentials | None, Depends(basic)]) -> None:
    key = request.app.state.settings.admin_key.reveal()
    if not key:
        raise HTTPException(404, "Not found.")
    client, lockout = request.app.state.clients.of(request.scope), request.app.state.admin_failures
    if wait := lockout.wait(client):
        raise HTTPException(429, f"Too many wrong passwords: try again in {max(1, round(wait))} s.",
                            headers={"Retry-After": str(max(1, round(wait)))})
    # Both compared in full whatever the first one gives: the time taken says nothing.
    user_ok = secrets.compare_digest(credentials.username.encode(), b"admin") if credentials else False
    password_ok = secrets.compare_digest(credentials.password.encode(), key.encode()) if credentials else False
    if not (user_ok and password_ok):
        if credentials is not None:  # a browser's first request carries none: not a failure
            lockout.failed(client)
        raise HTTPException(401, "Administrators only.", headers={"WWW-Authenticate": 'Basic realm="Cigale admin"'})
    lockout.succeeded(client)


@router.get("/admin", dependencies=[Depends(admin)])
async def equity_page(request: Request):
    engine = request.app.state.engine
    report = await run_in_threadpool(audit_log, engine)
    cover = await run_in_threadpool(coverage, engine)
    lang = i18n.language_of(request)
    ratio = {row.id: row.ratio or 0.0 for row in report.territories}
    return request.app.state.templates.TemplateResponse(request, "admin.html", {
        "t": i18n.TEXTS[lang], "lang": lang, "report": report, "coverage": cover, "ratio": ratio,
        "map": territory_map(engine.territory), "territory": engine.territory, "next_url": "/admin"})


@router.get("/admin/audit.csv", dependencies=[Depends(admin)])
async def equity_csv(request: Request) -> Response:
    report = await run_in_threadpool(audit_log, request.app.state.engine)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["territory_id", "territory", "exposure_share", "target_share", "ratio", "answers"])
    for row in report.territories:
        writer.writerow([row.id, row.name, row.exposure, row.target, row.ratio, report.lists])
    writer.writerow(["", "disparity", report.disparity, "", "", report.lists])
    writer.writerow(["13055", "Marseille (commune) share", report.marseille_share, "", "", report.lists])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="cigale-equity.csv"'})
