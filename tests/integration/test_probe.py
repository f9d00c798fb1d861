"""Availability: W-V1 on hand-built probes, and `monitor probe` against local servers (one up, one refused)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import pytest

from monitor.model import ProbeFacts, Severity, SiteFacts
from rules.base import Verdict
from rules.website import site_unreachable as unreachable
from tests.conftest import run_monitor
from tests.local_http import page, refused_port, serve, sites_yaml

TODAY = date(2026, 11, 26)


def _probes(per_day: list[int], failures: int, *, fail_status: int | None = None) -> tuple[ProbeFacts, ...]:
    """per_day[i] probes on day TODAY-6+i (Beijing noon), the first ``failures`` of them failed."""
    out = []
    n = 0
    for i, count in enumerate(per_day):
        day = TODAY - timedelta(days=len(per_day) - 1 - i)
        for k in range(count):
            at = datetime(day.year, day.month, day.day, 4, 0) + timedelta(seconds=30 * k)  # 12:00 in Beijing
            failed = n < failures
            out.append(
                ProbeFacts(
                    at=at,
                    url="http://x.gov.cn/",
                    ok=not failed,
                    status=(fail_status if failed else 200),
                    error_kind=("timeout" if failed and fail_status is None else None),
                    elapsed_ms=15000 if failed else 80,
                )
            )
            n += 1
    return tuple(out)


def _check(probes, **t):
    site = SiteFacts(
        site="x",
        site_name="示例",
        unit="单位",
        home_url="http://x.gov.cn/",
        run_id=1,
        crawled_at=datetime(2026, 11, 26),
        probes=probes,
    )
    return list(unreachable.check(site, today=TODAY, t=unreachable.Thresholds(**t)))


def test_failure_share_at_or_above_5_percent_is_a_veto():
    out = _check(_probes([24] * 7, 9))  # 9 / 168 = 5.4%
    assert len(out) == 1 and out[0].verdict is Verdict.FINDING and out[0].severity is Severity.VETO
    assert out[0].facts["probes"] == 168 and out[0].facts["failures"] == 9
    assert "5.4%" in out[0].evidence and out[0].facts["failures_by_reason"] == {"请求超时": 9}


def test_near_miss_4_9_percent_is_a_warning_not_a_veto():
    out = _check(_probes([143] * 6 + [142], 49))  # 49 / 1000
    assert len(out) == 1 and out[0].severity is Severity.NOTICE and out[0].verdict is Verdict.FINDING
    assert out[0].facts["share"] == 0.049
    assert _check(_probes([143] * 6 + [142], 29)) == []  # 2.9%: below the warning line


def test_too_few_probes_is_unverified_with_the_counts():
    out = _check(_probes([24, 24, 12, 24, 24, 24, 24], 20))
    assert len(out) == 1 and out[0].verdict is Verdict.UNVERIFIED
    assert out[0].facts["short_days"] == [(TODAY - timedelta(days=4)).isoformat()]
    assert out[0].facts["per_day"][(TODAY - timedelta(days=4)).isoformat()] == 12
    assert "12 次" in out[0].evidence
    assert _check(()) == []  # no probing set up: not judged


def test_blocked_probes_count_neither_way_and_old_probes_are_outside_the_window():
    blocked = _probes([24] * 7, 20, fail_status=403)
    assert _check(blocked)[0].verdict is Verdict.UNVERIFIED  # 20 blocked probes leave day 1 with 4 counted
    old = tuple(
        ProbeFacts(at=p.at - timedelta(days=7), url=p.url, ok=False, error_kind="refused") for p in _probes([24] * 7, 0)
    )
    assert _check(old + _probes([24] * 7, 0)) == []


@pytest.fixture
def two_sites(tmp_path):
    with serve(lambda path, srv: (200, {}, page("首页", "ok"))) as up:
        dead = f"http://127.0.0.1:{refused_port()}/"
        cfg = sites_yaml(
            tmp_path / "sites.yaml",
            [{"key": "up", "name": "在线网站", "home": up.url("/")}, {"key": "down", "name": "关停网站", "home": dead}],
            probe_timeout_seconds=3,
        )
        yield tmp_path, cfg, up


def test_probe_command_stores_every_result(two_sites):
    tmp, cfg, up = two_sites
    db = tmp / "m.db"
    out = run_monitor(
        "-c", cfg, "--db", f"sqlite:///{db}", "probe", "--times", "2", "--interval", "0", cwd=tmp, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "在线网站：可访问（HTTP 200" in out.stdout and "关停网站：无法访问（连接被拒绝" in out.stdout
    assert "共探测 4 次，成功 2 次，失败 2 次" in out.stdout
    con = sqlite3.connect(db)
    rows = con.execute(
        "select site, url, ok, status, error_kind, elapsed_ms, ipv6, https from probes order by site, id"
    ).fetchall()
    assert [r[0] for r in rows] == ["down", "down", "up", "up"]
    for r in rows[:2]:
        assert r[2] == 0 and r[3] is None and r[4] == "refused" and r[5] is not None
    for r in rows[2:]:
        assert r[1] == up.url("/") and r[2] == 1 and r[3] == 200 and r[4] is None and r[5] >= 0
    assert all(r[6] == 0 and r[7] == 0 for r in rows)  # 127.0.0.1: no AAAA record, no HTTPS on 443
    assert up.hits["/"] == 2

    out = run_monitor("-c", cfg, "--db", f"sqlite:///{db}", "probe", "--site", "up", cwd=tmp, timeout=60)
    assert out.returncode == 0 and "关停网站" not in out.stdout
    assert con.execute("select count(*) from probes where site='up'").fetchone()[0] == 3
    out = run_monitor("-c", cfg, "--db", f"sqlite:///{db}", "probe", "--site", "nosuch", cwd=tmp, timeout=60)
    assert out.returncode == 2 and "nosuch" in out.stderr
