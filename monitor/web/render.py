"""One Jinja2 environment for the dashboard: autoescape on .html, StrictUndefined, safe links."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from monitor.model import template_safe
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from monitor.web.security import csrf_token

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def href(url: Any) -> str:
    """A crawled URL usable as a link target: only http(s); anything else (javascript:, data:) becomes '#'."""
    text = str(url or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return "#"
    return text if scheme in ("http", "https") else "#"


def show_value(value: Any) -> str:
    """A fact value as text (JSON for lists and mappings); escaped by the template like everything else."""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def query(base: str, **params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return base + ("?" + urlencode(kept) if kept else "")


READER_TZ = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None) -> str:
    """A stored time (naive UTC) as the staff read it: Beijing time."""
    if not value:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(READER_TZ).strftime("%Y-%m-%d %H:%M")


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=template_safe,
    )  # crawled control characters never reach the page

    env.filters["href"] = href
    env.filters["show"] = show_value
    env.filters["dt"] = local_time
    env.filters["d"] = lambda v: v.isoformat() if v else ""
    return env


templates = Jinja2Templates(env=_env())


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200, headers=None):
    """Render a named template with the signed-in user, the CSRF token and any flash message."""
    from monitor.web.auth import ROLE_NAMES, current_user

    user = current_user(request)
    flash = request.session.pop("flash", None) if "session" in request.scope else None
    ctx = {
        "user": user,
        "role_names": ROLE_NAMES,
        "csrf_token": csrf_token(request.session),
        "flash": flash,
        "page_title": "",
        **context,
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = {"message": message, "kind": kind}
