"""The light re-check path (spiders/revalidate.py): unchanged pages confirmed outside Scrapy's engine,
everything else fetched by Scrapy as on a first crawl, one pace per host for both."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time

from tests.conftest import DEMO_DAY, ROOT, run_links_sql, run_monitor
from tests.local_http import page, serve, sites_yaml
from tests.integration.test_reuse import facts, write_config


BIG = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)


def _site(state: dict):
    """A small site whose second version changes one page, breaks one, adds one."""

    def route(path, server):
        v2 = state["version"] == 2
        pages = {
            "/": (
                '"home"',
                page(
                    "首页",
                    "<a href='/a.html'>甲</a><a href='/b.html'>乙</a>"
                    "<a href='/c.html'>丙</a><a href='/d.html'>丁</a>"
                    "<a href='/big.pdf'>附件</a>",
                ),
            ),
            "/a.html": ('"a"', page("甲", "<a href='/a2.html'>甲二</a>")),
            "/a2.html": ('"a2"', page("甲二", "没有变化")),
            # no validators at all: only the content hash says whether it changed
            "/b.html": (None, page("乙", "第二版<a href='/new.html'>新页</a>" if v2 else "第一版")),
            "/d.html": (None, page("丁", "一直不变")),
            "/new.html": (None, page("新页", "第二版才有")),
        }
        if path == "/big.pdf":  # unchanged, but above what the light path reads: Scrapy compares it
            return 200, {"Content-Type": "application/pdf"}, BIG
        if path == "/c.html":
            return (404, {}, page("404", "页面不存在")) if v2 else (200, {"ETag": '"c"'}, page("丙", "还在"))
        if path not in pages or (path == "/new.html" and not v2):
            return 404, {}, page("404", "页面不存在")
        etag, body = pages[path]
        if etag and server.request.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, ({"ETag": etag} if etag else {}), body

    return route


def test_recrawl_confirms_unchanged_pages_on_the_light_path_and_scrapy_fetches_the_rest(tmp_path):
    state = {"version": 1}
    with serve(_site(state)) as srv:
        # every URL verified on each crawl (no revisit rotation): the light path sees every page
        cfg = sites_yaml(
            tmp_path / "sites.yaml",
            [{"key": "s", "home": srv.url("/")}],
            delay_seconds=0.2,
            concurrency_per_host=1,
            revisit_days=0,
        )
        db = tmp_path / "m.db"
        args = ("-c", cfg, "--db", f"sqlite:///{db}", "crawl", "--as-of", DEMO_DAY.isoformat())
        first = run_monitor(*args, cwd=tmp_path)
        assert first.returncode in (0, 1), first.stderr
        state["version"] = 2
        srv.hits.clear()
        mark = len(srv.arrivals)
        second = run_monitor(*args, cwd=tmp_path)
        assert second.returncode in (0, 1), second.stderr
        arrivals = sorted(srv.arrivals[mark:])

    con = sqlite3.connect(db)
    r2 = con.execute("select max(id) from crawl_runs").fetchone()[0]
    rows = {
        u.removeprefix(srv.base): (status, reused, text)
        for u, status, reused, text in con.execute("select url, status, reused, text from pages where run_id=?", (r2,))
    }
    links = con.execute(
        f"select count(*) from ({run_links_sql('l.source_url', where='l.source_url = ?')})",
        (r2, srv.url("/a.html")) * 2,
    ).fetchone()[0]
    con.close()
    # unchanged (304 for ETags, same hash for the page without validators): carried over, links included
    assert {p for p, (_, reused, _) in rows.items() if reused} == {"/", "/a.html", "/a2.html", "/d.html", "/big.pdf"}
    assert links == 1
    assert rows["/a2.html"][2] == "没有变化"
    # changed, broken and new pages went through Scrapy: parsed afresh, the 404 recorded as such
    assert rows["/b.html"][:2] == (200, None) and "第二版" in rows["/b.html"][2]
    assert rows["/new.html"][0] == 200 and "第二版才有" in rows["/new.html"][2]
    assert rows["/c.html"][0] == 404
    # one request a page: a changed page is parsed from the light path's response; a 404 is asked again by
    # Scrapy (whose retry and redirect rules decide what a failure is)
    assert srv.hits["/a.html"] == srv.hits["/a2.html"] == srv.hits["/d.html"] == srv.hits["/"] == 1
    assert srv.hits["/b.html"] == srv.hits["/new.html"] == 1 and srv.hits["/c.html"] == 2
    assert srv.hits["/big.pdf"] == 2  # the light path stopped at its size bound; Scrapy read and compared it
    assert "5 个未变化" in second.stderr and "4 个经轻量复核" in second.stderr, second.stderr
    # one pace for both paths, kept at the send: 0.2 s between the requests' arrivals (the kernel's receive
    # times; the slack is for this process being preempted between the pace's check and its write under load),
    # one at a time (sites.yaml limits)
    gaps = [round(b - a, 4) for a, b in zip(arrivals, arrivals[1:])]
    assert len(arrivals) == 10 and min(gaps) >= 0.2 - 0.03, gaps
    assert srv.max_in_flight == 1


def test_light_path_and_scrapy_path_store_the_same_facts(tmp_path, demo_server):
    """A re-crawl through the light path stores exactly what a re-crawl through Scrapy alone stores."""
    cfg = write_config(tmp_path, demo_server.home, revisit_days=0)
    args = ["-c", str(cfg), "crawl", "--as-of", DEMO_DAY.isoformat()]
    for _ in range(2):  # the first crawl, then a re-crawl on the light path
        out = run_monitor(*args, cwd=tmp_path)
        assert out.returncode in (0, 1), out.stderr
    assert "经轻量复核" in out.stderr
    # the same re-crawl with the light path switched off (Scrapy's conditional GET only)
    off = (
        "import runpy, spiders.settings as s; s.MONITOR_REVALIDATE_ENABLED = False; "
        "runpy.run_module('monitor', run_name='__main__')"
    )
    out = subprocess.run(
        [sys.executable, "-c", off, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"},
    )
    assert out.returncode in (0, 1), out.stderr
    assert "经轻量复核" not in out.stderr and "未变化" in out.stderr
    con = sqlite3.connect(tmp_path / "m.db")
    runs = con.execute("select id, pages, pages_reused from crawl_runs order by id").fetchall()
    (r1, n1, _), (r2, n2, reused2), (r3, n3, reused3) = runs
    assert n1 == n2 == n3 and reused2 == reused3 >= n2 - 5, runs
    assert facts(con, r2) == facts(con, r3) == facts(con, r1)
    con.close()


def test_host_pace_bounds_concurrency_and_spaces_starts():
    from spiders.revalidate import HostPace

    async def main():
        pace = HostPace(2, 0.05)
        starts, running, peak = [], [0], [0]

        async def one():
            await pace.acquire()  # a slot ...
            await pace.at_send()  # ... and the send's turn, taken right before the write
            starts.append(time.monotonic())
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            await asyncio.sleep(0.12)
            running[0] -= 1
            pace.release()

        await asyncio.gather(*(one() for _ in range(6)))
        return starts, peak[0]

    starts, peak = asyncio.run(main())
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert peak == 2 and min(gaps) >= 0.045, (peak, gaps)


def test_a_site_where_every_page_changed_is_parsed_with_one_request_a_page(tmp_path):
    """Every page changes (a visit counter in each): the light path hands each to Scrapy with its body,
    a bounded number at a time, and every page is parsed afresh from that one response."""
    state = {"version": 1}

    def route(path, server):
        if path == "/":
            links = "".join(f"<a href='/p{i}.html'>第{i}篇</a>" for i in range(40))
            return 200, {}, page("首页", f"访问量{state['version']}{links}")
        if path.startswith("/p") and path.endswith(".html"):
            return 200, {}, page(path, f"第{state['version']}版正文")
        return 404, {}, page("404", "页面不存在")

    with serve(route) as srv:
        cfg = sites_yaml(
            tmp_path / "sites.yaml", [{"key": "s", "home": srv.url("/")}], concurrency_per_host=1, revisit_days=0
        )
        db = tmp_path / "m.db"
        args = ("-c", cfg, "--db", f"sqlite:///{db}", "crawl", "--as-of", DEMO_DAY.isoformat())
        assert run_monitor(*args, cwd=tmp_path).returncode in (0, 1)
        state["version"] = 2
        srv.hits.clear()
        out = run_monitor(*args, cwd=tmp_path, timeout=120)
        assert out.returncode in (0, 1), out.stderr
    con = sqlite3.connect(db)
    r2 = con.execute("select max(id) from crawl_runs").fetchone()[0]
    texts = [t for (t,) in con.execute("select text from pages where run_id=? and url like '%/p%.html'", (r2,))]
    status = con.execute("select status from crawl_runs where id=?", (r2,)).fetchone()[0]
    con.close()
    assert status == "finished" and len(texts) == 40 and all("第2版正文" in t for t in texts)
    assert set(srv.hits.values()) == {1} and len(srv.hits) == 41  # one GET a page, home included


def test_light_path_reads_whole_bodies_up_to_its_bound():
    """``StreamReader.read(n)`` answers with what is buffered (about 128 KB on a local socket), not n bytes:
    the light path must read a body to its end, or give it up when it passes the bound."""
    import aiohttp

    from spiders.revalidate import read_body

    body = ("<p>" + "政务公开" * 50 + "</p>").encode("gbk") * 5000  # about 2 MB, in many TCP segments
    large = body[: 1500 * 1024]

    def route(path, server):
        return 200, {"Content-Type": "text/html"}, large

    async def fetch(url, bound):
        async with aiohttp.ClientSession() as session, session.get(url) as resp:
            return await read_body(resp.content, bound)

    with serve(route) as srv:
        assert asyncio.run(fetch(srv.url("/p.html"), 2 * 1024 * 1024)) == large
        assert asyncio.run(fetch(srv.url("/p.html"), len(large))) == large
        assert asyncio.run(fetch(srv.url("/p.html"), len(large) - 1)) is None  # over the bound: Scrapy's
