"""Screenshots keep their work: each stored as taken, a stopped run resumes, several pages at once within the
site's politeness, and the findings that cannot be shot are named with the reason. Real Chromium."""
from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import select

from monitor.config import parse_config
from monitor.evidence import summary_lines, take_evidence
from monitor.store import EvidenceShot, Finding, Store, utcnow
from tests.conftest import need_service
from tests.local_http import page, serve

DAY = date(2026, 11, 26)
PAGES = 6


def _route(path, srv):
    if path.startswith("/p"):  # a page linking the dead target, slow enough that overlap is measurable
        return 200, {"X-Test-Sleep": "0.4"}, page("页面", f'<p>正文</p><a href="/gone{path[2:]}.html">失效链接</a>')
    return 404, {}, page("404", "页面不存在")


@pytest.fixture
def world(tmp_path):
    if not os.path.exists("/usr/bin/chromium"):
        need_service("Chromium (/usr/bin/chromium) is not installed")
    with serve(_route) as srv:
        cfg = parse_config({
            "organisation": {"name": "县政府办"}, "units": [{"name": "县政府办"}],
            "sites": [{"key": "portal", "name": "门户", "home": srv.url("/"), "unit": "县政府办",
                       "limits": {"concurrency_per_host": 2, "delay_seconds": 0}}],
            "storage": {"url": f"sqlite:///{tmp_path / 'e.db'}", "notices_dir": str(tmp_path / "out")}})
        store = Store(cfg.storage.url)
        with store.session() as s:
            for i in range(PAGES):
                s.add(Finding(fingerprint=f"f{i}", rule="W-S1", severity="扣分", site="portal", unit="县政府办",
                              url=srv.url(f"/gone{i}.html"), source_url=srv.url(f"/p{i}"), subject=f"gone{i}",
                              evidence="链接无法访问", facts={}, first_seen=DAY, last_seen=DAY, status="待整改",
                              updated_at=utcnow()))
            s.add(Finding(fingerprint="nosource", rule="W-S1", severity="扣分", site="portal", unit="县政府办",
                          url=srv.url("/orphan.html"), source_url=None, subject="orphan", evidence="链接无法访问",
                          facts={}, first_seen=DAY, last_seen=DAY, status="待整改", updated_at=utcnow()))
        yield srv, cfg, store
        store.close()


def _shots(store):
    with store.session() as s:
        return [r.finding_id for r in s.scalars(select(EvidenceShot))]


def test_a_stopped_run_keeps_its_shots_and_the_next_one_resumes(world):
    srv, cfg, store = world

    class Stop(Exception):
        pass

    def stop_after_two(done, total, error):
        if done == 2:
            raise Stop

    with pytest.raises(Stop):
        take_evidence(store, cfg, as_of=DAY, on_shot=stop_after_two)
    first = _shots(store)
    assert len(first) == 2  # stored as taken, not at the end

    seen = []
    r = take_evidence(store, cfg, as_of=DAY, on_shot=lambda done, total, err: seen.append((done, total)))
    assert r.taken == PAGES - 2 and r.kept == 2 and not r.failed
    assert seen[-1] == (PAGES - 2, PAGES - 2)
    shots = _shots(store)
    assert sorted(shots) == sorted(set(shots)) and len(shots) == PAGES  # each finding once
    # the one without a referring page is named, with the reason
    assert [why for _, why in r.skipped] == ["没有记录引用该链接的页面，无法定位"]
    lines = summary_lines(r)
    assert "2 个已有截图" in lines[0] and any("跳过：没有记录引用该链接的页面" in ln for ln in lines)
    # several browsers, but never more than the site's concurrency_per_host pages at once
    assert srv.max_in_flight <= 2
    assert srv.max_in_flight == 2  # …and it did use both


def test_nothing_left_to_shoot_starts_no_browser(world):
    srv, cfg, store = world
    take_evidence(store, cfg, as_of=DAY)
    hits = sum(srv.hits.values())
    r = take_evidence(store, cfg, as_of=DAY)
    assert r.taken == 0 and r.kept == PAGES and sum(srv.hits.values()) == hits
