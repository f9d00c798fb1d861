"""Finding identity and the rectification lifecycle, on a real SQLite store with outcomes built by hand."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from monitor.check import lifecycle
from monitor.check.checking import fingerprint, record_outcomes
from monitor.model import FindingStatus as S
from monitor.model import Severity
from monitor.store import Finding, FindingEvent, Store
from rules.base import Outcome, Verdict

SITE = "portal"
RULES = ["W-S1", "W-V3"]


def link(url: str) -> Outcome:
    return Outcome(
        rule="W-S1",
        severity=Severity.DEDUCTION,
        verdict=Verdict.FINDING,
        subject=url,
        url=url,
        evidence=f"链接无法访问（HTTP 404）：{url}",
        source_url="http://127.0.0.1:8000/a.html",
    )


def column(name: str, url: str = "http://127.0.0.1:8000/xzdt/") -> Outcome:
    return Outcome(
        rule="W-V3",
        severity=Severity.DEDUCTION,
        verdict=Verdict.FINDING,
        subject=name,
        url=url,
        evidence=f"“{name}”栏目 45 天未更新",
    )


@pytest.fixture
def store(tmp_path):
    st = Store(f"sqlite:///{tmp_path / 'l.db'}")
    yield st
    st.close()


def check(store: Store, day: str, *outcomes: Outcome, fixed_after: int = 2):
    return record_outcomes(
        store,
        site_key=SITE,
        unit="县政府办",
        rule_ids=RULES,
        outcomes=list(outcomes),
        as_of=date.fromisoformat(day),
        run_id=None,
        fixed_after=fixed_after,
    )


def one(store: Store, url: str = "http://127.0.0.1:8000/gone.html") -> Finding:
    with store.session() as s:
        return s.scalars(select(Finding).where(Finding.url == url)).one()


def notify(store: Store, fid: int, deadline: str, day: str) -> None:
    with store.session() as s:
        lifecycle.mark_notified(s, s.get(Finding, fid), date.fromisoformat(deadline), as_of=date.fromisoformat(day))


def statuses(store: Store, fid: int) -> list[tuple[str | None, str, str | None]]:
    return [
        (e.from_status, e.to_status, e.as_of.isoformat() if e.as_of else None)
        for e in lifecycle.history(store, fid)
        if e.kind == "status"
    ]


def test_identity_ignores_whitespace_and_case_of_names_but_not_url_paths_or_ports():
    assert fingerprint("W-V3", SITE, "乡镇动态", "http://h/x/") == fingerprint(
        "W-V3", SITE, " 乡镇　动态 ", "HTTP://H:80/x/"
    )
    assert fingerprint("W-V3", SITE, "News Column", "http://h/x/") == fingerprint(
        "W-V3", SITE, "news  column", "http://h/x/"
    )
    assert fingerprint("W-S1", SITE, "http://h:8001/a.pdf") != fingerprint("W-S1", SITE, "http://h:8002/a.pdf")
    assert fingerprint("W-S1", SITE, "http://h/A.pdf") != fingerprint("W-S1", SITE, "http://h/a.pdf")
    assert fingerprint("W-S1", SITE, "http://h/a.pdf#p2") == fingerprint("W-S1", SITE, "http://h/a.pdf")
    assert fingerprint("W-S1", SITE, "http://h/a.pdf") != fingerprint("W-S1", "other-site", "http://h/a.pdf")


def test_same_problem_next_crawl_is_the_same_finding_and_a_changed_one_is_new(store):
    gone = "http://127.0.0.1:8000/gone.html"
    check(store, "2026-11-01", link(gone), column("乡镇动态"))
    check(store, "2026-11-08", link(gone), column("乡镇 动态"))
    f = one(store, gone)
    assert (f.first_seen, f.last_seen, f.occurrences) == (date(2026, 11, 1), date(2026, 11, 8), 2)
    with store.session() as s:
        assert len(s.scalars(select(Finding)).all()) == 2
    check(store, "2026-11-15", link(gone), column("乡镇动态", "http://127.0.0.1:8000/xzdt2/"))
    with store.session() as s:
        cols = s.scalars(select(Finding).where(Finding.rule == "W-V3").order_by(Finding.id)).all()
    assert len(cols) == 2 and cols[1].first_seen == date(2026, 11, 15)
    assert cols[0].status == S.RECHECK.value  # the old column URL is gone from this check


def test_full_lifecycle_with_history(store):
    gone = "http://127.0.0.1:8000/gone.html"
    check(store, "2026-11-01", link(gone))
    fid = one(store).id
    assert one(store).status == S.OPEN.value
    notify(store, fid, "2026-11-11", "2026-11-01")
    assert (one(store).status, one(store).deadline) == (S.NOTIFIED.value, date(2026, 11, 11))
    r = check(store, "2026-11-05")  # absent once
    assert one(store).status == S.RECHECK.value and r.fixed == 0
    check(store, "2026-11-06", link(gone))  # back before the deadline
    assert one(store).status == S.NOTIFIED.value
    check(store, "2026-11-07")
    r = check(store, "2026-11-08")  # absent twice in a row
    f = one(store)
    assert (f.status, f.fixed_on, r.fixed) == (S.FIXED.value, date(2026, 11, 8), 1)
    r = check(store, "2026-11-20", link(gone))
    f = one(store)
    assert (f.status, f.deadline, f.fixed_on, r.reopened) == (S.REOPENED.value, None, None, 1)
    notify(store, fid, "2026-11-30", "2026-11-20")
    assert one(store).deadline == date(2026, 11, 30)
    check(store, "2026-11-30", link(gone))
    assert one(store).status == S.NOTIFIED.value  # on the deadline day: not yet late
    check(store, "2026-12-01", link(gone))
    assert one(store).status == S.OVERDUE.value
    assert statuses(store, fid) == [
        (None, "待整改", "2026-11-01"),
        ("待整改", "已通报", "2026-11-01"),
        ("已通报", "待复核", "2026-11-05"),
        ("待复核", "已通报", "2026-11-06"),
        ("已通报", "待复核", "2026-11-07"),
        ("待复核", "已整改", "2026-11-08"),
        ("已整改", "重新出现", "2026-11-20"),
        ("重新出现", "已通报", "2026-11-20"),
        ("已通报", "逾期", "2026-12-01"),
    ]
    events = lifecycle.history(store, fid)
    assert all(e.actor and e.reason and e.at for e in events)
    assert "2026-11-11" in events[6].reason  # the reopening names the old deadline


def test_overdue_on_a_check_where_nothing_changed_and_by_sweep(store):
    a, b = "http://127.0.0.1:8000/a.pdf", "http://127.0.0.1:8000/b.pdf"
    check(store, "2026-11-01", link(a), link(b))
    notify(store, one(store, a).id, "2026-11-10", "2026-11-01")
    notify(store, one(store, b).id, "2026-11-10", "2026-11-01")
    check(store, "2026-11-11", link(a), link(b))  # the same crawl judged again, a day after the deadline
    assert one(store, a).status == S.OVERDUE.value
    with store.session() as s:
        lifecycle.mark_notified(s, s.get(Finding, one(store, a).id), date(2026, 12, 1), as_of=date(2026, 11, 11))
    assert one(store, a).deadline == date(2026, 11, 10)  # a notice does not quietly move a deadline
    with store.session() as s:
        assert lifecycle.sweep_overdue(s, as_of=date(2026, 11, 12)) == 0  # both already 逾期


def test_wontfix_is_never_moved_by_the_system(store):
    gone = "http://127.0.0.1:8000/gone.html"
    check(store, "2026-11-01", link(gone))
    fid = one(store).id
    with pytest.raises(lifecycle.LifecycleError, match="必须说明原因"):
        lifecycle.set_status(store, fid, S.WONTFIX, actor="审核员", reason=" ")
    lifecycle.set_status(
        store, fid, "无法整改", actor="审核员", reason="外部网站已关闭，无法联系", as_of=date(2026, 11, 2)
    )
    for day in ("2026-11-03", "2026-11-04", "2026-11-05"):
        check(store, day)
    check(store, "2026-11-06", link(gone))
    with store.session() as s:
        assert lifecycle.sweep_overdue(s, as_of=date(2027, 1, 1)) == 0
    f = one(store)
    assert f.status == S.WONTFIX.value and f.last_seen == date(2026, 11, 6)
    last = lifecycle.history(store, fid)[-1]
    assert (last.actor, last.to_status, last.reason) == ("审核员", "无法整改", "外部网站已关闭，无法联系")


def test_submitted_is_confirmed_or_not_by_the_next_check(store):
    a, b = "http://127.0.0.1:8000/a.pdf", "http://127.0.0.1:8000/b.pdf"
    check(store, "2026-11-01", link(a), link(b))
    for url in (a, b):
        notify(store, one(store, url).id, "2026-11-10", "2026-11-01")
        lifecycle.set_status(
            store, one(store, url).id, S.SUBMITTED, actor="县统计局", reason="已删除该链接", as_of=date(2026, 11, 3)
        )
    check(store, "2026-11-05", link(b))
    assert one(store, a).status == S.FIXED.value and one(store, a).fixed_on == date(2026, 11, 5)
    assert one(store, b).status == S.NOTIFIED.value
    assert "仍然存在" in lifecycle.history(store, one(store, b).id)[-1].reason
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.set_status(store, one(store, a).id, S.SUBMITTED, actor="县统计局", reason="")


def test_fixed_after_checks_is_configurable(store, tmp_path):
    gone = "http://127.0.0.1:8000/gone.html"
    check(store, "2026-11-01", link(gone), fixed_after=3)
    check(store, "2026-11-02", fixed_after=3)
    check(store, "2026-11-03", fixed_after=3)
    assert one(store).status == S.RECHECK.value and one(store).absent_checks == 2
    check(store, "2026-11-04", fixed_after=3)
    assert one(store).status == S.FIXED.value
    from monitor.config import parse_config

    cfg = parse_config({"organisation": {"name": "办", "fixed_after_checks": 3}})
    assert cfg.organisation.fixed_after_checks == 3
    assert parse_config({"organisation": {"name": "办"}}).organisation.fixed_after_checks == 2


def test_extend_deadline_and_note_append_to_history(store):
    gone = "http://127.0.0.1:8000/gone.html"
    check(store, "2026-11-01", link(gone))
    fid = one(store).id
    notify(store, fid, "2026-11-10", "2026-11-01")
    check(store, "2026-11-12", link(gone))
    assert one(store).status == S.OVERDUE.value
    lifecycle.extend_deadline(
        store, fid, date(2026, 11, 20), actor="审核员", reason="单位申请延期", as_of=date(2026, 11, 13)
    )
    lifecycle.add_note(store, fid, "已电话督促", actor="审核员", as_of=date(2026, 11, 13))
    f = one(store)
    assert (f.status, f.deadline) == (S.NOTIFIED.value, date(2026, 11, 20))
    tail = lifecycle.history(store, fid)[-3:]
    assert [e.kind for e in tail] == ["deadline", "status", "note"]
    assert "2026-11-10" in tail[0].reason and "2026-11-20" in tail[0].reason and "单位申请延期" in tail[0].reason
    assert tail[2].reason == "已电话督促" and tail[2].from_status == tail[2].to_status == "已通报"
    with store.session() as s:  # append-only: nothing above was rewritten
        ids = [
            e.id
            for e in s.scalars(select(FindingEvent).where(FindingEvent.finding_id == fid).order_by(FindingEvent.id))
        ]
    assert ids == sorted(ids) and len(ids) == 6  # 待整改, 已通报, 逾期, 期限, 已通报, 备注
