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
from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from monitor.config import Config
from monitor.store import Store
from monitor.timeutil import today_cn
from monitor.web import admin, auth, findings, notices, overview, rulebook, sites
from monitor.web.render import STATIC, render
from monitor.web.security import CsrfMiddleware, SecurityHeadersMiddleware


class IdConvertor(Convertor):
    """A database id in a path: digits that fit a 64-bit integer, else the route does not match (404), rather
    than an overflow in the database (500)."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())

SESSION_COOKIE = "monitor_session"
SESSION_MAX_AGE = 12 * 3600  # a working day; then sign in again

routes = [
    Route("/", overview.overview, name="overview"),
    Route("/login", auth.login_page, methods=["GET"], name="login"),
    Route("/login", auth.login, methods=["POST"]),
    Route("/logout", auth.logout, methods=["POST"], name="logout"),
    Route("/findings", findings.findings_list, name="findings"),
    Route("/findings/export.csv", findings.findings_export, name="findings_export"),
    Route("/findings/{finding_id:id}", findings.finding_detail, name="finding"),
    Route("/findings/{finding_id:id}/shots/{shot_id:id}.png", findings.finding_shot, name="shot"),
    Route("/findings/{finding_id:id}/status", findings.change_status, methods=["POST"]),
    Route("/findings/{finding_id:id}/deadline", findings.change_deadline, methods=["POST"]),
    Route("/findings/{finding_id:id}/note", findings.add_note, methods=["POST"]),
    Route("/findings/{finding_id:id}/submit", findings.submit_fix, methods=["POST"]),
    Route("/findings/{finding_id:id}/appeal", findings.appeal, methods=["POST"]),
    Route("/findings/{finding_id:id}/appeal/decision", findings.decide_appeal, methods=["POST"]),
    Route("/findings/bulk", findings.bulk_change, methods=["POST"]),
    Route("/notices", notices.notices, name="notices"),
    Route("/notices/files/{path:path}", notices.notice_file, name="notice_file"),
    Route("/sites", sites.sites, name="sites"),
    Route("/rules", rulebook.rulebook, name="rules"),
    Route("/admin/users", admin.users, name="users"),
    Route("/admin/users", admin.add_user, methods=["POST"]),
    Route("/admin/users/{user_id:id}", admin.update_user, methods=["POST"]),
    Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
]

ERROR_TITLES = {
    400: "请求有误",
    403: "禁止访问",
    404: "页面不存在",
    405: "不支持的请求方式",
    429: "请求过多",
    500: "服务器内部错误",
}


async def _to_login(request: Request, exc: Exception):
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from monitor.web.render import query

    return RedirectResponse(query("/login", next=target), status_code=303)


class _App(Starlette):
    """Starlette with the security headers outermost: error pages (500 included, which Starlette answers
    outside the user middleware) carry them too."""

    def build_middleware_stack(self):
        return SecurityHeadersMiddleware(super().build_middleware_stack())


async def _server_error(request: Request, exc: Exception):
    from starlette.responses import HTMLResponse

    # plain, no template: whatever failed must not fail again here
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><title>500 服务器内部错误</title>"
        "<h1>500 服务器内部错误</h1><p>请稍后再试；问题持续时请联系管理员查看日志。</p>",
        status_code=500,
    )


async def _error_page(request: Request, exc: HTTPException):
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != ERROR_TITLES.get(exc.status_code) else ""
    if not detail or detail.isascii():
        detail = ERROR_TITLES.get(exc.status_code, "出错了")
    return render(
        request,
        "error.html",
        {"page_title": ERROR_TITLES.get(exc.status_code, "出错了"), "status": exc.status_code, "detail": detail},
        status_code=exc.status_code,
    )


def _analyze(store: Store) -> None:
    """Fresh planner statistics for SQLite (PostgreSQL's autovacuum keeps its own), so that a filtered list
    uses the selective index (site, unit) rather than the first one that matches (severity)."""
    if store.engine.dialect.name == "sqlite":
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE findings")


def create_app(
    store: Store,
    config: Config,
    *,
    secret_key: str,
    secure_cookies: bool = False,
    today: Callable[[], date] = today_cn,
    trusted_proxies: tuple[str, ...] = (),
) -> Starlette:
    """The dashboard over ``store``; ``today`` is the clock (tests pass a fixed day). ``trusted_proxies``:
    addresses (or networks) of the reverse proxies whose X-Forwarded-For names the client; from anyone
    else the header is ignored."""
    if not secret_key or len(secret_key) < 32:
        raise ValueError("会话密钥至少 32 个字符")
    proxy = [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted_proxies))] if trusted_proxies else []
    app = _App(
        routes=routes,
        middleware=[
            *proxy,
            Middleware(
                SessionMiddleware,
                secret_key=secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_MAX_AGE,
                same_site="lax",
                https_only=secure_cookies,
            ),
            Middleware(CsrfMiddleware),
        ],
        exception_handlers={HTTPException: _error_page, auth.LoginRequired: _to_login, 500: _server_error},
    )
    _analyze(store)
    app.state.store = store
    app.state.config = config
    app.state.today = today
    return app
