"""The rectification (整改) lifecycle of a finding, and its append-only history.

Every status change goes through this module — the check, the re-check, the
notice, the CLI and the dashboard — so that each move is written to
``finding_events`` with its time, business day (the check's --as-of), actor,
from → to and reason. Nothing here ever deletes or rewrites an event.

States (monitor.model.FindingStatus):

- 待整改: found, not yet notified.
- 已通报: listed in a notice; its deadline is set by that notice.
- 待复核: absent in the latest check, not yet confirmed gone.
- 已整改: absent in ``fixed_after_checks`` consecutive checks (sites.yaml
  ``organisation.fixed_after_checks``, default 2); or a unit's 已提交整改 claim
  confirmed by the next check that no longer finds it.
- 逾期: its deadline passed and a check still finds it (also a check that saw
  nothing new: the deadline passing is enough).
- 重新出现: found again after 已整改. The old deadline is history; the next
  notice sets a new one.
- 无法整改: an auditor's decision, with a reason. The system never moves it
  again; only an auditor can.
- 已提交整改: a unit says it has fixed it; the next check confirms (→ 已整改)
  or not (→ 已通报 / 逾期).
- 待人工确认: a candidate a rule cannot settle alone (facts.candidate, e.g. a
  link hidden the black-hat way but with no gambling wording, W-V9b).
  Not counted anywhere until an auditor confirms it (→ 待整改) or rejects it
  (→ 不成立). Gone in ``fixed_after_checks`` checks: 已整改.
- 不成立: 误报, an auditor's decision with a reason. Out of notices, totals and
  scores; the system leaves it alone while a check finds the same evidence
  (``findings.dismissed_key`` = the rule's facts.evidence_key); a check that
  finds changed evidence raises it again.
- 异议中: a unit disputes the finding, with a reason. Still counted; an auditor
  accepts (→ 不成立) or rejects (→ the state before the appeal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.model import FindingStatus as S
from monitor.store import Finding, FindingEvent, Store, utcnow

FIXED_AFTER_CHECKS = 2  # default of organisation.fixed_after_checks
SYSTEM = "系统复查"

# States the system may move on its own; 无法整改 is an auditor's and stays.
_AUTO_OVERDUE_FROM = (S.OPEN, S.NOTIFIED, S.REOPENED)
# Decisions and disputes a check never moves: a person settles them.
_HELD = (S.WONTFIX, S.APPEALED)
# States from which a unit may file an 异议: a counted problem.
APPEALABLE = (S.OPEN, S.NOTIFIED, S.RECHECK, S.OVERDUE, S.REOPENED, S.SUBMITTED)


class LifecycleError(ValueError):
    """A status change that is not allowed, worded for the auditor."""


@dataclass(frozen=True)
class Event:
    at: datetime
    as_of: date | None
    actor: str
    from_status: str | None
    to_status: str
    reason: str
    kind: str


# ------------------------------------------------------------------ primitives (inside a session)


def record(
    s: Session, f: Finding, to: S, reason: str, *, actor: str = SYSTEM, as_of: date | None = None, kind: str = "status"
) -> None:
    """Append one event and, for a status event, move the finding."""
    s.add(
        FindingEvent(
            finding_id=f.id,
            at=utcnow(),
            actor=actor,
            from_status=f.status,
            to_status=to.value,
            reason=reason,
            as_of=as_of,
            kind=kind,
        )
    )
    f.status = to.value
    f.updated_at = utcnow()


def _overdue(f: Finding, as_of: date) -> bool:
    return f.deadline is not None and as_of > f.deadline


def confirmed_by_auditor(s: Session, f: Finding) -> bool:
    """Whether a person has ever moved this finding out of 待人工确认 (or set it by hand to a counted state)."""
    return (
        s.scalar(
            select(FindingEvent.id)
            .where(
                FindingEvent.finding_id == f.id,
                FindingEvent.kind == "status",
                FindingEvent.from_status == S.PENDING.value,
                FindingEvent.to_status != S.DISMISSED.value,
                ~FindingEvent.actor.startswith("系统"),
            )
            .limit(1)
        )
        is not None
    )


def observe_present(
    s: Session,
    f: Finding,
    *,
    as_of: date,
    actor: str = SYSTEM,
    evidence_key: str | None = None,
    candidate: bool = False,
    count: bool = True,
) -> str | None:
    """A check saw the finding again. Returns 'reopened' when it came back after 已整改 (or, after 不成立,
    with changed evidence).

    ``count`` is False when the check judged a crawl run already judged: it is not another sighting."""
    if count:
        if as_of > f.last_seen:
            f.occurrences += 1
        f.last_seen = max(f.last_seen, as_of)
    f.absent_checks = 0
    status = S(f.status)
    if status in _HELD:
        return None
    if status is S.DISMISSED:
        if f.dismissed_key is None or f.dismissed_key == (evidence_key or ""):
            return None  # the same evidence an auditor already judged 误报
        f.dismissed_key = None
        record(s, f, S.PENDING if candidate else S.OPEN, "判定不成立后证据发生变化，重新提出", actor=actor, as_of=as_of)
        return "reopened"
    if status is S.PENDING:
        if not candidate:
            record(s, f, S.OPEN, "检查结果已确认问题（不再需要人工确认）", actor=actor, as_of=as_of)
        return None
    if (
        candidate
        and status in (S.OPEN, S.NOTIFIED, S.OVERDUE, S.REOPENED, S.RECHECK)
        and not confirmed_by_auditor(s, f)
    ):
        record(s, f, S.PENDING, "候选问题，须人工确认后才计入通报和统计", actor=actor, as_of=as_of)
        return None
    if status is S.FIXED:
        f.fixed_on = None
        old = f.deadline
        f.deadline = None  # the old deadline is history; the next notice sets a new one
        record(
            s,
            f,
            S.REOPENED,
            "已整改的问题再次出现" + (f"（原整改期限 {old:%Y-%m-%d}）" if old else ""),
            actor=actor,
            as_of=as_of,
        )
        return "reopened"
    if status in (S.RECHECK, S.SUBMITTED):
        what = "单位报已整改，复查时问题仍然存在" if status is S.SUBMITTED else "复查时问题仍然存在"
        if _overdue(f, as_of):
            record(s, f, S.OVERDUE, f"{what}，已超过整改期限 {f.deadline:%Y-%m-%d}", actor=actor, as_of=as_of)
        else:
            record(s, f, S.NOTIFIED if f.deadline else S.OPEN, what, actor=actor, as_of=as_of)
        return None
    if status in _AUTO_OVERDUE_FROM and _overdue(f, as_of):
        record(s, f, S.OVERDUE, f"超过整改期限 {f.deadline:%Y-%m-%d} 仍未整改", actor=actor, as_of=as_of)
    return None


def observe_absent(
    s: Session, f: Finding, *, as_of: date, fixed_after: int = FIXED_AFTER_CHECKS, actor: str = SYSTEM
) -> str | None:
    """A check that would have seen the finding did not. Returns 'fixed' when it is now 已整改."""
    status = S(f.status)
    if status in (S.FIXED, S.DISMISSED, *_HELD):
        return None
    f.absent_checks += 1
    if status is S.PENDING:
        if f.absent_checks >= fixed_after:
            f.fixed_on = as_of
            record(s, f, S.FIXED, f"候选问题连续 {f.absent_checks} 次复查未再发现", actor=actor, as_of=as_of)
            return "fixed"
        return None
    if status is S.SUBMITTED:
        f.fixed_on = as_of
        record(s, f, S.FIXED, "单位报已整改，复查确认问题已消除", actor=actor, as_of=as_of)
        return "fixed"
    if f.absent_checks >= fixed_after:
        f.fixed_on = as_of
        record(s, f, S.FIXED, f"连续 {f.absent_checks} 次复查未再发现", actor=actor, as_of=as_of)
        return "fixed"
    if status is not S.RECHECK:
        record(
            s,
            f,
            S.RECHECK,
            f"本次复查未发现（{f.absent_checks}/{fixed_after}），待再次复查确认",
            actor=actor,
            as_of=as_of,
        )
    return None


def sweep_overdue(s: Session, *, as_of: date, sites: Iterable[str] | None = None, actor: str = SYSTEM) -> int:
    """Findings whose deadline passed while still open become 逾期, even when no check saw anything new."""
    q = select(Finding).where(
        Finding.deadline.is_not(None),
        Finding.deadline < as_of,
        Finding.status.in_([st.value for st in _AUTO_OVERDUE_FROM]),
    )
    if sites is not None:
        q = q.where(Finding.site.in_(list(sites)))
    n = 0
    for f in s.scalars(q):
        record(s, f, S.OVERDUE, f"超过整改期限 {f.deadline:%Y-%m-%d} 仍未整改", actor=actor, as_of=as_of)
        n += 1
    return n


def mark_notified(s: Session, f: Finding, deadline: date, *, as_of: date, actor: str = "通报") -> bool:
    """Issuing a notice is notifying: 待整改 / 重新出现 findings get the notice's deadline and 已通报."""
    if S(f.status) not in (S.OPEN, S.REOPENED):
        if f.deadline is None and S(f.status).is_open:
            f.deadline = deadline
        return False
    if f.deadline is None:
        f.deadline = deadline
    record(s, f, S.NOTIFIED, f"列入督查通报，整改期限 {f.deadline:%Y-%m-%d}", actor=actor, as_of=as_of)
    return True


# ------------------------------------------------------------------ the API the CLI and dashboard call


def _get(s: Session, finding_id: int) -> Finding:
    f = s.get(Finding, finding_id)
    if f is None:
        raise LifecycleError(f"没有编号为 {finding_id} 的问题；用 monitor findings --status all 查看全部问题")
    return f


def set_status(
    store: Store, finding_id: int, to: S | str, *, actor: str, reason: str, as_of: date | None = None
) -> None:
    """An auditor's or unit's status change, with a reason, appended to the history."""
    try:
        target = S(to)
    except ValueError as exc:
        raise LifecycleError(f"状态“{to}”不存在；可选：{'、'.join(st.value for st in S)}") from exc
    reason = (reason or "").strip()
    if not actor.strip():
        raise LifecycleError("请说明是谁修改的状态（actor）")
    with store.session() as s:
        f = _get(s, finding_id)
        current = S(f.status)
        if target is current:
            raise LifecycleError(f"问题 {finding_id} 已经是“{current.value}”状态")
        if target in (S.WONTFIX, S.DISMISSED, S.APPEALED) and not reason:
            raise LifecycleError(f"设为“{target.value}”必须说明原因（--reason）")
        if target is S.APPEALED and current not in APPEALABLE:
            raise LifecycleError(
                f"问题 {finding_id} 当前为“{current.value}”，不能提出异议；只有未整改的问题可以提出异议"
            )
        if target is S.SUBMITTED and not current.is_open:
            raise LifecycleError(f"问题 {finding_id} 当前为“{current.value}”，不能再提交整改")
        if target is S.OVERDUE and f.deadline is None:
            raise LifecycleError(f"问题 {finding_id} 没有整改期限，不能设为逾期；可先 --extend-deadline 设定期限")
        if target is S.FIXED:
            f.fixed_on = as_of or f.last_seen
        elif current is S.FIXED:
            f.fixed_on = None
        if target is S.DISMISSED:
            f.dismissed_key = str((f.facts or {}).get("evidence_key") or "")
            if current is S.APPEALED:
                reason = f"接受异议，判定不成立：{reason}"
        elif current is S.DISMISSED:
            f.dismissed_key = None
        record(s, f, target, reason or "人工修改状态", actor=actor, as_of=as_of)


def reject_appeal(store: Store, finding_id: int, *, actor: str, reason: str, as_of: date | None = None) -> str:
    """An auditor rejects a unit's 异议: the finding returns to the state it had before the appeal."""
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError("驳回异议必须说明理由（--reason）")
    with store.session() as s:
        f = _get(s, finding_id)
        if S(f.status) is not S.APPEALED:
            raise LifecycleError(f"问题 {finding_id} 当前为“{f.status}”，没有待处理的异议")
        before = s.scalar(
            select(FindingEvent.from_status)
            .where(
                FindingEvent.finding_id == f.id,
                FindingEvent.kind == "status",
                FindingEvent.to_status == S.APPEALED.value,
            )
            .order_by(FindingEvent.id.desc())
            .limit(1)
        )
        back = S(before) if before and before != S.APPEALED.value else S.OPEN
        if back is S.OVERDUE and f.deadline is None:
            back = S.OPEN
        record(s, f, back, f"驳回异议：{reason}", actor=actor, as_of=as_of)
        return back.value


def select_findings(
    store: Store,
    *,
    ids: Iterable[int] = (),
    rule: str | None = None,
    site: str | None = None,
    unit: str | None = None,
    status: str | None = None,
) -> list[int]:
    """Finding ids for a bulk action: the given ids, or every finding matching rule / site / unit / status."""
    q = select(Finding.id).order_by(Finding.id)
    ids = list(ids)
    if ids:
        q = q.where(Finding.id.in_(ids))
    if rule:
        q = q.where(Finding.rule == rule)
    if site:
        q = q.where(Finding.site == site)
    if unit:
        q = q.where(Finding.unit == unit)
    if status == "open":
        q = q.where(Finding.status.in_([st.value for st in S if st.is_open]))
    elif status:
        q = q.where(Finding.status == status)
    if not (ids or rule or site or unit or status):
        raise LifecycleError("批量操作须指定问题编号，或用规则、网站、单位、状态筛选")
    with store.session() as s:
        return list(s.scalars(q))


def bulk_set(
    store: Store, finding_ids: Iterable[int], to: S | str, *, actor: str, reason: str, as_of: date | None = None
) -> tuple[list[int], list[tuple[int, str]]]:
    """One state and one reason for many findings, each change in its own history.
    ``to`` may also be "驳回异议". Returns (changed, [(id, why not)])."""
    done: list[int] = []
    failed: list[tuple[int, str]] = []
    for fid in finding_ids:
        try:
            if to == REJECT_APPEAL:
                reject_appeal(store, fid, actor=actor, reason=reason, as_of=as_of)
            else:
                set_status(store, fid, to, actor=actor, reason=reason, as_of=as_of)
            done.append(fid)
        except LifecycleError as exc:
            failed.append((fid, str(exc)))
    return done, failed


REJECT_APPEAL = "驳回异议"


def extend_deadline(
    store: Store, finding_id: int, new_deadline: date, *, actor: str, reason: str = "", as_of: date | None = None
) -> None:
    """Set or move a finding's deadline; a 逾期 finding whose new deadline has not passed is 已通报 again."""
    with store.session() as s:
        f = _get(s, finding_id)
        status = S(f.status)
        if not status.is_open:
            raise LifecycleError(f"问题 {finding_id} 当前为“{status.value}”，无需调整整改期限")
        old = f.deadline
        f.deadline = new_deadline
        what = (
            f"整改期限由 {old:%Y-%m-%d} 调整为 {new_deadline:%Y-%m-%d}"
            if old
            else f"整改期限设为 {new_deadline:%Y-%m-%d}"
        )
        record(s, f, status, what + (f"：{reason}" if reason else ""), actor=actor, as_of=as_of, kind="deadline")
        if status is S.OVERDUE and (as_of is None or new_deadline >= as_of):
            record(s, f, S.NOTIFIED, "整改期限已延长", actor=actor, as_of=as_of)


def add_note(store: Store, finding_id: int, text: str, *, actor: str, as_of: date | None = None) -> None:
    """A remark in the history (a phone call, a unit's explanation); the status does not change."""
    if not text.strip():
        raise LifecycleError("备注内容不能为空")
    with store.session() as s:
        f = _get(s, finding_id)
        record(s, f, S(f.status), text.strip(), actor=actor, as_of=as_of, kind="note")


def history(store: Store, finding_id: int) -> list[Event]:
    with store.session() as s:
        rows = s.scalars(
            select(FindingEvent).where(FindingEvent.finding_id == finding_id).order_by(FindingEvent.id)
        ).all()
    return [Event(e.at, e.as_of, e.actor, e.from_status, e.to_status, e.reason, e.kind) for e in rows]


def histories(store: Store, finding_ids: Iterable[int] | None = None) -> dict[int, list[Event]]:
    q = select(FindingEvent).order_by(FindingEvent.id)
    if finding_ids is not None:
        q = q.where(FindingEvent.finding_id.in_(list(finding_ids)))
    out: dict[int, list[Event]] = {}
    with store.session() as s:
        for e in s.scalars(q):
            out.setdefault(e.finding_id, []).append(
                Event(e.at, e.as_of, e.actor, e.from_status, e.to_status, e.reason, e.kind)
            )
    return out


def status_on(events: list[Event], day: date) -> str | None:
    """The status a finding had at the end of ``day``, replayed from its history (business days)."""
    status = None
    for e in events:
        when = e.as_of or e.at.date()
        if when <= day and e.kind == "status":
            status = e.to_status
    return status
