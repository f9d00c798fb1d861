"""The dashboard application: one routes list, the middleware stack and the error pages."""
from __future__ import annotations

from datetime import date
from typing import Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from monitor.config import Config
from monitor.store import Store
from monitor.timeutil import today_cn
from monitor.web import admin, auth, findings, notices, overview, rulebook, sites
from monitor.web.render import STATIC, render
from monitor.web.security import CsrfMiddleware, SecurityHeadersMiddleware

SESSION_COOKIE = "monitor_session"
SESSION_MAX_AGE = 12 * 3600  # a working day; then sign in again

routes = [
    Route("/", overview.overview, name="overview"),
    Route("/login", auth.login_page, methods=["GET"], name="login"),
    Route("/login", auth.login, methods=["POST"]),
    Route("/logout", auth.logout, methods=["POST"], name="logout"),
    Route("/findings", findings.findings_list, name="findings"),
    Route("/findings/{finding_id:int}", findings.finding_detail, name="finding"),
    Route("/findings/{finding_id:int}/shots/{shot_id:int}.png", findings.finding_shot, name="shot"),
    Route("/findings/{finding_id:int}/status", findings.change_status, methods=["POST"]),
    Route("/findings/{finding_id:int}/deadline", findings.change_deadline, methods=["POST"]),
    Route("/findings/{finding_id:int}/note", findings.add_note, methods=["POST"]),
    Route("/findings/{finding_id:int}/submit", findings.submit_fix, methods=["POST"]),
    Route("/findings/{finding_id:int}/appeal", findings.appeal, methods=["POST"]),
    Route("/findings/{finding_id:int}/appeal/decision", findings.decide_appeal, methods=["POST"]),
    Route("/findings/bulk", findings.bulk_change, methods=["POST"]),
    Route("/notices", notices.notices, name="notices"),
    Route("/notices/files/{path:path}", notices.notice_file, name="notice_file"),
    Route("/sites", sites.sites, name="sites"),
    Route("/rules", rulebook.rulebook, name="rules"),
    Route("/admin/users", admin.users, name="users"),
    Route("/admin/users", admin.add_user, methods=["POST"]),
    Route("/admin/users/{user_id:int}", admin.update_user, methods=["POST"]),
    Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
]

ERROR_TITLES = {400: "请求有误", 403: "禁止访问", 404: "页面不存在", 405: "不支持的请求方式", 429: "请求过多",
                500: "服务器内部错误"}


async def _to_login(request: Request, exc: Exception):
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from monitor.web.render import query

    return RedirectResponse(query("/login", next=target), status_code=303)


async def _error_page(request: Request, exc: HTTPException):
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != ERROR_TITLES.get(exc.status_code) else ""
    if not detail or detail.isascii():
        detail = ERROR_TITLES.get(exc.status_code, "出错了")
    return render(request, "error.html", {"page_title": ERROR_TITLES.get(exc.status_code, "出错了"),
                                          "status": exc.status_code, "detail": detail}, status_code=exc.status_code)


def _analyze(store: Store) -> None:
    """Fresh planner statistics for SQLite (PostgreSQL's autovacuum keeps its own), so that a filtered list
    uses the selective index (site, unit) rather than the first one that matches (severity)."""
    if store.engine.dialect.name == "sqlite":
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE findings")


def create_app(store: Store, config: Config, *, secret_key: str, secure_cookies: bool = False,
               today: Callable[[], date] = today_cn) -> Starlette:
    """The dashboard over ``store``; ``today`` is the clock (tests pass a fixed day)."""
    if not secret_key or len(secret_key) < 32:
        raise ValueError("会话密钥至少 32 个字符")
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(SessionMiddleware, secret_key=secret_key, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_MAX_AGE, same_site="lax", https_only=secure_cookies),
            Middleware(CsrfMiddleware),
        ],
        exception_handlers={HTTPException: _error_page, auth.LoginRequired: _to_login},
    )
    _analyze(store)
    app.state.store = store
    app.state.config = config
    app.state.today = today
    return app
