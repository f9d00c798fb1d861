"""W-S1 verdicts from a real crawl of a tiny local site that answers every way a link can fail."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import LINKS, findings_json, run_monitor
from tests.local_http import page, refused_port, serve, sites_yaml

DAY = "2026-11-26"
DEAD_PORT = refused_port()


def route(path: str, srv):
    if path == "/":
        return 200, {}, page("测试门户", "<a href='/hub.html'>导航</a> <a href='/moved.html'>旧导航</a>")
    if path == "/hub.html":
        return (
            200,
            {},
            page(
                "导航页",
                f"""
            <a href='/gone404.html'>已删除的文章</a> <a href='/gone410.html'>永久删除</a>
            <a href='/err500.html'>服务器错误</a> <a href='/loop-a'>循环跳转</a> <a href='/chain/0'>多次跳转</a>
            <a href='/forbidden.html'>被拦截</a> <a href='/limited.html'>限流</a> <a href='/soft404.html'>软404</a>
            <a href='/doc.html#sec1'>第一节</a> <a href='/doc.html#nosuch'>不存在的一节</a> <a href='/doc.html#top'>顶部</a>
            <a href='/slow.html'>很慢的页面</a> <a href='http://127.0.0.1:{DEAD_PORT}/x.html'>关停的网站</a>
            <a href='#here'>本页锚点</a> <a href='#gone'>本页缺失锚点</a> <span id='here'></span>
            <a href='/fine.html'>正常页面</a>""",
            ),
        )
    if path == "/moved.html":  # a parent page reached through a redirect
        return 301, {"Location": "/hub2.html"}, ""
    if path == "/hub2.html":
        return 200, {}, page("第二导航", "<a href='/gone404.html'>第二处引用</a>")
    if path == "/gone404.html":
        return 404, {}, page("404", "not here")
    if path == "/gone410.html":
        return 410, {}, page("410", "gone")
    if path == "/err500.html":
        return 500, {}, page("500", "boom")
    if path == "/loop-a":
        return 302, {"Location": "/loop-b"}, ""
    if path == "/loop-b":
        return 302, {"Location": "/loop-a"}, ""
    if path.startswith("/chain/"):
        n = int(path.rsplit("/", 1)[1])
        if n < 15:
            return 302, {"Location": f"/chain/{n + 1}"}, ""
        return 200, {}, page("终点", "到了")
    if path == "/forbidden.html":
        return 403, {}, page("403", "forbidden")
    if path == "/limited.html":
        return 429, {}, page("429", "slow down")
    if path == "/soft404.html":
        return 200, {}, page("页面不存在 - 测试门户", "<p>抱歉，您访问的页面不存在或已被删除。</p>")
    if path == "/doc.html":
        return 200, {}, page("文件", "<h2 id='sec1'>第一节</h2><p>正文</p>")
    if path == "/slow.html":
        return 200, {"X-Test-Sleep": "2.5"}, page("慢", "slow")
    if path == "/fine.html":
        return 200, {}, page("正常页面", "<p>本页正常，文中提到 404 路公交车。</p>")
    return 404, {}, page("404", "no route")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("verdicts")
    with serve(route) as srv:
        cfg = sites_yaml(tmp / "sites.yaml", [{"key": "t", "home": srv.url("/")}], timeout_seconds=1)
        db = f"sqlite:///{tmp / 'm.db'}"
        out = run_monitor("-c", cfg, "--db", db, "crawl", cwd=tmp)
        assert out.returncode == 0, out.stderr
        out = run_monitor("-c", cfg, "--db", db, "check", "--as-of", DAY, cwd=tmp)
        assert out.returncode == 0, out.stderr
        rows = findings_json(db, tmp, "--status", "all", "--verdict", "all", "--rule", "W-S1")
        yield {"srv": srv, "rows": rows, "db": tmp / "m.db", "tmp": tmp, "db_url": db, "hits": dict(srv.hits)}


def _by_path(rows):
    from urllib.parse import urlsplit

    out = {}
    for r in rows:
        parts = urlsplit(r["url"])
        key = parts.path + (f"#{parts.fragment}" if parts.fragment else "")
        if parts.port and str(parts.port) == str(DEAD_PORT):
            key = "dead:" + key
        out[key] = r
    return out


def test_dead_targets_are_broken_and_blocked_ones_unverified(crawled):
    rows = _by_path(crawled["rows"])
    broken = {k for k, r in rows.items() if r["verdict"] == "finding"}
    unverified = {k for k, r in rows.items() if r["verdict"] == "unverified"}
    assert broken == {
        "/gone404.html",
        "/gone410.html",
        "/err500.html",
        "/loop-a",
        "/chain/0",
        "/soft404.html",
        "/doc.html#nosuch",
        "/hub.html#gone",
        "dead:/x.html",
    }
    assert unverified == {"/forbidden.html", "/limited.html", "/slow.html"}
    assert rows["/gone404.html"]["facts"]["status"] == 404
    assert rows["/err500.html"]["facts"]["status"] == 500
    assert rows["/loop-a"]["facts"]["error_kind"] == "redirects" and "重定向循环" in rows["/loop-a"]["evidence"]
    assert rows["/chain/0"]["facts"]["error_kind"] == "redirects" and "重定向过多" in rows["/chain/0"]["evidence"]
    assert rows["dead:/x.html"]["facts"]["error_kind"] == "refused" and rows["dead:/x.html"]["facts"]["external"]
    assert rows["/slow.html"]["facts"]["error_kind"] == "timeout"
    assert rows["/forbidden.html"]["facts"]["status"] == 403
    soft = rows["/soft404.html"]
    assert soft["facts"]["status"] == 200 and "页面不存在" in soft["facts"]["soft_404"] and "软 404" in soft["evidence"]
    anchor = rows["/doc.html#nosuch"]
    assert anchor["facts"]["fragment"] == "nosuch" and anchor["facts"]["parents"][0]["anchor_text"] == "不存在的一节"
    # /fine.html mentions "404" in a long-enough real page, #sec1 and #top exist: none of them is flagged
    assert "/fine.html" not in rows and "/doc.html#sec1" not in rows and "/doc.html#top" not in rows


def test_a_failure_counts_only_after_a_retry_but_404_is_not_retried(crawled):
    rows = _by_path(crawled["rows"])
    hits = crawled["hits"]
    assert hits["/gone404.html"] == 1 and rows["/gone404.html"]["facts"]["attempts"] == 1
    assert hits["/gone410.html"] == 1
    assert hits["/err500.html"] == 2 and rows["/err500.html"]["facts"]["attempts"] == 2
    assert hits["/slow.html"] == 2 and rows["/slow.html"]["facts"]["attempts"] == 2
    assert rows["dead:/x.html"]["facts"]["attempts"] == 2
    assert hits["/forbidden.html"] == 1 and hits["/soft404.html"] == 1


def test_every_parent_is_listed_including_pages_reached_through_redirects(crawled):
    rows = _by_path(crawled["rows"])
    facts = rows["/gone404.html"]["facts"]
    parents = {(p["source_url"].rsplit("/", 1)[1], p["anchor_text"]) for p in facts["parents"]}
    assert parents == {("hub.html", "已删除的文章"), ("hub2.html", "第二处引用")}
    assert facts["parent_count"] == 2
    assert "共 2 个页面引用" in rows["/gone404.html"]["evidence"]
    # hub2.html was reached through /moved.html and crawled once, under its final URL
    assert crawled["hits"]["/hub2.html"] == 1


def test_facts_are_stored_on_pages_and_links(crawled):
    con = sqlite3.connect(crawled["db"])
    anchors = con.execute("select anchors from pages where url like '%/doc.html'").fetchone()[0]
    assert "sec1" in anchors
    frags = {r[0] for r in con.execute(f"select fragment from {LINKS} where fragment is not null")}
    assert {"sec1", "nosuch", "top", "here", "gone"} <= frags
    soft = con.execute("select not_found_text from pages where url like '%/soft404.html'").fetchone()[0]
    assert soft and "页面不存在" in soft
    fine = con.execute("select not_found_text from pages where url like '%/fine.html'").fetchone()[0]
    assert fine is None


def test_findings_verdict_option_filters(crawled):
    only = findings_json(crawled["db_url"], crawled["tmp"], "--status", "all", "--verdict", "unverified")
    assert only and {r["verdict"] for r in only} == {"unverified"}
    default = findings_json(crawled["db_url"], crawled["tmp"], "--status", "all")
    assert default and {r["verdict"] for r in default} == {"finding"}


@pytest.mark.parametrize(
    "title,text,expected",
    [
        ("404", None, True),
        ("404 - 示例县人民政府", None, True),
        ("页面不存在", None, True),
        ("404 Not Found", None, True),
        ("提示信息", "抱歉，您访问的页面不存在或已被删除。", True),
        ("404路公交线路调整的通知", None, False),
        ("找不到工作怎么办？就业服务来帮忙", None, False),
        ("关于2024年度404项目的通知", None, False),
        ("公交调整", "404 路公交车自下月起调整线路。", False),
        ("通知", "页面不存在" + "正文" * 2000, False),  # a long real page that happens to say it
    ],
)
def test_soft_404_wording(title, text, expected):
    from spiders.verdicts import not_found_text

    assert (not_found_text(title, text) is not None) is expected


@pytest.mark.parametrize(
    "text",
    [
        "PAGE NOT FOUND",
        "Page  Not\tFound, sorry",
        "HTTP 404 not found",
        "错误代码：404",
        "404 错误",
        "对不起，找不到相关页面",
        "您所访问的页面已删除",
        "该信息已被删除",
        "内容不存在",
        "首页 | 政务公开 | 办事服务",
        "Found in the archive",
        "页面导航",
        "",
    ],
)
def test_soft_404_body_keys_never_hide_a_match(text):
    """A body without any of the keys is not searched: the answer must be the pattern's own on every text."""
    from spiders.verdicts import _BODY_404, not_found_text

    m = _BODY_404.search(text)
    assert not_found_text(None, text) == (m.group(0)[:100] if m and text else None)
