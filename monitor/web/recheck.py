"""Targeted re-check requests from the dashboard.

When a unit marks a finding 已提交整改, the dashboard calls
``request_recheck(store, finding_id)``: it appends a row to
``recheck_requests`` (finding, site, URL, who, when, done_at NULL). The daemon
or ``monitor recheck`` reads ``pending_rechecks(store)``, re-checks those URLs
and calls ``mark_rechecked(store, ids)``; the check itself moves the finding
on (已整改, or back to 已通报 / 逾期). One pending request per finding: asking
again while one waits adds nothing.
"""

from __future__ import annotations

from sqlalchemy import select, update

from monitor.store import Finding, RecheckRequest, Store, utcnow


def request_recheck(store: Store, finding_id: int, *, requested_by: str = "系统") -> int:
    """Queue a targeted re-check of one finding; returns the request id (the waiting one if any)."""
    with store.session() as s:
        f = s.get(Finding, finding_id)
        if f is None:
            raise ValueError(f"没有编号为 {finding_id} 的问题")
        waiting = s.scalar(
            select(RecheckRequest.id).where(RecheckRequest.finding_id == finding_id, RecheckRequest.done_at.is_(None))
        )
        if waiting is not None:
            return waiting
        req = RecheckRequest(
            finding_id=finding_id, site=f.site, url=f.url, requested_at=utcnow(), requested_by=requested_by
        )
        s.add(req)
        s.flush()
        return req.id


def pending_rechecks(store: Store) -> list[RecheckRequest]:
    with store.session() as s:
        return list(
            s.scalars(select(RecheckRequest).where(RecheckRequest.done_at.is_(None)).order_by(RecheckRequest.id))
        )


def mark_rechecked(store: Store, ids: list[int]) -> None:
    if ids:
        with store.session() as s:
            s.execute(update(RecheckRequest).where(RecheckRequest.id.in_(ids)).values(done_at=utcnow()))
