"""The fault suite: a small hostile site crawled once, and each fault judged as an inspector would.

Issue 13: a fault-injection run found single faults judged well but facts lost in ordinary operation.
Each defect it found has a test here (deep nesting, self-refresh, two crawls at once, a run judged
twice, the pace kept at the send, database and config faults); the faults that were already judged
well (resets, 5xx storms, gzip bombs, huge pages, wrong charsets, malformed HTML) are pinned too, beside
test_link_verdicts.py (404/410/500, redirect loops and chains, 403/429, timeouts, soft 404),
test_crawl_traps.py (traps) and test_hostile_pages.py (scope, escaping).
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, findings_json, run_monitor
from tests.fault_server import RESET, gzip_bomb, html, serve_faults
from tests.local_http import sites_yaml

DAY = "2026-11-26"
MAX_PAGE = 1 << 20  # limits.max_page_bytes of the fault site
GBK_TITLE = "政务公开专栏"
STORM = [f"/storm/{n}.html" for n in range(6)]


def fault_route(path: str, srv):
    p = urlsplit(path).path
    if p == "/":
        links = [
            "/refresh.html",
            "/refresh-away.html",
            "/deep.html",
            "/reset.html",
            "/flaky.html",
            *STORM,
            "/bomb.html",
            "/huge.html",
            "/gbk-as-utf8.html",
            "/utf8-as-gbk.html",
            "/malformed.html",
        ]
        return (
            200,
            {},
            html(
                "故障测试门户",
                "".join(f"<a href='{u}'>栏目{n}</a> " for n, u in enumerate(links)),
                head="<meta http-equiv='refresh' content='60;url=/'>",
            ),
        )
    if p == "/refresh.html":  # a reload timer: the page refreshes itself every 5 s
        return (
            200,
            {},
            html(
                "自动刷新的页面",
                "<p>每 5 秒刷新</p>",
                head='<meta http-equiv="Refresh" content="5; URL=\'refresh.html\'">',
            ),
        )
    if p == "/refresh-away.html":  # a real refresh redirect: still followed
        return 200, {}, html("跳转中", "", head="<meta http-equiv='refresh' content='0;url=/target.html'>")
    if p == "/target.html":
        return 200, {}, html("跳转目标", "<p>到了</p>")
    if p == "/deep.html":  # 10,000 nested div, then the rest of the page
        return (
            200,
            {},
            html(
                "嵌套很深的页面",
                "<div>" * 10_000 + "深处的正文" + "</div>" * 10_000 + "<a href='/after-deep.html'>嵌套之后的链接</a>",
            ),
        )
    if p == "/after-deep.html":
        return 200, {}, html("嵌套之后", "<p>正常</p>")
    if p == "/reset.html":
        return RESET
    if p == "/flaky.html":  # reset once, then fine: a retry recovers it
        return RESET if srv.hits[p] == 1 else (200, {}, html("偶尔断开", "<p>第二次正常</p>"))
    if p.startswith("/storm/"):
        return 503, {"Retry-After": "1"}, html("503", "服务暂不可用")
    if p == "/bomb.html":
        return 200, {"Content-Encoding": "gzip"}, gzip_bomb()
    if p == "/huge.html":
        return 200, {}, html("很大的页面", "<p>" + "大" * (MAX_PAGE // 2) + "</p>")
    if p == "/gbk-as-utf8.html":  # GBK bytes, though the header says UTF-8
        return 200, {"X-Encode-As": "gbk"}, html(GBK_TITLE, "<p>信息公开目录</p>", charset="gbk")
    if p == "/utf8-as-gbk.html":  # UTF-8 bytes, though the page says gb2312
        return 200, {"Content-Type": "text/html"}, html("办事服务指南", "<p>办事指南正文</p>", charset="gb2312")
    if p == "/malformed.html":
        return (
            200,
            {},
            (
                "<html><head><title>残缺页面</title><body><table><tr><td>单元格<div><p>段落"
                "<a href=/malformed-child.html>未加引号的链接</a></html> 后面的正文\0<a href='/tail.html'"
                ">结尾的链接</a><!-- 未闭合的注释"
            ),
        )
    if p in ("/malformed-child.html", "/tail.html"):
        return 200, {}, html("子页面", "<p>正常</p>")
    return 404, {}, html("404", "页面不存在")


def deep_home_route(path: str, srv):
    p = urlsplit(path).path
    if p == "/":  # 1,200 unclosed <font>, as an old editor leaves them
        return 200, {}, html("嵌套很深的首页", "<font color=red>" * 1200 + "首页正文<a href='/b2.html'>新闻</a>")
    if p == "/b2.html":
        return 200, {}, html("新闻", "<p>正常</p>")
    return 404, {}, html("404", "")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    with serve_faults(fault_route) as srv, serve_faults(deep_home_route) as deep:
        cfg = sites_yaml(
            tmp / "sites.yaml",
            [{"key": "faults", "home": srv.url("/")}, {"key": "deephome", "home": deep.url("/")}],
            timeout_seconds=3,
            max_page_bytes=MAX_PAGE,
        )
        db = f"sqlite:///{tmp / 'm.db'}"
        started = time.monotonic()
        out = run_monitor("-c", cfg, "--db", db, "crawl", cwd=tmp, timeout=180)
        took = time.monotonic() - started
        check = run_monitor("-c", cfg, "--db", db, "check", "--as-of", DAY, cwd=tmp)
        assert check.returncode == 0, check.stderr
        rows = findings_json(db, tmp, "--status", "all", "--verdict", "all")
        con = sqlite3.connect(tmp / "m.db")
        pages = {}
        for row in con.execute(
            "select url, status, error_kind, title, text, text_error, attempts, final_url from pages"
        ):
            parts = urlsplit(row[0])
            pages[(parts.port, parts.path)] = dict(
                zip(("url", "status", "error_kind", "title", "text", "text_error", "attempts", "final_url"), row)
            )
        yield {
            "out": out,
            "took": took,
            "rows": rows,
            "srv": srv,
            "deep": deep,
            "con": con,
            "page": lambda s, path: pages.get((s.port, path)),
            "hits": srv.hits,
        }
        con.close()


def _w_s1(rows, srv, path):
    return [r for r in rows if r["rule"] == "W-S1" and r["url"] == srv.url(path)]


# ------------------------------------------------------------------ defects of issue 13 (fail on the old code)


def test_deep_nesting_never_drops_a_page(faulty):
    """13.5: 1,200 unclosed <font> on a home page, 10,000 nested div on another: both stored and read whole."""
    out, page, deep, srv = faulty["out"], faulty["page"], faulty["deep"], faulty["srv"]
    assert "首页未被抓取" not in out.stderr and "Traceback" not in out.stderr, out.stderr
    home = page(deep, "/")
    assert home is not None and home["status"] == 200 and "首页正文" in home["text"]
    assert page(deep, "/b2.html")["status"] == 200  # its link was read and followed
    nested = page(srv, "/deep.html")
    assert nested is not None and nested["status"] == 200
    assert "深处的正文" in nested["text"] and "嵌套过深" in nested["text_error"]
    assert page(srv, "/after-deep.html")["status"] == 200  # the link after 10,000 levels was not lost


def test_a_meta_refresh_to_the_page_itself_is_not_a_redirect(faulty):
    """13.6: a home page and a page that refresh themselves are fetched once, and are fine."""
    out, page, srv, rows = faulty["out"], faulty["page"], faulty["srv"], faulty["rows"]
    assert "首页无法访问" not in out.stderr, out.stderr
    for path in ("/", "/refresh.html"):
        fact = page(srv, path)
        assert fact["status"] == 200 and fact["error_kind"] is None, fact
        assert faulty["hits"][path] == 1
        assert not _w_s1(rows, srv, path)
    assert page(srv, "/refresh.html")["title"] == "自动刷新的页面"
    # a refresh to another page is still followed
    away = page(srv, "/refresh-away.html")
    assert away["status"] == 200 and away["final_url"] == srv.url("/target.html")


# ------------------------------------------------------------------ faults judged well already (regressions)


def test_connection_resets_are_retried_then_broken(faulty):
    page, srv, rows = faulty["page"], faulty["srv"], faulty["rows"]
    reset = page(srv, "/reset.html")
    assert reset["error_kind"] in ("reset", "other") and reset["attempts"] == 2 and faulty["hits"]["/reset.html"] == 2
    assert _w_s1(rows, srv, "/reset.html")
    flaky = page(srv, "/flaky.html")  # one reset then an answer: no finding
    assert flaky["status"] == 200 and flaky["attempts"] == 2 and not _w_s1(rows, srv, "/flaky.html")


def test_a_5xx_storm_is_retried_once_per_page_and_each_page_reported(faulty):
    page, srv, rows = faulty["page"], faulty["srv"], faulty["rows"]
    for path in STORM:
        assert page(srv, path)["status"] == 503 and faulty["hits"][path] == 2
        assert [r["verdict"] for r in _w_s1(rows, srv, path)] == ["finding"]


def test_gzip_bomb_and_huge_page_are_cut_off_at_the_size_limit(faulty):
    page, srv = faulty["page"], faulty["srv"]
    for path in ("/bomb.html", "/huge.html"):
        fact = page(srv, path)
        assert fact["error_kind"] == "too_large" and fact["text"] is None, fact
    assert faulty["out"].returncode == 0, faulty["out"].stderr
    assert faulty["took"] < 120


def test_wrong_charsets_are_decoded_by_what_the_bytes_are(faulty):
    page, srv = faulty["page"], faulty["srv"]
    assert page(srv, "/gbk-as-utf8.html")["title"] == GBK_TITLE
    assert "信息公开目录" in page(srv, "/gbk-as-utf8.html")["text"]
    assert page(srv, "/utf8-as-gbk.html")["title"] == "办事服务指南"


def test_malformed_html_keeps_its_text_and_links(faulty):
    page, srv = faulty["page"], faulty["srv"]
    fact = page(srv, "/malformed.html")
    assert fact["title"] == "残缺页面" and "未加引号的链接" in fact["text"] and "\0" not in fact["text"]
    assert page(srv, "/malformed-child.html")["status"] == 200 and page(srv, "/tail.html")["status"] == 200


# ------------------------------------------------------------------ the pace is kept at the send


def test_the_host_pace_holds_at_the_send_when_the_event_loop_stalls():
    """A loop blocked while two requests wait their turn must not send them together when it wakes."""
    from spiders.revalidate import HostPace

    async def main():
        pace = HostPace(4, 0.2)
        sends: list[float] = []

        async def one():
            await pace.acquire()  # a slot ...
            await pace.at_send()  # ... and the send's turn, which the HTTP clients take right before the write
            sends.append(time.monotonic())
            await asyncio.sleep(0.01)
            pace.release()

        async def stall():
            await asyncio.sleep(0.05)
            time.sleep(0.5)  # a slow parse or a busy machine: nothing else runs meanwhile

        await asyncio.gather(one(), one(), one(), stall())
        return sorted(sends)

    sends = asyncio.run(main())
    gaps = [b - a for a, b in zip(sends, sends[1:])]
    assert min(gaps) >= 0.19, gaps


# ------------------------------------------------------------------ a run is judged once (13.4)


def _broken_link(url: str):
    from monitor.model import Severity
    from rules.base import Outcome, Verdict

    return Outcome(
        rule="W-S1",
        severity=Severity.DEDUCTION,
        verdict=Verdict.FINDING,
        subject=url,
        url=url,
        evidence=f"链接无法访问（HTTP 404）：{url}",
        source_url="http://127.0.0.1:8000/a.html",
    )


def test_checking_a_run_already_checked_changes_no_state(tmp_path):
    from sqlalchemy import func, select

    from monitor.check.checking import record_outcomes
    from monitor.store import Finding, FindingEvent, Store

    store = Store(f"sqlite:///{tmp_path / 'j.db'}")
    gone, kept = "http://127.0.0.1:8000/gone.html", "http://127.0.0.1:8000/kept.html"

    def check(run_id: int, day: str, *outcomes):
        return record_outcomes(
            store,
            site_key="s",
            unit="县政府办",
            rule_ids=["W-S1"],
            outcomes=list(outcomes),
            as_of=date.fromisoformat(day),
            run_id=run_id,
        )

    def state():
        with store.session() as s:
            rows = s.execute(
                select(
                    Finding.url, Finding.status, Finding.absent_checks, Finding.occurrences, Finding.last_seen
                ).order_by(Finding.url)
            ).all()
            return [tuple(r) for r in rows], s.scalar(select(func.count(FindingEvent.id)))

    runs = [store.start_run("s") for _ in range(3)]
    check(runs[0], "2026-11-01", _broken_link(gone), _broken_link(kept))
    check(runs[1], "2026-11-08", _broken_link(kept))  # gone is absent once: 待复核
    after_second = state()
    assert dict((u, st) for u, st, *_ in after_second[0])[gone] == "待复核"
    r = check(runs[1], "2026-11-08", _broken_link(kept))  # crawl --url checked it; `monitor check` again
    assert state() == after_second and r.fixed == 0
    check(runs[1], "2026-11-09", _broken_link(kept))  # judged again a day later: still one observation
    assert state() == after_second
    r = check(runs[2], "2026-11-15", _broken_link(kept))  # only a new crawl counts towards 已整改
    assert r.fixed == 1 and dict((u, st) for u, st, *_ in state()[0])[gone] == "已整改"
    store.close()


def _route_with(links: dict):
    def route(path: str, srv):
        p = urlsplit(path).path
        if p == "/":
            return 200, {}, html("门户", "".join(f"<a href='{u}'>{u}</a>" for u in links["home"]))
        if p == "/ok.html":
            return 200, {}, html("正常", "<p>正常</p>")
        return 404, {}, html("404", "页面不存在")

    return route


def test_crawl_url_then_check_counts_one_absence(tmp_path):
    """The CLI path of 13.4: `crawl --url` checks its run itself; `check` on that run moves nothing."""
    links = {"home": ["/ok.html", "/gone.html"]}
    with serve_faults(_route_with(links)) as srv:
        home = srv.url("/")
        db = f"sqlite:///{tmp_path / 'm.db'}"
        cfg = sites_yaml(tmp_path / "sites.yaml", [{"key": f"127.0.0.1_{srv.port}", "home": home}])
        out = run_monitor("--db", db, "crawl", "--url", home, "--delay", "0", "--as-of", DAY, cwd=tmp_path)
        assert out.returncode == 1 and "gone.html" in out.stdout, out.stderr
        links["home"] = ["/ok.html"]  # the unit removed the dead link
        out = run_monitor("--db", db, "crawl", "--url", home, "--delay", "0", "--as-of", DAY, cwd=tmp_path)
        assert out.returncode in (0, 1), out.stdout + out.stderr
        out = run_monitor("-c", cfg, "--db", db, "check", "--as-of", DAY, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
    rows = [r for r in findings_json(db, tmp_path, "--status", "all") if r["url"].endswith("/gone.html")]
    assert [r["status"] for r in rows] == ["待复核"]  # absent in one crawl, not two


# ------------------------------------------------------------------ one crawl of a site at a time (13.7)


def _slow_route(path: str, srv):
    p = urlsplit(path).path
    if p == "/":
        return 200, {}, html("门户", "".join(f"<a href='/p{n}.html'>第{n}页</a>" for n in range(8)))
    return 200, {}, html(p, "<p>正文</p>")


def _popen(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "ignore"},
    )


def test_two_crawls_of_one_site_never_run_at_once(tmp_path):
    with serve_faults(_slow_route) as srv:
        cfg = sites_yaml(
            tmp_path / "sites.yaml", [{"key": "slow", "home": srv.url("/")}], delay_seconds=0.3, concurrency_per_host=1
        )
        db = f"sqlite:///{tmp_path / 'fresh.db'}"  # a fresh file: both processes also race to create it
        procs = [_popen("-c", cfg, "--db", db, "crawl", cwd=tmp_path) for _ in range(2)]
        outs = [p.communicate(timeout=180) for p in procs]
        codes = sorted(p.returncode for p in procs)
        errs = "\n".join(e for _, e in outs)
        assert codes == [0, 2], errs
        assert "另一个抓取正在进行" in errs and "Traceback" not in errs and "already exists" not in errs
        assert srv.hits["/"] == 1  # the site was crawled once

        # crawl --url takes the lock too: a second one while the first runs is refused
        home = srv.url("/")
        first = _popen("--db", db, "crawl", "--url", home, "--delay", "0.3", cwd=tmp_path)
        con = sqlite3.connect(tmp_path / "fresh.db", timeout=30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not con.execute("select count(*) from locks").fetchone()[0]:
            time.sleep(0.05)
        con.close()
        second = run_monitor("--db", db, "crawl", "--url", home, "--delay", "0", cwd=tmp_path)
        first.communicate(timeout=180)
        assert first.returncode in (0, 1)
        assert second.returncode == 2 and "另一个抓取正在进行" in second.stderr, second.stderr
        assert srv.hits["/"] == 2  # the refused crawl sent nothing


# ------------------------------------------------------------------ database and config faults said plainly (13.8)


def _plain(out, *words: str) -> None:
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr and all(w in out.stderr for w in words), out.stderr


def test_a_locked_sqlite_database_before_the_crawl_starts(tmp_path):
    from monitor.store import Store

    Store(f"sqlite:///{tmp_path / 'm.db'}").close()
    cfg = sites_yaml(tmp_path / "sites.yaml", [{"key": "x", "home": "http://127.0.0.1:9/"}])
    holder = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing and not letting go
    try:
        out = run_monitor(
            "-c",
            cfg,
            "--db",
            f"sqlite:///{tmp_path / 'm.db'}",
            "crawl",
            cwd=tmp_path,
            env={"MONITOR_DB_BUSY_SECONDS": "1"},
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _plain(out, "锁定", "重试")


def test_a_config_that_is_a_directory_or_unreadable(tmp_path):
    (tmp_path / "conf").mkdir()
    _plain(run_monitor("-c", str(tmp_path / "conf"), "crawl", cwd=tmp_path), "是一个目录")
    locked = tmp_path / "sites.yaml"
    sites_yaml(locked, [{"key": "x", "home": "http://127.0.0.1:9/"}])
    locked.chmod(0)
    try:
        _plain(run_monitor("-c", str(locked), "crawl", cwd=tmp_path), "没有权限读取", "chmod")
    finally:
        locked.chmod(0o644)


def test_a_read_only_database_file(tmp_path):
    from monitor.store import Store

    Store(f"sqlite:///{tmp_path / 'm.db'}").close()
    (tmp_path / "m.db").chmod(0o444)
    cfg = sites_yaml(tmp_path / "sites.yaml", [{"key": "x", "home": "http://127.0.0.1:9/"}])
    try:
        _plain(
            run_monitor("-c", cfg, "--db", f"sqlite:///{tmp_path / 'm.db'}", "crawl", cwd=tmp_path), "只读", "写权限"
        )
    finally:
        (tmp_path / "m.db").chmod(0o644)


def test_a_database_newer_than_the_program(tmp_path):
    from monitor.store import Store

    Store(f"sqlite:///{tmp_path / 'm.db'}").close()
    con = sqlite3.connect(tmp_path / "m.db")
    con.execute("update alembic_version set version_num = '0099_from_the_future'")
    con.commit()
    con.close()
    out = run_monitor("--db", f"sqlite:///{tmp_path / 'm.db'}", "findings", cwd=tmp_path)
    _plain(out, "比本程序新", "升级")


def test_a_database_path_under_a_file(tmp_path):
    (tmp_path / "data").write_text("not a directory")
    out = run_monitor("--db", f"sqlite:///{tmp_path / 'data' / 'm.db'}", "findings", cwd=tmp_path)
    _plain(out, "是一个文件而不是目录")


def test_a_page_whose_parsing_fails_is_stored_with_its_error():
    """The last line of defence of 13.5: whatever an extractor raises on a hostile page, the page is kept
    (a dropped page reads as a dead link or a site that is down)."""
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from monitor.model import PageItem
    from spiders.site import SiteSpider

    crawler = get_crawler(SiteSpider)
    spider = SiteSpider.from_crawler(crawler, home="http://127.0.0.1:9/")
    crawler.spider = spider
    if crawler.stats is None:
        from scrapy.statscollectors import MemoryStatsCollector

        crawler.stats = MemoryStatsCollector(crawler)
    body = html("无法解析的页面", "<p>正文</p>").encode()
    request = Request("http://127.0.0.1:9/x.html", meta={"parse": True, "depth": 1})
    response = HtmlResponse(request.url, body=body, request=request, headers={"Content-Type": "text/html"})

    def broken(_response):
        yield from ()
        raise RecursionError("maximum recursion depth exceeded")

    spider.parse_page = broken
    (item,) = list(spider._parse_or_record(response))
    fact = item.page
    assert isinstance(item, PageItem) and fact["url"] == "http://127.0.0.1:9/x.html" and fact["status"] == 200
    assert "页面解析失败" in fact["text_error"] and "RecursionError" in fact["text_error"]
    assert fact["title"] == "无法解析的页面"
