"""Passwords, CSRF, the login rate limit and the security headers of every response."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from urllib.parse import parse_qs

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from starlette.datastructures import Headers

from monitor.store import LoginFailure, Store, utcnow

LOGIN_WINDOW = timedelta(minutes=15)  # failures older than this no longer count
# Failures are counted per username (whatever the address: guessing one password) and per client address
# (whatever the username: spraying one password over many accounts), separately. Beyond the free attempts
# each further one must wait, doubling from BACKOFF_BASE up to the cap: slowed down, never locked for good.
LOGIN_MAX_FAILURES = 5  # per username, within LOGIN_WINDOW, before waiting
LOGIN_MAX_FAILURES_PER_IP = 20  # per client address, within LOGIN_WINDOW, before waiting
BACKOFF_BASE = timedelta(seconds=30)
USER_BACKOFF_CAP = timedelta(minutes=5)
IP_BACKOFF_CAP = LOGIN_WINDOW
LOGIN_CONCURRENCY = 2  # argon2 hashes computed at once (64 MiB each, off the event loop)
LOGIN_QUEUE = 16  # logins waiting for a slot; beyond this a login is answered 429 at once
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_FORM_BYTES = 1024 * 1024

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)
_dummy_hash: str | None = None


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Swap the argon2 parameters (tests use a cheaper profile; existing hashes still verify)."""
    global _hasher, _dummy_hash
    _hasher, _dummy_hash = hasher, None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user costs the same time as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_hex(16))
    try:
        return _hasher.verify(password_hash or _dummy_hash, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def csrf_token(session: dict) -> str:
    """The session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


# ------------------------------------------------------------------ login rate limit


def _backoff(failures: int, free: int, cap: timedelta) -> timedelta:
    if failures < free:
        return timedelta(0)
    return min(BACKOFF_BASE * (2 ** min(failures - free, 20)), cap)


def login_wait(store: Store, username: str, ip: str, now: datetime | None = None) -> int:
    """Seconds before this username may try again from this address (0: now)."""
    now = now or utcnow()
    since = now - LOGIN_WINDOW
    with store.session() as s:
        n_user, last_user = s.execute(
            select(func.count(), func.max(LoginFailure.at)).where(
                LoginFailure.username == username, LoginFailure.at > since
            )
        ).one()
        n_ip, last_ip = s.execute(
            select(func.count(), func.max(LoginFailure.at)).where(LoginFailure.ip == ip, LoginFailure.at > since)
        ).one()
    wait = timedelta(0)
    if last_user is not None:
        wait = max(wait, last_user + _backoff(n_user, LOGIN_MAX_FAILURES, USER_BACKOFF_CAP) - now)
    if last_ip is not None:
        wait = max(wait, last_ip + _backoff(n_ip, LOGIN_MAX_FAILURES_PER_IP, IP_BACKOFF_CAP) - now)
    return max(0, int(wait.total_seconds() + 0.999))


def record_login_failure(store: Store, username: str, ip: str) -> None:
    with store.session() as s:
        s.add(LoginFailure(username=username[:100], ip=ip[:64], at=utcnow()))
        # keep the table small: old failures no longer count
        s.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 8 * LOGIN_WINDOW))


def clear_login_failures(store: Store, username: str, ip: str) -> None:
    with store.session() as s:
        s.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.ip == ip))


# ------------------------------------------------------------------ ASGI middleware

_FORBIDDEN_PAGE = (
    "<!doctype html><meta charset=utf-8><title>403 禁止访问</title>"
    "<h1>403 禁止访问</h1><p>表单校验码缺失或不匹配（可能页面已过期）。请返回并刷新页面后重试。</p>"
)


class CsrfMiddleware:
    """Every POST must carry the session's token (form field csrf_token or X-CSRF-Token header), else 403.

    Sits inside SessionMiddleware. It reads the body, checks the token, then replays the body to the app.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_FORM_BYTES:
                await _plain(send, 413, "<!doctype html><meta charset=utf-8><h1>413 提交的内容过大</h1>")
                return
        expected = (scope.get("session") or {}).get("csrf")
        headers = Headers(scope=scope)
        token = headers.get(CSRF_HEADER)
        if token is None and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            token = (parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD) or [None])[0]
        if not expected or not token or not hmac.compare_digest(str(expected), str(token)):
            await _plain(send, 403, _FORBIDDEN_PAGE)
            return
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SecurityHeadersMiddleware:
    """Adds CSP and friends to every response that did not set its own."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _plain(send, status: int, html: str) -> None:
    body = html.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
