"""Screenshots keep their work: each stored as taken, a stopped run resumes, several pages at once within the
site's politeness, and the findings that cannot be shot are named with the reason. Real Chromium."""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import select

from monitor.config import parse_config
from monitor.crawl.evidence import summary_lines, take_evidence
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
        cfg = parse_config(
            {
                "organisation": {"name": "县政府办"},
                "units": [{"name": "县政府办"}],
                "sites": [
                    {
                        "key": "portal",
                        "name": "门户",
                        "home": srv.url("/"),
                        "unit": "县政府办",
                        "limits": {"concurrency_per_host": 2, "delay_seconds": 0},
                    }
                ],
                "storage": {"url": f"sqlite:///{tmp_path / 'e.db'}", "notices_dir": str(tmp_path / "out")},
            }
        )
        store = Store(cfg.storage.url)
        with store.session() as s:
            for i in range(PAGES):
                s.add(
                    Finding(
                        fingerprint=f"f{i}",
                        rule="W-S1",
                        severity="扣分",
                        site="portal",
                        unit="县政府办",
                        url=srv.url(f"/gone{i}.html"),
                        source_url=srv.url(f"/p{i}"),
                        subject=f"gone{i}",
                        evidence="链接无法访问",
                        facts={},
                        first_seen=DAY,
                        last_seen=DAY,
                        status="待整改",
                        updated_at=utcnow(),
                    )
                )
            s.add(
                Finding(
                    fingerprint="nosource",
                    rule="W-S1",
                    severity="扣分",
                    site="portal",
                    unit="县政府办",
                    url=srv.url("/orphan.html"),
                    source_url=None,
                    subject="orphan",
                    evidence="链接无法访问",
                    facts={},
                    first_seen=DAY,
                    last_seen=DAY,
                    status="待整改",
                    updated_at=utcnow(),
                )
            )
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


def test_nothing_left_to_shoot_starts_no_browser(world):
    srv, cfg, store = world
    take_evidence(store, cfg, as_of=DAY)
    hits = sum(srv.hits.values())
    r = take_evidence(store, cfg, as_of=DAY)
    assert r.taken == 0 and r.kept == PAGES and sum(srv.hits.values()) == hits


def test_the_pacer_keeps_each_host_within_its_limit_and_hands_out_each_request_once():
    import threading

    from monitor.crawl.evidence import _HostPacer
    from spiders.evidence import ShotRequest

    reqs = [ShotRequest(i, f"http://{'a' if i < 4 else 'b'}.example/{i}", "link") for i in range(6)]
    pacer = _HostPacer(reqs, lambda host: 2 if host == "a.example" else 1)
    streams = [pacer.stream() for _ in range(4)]
    try:
        first = [next(s) for s in streams[:3]]  # a, a, b: a fourth browser must wait for a free slot
        assert [r.key for r in first] == [0, 1, 4] and pacer.busy == {"a.example": 2, "b.example": 1}
        got = []
        t = threading.Thread(target=lambda: got.append(next(streams[3])), daemon=True)
        t.start()
        t.join(0.3)
        assert t.is_alive() and not got  # waits rather than exceed a host's limit
        assert next(streams[0]).key == 2  # browser 0 is done with 0 and takes the next a.example page
        assert t.is_alive() and not got
        streams[1].close()  # browser 1 is done with 1 (and stops): its slot goes to the waiting browser
        t.join(5)
        assert [r.key for r in got] == [3]
        rest = [r.key for i in (2, 0, 3) for r in streams[i]]
        assert rest == [5]
        assert pacer.busy == {"a.example": 0, "b.example": 0} and not pacer.pending
    finally:
        pacer.stop()
