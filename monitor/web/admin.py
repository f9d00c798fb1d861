"""Administration: accounts (add, deactivate, reset password) and the units they belong to."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from monitor.store import Finding, User
from monitor.web.auth import ROLE_NAMES, create_user, require, set_password, store_of
from monitor.web.render import flash, render


def known_units(request: Request) -> list[str]:
    config = request.app.state.config
    units = [u.name for u in config.units]
    with store_of(request).session() as s:
        units += [u for u in s.scalars(select(Finding.unit).distinct()) if u not in units]
    return units


async def users(request: Request):
    require(request, "admin")
    store = store_of(request)
    with store.session() as s:
        accounts = s.scalars(select(User).order_by(User.role, User.username)).all()
        per_unit = dict(
            s.execute(select(User.unit, func.count()).where(User.unit.is_not(None)).group_by(User.unit)).all()
        )
    units = known_units(request)
    return render(
        request,
        "admin_users.html",
        {
            "page_title": "账号与单位",
            "accounts": accounts,
            "roles": ROLE_NAMES,
            "units": [{"name": u, "accounts": per_unit.get(u, 0)} for u in units],
            "unit_choices": [u.name for u in request.app.state.config.units] or units,
        },
    )


async def add_user(request: Request):
    require(request, "admin")
    form = await request.form()
    role, unit = str(form.get("role", "")), str(form.get("unit", "")).strip()
    names = [u.name for u in request.app.state.config.units]
    if role == "unit" and unit and names and unit not in names:  # as `monitor user add` does
        flash(
            request,
            f"单位“{unit}”不在 sites.yaml 的 units 列表中；请从列表中选择，或先在 sites.yaml 中添加该单位",
            "error",
        )
        return RedirectResponse("/admin/users", status_code=303)
    try:
        create_user(store_of(request), str(form.get("username", "")), str(form.get("password", "")), role, unit or None)
        flash(request, f"账号“{form.get('username')}”已创建")
    except ValueError as exc:
        flash(request, str(exc), "error")
    return RedirectResponse("/admin/users", status_code=303)


async def update_user(request: Request):
    me = require(request, "admin")
    uid = request.path_params["user_id"]
    form = await request.form()
    action = str(form.get("action", ""))
    store = store_of(request)
    with store.session() as s:
        u = s.get(User, uid)
        if u is None:
            raise HTTPException(404, "没有这个账号")
        name = u.username
        if action in ("disable", "enable"):
            if u.id == me.id and action == "disable":
                flash(request, "不能停用自己的账号", "error")
            else:
                u.active = action == "enable"
                if not u.active:  # a re-enabled account does not bring its old sessions back
                    u.session_version = (u.session_version or 0) + 1
                flash(request, f"账号“{name}”已{'启用' if u.active else '停用'}")
    if action == "password":
        try:
            set_password(store, uid, str(form.get("password", "")))
            flash(request, f"账号“{name}”的密码已重置")
        except ValueError as exc:
            flash(request, str(exc), "error")
    return RedirectResponse("/admin/users", status_code=303)
