"""Accounts, roles and the login / logout pages."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from monitor.store import Store, User, utcnow
from monitor.web.security import (
    LOGIN_CONCURRENCY,
    LOGIN_QUEUE,
    clear_login_failures,
    csrf_token,
    hash_password,
    login_wait,
    record_login_failure,
    verify_password,
)

ROLE_NAMES = {"admin": "管理员", "auditor": "督查人员", "unit": "责任单位"}
AUDITORS = ("admin", "auditor")
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[\w.@-]{2,100}$")


class LoginRequired(Exception):
    """Raised by require() for an anonymous visitor: the app redirects to the login page."""


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    role: str
    unit: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def sees_unit(self, unit: str | None) -> bool:
        return self.role != "unit" or (unit is not None and unit == self.unit)


def store_of(request: Request) -> Store:
    return request.app.state.store


def current_user(request: Request) -> CurrentUser | None:
    """The signed-in, still active user (looked up on every request, so deactivation takes effect at once)."""
    try:
        return request.state.user
    except AttributeError:
        pass
    user = None
    session = request.session if "session" in request.scope else {}
    uid = session.get("uid")
    if isinstance(uid, int) and 0 < uid < 2**62:
        with store_of(request).session() as s:
            row = s.get(User, uid)
            # the cookie's version must be the user's current one: signing out or a new password revokes it
            if row is not None and row.active and session.get("sv") == (row.session_version or 0):
                user = CurrentUser(row.id, row.username, row.role, row.unit)
    request.state.user = user
    return user


def require(request: Request, *roles: str) -> CurrentUser:
    """Permission first: the signed-in user, or LoginRequired / 403."""
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    if roles and user.role not in roles:
        raise HTTPException(403, "您的账号没有权限访问此页面")
    return user


def create_user(store: Store, username: str, password: str, role: str, unit: str | None = None) -> int:
    """A new account; ValueError (Chinese) on a bad name, role, unit or password, or a taken name."""
    username = username.strip()
    if not _USERNAME.match(username):
        raise ValueError("用户名应为 2–100 个字母、数字、汉字或 . _ @ - 字符")
    if role not in ROLE_NAMES:
        raise ValueError(f"角色“{role}”无效，应为 admin、auditor 或 unit")
    if role == "unit" and not (unit or "").strip():
        raise ValueError("责任单位账号必须指定所属单位（--unit）")
    if role != "unit":
        unit = None
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 位")
    with store.session() as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise ValueError(f"用户名“{username}”已存在")
        u = User(
            username=username,
            password_hash=hash_password(password),
            role=role,
            unit=unit.strip() if unit else None,
            active=True,
            created_at=utcnow(),
        )
        s.add(u)
        s.flush()
        return u.id


def set_password(store: Store, user_id: int, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 位")
    with store.session() as s:
        u = s.get(User, user_id)
        if u is None:
            raise ValueError("没有这个用户")
        u.password_hash = hash_password(password)
        u.session_version = (u.session_version or 0) + 1  # every session signed in with the old password ends


def revoke_sessions(store: Store, user_id: int) -> None:
    """End every session of the user (signing out, deactivation): their cookies no longer sign anyone in."""
    with store.session() as s:
        u = s.get(User, user_id)
        if u is not None:
            u.session_version = (u.session_version or 0) + 1


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative URL."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def client_ip(request: Request) -> str:
    # X-Forwarded-For counts only from a configured proxy (create_app(trusted_proxies=…)); the address is
    # rewritten before it gets here
    return request.client.host if request.client else "unknown"


_login_slots: asyncio.Semaphore | None = None
_login_waiting = 0


async def _verify_bounded(password_hash: str | None, password: str) -> bool | None:
    """argon2 in a worker thread, at most LOGIN_CONCURRENCY at once; None when too many logins are queued
    (the event loop, and every other page, stays responsive whatever arrives at /login)."""
    global _login_slots, _login_waiting
    if _login_slots is None:
        _login_slots = asyncio.Semaphore(LOGIN_CONCURRENCY)
    if _login_waiting >= LOGIN_QUEUE:
        return None
    _login_waiting += 1
    try:
        async with _login_slots:
            return await run_in_threadpool(verify_password, password_hash, password)
    finally:
        _login_waiting -= 1


# ------------------------------------------------------------------ views


async def login_page(request: Request):
    from monitor.web.render import render

    if current_user(request) is not None:
        return RedirectResponse("/", status_code=303)
    return render(
        request,
        "login.html",
        {"page_title": "登录", "next": _safe_next(request.query_params.get("next")), "error": None, "username": ""},
    )


async def login(request: Request):
    from monitor.web.render import render

    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    nxt = _safe_next(str(form.get("next", "/")))
    store, ip = store_of(request), client_ip(request)
    ctx = {"page_title": "登录", "next": nxt, "username": username}
    wait = login_wait(store, username, ip)
    if wait:
        return render(
            request,
            "login.html",
            {**ctx, "error": f"登录失败次数过多（15 分钟内），请 {_wait_words(wait)}后再试"},
            status_code=429,
            headers={"retry-after": str(wait)},
        )
    with store.session() as s:
        row = s.scalar(select(User).where(User.username == username[:100]))
    ok = await _verify_bounded(row.password_hash if row else None, password)
    if ok is None:
        return render(
            request,
            "login.html",
            {**ctx, "error": "同时登录的请求过多，请稍后再试"},
            status_code=429,
            headers={"retry-after": "5"},
        )
    if not ok or row is None or not row.active:
        record_login_failure(store, username, ip)
        return render(request, "login.html", {**ctx, "error": "用户名或密码错误，或账号已停用"}, status_code=401)
    clear_login_failures(store, username, ip)
    request.session.clear()  # a fresh session (and CSRF token) on every sign-in
    request.session["uid"] = row.id
    request.session["sv"] = row.session_version or 0
    csrf_token(request.session)
    return RedirectResponse(nxt, status_code=303)


def _wait_words(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 120 else f"{(seconds + 59) // 60} 分钟"


async def logout(request: Request):
    user = current_user(request)
    if user is not None:
        # a copy of the cookie (another browser, or stolen) must not outlive signing out
        revoke_sessions(store_of(request), user.id)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
