"""A crawl killed half-way (SIGKILL) is resumed by the next crawl: nothing lost, nothing fetched twice
beyond what was in flight, and earlier runs and findings untouched."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

from tests.conftest import DEMO_DAY, ROOT, findings_json, run_links_sql, run_monitor
from tests.integration.test_demo_end_to_end import _expected, _planted_key
from tests.integration.test_reuse import write_config


class CountingPages(dict):
    """The demo's page table, counting how often the server looked each path up (one per GET)."""

    def __init__(self, pages):
        super().__init__(pages)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    def get(self, path, default=None):
        with self.lock:
            self.hits[path] += 1
        return super().get(path, default)


def _snapshot(con: sqlite3.Connection, run_id: int):
    return (
        con.execute("select status, pages, started_at, finished_at from crawl_runs where id=?", (run_id,)).fetchone(),
        con.execute("select count(*), count(distinct url) from pages where run_id=?", (run_id,)).fetchone(),
        con.execute(f"select count(*) from ({run_links_sql('l.id')})", (run_id, run_id)).fetchone(),
        con.execute("select count(*) from column_items where run_id=?", (run_id,)).fetchone(),
        con.execute("select * from findings order by id").fetchall(),
        con.execute("select * from finding_events order by id").fetchall(),
    )


def test_killed_crawl_resumes_without_losing_or_refetching(tmp_path, demo_server):
    db_path = tmp_path / "m.db"
    # an earlier, finished crawl and check (a week before): what the killed run must not touch
    demo_server.rebuild(DEMO_DAY - timedelta(days=7))
    cfg = write_config(tmp_path, demo_server.home)
    out = run_monitor("-c", str(cfg), "crawl", "--as-of", (DEMO_DAY - timedelta(days=7)).isoformat(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    out = run_monitor("-c", str(cfg), "check", "--as-of", (DEMO_DAY - timedelta(days=7)).isoformat(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    con = sqlite3.connect(db_path)
    before = _snapshot(con, 1)

    # today's site, slowly: killed after some pages are stored
    demo_server.rebuild(DEMO_DAY)
    counting = CountingPages(demo_server.site.pages)
    demo_server.site.pages = counting
    cfg = write_config(tmp_path, demo_server.home, delay=0.05, concurrency=1)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(cfg), "crawl", "--as-of", DEMO_DAY.isoformat()],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        stored = 0
        while time.monotonic() < deadline and proc.poll() is None:
            stored = (
                con.execute("select count(*) from pages where run_id=2").fetchone()[0]
                if con.execute("select count(*) from crawl_runs where id=2").fetchone()[0]
                else 0
            )
            if stored >= 40:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the crawl ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    killed_at = dict(counting.hits)
    stored = con.execute("select count(*) from pages where run_id=2").fetchone()[0]
    assert 40 <= stored < 150, stored  # really half-way
    assert con.execute("select status from crawl_runs where id=2").fetchone()[0] == "running"
    assert _snapshot(con, 1) == before  # the killed run touched nothing earlier

    out = run_monitor("-c", str(cfg), "crawl", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "继续上次中断的抓取" in out.stderr

    runs = con.execute("select id, status from crawl_runs order by id").fetchall()
    assert runs == [(1, "finished"), (2, "finished")]  # resumed, not restarted
    per_url = con.execute("select url, count(*) from pages where run_id=2 group by url").fetchall()
    assert all(n == 1 for _, n in per_url), [u for u, n in per_url if n > 1]
    stored_urls = {u for u, _ in per_url}
    assert {demo_server.base + p for p in counting} <= stored_urls  # every demo page, once
    assert len(stored_urls) == con.execute("select count(distinct url) from pages where run_id=1").fetchone()[0]
    # fetched twice: only what was in flight when the process died (one flush interval at most)
    twice = [p for p, n in counting.hits.items() if n > 1]
    assert len(twice) <= 15, twice
    assert all(p in killed_at for p in twice)
    assert _snapshot(con, 1)[:4] == before[:4]

    out = run_monitor("-c", str(cfg), "check", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    rows = findings_json(f"sqlite:///{db_path}", tmp_path)
    assert {(r["rule"], _planted_key(r["url"])) for r in rows} == _expected()
    con.close()


def test_a_page_whose_site_search_was_not_answered_is_fetched_again(tmp_path):
    """The search request is made from the home page's form, it is no link: a resume that kept the home page
    would never send it, and W-S10 would judge a search that was never tried."""
    from monitor.crawl.resume import load_frontier
    from monitor.store import ListPage, Page, SearchCheck, Store, encode_links, utcnow

    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    home, other = "http://127.0.0.1:9/", "http://127.0.0.1:9/a.html"
    runs = []
    for answered in (False, True):
        run = store.start_run(f"s{answered}")
        runs.append(run)
        with store.session() as s:
            links = encode_links([{"target_url": other}, {"target_url": "http://127.0.0.1:9/b.html"}])
            for url in (home, other):
                s.add(
                    Page(
                        run_id=run,
                        url=url,
                        status=200,
                        depth=0 if url == home else 1,
                        fetched_at=utcnow(),
                        links=links if url == home else None,
                    )
                )
            s.add(
                ListPage(
                    run_id=run, page_url=home, column_url=home, role="home", name="首页", column_type="首页", items=[]
                )
            )
            s.add(
                SearchCheck(
                    run_id=run,
                    page_url=home,
                    kind="form",
                    action=home + "search",
                    method="get",
                    field="q",
                    query="通知公告",
                    expected_url=other,
                )
            )
            if answered:
                s.add(SearchCheck(run_id=run, page_url=home, kind="result", status=200, found=True))
    waiting, done = (load_frontier(store, r) for r in runs)
    assert waiting.stored == {other} and waiting.pending == []  # the home page is fetched and searched again
    assert done.stored == {home, other} and [p[0] for p in done.pending] == ["http://127.0.0.1:9/b.html"]
    with store.session() as s:
        assert s.query(SearchCheck).filter_by(run_id=runs[0]).count() == 0
        assert s.query(ListPage).filter_by(run_id=runs[0]).count() == 0
        assert s.query(Page).filter_by(run_id=runs[0], url=home).count() == 0  # with its links
        assert s.query(SearchCheck).filter_by(run_id=runs[1]).count() == 2
    store.close()
