"""The rectification lifecycle's manual moves, each appended to ``finding_events``.

Minimal version written for the dashboard branch; the fuller module (with the
transition table and ``monitor recheck``) replaces it at merge. Keep to these
signatures: set_status, extend_deadline, add_note.
"""
from __future__ import annotations

from datetime import date

from monitor.model import FindingStatus
from monitor.store import Finding, FindingEvent, Store, utcnow


class LifecycleError(ValueError):
    """A move that cannot be made, worded for the person who asked for it."""


def _finding(s, finding_id: int) -> Finding:
    f = s.get(Finding, finding_id)
    if f is None:
        raise LifecycleError(f"没有编号为 {finding_id} 的问题")
    return f


def set_status(store: Store, finding_id: int, to: FindingStatus, *, actor: str, reason: str) -> None:
    """Move a finding to ``to``, recording who, when, from what and why."""
    to = FindingStatus(to)
    with store.session() as s:
        f = _finding(s, finding_id)
        now = utcnow()
        s.add(FindingEvent(finding_id=f.id, at=now, actor=actor, from_status=f.status, to_status=to.value,
                           reason=reason))
        f.status = to.value
        f.updated_at = now


def extend_deadline(store: Store, finding_id: int, new_deadline: date, *, actor: str, reason: str) -> None:
    """Give a finding a new rectification deadline; the status stays, the history says why."""
    with store.session() as s:
        f = _finding(s, finding_id)
        now = utcnow()
        old = f.deadline.isoformat() if f.deadline else "无"
        s.add(FindingEvent(finding_id=f.id, at=now, actor=actor, from_status=f.status, to_status=f.status,
                           reason=f"整改期限由 {old} 调整为 {new_deadline.isoformat()}：{reason}"))
        f.deadline = new_deadline
        f.updated_at = now


def add_note(store: Store, finding_id: int, text: str, *, actor: str) -> None:
    """A note: an event whose status does not change and whose reason is the note."""
    with store.session() as s:
        f = _finding(s, finding_id)
        s.add(FindingEvent(finding_id=f.id, at=utcnow(), actor=actor, from_status=f.status, to_status=f.status,
                           reason=text))
