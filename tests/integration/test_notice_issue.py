"""Drafting a notice changes nothing; issuing it does, once, recording who and when (also the daemon's job)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from monitor.ops import jobs
from monitor.notices.notice import NoticeError, build_notice, issue_notice, issued_notices
from monitor.store import Finding, FindingEvent, NoticeIssue, Store
from reports.notice import notice_path, render_notice_html
from tests import big_county as bc


@pytest.fixture
def county(tmp_path):
    cfg = bc.config(tmp_path)
    store = Store(cfg.storage.url)
    n = bc.seed(store, cfg, 60)
    yield tmp_path, cfg, store, n
    store.close()


def _state(store):
    with store.session() as s:
        return (
            {f.id: (f.status, f.deadline) for f in s.scalars(select(Finding))},
            s.query(FindingEvent).count(),
            s.query(NoticeIssue).count(),
        )


def test_a_draft_changes_no_finding_and_says_it_is_a_draft(county):
    tmp, cfg, store, n = county
    before = _state(store)
    for _ in range(2):  # proofreading twice
        view = build_notice(store, cfg, month="2026-11", as_of=bc.DAY)
    assert _state(store) == before
    assert view.draft and notice_path(view, tmp, "html").name == "督查通报-2026-11-征求意见稿.html"
    html = render_notice_html(view)
    assert "征求意见稿" in html and "（征求意见稿，未印发）" in html


def test_issuing_once_records_who_and_refuses_a_second_time(county):
    tmp, cfg, store, n = county
    view, issue_id = issue_notice(store, cfg, month="2026-11", as_of=bc.DAY, actor="张审核")
    assert not view.draft and notice_path(view, tmp, "html").name == "督查通报-2026-11.html"
    assert "征求意见稿" not in render_notice_html(view)
    statuses, events, issues = _state(store)
    assert {s for s, _ in statuses.values()} == {"已通报"} and {d for _, d in statuses.values()} == {date(2026, 12, 6)}
    (row,) = issued_notices(store, "2026-11")
    assert (row.id, row.issued_by, row.findings, row.forced) == (issue_id, "张审核", n, False)
    assert set(row.units) == set(bc.UNITS)  # every unit it addresses
    with store.session() as s:
        actors = {e.actor for e in s.scalars(select(FindingEvent).where(FindingEvent.to_status == "已通报"))}
    assert actors == {"张审核"}  # the history says who issued it

    with pytest.raises(NoticeError, match="已于 .* 由 张审核 印发.*--force"):
        issue_notice(store, cfg, month="2026-11", as_of=bc.DAY, actor="李四")
    assert _state(store) == (statuses, events, issues)
    with pytest.raises(NoticeError, match="由谁印发"):
        issue_notice(store, cfg, month="2026-12", as_of=date(2026, 12, 20), actor=" ")

    _, again = issue_notice(store, cfg, month="2026-11", as_of=bc.DAY, actor="李四", force=True)
    rows = issued_notices(store, "2026-11")
    assert [(r.issued_by, r.forced) for r in rows] == [("张审核", False), ("李四", True)] and again == rows[-1].id


def test_the_scheduled_notice_job_writes_a_draft_only(county):
    tmp, cfg, store, n = county
    before = _state(store)
    rt = jobs.Runtime(str(tmp / "sites.yaml"), None, cfg, store, today=lambda: date(2026, 12, 1))
    out = jobs._notice(rt, "notice", "notice", None)
    assert out.outcome == "ok"
    assert _state(store) == before  # nothing issued, no deadline set
    notices = tmp / "notices"
    assert (notices / "督查通报-2026-11-征求意见稿.html").is_file() and not (notices / "督查通报-2026-11.html").exists()
