"""W-S10: the crawl finds the home page's search form, searches a title the home page lists, and the rule
judges what came back — five sites in one crawl: working, absent, not finding, failing, script-driven."""

from __future__ import annotations

import json
from contextlib import ExitStack
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from spiders.search import search_box_only, search_form, search_query
from tests.conftest import DEMO_DAY, run_monitor
from tests.local_http import page, serve, sites_yaml

TITLE = "【通知】示例县关于做好2026年冬季防火工作的通知"
FORM = (
    "<form action='/search/' method='get'><input type='hidden' name='siteid' value='12'>"
    "<input type='text' name='searchword' placeholder='请输入关键字'><button>搜索</button></form>"
)


def test_search_form_query_and_script_driven_box():
    sel = Selector(text=f"<html><body><form action='/login'><input name='user'></form>{FORM}</body></html>")
    form = search_form(sel, "http://x.gov.cn/index.html")
    assert (form.action, form.method, form.field, form.params) == (
        "http://x.gov.cn/search/",
        "get",
        "searchword",
        {"siteid": "12"},
    )
    post = search_form(Selector(text="<form action='s.jsp' method='POST'><input name='kw'></form>"), "http://x/")
    assert (post.method, post.field, post.action) == ("post", "kw", "http://x/s.jsp")
    assert search_form(Selector(text="<form action='/login'><input name='user'></form>"), "http://x/") is None
    js = Selector(text="<div><input id='searchInput' placeholder='请输入搜索内容'><a onclick='go()'>搜索</a></div>")
    assert search_form(js, "http://x/") is None and search_box_only(js)
    assert search_query(TITLE) == "通知 示例县关于做好2026年冬季防火工作的通知"


def _site(kind: str):
    def route(path, server):
        if path == "/":
            box = {"none": "", "js": "<input id='keyword' placeholder='请输入关键字'>"}.get(kind, FORM)
            return (
                200,
                {},
                page(
                    "示例县人民政府", f"{box}<ul><li><a href='/a/1.html'>{TITLE}</a><span>2026-11-20</span></li></ul>"
                ),
            )
        if path.startswith("/search/"):
            query = parse_qs(urlsplit(path).query)
            assert query.get("siteid") == ["12"]  # the form's hidden inputs are sent
            words = query.get("searchword", [""])[0].split()
            if kind == "error":
                return 500, {}, page("错误", "检索服务异常")
            hits = (
                "<li><a href='/a/1.html'>示例县关于做好2026年冬季防火工作的通知</a></li>"
                if kind == "good" and words and all(w in TITLE for w in words)
                else ""
            )
            return 200, {}, page("搜索结果", f"<p>搜索“{' '.join(words)}”</p><ul>{hits}</ul>")
        if path == "/a/1.html":
            return 200, {}, page(TITLE, "正文")
        return 404, {}, page("404", "页面不存在")

    return route


def test_site_search_working_absent_missing_failing_and_script_driven(tmp_path):
    kinds = ("good", "none", "miss", "error", "js")
    with ExitStack() as stack:
        servers = {k: stack.enter_context(serve(_site(k))) for k in kinds}
        cfg = sites_yaml(tmp_path / "sites.yaml", [{"key": k, "home": s.url("/")} for k, s in servers.items()])
        db = f"sqlite:///{tmp_path / 'm.db'}"
        for cmd in ("crawl", "check"):
            out = run_monitor("-c", cfg, "--db", db, cmd, "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
            assert out.returncode in (0, 1), out.stderr
        out = run_monitor(
            "--db", db, "findings", "--format", "json", "--rule", "W-S10", "--status", "all", cwd=tmp_path
        )
        assert out.returncode == 0, out.stderr
        unverified = run_monitor(
            "--db",
            db,
            "findings",
            "--format",
            "json",
            "--rule",
            "W-S10",
            "--verdict",
            "unverified",
            "--status",
            "all",
            cwd=tmp_path,
        )
    rows = {r["site"]: r for r in json.loads(out.stdout)}
    assert set(rows) == {"none", "miss", "error"}
    assert rows["none"]["evidence"] == "首页未发现站内搜索框"
    assert (
        "结果第一页未找到" in rows["miss"]["evidence"] and servers["miss"].url("/a/1.html") in rows["miss"]["evidence"]
    )
    assert "HTTP 500" in rows["error"]["evidence"] and rows["error"]["facts"]["status"] == 500
    assert rows["miss"]["facts"]["query"] == search_query(TITLE)
    assert servers["good"].hits["/search/"] == 1 and servers["error"].hits["/search/"] == 2  # 5xx retried once
    assert unverified.returncode == 0, unverified.stderr
    assert [r["site"] for r in json.loads(unverified.stdout)] == ["js"]
