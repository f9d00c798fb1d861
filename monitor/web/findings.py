"""Findings: the filtered list (keyset pagination), the detail page and the rectification actions."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, inspect, select, text
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from monitor.check import lifecycle
from monitor.model import FindingStatus as S, xml_safe
from monitor.model import Severity
from monitor.store import Finding, FindingEvent, RecheckRequest
from monitor.web.auth import AUDITORS, CurrentUser, require, store_of
from monitor.web.facts import labelled
from monitor.web.overview import OPEN, add_months
from monitor.web.recheck import request_recheck
from monitor.web.render import flash, query, render

PAGE_SIZE = 50
FILTERS = ("unit", "site", "rule", "severity", "status", "month", "q", "verdict", "sort")
VERDICTS = {"": "确认的问题", "unverified": "待核实", "all": "全部"}
SORTS = {"": "最新发现在前", "old": "最早发现在前"}
SUBMITTABLE = (S.OPEN, S.NOTIFIED, S.OVERDUE, S.REOPENED)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
LIST_COLUMNS = (
    Finding.id,
    Finding.rule,
    Finding.severity,
    Finding.verdict,
    Finding.site,
    Finding.unit,
    Finding.subject,
    Finding.url,
    Finding.status,
    Finding.first_seen,
    Finding.last_seen,
    Finding.deadline,
)


def _int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    if len(value) > 18 or not value.isdigit():  # beyond a 64-bit id: a bad request, not a database overflow
        raise HTTPException(400, "请求参数超出范围")
    return int(value)


def read_filters(request: Request, user: CurrentUser) -> tuple[dict[str, str], list[str]]:
    """The list filters from the query string; a unit user always sees only its own unit."""
    params = request.query_params
    f = {k: (params.get(k) or "").strip() for k in FILTERS}
    problems = []
    if user.role == "unit":
        f["unit"] = user.unit or ""
    if f["status"] and f["status"] != "open" and f["status"] not in {s.value for s in S}:
        problems.append(f"状态“{f['status']}”无效，已忽略")
        f["status"] = ""
    if f["severity"] and f["severity"] not in {s.value for s in Severity}:
        problems.append(f"严重程度“{f['severity']}”无效，已忽略")
        f["severity"] = ""
    f["q"] = f["q"][:100]
    if f["verdict"] not in VERDICTS:
        f["verdict"] = ""
    if f["sort"] not in SORTS:
        f["sort"] = ""
    if f["month"]:
        m = _MONTH.match(f["month"])
        if not m or not 1 <= int(m.group(2)) <= 12:
            problems.append(f"月份“{f['month']}”格式不对，应为 YYYY-MM，已忽略")
            f["month"] = ""
        elif not 1990 <= int(m.group(1)) <= 2999:
            raise HTTPException(400, f"月份“{f['month'][:20]}”超出范围（1990-01 至 2999-12）")
    return f, problems


def filtered(q, f: dict[str, str]):
    # the same population as the overview and the notice: confirmed findings unless 待核实 is asked for
    if f.get("verdict") == "unverified":
        q = q.where(Finding.verdict == "unverified")
    elif f.get("verdict") != "all":
        q = q.where(Finding.verdict == "finding")
    if f.get("q"):
        like = "%" + f["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(
            Finding.subject.like(like, escape="\\")
            | Finding.url.like(like, escape="\\")
            | Finding.evidence.like(like, escape="\\")
        )
    for key in ("unit", "site", "rule", "severity"):
        if f[key]:
            q = q.where(getattr(Finding, key) == f[key])
    if f["status"] == "open":
        q = q.where(Finding.status.in_(OPEN))
    elif f["status"]:
        q = q.where(Finding.status == f["status"])
    if f["month"]:
        start = date(int(f["month"][:4]), int(f["month"][5:]), 1)
        q = q.where(Finding.first_seen >= start, Finding.first_seen < add_months(start, 1))
    return q


def list_page(store, f: dict[str, str], *, before: int | None, after: int | None, size: int = PAGE_SIZE) -> dict:
    """One page by keyset on id (newest first, or oldest first with sort=old): constant cost however deep.

    ``before`` continues after that id in the shown order (下一页), ``after`` goes back before it (上一页)."""
    q = filtered(select(*LIST_COLUMNS), f)
    asc = f.get("sort") == "old"
    if after is not None:
        q = q.where(Finding.id < after if asc else Finding.id > after).order_by(
            Finding.id.desc() if asc else Finding.id.asc()
        )
    else:
        if before is not None:
            q = q.where(Finding.id > before if asc else Finding.id < before)
        q = q.order_by(Finding.id.asc() if asc else Finding.id.desc())
    with store.session() as s:
        rows = [dict(r._mapping) for r in s.execute(q.limit(size + 1))]
        total = s.scalar(filtered(select(func.count()).select_from(Finding), f))
    more = len(rows) > size
    rows = rows[:size]
    if after is not None:
        rows.reverse()
        has_prev, has_next = more, True
    else:
        has_prev, has_next = before is not None, more
    return {"rows": rows, "total": total, "has_prev": has_prev and bool(rows), "has_next": has_next and bool(rows)}


def filter_options(request: Request, user: CurrentUser) -> dict:
    from rules import all_rules

    config = request.app.state.config
    if user.role == "unit":
        units = [user.unit]
        sites = [(s.key, s.name) for s in (*config.sites, *config.accounts) if s.unit == user.unit]
    else:
        units = [u.name for u in config.units]
        with store_of(request).session() as s:
            units += [u for u in s.scalars(select(Finding.unit).distinct()) if u not in units]
        sites = [(s.key, s.name) for s in (*config.sites, *config.accounts)]
    return {
        "units": units,
        "sites": sites,
        "rules": [(e.rule.id, e.rule.title) for e in all_rules()],
        "severities": [s.value for s in Severity],
        "statuses": [s.value for s in S],
        "verdicts": list(VERDICTS.items()),
        "sorts": list(SORTS.items()),
    }


def site_names(config) -> dict[str, str]:
    return {s.key: s.name for s in (*config.sites, *config.accounts)}


EXPORT_FIELDS = [
    ("id", "编号"),
    ("rule", "规则"),
    ("severity", "严重程度"),
    ("unit", "单位"),
    ("site_name", "网站/账号"),
    ("subject", "问题对象"),
    ("url", "链接"),
    ("status", "状态"),
    ("first_seen", "首次发现"),
    ("last_seen", "最近发现"),
    ("deadline", "整改期限"),
]
EXPORT_MAX = 100_000


async def findings_export(request: Request):
    """The filtered list as CSV (Excel opens it: UTF-8 with BOM); cells that would start a formula are quoted."""
    import csv
    import io

    user = require(request)
    f, _ = read_filters(request, user)
    names = site_names(request.app.state.config)
    q = filtered(select(*LIST_COLUMNS), f).order_by(Finding.id.asc() if f["sort"] == "old" else Finding.id.desc())
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow([label for _, label in EXPORT_FIELDS])
    with store_of(request).session() as s:
        for r in s.execute(q.limit(EXPORT_MAX)):
            row = dict(r._mapping, site_name=names.get(r.site, r.site))
            w.writerow([_cell(row.get(k)) for k, _ in EXPORT_FIELDS])
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": "attachment; filename*=UTF-8''findings.csv",
            "cache-control": "private, no-store",
        },
    )


def _cell(value) -> str:
    text = "" if value is None else (value.isoformat() if isinstance(value, date) else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


BULK_TARGETS = (S.DISMISSED.value, S.OPEN.value, S.WONTFIX.value, S.PENDING.value, lifecycle.REJECT_APPEAL)


async def findings_list(request: Request):
    user = require(request)
    f, problems = read_filters(request, user)
    before, after = _int(request.query_params.get("before")), _int(request.query_params.get("after"))
    page = list_page(store_of(request), f, before=before, after=after)
    rows = page["rows"]
    shown = {k: v for k, v in f.items() if not (user.role == "unit" and k == "unit")}
    nav = {
        "first": query("/findings", **shown),
        "prev": query("/findings", **shown, after=rows[0]["id"]) if page["has_prev"] else None,
        "next": query("/findings", **shown, before=rows[-1]["id"]) if page["has_next"] else None,
    }
    for r in rows:
        r["site_name"] = site_names(request.app.state.config).get(r["site"], r["site"])
    return render(
        request,
        "findings.html",
        {
            "page_title": "问题清单",
            "filters": f,
            "problems": problems,
            "page": page,
            "nav": nav,
            "options": filter_options(request, user),
            "export": query("/findings/export.csv", **shown),
            "today": request.app.state.today(),
            "can_audit": user.role in AUDITORS,
            "bulk_targets": BULK_TARGETS,
        },
    )


def _visible_finding(request: Request, user: CurrentUser, finding_id: int) -> Finding:
    """The finding, if this user may see it; 404 otherwise (a unit user never learns another unit's ids)."""
    with store_of(request).session() as s:
        f = s.get(Finding, finding_id)
    if f is None or not user.sees_unit(f.unit):
        raise HTTPException(404, "没有这个问题，或您无权查看")
    return f


def _shots(store, finding_id: int) -> list[dict]:
    """Evidence screenshots, when the store has them (the evidence_shots table of the notice branch)."""
    if not inspect(store.engine).has_table("evidence_shots"):
        return []
    with store.session() as s:
        return [
            dict(r._mapping)
            for r in s.execute(
                text(
                    "SELECT id, page_url, highlight, taken_at FROM evidence_shots WHERE finding_id = :f ORDER BY id DESC"
                ),
                {"f": finding_id},
            )
        ]


async def finding_detail(request: Request):
    user = require(request)
    fid = request.path_params["finding_id"]
    f = _visible_finding(request, user, fid)
    store = store_of(request)
    with store.session() as s:
        events = s.scalars(
            select(FindingEvent).where(FindingEvent.finding_id == fid).order_by(FindingEvent.at, FindingEvent.id)
        ).all()
        rechecks = s.scalars(
            select(RecheckRequest).where(RecheckRequest.finding_id == fid).order_by(RecheckRequest.id)
        ).all()
    status = S(f.status)
    return render(
        request,
        "finding.html",
        {
            "page_title": f"问题 #{f.id}",
            "f": f,
            "facts": labelled(f.facts),
            "events": events,
            "site_name": site_names(request.app.state.config).get(f.site, f.site),
            "rechecks": rechecks,
            "shots": _shots(store, fid),
            "statuses": [s.value for s in S],
            "can_audit": user.role in AUDITORS,
            "can_submit": status in SUBMITTABLE and f.verdict == "finding",
            "can_appeal": status in lifecycle.APPEALABLE and f.verdict == "finding",
            "pending": status is S.PENDING,
            "appealed": status is S.APPEALED,
            "rule_title": _rule_title(f.rule),
        },
    )


def _rule_title(rule_id: str) -> str:
    from rules import get_rule

    try:
        return get_rule(rule_id).rule.title
    except KeyError:
        return ""


async def finding_shot(request: Request):
    user = require(request)
    fid, sid = request.path_params["finding_id"], request.path_params["shot_id"]
    _visible_finding(request, user, fid)
    store = store_of(request)
    if not inspect(store.engine).has_table("evidence_shots"):
        raise HTTPException(404, "没有这张截图")
    with store.session() as s:
        png = s.execute(
            text("SELECT png FROM evidence_shots WHERE id = :i AND finding_id = :f"), {"i": sid, "f": fid}
        ).scalar()
    if png is None:
        raise HTTPException(404, "没有这张截图")
    return Response(bytes(png), media_type="image/png", headers={"cache-control": "private, max-age=3600"})


# ------------------------------------------------------------------ actions (POST; CSRF checked by middleware)


def _back(fid: int) -> RedirectResponse:
    return RedirectResponse(f"/findings/{fid}", status_code=303)


async def change_status(request: Request):
    user = require(request, *AUDITORS)
    fid = request.path_params["finding_id"]
    _visible_finding(request, user, fid)
    form = await request.form()
    to, reason = str(form.get("to", "")), xml_safe(str(form.get("reason", ""))).strip()
    if to not in {s.value for s in S}:
        flash(request, f"状态“{to}”无效", "error")
    elif not reason:
        flash(request, "请填写变更原因（无法整改、重新打开等都需要说明理由）", "error")
    else:
        try:
            lifecycle.set_status(store_of(request), fid, S(to), actor=user.username, reason=reason)
            flash(request, f"状态已改为“{to}”")
        except ValueError as exc:
            flash(request, str(exc), "error")
    return _back(fid)


async def change_deadline(request: Request):
    user = require(request, *AUDITORS)
    fid = request.path_params["finding_id"]
    _visible_finding(request, user, fid)
    form = await request.form()
    reason = xml_safe(str(form.get("reason", ""))).strip()
    try:
        new = date.fromisoformat(str(form.get("deadline", "")))
    except ValueError:
        flash(request, "新的整改期限格式不对，应为 YYYY-MM-DD", "error")
        return _back(fid)
    if not reason:
        flash(request, "请填写延期原因", "error")
        return _back(fid)
    try:
        lifecycle.extend_deadline(store_of(request), fid, new, actor=user.username, reason=reason)
        flash(request, f"整改期限已调整为 {new.isoformat()}")
    except ValueError as exc:
        flash(request, str(exc), "error")
    return _back(fid)


async def add_note(request: Request):
    user = require(request, *AUDITORS)
    fid = request.path_params["finding_id"]
    _visible_finding(request, user, fid)
    form = await request.form()
    note = xml_safe(str(form.get("text", ""))).strip()
    if not note:
        flash(request, "备注不能为空", "error")
    else:
        lifecycle.add_note(store_of(request), fid, note[:4000], actor=user.username)
        flash(request, "备注已添加")
    return _back(fid)


async def submit_fix(request: Request):
    """A unit says it has fixed the problem: 已提交整改, with its note, and a targeted re-check is requested."""
    user = require(request)
    fid = request.path_params["finding_id"]
    f = _visible_finding(request, user, fid)
    form = await request.form()
    note = xml_safe(str(form.get("text", ""))).strip()
    if S(f.status) not in SUBMITTABLE:
        flash(request, f"当前状态为“{f.status}”，不能提交整改", "error")
    elif not note:
        flash(request, "请说明整改情况（改了什么、在哪里可以看到）", "error")
    else:
        try:
            lifecycle.set_status(store_of(request), fid, S.SUBMITTED, actor=user.username, reason=note[:4000])
            request_recheck(store_of(request), fid, requested_by=user.username)
            flash(request, "已提交整改，系统将对该问题进行复查")
        except ValueError as exc:
            flash(request, str(exc), "error")
    return _back(fid)


async def appeal(request: Request):
    """A unit (or an auditor on its behalf) disputes a finding: 异议中, with its reason, until an auditor decides."""
    user = require(request)
    fid = request.path_params["finding_id"]
    _visible_finding(request, user, fid)
    form = await request.form()
    reason = str(form.get("reason", "")).strip()
    if not reason:
        flash(request, "请说明异议理由（为什么认为这不是问题）", "error")
        return _back(fid)
    try:
        lifecycle.set_status(store_of(request), fid, S.APPEALED, actor=user.username, reason=reason[:4000])
        flash(request, "已提出异议，等待督查人员审核")
    except ValueError as exc:
        flash(request, str(exc), "error")
    return _back(fid)


async def decide_appeal(request: Request):
    """An auditor accepts an 异议 (→ 不成立) or rejects it (→ the state before the appeal); a reason either way."""
    user = require(request, *AUDITORS)
    fid = request.path_params["finding_id"]
    _visible_finding(request, user, fid)
    form = await request.form()
    decision, reason = str(form.get("decision", "")), str(form.get("reason", "")).strip()
    if not reason:
        flash(request, "请填写审核意见", "error")
        return _back(fid)
    try:
        if decision == "accept":
            lifecycle.set_status(store_of(request), fid, S.DISMISSED, actor=user.username, reason=reason[:4000])
            flash(request, "已接受异议，问题判定为“不成立”")
        elif decision == "reject":
            back = lifecycle.reject_appeal(store_of(request), fid, actor=user.username, reason=reason[:4000])
            flash(request, f"已驳回异议，问题回到“{back}”")
        else:
            flash(request, "请选择接受或驳回", "error")
    except ValueError as exc:
        flash(request, str(exc), "error")
    return _back(fid)


async def bulk_change(request: Request):
    """Auditors: one state and one reason for the ticked findings, or for every finding the filters select."""
    user = require(request, *AUDITORS)
    form = await request.form()
    to, reason = str(form.get("to", "")), str(form.get("reason", "")).strip()
    f = {k: str(form.get(k, "") or "").strip() for k in FILTERS}
    back = RedirectResponse(query("/findings", **{k: v for k, v in f.items() if v}), status_code=303)
    if to not in BULK_TARGETS:
        flash(request, f"状态“{to}”不能批量设置", "error")
        return back
    if not reason:
        flash(request, "请填写原因（批量操作的每个问题都记入同一原因）", "error")
        return back
    store = store_of(request)
    if form.get("scope") == "filtered":
        f, problems = _filters_from(f, user)
        if not any(f[k] for k in ("unit", "site", "rule", "status")):
            flash(request, "对筛选结果批量操作前，请至少按单位、网站、规则或状态筛选", "error")
            return back
        with store.session() as s:
            ids = list(s.scalars(filtered(select(Finding.id), f).order_by(Finding.id)))
    else:
        ids = [i for i in (_int(str(v)) for v in form.getlist("ids")) if i is not None]
    if not ids:
        flash(request, "没有选中任何问题", "error")
        return back
    done, failed = lifecycle.bulk_set(store, ids, to, actor=user.username, reason=reason[:4000])
    what = "驳回异议" if to == lifecycle.REJECT_APPEAL else f"改为“{to}”"
    flash(
        request,
        f"已将 {len(done)} 个问题{what}" + (f"；{len(failed)} 个未改（{failed[0][1]}）" if failed else ""),
        "error" if failed and not done else "ok",
    )
    return back


def _filters_from(values: dict[str, str], user: CurrentUser) -> tuple[dict[str, str], list[str]]:
    class _Params:  # read_filters reads request.query_params; the bulk form posts the same names
        query_params = values

    return read_filters(_Params(), user)  # type: ignore[arg-type]
