"""Every article of every paginated column, on a first crawl, an unchanged re-crawl and a resume after kill -9
(issues 12.3, 13.1, 13.2), over real HTTP on 127.0.0.1.

The site: a TRS column whose further pages only a script names (``var countPage = 15//共多少页`` in one
inline script, ``createPageHTML(countPage, currentPage, "index", "html")`` in another, no page links), a
大汉 JCMS column whose first group of entries sits in a ``<datastore>`` and whose further groups come from
``/module/web/jpage/dataproxy.jsp``, and pages of 430 KB (GBK, charset in a meta only), 1.2 MB and 2.5 MB
whose last links lead to pages with a broken link.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import DEMO_DAY, LINKS, ROOT, findings_json, need_service, run_monitor
from tests.local_http import page, serve, sites_yaml
from tests.integration.test_reuse import facts

TRS_PAGES, TRS_PER_PAGE = 15, 3
JCMS_TOTAL, JCMS_PER_PAGE, JCMS_GROUP = 37, 5, 3


def _trs_article(i: int) -> str:
    return f"/tzgg/202611/t202611{i % 20 + 1:02d}_{1000 + i}.html"


def _jcms_article(n: int) -> str:
    return f"/jcms/art/2026/11/{n % 20 + 1}/art_7_{n}.html"


def _article(title: str, day: int, extra: str = "") -> str:
    return page(title, f"<h1>{title}</h1><p>发布时间：2026-11-{day:02d}</p><p>{title}的正文。</p>{extra}")


def _trs_list(p: int) -> str:
    entries = "".join(
        f"<li><a href='{_trs_article(i)}'>通知{i}</a><span>2026-11-{i % 20 + 1:02d}</span></li>"
        for i in range(p * TRS_PER_PAGE, (p + 1) * TRS_PER_PAGE)
    )
    return page(
        "通知公告_示例县人民政府",
        f"<div class='list'><ul>{entries}</ul></div>"
        f"<script>\nvar currentPage = {p}//所在页从0开始\nvar prevPage = currentPage-1//上一页\n"
        f"var nextPage = currentPage+1//下一页\nvar countPage = {TRS_PAGES}//共多少页\n</script>"
        "<div class='page'><script type='text/javascript'>\n"
        'createPageHTML(countPage, currentPage, "index", "html")\n</script></div>',
    )


def _record(n: int) -> str:
    return (
        f'<record><![CDATA[<li><a href="{_jcms_article(n)}" title="公告{n}" target="_blank">公告{n}</a>'
        f"<span>2026-11-{n % 20 + 1:02d}</span></li>]]></record>\n"
    )


def _jcms_column() -> str:
    records = "".join(_record(n) for n in range(1, JCMS_PER_PAGE * JCMS_GROUP + 1))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><meta name='ColumnName' content='公示公告'>"
        "<title>公示公告 示例县人民政府</title></head><body><div id='9903'>"
        '<script type="text/xml"><datastore>\n<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp'
        '?page=1&webid=2&path=/&columnid=7&unitid=9903&webname=%E7%A4%BA%E4%BE%8B%E5%8E%BF&permissiontype=0">'
        "</a>]]></nextgroup>\n<recordset>\n" + records + "</recordset>\n</datastore></script></div>"
        "<script language='javascript' src='/module/web/jpage/jpage.js'></script>"
        f"<script>$('#9903').jpage({{ totalRecord: {JCMS_TOTAL}, perPage: {JCMS_PER_PAGE}, "
        f"groupSize: {JCMS_GROUP}, dataBefore: '<ul class=\"list\">', dataAfter: '</ul>' }});</script>"
        "</body></html>"
    )


def _dataproxy(query: str) -> tuple[int, dict, str]:
    q = {k: v[0] for k, v in parse_qs(query).items()}
    if q.get("columnid") != "7" or q.get("unitid") != "9903" or q.get("webname") != "示例县":
        return 200, {"Content-Type": "text/xml;charset=UTF-8"}, "<datastore><recordset></recordset></datastore>"
    start, end = int(q["startrecord"]), int(q["endrecord"])
    records = "".join(_record(n) for n in range(start, min(end, JCMS_TOTAL) + 1))
    return (
        200,
        {"Content-Type": "text/xml;charset=UTF-8"},
        (
            '<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA[]]></nextgroup>'
            f"<recordset>{records}</recordset></datastore>"
        ),
    )


def _big(title: str, size: int, tail: str, *, encoding: str = "utf-8") -> bytes:
    filler = "<p>" + "示例县人民政府政务公开内容，依法公开，接受监督。" * 40 + "</p>\n"
    head = f"<!doctype html><html><head><meta charset='{encoding}'><title>{title}</title></head><body>"
    n = size // len(filler.encode(encoding)) + 1
    return (head + filler * n + f"<a href='{tail}'>尾部链接</a></body></html>").encode(encoding)


MID = _big("中等页面", 430 * 1024, "/mid-tail.html", encoding="gbk")
BIG = _big("大页面", 1200 * 1024, "/big-tail.html")
HUGE = _big("超大页面", 2500 * 1024, "/huge-tail.html")


def route(path: str, server):
    parts = urlsplit(path)
    p = parts.path
    if p == "/":
        return (
            200,
            {},
            page(
                "示例县人民政府",
                "<a href='/tzgg/index.html'>通知公告</a>"
                "<a href='/jcms/col/col7/index.html'>公示公告</a>"
                "<a href='/mid.html'>中等页面</a><a href='/big.html'>大页面</a>"
                "<a href='/huge.html'>超大页面</a>",
            ),
        )
    if p == "/tzgg/index.html":
        return 200, {}, _trs_list(0)
    if p.startswith("/tzgg/index_") and p.endswith(".html"):
        n = p.removeprefix("/tzgg/index_").removesuffix(".html")
        if n.isdigit() and 0 < int(n) < TRS_PAGES:
            return 200, {}, _trs_list(int(n))
    for i in range(TRS_PAGES * TRS_PER_PAGE):
        if p == _trs_article(i):
            last = i == TRS_PAGES * TRS_PER_PAGE - 1
            return 200, {}, _article(f"通知{i}", i % 20 + 1, "<a href='/missing-trs.html'>附件</a>" if last else "")
    if p == "/jcms/col/col7/index.html":
        return 200, {}, _jcms_column()
    if p == "/module/web/jpage/jpage.js":
        return 200, {"Content-Type": "application/javascript"}, "/* jpage */"
    if p == "/module/web/jpage/dataproxy.jsp":
        return _dataproxy(parts.query)
    for n in range(1, JCMS_TOTAL + 1):
        if p == _jcms_article(n):
            return (
                200,
                {},
                _article(f"公告{n}", n % 20 + 1, "<a href='/missing-jcms.html'>附件</a>" if n == JCMS_TOTAL else ""),
            )
    if p == "/mid.html":
        return 200, {"Content-Type": "text/html"}, MID
    if p == "/big.html":
        return 200, {}, BIG
    if p == "/huge.html":
        return 200, {}, HUGE
    if p in ("/mid-tail.html", "/big-tail.html", "/huge-tail.html"):
        return 200, {}, page("尾部", f"<a href='/missing-{p[1:5]}.html'>坏链接</a>")
    return 404, {}, page("404", "页面不存在")


ARTICLES = {_trs_article(i) for i in range(TRS_PAGES * TRS_PER_PAGE)} | {
    _jcms_article(n) for n in range(1, JCMS_TOTAL + 1)
}
BROKEN = {"/missing-trs.html", "/missing-jcms.html", "/missing-mid-.html", "/missing-big-.html", "/missing-huge.html"}


def _crawl(cfg: str, db, tmp_path, *extra: str) -> subprocess.CompletedProcess:
    out = run_monitor(
        "-c", cfg, "--db", f"sqlite:///{db}", "crawl", "--as-of", DEMO_DAY.isoformat(), *extra, cwd=tmp_path
    )
    assert out.returncode in (0, 1), out.stderr
    return out


def _check(cfg: str, db, tmp_path) -> list[tuple]:
    out = run_monitor("-c", cfg, "--db", f"sqlite:///{db}", "check", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
    assert out.returncode in (0, 1), out.stderr
    return sorted((f["rule"], f["url"], f["evidence"]) for f in findings_json(f"sqlite:///{db}", tmp_path))


def _paths(con, run_id: int, base: str) -> set[str]:
    return {u.removeprefix(base) for (u,) in con.execute("select url from pages where run_id=?", (run_id,))}


def _broken_targets(findings, base: str) -> set[str]:
    return {u.removeprefix(base) for rule, u, _ in findings if rule == "W-S1"}


def test_first_crawl_and_unchanged_recrawl_reach_every_paginated_article_and_keep_big_pages_whole(tmp_path):
    with serve(route) as srv:
        # a delay switches the light re-check path on (one pace for both paths), as on a real site
        cfg = sites_yaml(
            tmp_path / "sites.yaml", [{"key": "s", "home": srv.url("/")}], delay_seconds=0.01, concurrency_per_host=4
        )
        db = tmp_path / "m.db"
        _crawl(cfg, db, tmp_path)
        first = _check(cfg, db, tmp_path)
        con = sqlite3.connect(db)
        pages1 = _paths(con, 1, srv.base)
        assert ARTICLES <= pages1, sorted(ARTICLES - pages1)[:10]  # 100% of the paginated articles
        assert {f"/tzgg/index_{n}.html" for n in range(1, TRS_PAGES)} <= pages1
        groups = [u for u in pages1 if u.startswith("/module/web/jpage/dataproxy.jsp")]
        assert len(groups) == 2, groups  # records 16-30 and 31-45 (of 37)
        # the script-only pages and the dataproxy groups are stored as links of their own tags
        tags = dict(
            con.execute(
                f"select tag, count(*) from {LINKS} where run_id=1 and tag in ('page', 'jpage') group by tag"
            ).fetchall()
        )
        assert tags == {"page": TRS_PAGES - 1, "jpage": 2}
        # the JCMS column has every entry, from the page's datastore and from both groups
        assert con.execute(
            "select item_count from columns where run_id=1 and url=?", (srv.url("/jcms/col/col7/"),)
        ).fetchone() == (JCMS_TOTAL,)
        sizes = {
            u.removeprefix(srv.base): n
            for u, n in con.execute("select url, size from pages where run_id=1 and url like '%.html'")
        }
        assert sizes["/mid.html"] == len(MID) and sizes["/big.html"] == len(BIG) and sizes["/huge.html"] == len(HUGE)
        assert _broken_targets(first, srv.base) == BROKEN
        # pagination links are followed, never judged as links a reader clicks
        assert not [f for f in first if "dataproxy" in f[1] or "index_" in f[1]]

        srv.hits.clear()
        _crawl(cfg, db, tmp_path)  # nothing changed on the site
        second = _check(cfg, db, tmp_path)
        assert srv.hits["/mid.html"] == srv.hits["/big.html"] == 1  # compared on the light path, not refetched
        assert srv.hits["/huge.html"] == 2  # over the light path's bound: given up, Scrapy fetched and compared it
        runs = con.execute("select id, status, pages, pages_reused from crawl_runs order by id").fetchall()
        (_, s1, n1, _), (r2, s2, n2, reused2) = runs
        assert s1 == s2 == "finished" and n1 == n2, runs
        assert reused2 >= n2 - len(BROKEN) - 2, runs  # only what has no validators (the 404s) was parsed again
        title, size, text = con.execute(
            "select title, size, substr(text, 1, 20) from pages where run_id=? and url=?", (r2, srv.url("/mid.html"))
        ).fetchone()
        assert (title, size) == ("中等页面", len(MID)) and text.startswith("示例县")
        assert facts(con, r2) == facts(con, 1)
        assert second == first
        con.close()


def test_killed_crawl_resumes_to_the_same_pages_as_an_uninterrupted_crawl(tmp_path):
    with serve(route) as srv:
        whole = tmp_path / "whole"
        whole.mkdir()
        cfg_whole = sites_yaml(whole / "sites.yaml", [{"key": "s", "home": srv.url("/")}])
        _crawl(cfg_whole, whole / "m.db", whole)
        expected_findings = _check(cfg_whole, whole / "m.db", whole)
        con = sqlite3.connect(whole / "m.db")
        expected = _paths(con, 1, srv.base)
        con.close()
        assert ARTICLES <= expected

        # slowly, one request at a time: killed once the column pages have been read, before their pages
        cfg = sites_yaml(
            tmp_path / "sites.yaml", [{"key": "s", "home": srv.url("/")}], delay_seconds=0.05, concurrency_per_host=1
        )
        db = tmp_path / "m.db"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor",
                "-c",
                cfg,
                "--db",
                f"sqlite:///{db}",
                "crawl",
                "--as-of",
                DEMO_DAY.isoformat(),
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                if db.exists():
                    try:
                        c = sqlite3.connect(db)
                        stored = c.execute("select count(*) from pages").fetchone()[0]
                        c.close()
                    except sqlite3.OperationalError:
                        stored = 0
                    if stored >= 12:
                        break
                time.sleep(0.05)
            assert proc.poll() is None, "the crawl ended before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        con = sqlite3.connect(db)
        stored = _paths(con, 1, srv.base)
        assert 12 <= len(stored) < len(expected) - 20, len(stored)  # really half-way
        assert con.execute("select status from crawl_runs where id=1").fetchone()[0] == "running"

        out = _crawl(cfg, db, tmp_path)
        assert "继续上次中断的抓取" in out.stderr
        assert con.execute("select id, status from crawl_runs order by id").fetchall() == [(1, "finished")]
        per_url = con.execute("select url, count(*) from pages where run_id=1 group by url").fetchall()
        assert all(n == 1 for _, n in per_url), [u for u, n in per_url if n > 1]
        assert _paths(con, 1, srv.base) == expected
        con.close()
        assert _check(cfg, db, tmp_path) == expected_findings


def _js_list(n: int) -> str:
    data = ", ".join(
        f'{{"t": "图片新闻{i}", "u": "/js/a{i}.html", "d": "2026-11-{i + 1:02d}"}}' for i in range((n - 1) * 3, n * 3)
    )
    # the page bar the script writes: page 1 names page 2 and says 共3页; page 3 is named by no link at all
    bar = '共3页 <a href="list.html?page=2">下一页</a>' if n == 1 else '共3页 <a href="list.html">首页</a>'
    return page(
        "图片新闻",
        "<ul id='list' class='list'></ul><div id='bar'></div><script>\n"
        f"var data = [{data}]\nvar html = ''\n"
        "for (var i = 0; i < data.length; i++) { html += '<li><a href=\"' + data[i].u + '\">' + "
        "data[i].t + '</a><span>' + data[i].d + '</span></li>' }\n"
        "document.getElementById('list').innerHTML = html\n"
        f"document.getElementById('bar').innerHTML = '{bar}'\n</script>",
    )


def _js_route(path: str, server):
    parts = urlsplit(path)
    if parts.path == "/":
        return 200, {}, page("示例县人民政府", "<a href='/js/list.html'>图片新闻</a>")
    if parts.path == "/js/list.html":
        n = int(parse_qs(parts.query).get("page", ["1"])[0])
        return (200, {}, _js_list(n)) if 1 <= n <= 3 else (404, {}, page("404", "页面不存在"))
    if parts.path.startswith("/js/a") and parts.path.endswith(".html"):
        return 200, {}, _article("图片新闻", 20)
    return 404, {}, page("404", "页面不存在")


@pytest.mark.browser
def test_pagination_of_a_script_filled_list_is_followed_from_the_rendered_page(tmp_path):
    from monitor.crawl.browser import CHROMIUM

    if not os.access(CHROMIUM, os.X_OK):
        need_service(f"Chromium not installed at {CHROMIUM}")
    with serve(_js_route) as srv:
        cfg = sites_yaml(tmp_path / "sites.yaml", [{"key": "s", "home": srv.url("/")}])
        db = tmp_path / "m.db"
        for run in (1, 2):
            _crawl(cfg, db, tmp_path)
            con = sqlite3.connect(db)
            rendered = {
                u.removeprefix(srv.base)
                for (u,) in con.execute("select url from pages where run_id=? and rendered=1", (run,))
            }
            assert rendered == {"/js/list.html", "/js/list.html?page=2", "/js/list.html?page=3"}
            articles = {u for u in _paths(con, run, srv.base) if u.startswith("/js/a")}
            assert articles == {f"/js/a{i}.html" for i in range(9)}, (run, sorted(articles))
            con.close()
