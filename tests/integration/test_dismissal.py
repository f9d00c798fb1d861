"""不成立 (误报), 异议 (appeal) and 待人工确认 (candidates) through the lifecycle, the CLI, the dashboard, the notice
and the ledger, each change with its history."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from monitor.check import lifecycle
from monitor.check.checking import record_outcomes
from monitor.config import parse_config
from monitor.notices.ledger import build_ledger
from monitor.model import FindingStatus as S
from monitor.model import Severity
from monitor.notices.notice import build_notice, open_findings_for_notice
from rules.scoring import counts
from monitor.store import Finding, FindingEvent, Store
from reports.ledger import write_ledger
from rules.base import Outcome, Verdict
from tests.conftest import run_monitor
from tests.webserver import EDU, add_finding, csrf_of, login, running_dashboard

SITE, UNIT = "s", "测试单位"
DAY = date(2026, 11, 20)
RULES = ["W-S1", "W-V9b"]


def broken(n: int) -> Outcome:
    url = f"http://127.0.0.1:9/dead{n}.html"
    return Outcome(
        rule="W-S1",
        severity=Severity.DEDUCTION,
        verdict=Verdict.FINDING,
        subject=url,
        url=url,
        evidence=f"链接无法访问：{url}",
        source_url="http://127.0.0.1:9/",
    )


def hidden(target: str, key: str, *, candidate: bool) -> Outcome:
    return Outcome(
        rule="W-V9b",
        severity=Severity.VETO,
        verdict=Verdict.FINDING,
        subject=target,
        url="http://127.0.0.1:9/a.html",
        evidence=f"隐藏链接指向 {target}",
        facts={"needs_confirmation": candidate, "candidate": candidate, "evidence_key": key},
    )


def check(store, day, *outcomes):
    return record_outcomes(
        store, site_key=SITE, unit=UNIT, rule_ids=RULES, outcomes=list(outcomes), as_of=day, run_id=None
    )


def config(tmp_path):
    return parse_config(
        {
            "organisation": {"name": "测试县人民政府办公室"},
            "units": [{"name": UNIT}],
            "sites": [{"key": SITE, "name": "测试网站", "home": "http://127.0.0.1:9/", "unit": UNIT}],
            "storage": {"url": "sqlite://", "notices_dir": str(tmp_path / "notices")},
        },
        source="test",
    )


def by_subject(store) -> dict[str, Finding]:
    with store.session() as s:
        return {f.subject: f for f in s.scalars(select(Finding))}


def events(store, fid) -> list[tuple[str | None, str, str]]:
    return [(e.from_status, e.to_status, e.reason) for e in lifecycle.history(store, fid)]


@pytest.fixture
def store(tmp_path):
    st = Store(f"sqlite:///{tmp_path / 'd.db'}")
    yield st
    st.close()


def test_candidate_waits_for_an_auditor_and_is_counted_nowhere_until_confirmed(store, tmp_path):
    r = check(store, DAY, hidden("http://seo.example/", "k1", candidate=True), broken(1))
    assert (r.findings, r.pending, r.new) == (1, 1, 1)
    cand = by_subject(store)["http://seo.example/"]
    assert cand.status == S.PENDING.value and not counts(cand)
    cfg = config(tmp_path)
    problems, _ = open_findings_for_notice(store, cfg, as_of=DAY)
    assert [f.rule for f in problems] == ["W-S1"]
    view = build_notice(store, cfg, month="2026-11", as_of=DAY, mark_notified=False)
    assert not view.veto_rows
    # seen again: still a candidate, no new history
    check(store, date(2026, 11, 21), hidden("http://seo.example/", "k1", candidate=True), broken(1))
    assert by_subject(store)["http://seo.example/"].status == S.PENDING.value
    lifecycle.set_status(store, cand.id, S.OPEN, actor="审核员甲", reason="核实为被植入的暗链")
    check(store, date(2026, 11, 22), hidden("http://seo.example/", "k1", candidate=True), broken(1))
    f = by_subject(store)["http://seo.example/"]
    assert f.status == S.OPEN.value and counts(f)  # confirmed stays confirmed
    view = build_notice(store, cfg, month="2026-11", as_of=date(2026, 11, 22), mark_notified=False)
    assert len(view.veto_rows) == 1
    assert events(store, f.id)[-1] == (S.PENDING.value, S.OPEN.value, "核实为被植入的暗链")


def test_dismissed_leaves_notices_and_scores_and_is_not_raised_again_for_the_same_evidence(store, tmp_path):
    check(store, DAY, hidden("http://x.example/", "k1", candidate=False))
    fid = by_subject(store)["http://x.example/"].id
    with pytest.raises(lifecycle.LifecycleError, match="必须说明原因"):
        lifecycle.set_status(store, fid, S.DISMISSED, actor="审核员甲", reason="")
    lifecycle.set_status(store, fid, S.DISMISSED, actor="审核员甲", reason="登录弹窗中的链接，误报")
    f = by_subject(store)["http://x.example/"]
    assert f.status == "不成立" and f.dismissed_key == "k1" and not counts(f)
    assert open_findings_for_notice(store, config(tmp_path), as_of=DAY) == ([], [])
    n = len(events(store, fid))
    check(store, date(2026, 11, 21), hidden("http://x.example/", "k1", candidate=False))
    check(store, date(2026, 11, 22))  # absent: a 误报 does not become 待复核 or 已整改
    check(store, date(2026, 11, 23), hidden("http://x.example/", "k1", candidate=False))
    assert by_subject(store)["http://x.example/"].status == "不成立" and len(events(store, fid)) == n
    # different evidence (new wording on the same link): raised again, with the reason in its history
    r = check(store, date(2026, 11, 24), hidden("http://x.example/", "k2", candidate=False))
    assert r.reopened == 1 and by_subject(store)["http://x.example/"].status == S.OPEN.value
    assert events(store, fid)[-1] == ("不成立", "待整改", "判定不成立后证据发生变化，重新提出")


def test_appeal_is_accepted_or_rejected_with_history(store):
    check(store, DAY, broken(1), broken(2))
    a, b = (by_subject(store)[f"http://127.0.0.1:9/dead{n}.html"].id for n in (1, 2))
    lifecycle.set_status(store, a, S.NOTIFIED, actor="通报", reason="列入督查通报")
    with pytest.raises(lifecycle.LifecycleError, match="必须说明原因"):
        lifecycle.set_status(store, a, S.APPEALED, actor="单位", reason=" ")
    lifecycle.set_status(store, a, S.APPEALED, actor="单位", reason="该链接在登录后可访问")
    assert counts(by_subject(store)["http://127.0.0.1:9/dead1.html"])  # an appeal alone withdraws nothing
    check(store, date(2026, 11, 21), broken(1), broken(2))  # the system leaves an appeal alone
    assert lifecycle.reject_appeal(store, a, actor="审核员甲", reason="匿名访问仍为 404") == "已通报"
    lifecycle.set_status(store, b, S.APPEALED, actor="单位", reason="测试链接，已说明")
    lifecycle.set_status(store, b, S.DISMISSED, actor="审核员甲", reason="属实")
    assert [e[1:] for e in events(store, a)[-2:]] == [
        ("异议中", "该链接在登录后可访问"),
        ("已通报", "驳回异议：匿名访问仍为 404"),
    ]
    assert events(store, b)[-1] == ("异议中", "不成立", "接受异议，判定不成立：属实")
    with pytest.raises(lifecycle.LifecycleError, match="不能提出异议"):
        lifecycle.set_status(store, b, S.APPEALED, actor="单位", reason="再次")


def test_cli_confirm_dismiss_appeal_and_bulk_with_history(store, tmp_path):
    check(store, DAY, hidden("http://seo.example/", "k1", candidate=True), broken(1), broken(2), broken(3))
    ids = {f.subject: f.id for f in by_subject(store).values()}
    db = store.url
    cand = ids["http://seo.example/"]

    out = run_monitor("--db", db, "finding", str(cand), "--set", "不成立", cwd=tmp_path)
    assert out.returncode == 2 and "必须说明原因" in out.stderr
    out = run_monitor("--db", db, "finding", str(cand), "--confirm", "--reason", "核实为暗链", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "状态：待整改" in out.stdout and "待人工确认 → 待整改（核实为暗链）" in out.stdout

    dead1 = ids["http://127.0.0.1:9/dead1.html"]
    out = run_monitor(
        "--db",
        db,
        "finding",
        str(dead1),
        "--set",
        "异议中",
        "--reason",
        "页面需登录",
        "--actor",
        "教育局",
        cwd=tmp_path,
    )
    assert out.returncode == 0 and "状态：异议中" in out.stdout, out.stderr
    out = run_monitor("--db", db, "finding", str(dead1), "--reject-appeal", "--reason", "仍为 404", cwd=tmp_path)
    assert out.returncode == 0 and "状态：待整改" in out.stdout and "驳回异议：仍为 404" in out.stdout, out.stderr

    # bulk: every W-S1 finding of the site, one reason, one history line each
    out = run_monitor(
        "--db",
        db,
        "finding",
        "--rule",
        "W-S1",
        "--site",
        SITE,
        "--set",
        "不成立",
        "--reason",
        "服务器网络故障导致的误报",
        "--actor",
        "审核员乙",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "已将 3 个问题改为“不成立”" in out.stdout
    found = by_subject(store)
    for n in (1, 2, 3):
        f = found[f"http://127.0.0.1:9/dead{n}.html"]
        assert f.status == "不成立"
        with store.session() as s:
            last = s.scalars(
                select(FindingEvent).where(FindingEvent.finding_id == f.id).order_by(FindingEvent.id.desc())
            ).first()
        assert (last.actor, last.to_status, last.reason) == ("审核员乙", "不成立", "服务器网络故障导致的误报")
    out = run_monitor("--db", db, "findings", "--format", "json", "--status", "不成立", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.count('"status": "不成立"') == 3
    # the ledger lists them with their state and history
    view = build_ledger(store, config(tmp_path), month="2026-11", as_of=date(2026, 11, 30))
    path = write_ledger(view, tmp_path / "ledger")
    wb = load_workbook(path)
    ws = wb["汇总"]
    # the summary sheet's counts and the full list (its own sheet, with filters) together
    cells = [
        str(c.value) for sheet in (ws, wb["全部问题"]) for row in sheet.iter_rows() for c in row if c.value is not None
    ]
    # 4 findings: 3 判定不成立, the confirmed candidate counts
    assert ws["A2"].value.endswith("共 1 个问题（另有不成立 3 个，不计入问题数）")
    assert "不成立" in cells and "异议中" in cells
    history = [c for c in cells if "服务器网络故障导致的误报" in c]
    assert len(history) == 3 and all("待整改 → 不成立" in h for h in history)
    assert any("驳回异议：仍为 404" in c for c in cells)


def test_dashboard_appeal_decision_and_bulk(tmp_path):
    with running_dashboard(tmp_path) as (base, store, ids):
        fid = ids["edu"]
        with httpx.Client(base_url=base, follow_redirects=True, timeout=10) as unit:
            login(unit, "edu1")
            page = unit.get(f"/findings/{fid}").text
            assert 'id="appeal-form"' in page and 'id="bulk-form"' not in unit.get("/findings").text
            r = unit.post(f"/findings/{fid}/appeal", data={"reason": "", "csrf_token": csrf_of(page)})
            assert "请说明异议理由" in r.text
            r = unit.post(f"/findings/{fid}/appeal", data={"reason": "该页面已迁移", "csrf_token": csrf_of(page)})
            assert "已提出异议" in r.text and 'id="status">异议中' in r.text
            # a unit cannot decide its own appeal nor act in bulk
            assert (
                unit.post(
                    f"/findings/{fid}/appeal/decision",
                    data={"decision": "accept", "reason": "x", "csrf_token": csrf_of(page)},
                ).status_code
                == 403
            )
            assert (
                unit.post(
                    "/findings/bulk",
                    data={"to": "不成立", "reason": "x", "ids": [str(fid)], "csrf_token": csrf_of(page)},
                ).status_code
                == 403
            )
        with httpx.Client(base_url=base, follow_redirects=True, timeout=10) as aud:
            login(aud, "auditor1")
            page = aud.get(f"/findings/{fid}").text
            assert 'id="decide-form"' in page
            r = aud.post(
                f"/findings/{fid}/appeal/decision",
                data={"decision": "reject", "reason": "旧地址仍被引用", "csrf_token": csrf_of(page)},
            )
            assert "已驳回异议" in r.text and 'id="status">待整改' in r.text
            listing = aud.get("/findings", params={"unit": EDU}).text
            assert 'id="bulk-form"' in listing
            token = csrf_of(listing)
            r = aud.post("/findings/bulk", data={"to": "不成立", "reason": "", "ids": [str(fid)], "csrf_token": token})
            assert "请填写原因" in r.text
            r = aud.post(
                "/findings/bulk",
                data={
                    "to": "不成立",
                    "reason": "批量误报",
                    "scope": "filtered",
                    "unit": EDU,
                    "rule": "W-S1",
                    "csrf_token": token,
                },
            )
            assert "已将 2 个问题改为“不成立”" in r.text
        with store.session() as s:
            rows = s.scalars(select(Finding).where(Finding.unit == EDU, Finding.rule == "W-S1")).all()
            assert {f.status for f in rows} == {"不成立"}
            hist = s.scalars(select(FindingEvent).where(FindingEvent.finding_id == fid).order_by(FindingEvent.id)).all()
        assert [(e.actor, e.to_status, e.reason) for e in hist[1:]] == [
            ("edu1", "异议中", "该页面已迁移"),
            ("auditor1", "待整改", "驳回异议：旧地址仍被引用"),
            ("auditor1", "不成立", "批量误报"),
        ]


def test_dashboard_candidate_is_not_a_veto_until_an_auditor_confirms_it(tmp_path):
    with running_dashboard(tmp_path) as (base, store, ids):
        with store.session() as s:
            fid = add_finding(
                s,
                site="jyj",
                unit=EDU,
                subject="http://seo.example/",
                rule="W-V9b",
                severity="否决",
                status="待人工确认",
                evidence="隐藏链接指向 http://seo.example/，疑似暗链（待人工确认）",
            )
        with httpx.Client(base_url=base, follow_redirects=True, timeout=10) as aud:
            login(aud, "auditor1")

            def vetoes() -> int:
                return int(re.search(r"<b>(\d+)</b>单项否决", aud.get("/").text).group(1))

            before = vetoes()
            page = aud.get(f"/findings/{fid}").text
            assert 'id="confirm-form"' in page and "确认前不计入通报、统计和得分" in page
            r = aud.post(
                f"/findings/{fid}/status", data={"to": "待整改", "reason": "已核实为暗链", "csrf_token": csrf_of(page)}
            )
            assert 'id="status">待整改' in r.text
            assert vetoes() == before + 1  # the confirmed veto now counts in the overview
        with store.session() as s:
            hist = s.scalars(select(FindingEvent).where(FindingEvent.finding_id == fid).order_by(FindingEvent.id)).all()
        assert [(e.actor, e.from_status, e.to_status, e.reason) for e in hist[1:]] == [
            ("auditor1", "待人工确认", "待整改", "已核实为暗链")
        ]
