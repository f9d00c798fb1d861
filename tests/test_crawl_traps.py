"""Crawler traps: an infinite calendar, session ids in links, and pages steering the crawler off its scope."""
from __future__ import annotations

import sqlite3
import uuid
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from spiders.site import canonical
from tests.conftest import run_monitor
from tests.local_http import page, serve, sites_yaml

CAP = 12


def _calendar(query: str) -> str:
    day = date.fromisoformat(parse_qs(query)["date"][0])
    nxt = "".join(f"<a href='/calendar?view=day&date={day + timedelta(days=n)}'>{n}</a> " for n in (1, 2, 3))
    return page(f"日历 {day}", nxt + "<a href='/'>首页</a>")


def make_route(other_hosts: list[str]):
    def route(path: str, srv):
        parts = urlsplit(path)
        if parts.path == "/":
            sess = uuid.uuid4().hex  # a new session id on every visit, as a careless portal does
            hostile = "".join(f"<a href='{h}/'>外站</a> <a href='{h}/deep.html'>外站深处</a>" for h in other_hosts)
            return 200, {}, page("首页", f"""
                <a href='/calendar?date=2026-01-01&view=day'>日历</a>
                <a href='/news.html;jsessionid={sess}'>新闻</a>
                <a href='/news.html?PHPSESSID={sess}'>新闻（会话）</a>
                <a href='/list.html?sid={sess}&page=2'>列表</a><a href='/list.html?page=2'>列表2</a>
                {hostile}""")
        if parts.path == "/calendar":
            return 200, {}, _calendar(parts.query)
        if parts.path in ("/news.html", "/list.html", "/deep.html"):
            return 200, {}, page(parts.path, "<a href='/deep.html'>更深</a> <a href='/'>首页</a>")
        return 404, {}, page("404", "")
    return route


@pytest.fixture(scope="module")
def trap_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("traps")
    # a second loopback address and a second port on the same address: neither is in scope
    with serve(make_route([]), host="127.0.0.2") as other_ip, serve(make_route([])) as other_port:
        hosts = [other_ip.base, other_port.base]
        with serve(make_route(hosts)) as srv:
            cfg = sites_yaml(tmp / "sites.yaml", [{"key": "trap", "home": srv.url("/")}], max_depth=200,
                             max_pages=1000, max_urls_per_pattern=CAP)
            db = tmp / "m.db"
            out = run_monitor("-c", cfg, "--db", f"sqlite:///{db}", "crawl", cwd=tmp, timeout=120)
            assert out.returncode == 0, out.stderr
            yield {"db": db, "srv": srv, "other_ip": other_ip, "other_port": other_port,
                   "hits": dict(srv.hits), "other_hits": (dict(other_ip.hits), dict(other_port.hits))}


def test_calendar_loop_is_capped_per_url_pattern(trap_crawl):
    con = sqlite3.connect(trap_crawl["db"])
    cal = [u for (u,) in con.execute("select url from pages where url like '%/calendar?%'")]
    assert len(cal) == CAP and len(set(cal)) == CAP
    assert trap_crawl["hits"]["/calendar"] == CAP
    # capped URLs are still recorded as links (facts), just not crawled
    linked = {u for (u,) in con.execute("select distinct target_url from links where target_url like '%/calendar?%'")}
    assert len(linked) > CAP
    # query parameters are sorted: the home link ?date=…&view=day is the same URL as ?view=day&date=…
    assert all(urlsplit(u).query.startswith("date=") for u in cal)


def test_session_ids_do_not_make_new_pages(trap_crawl):
    con = sqlite3.connect(trap_crawl["db"])
    news = [u for (u,) in con.execute("select url from pages where url like '%/news.html%'")]
    assert news == [trap_crawl["srv"].url("/news.html")]
    lists = [u for (u,) in con.execute("select url from pages where url like '%/list.html%'")]
    assert lists == [trap_crawl["srv"].url("/list.html?page=2")]
    assert trap_crawl["hits"]["/news.html"] == 1 and trap_crawl["hits"]["/list.html"] == 1
    targets = {u for (u,) in con.execute("select target_url from links")}
    assert not any("jsessionid" in u.lower() or "phpsessid" in u.lower() or "sid=" in u for u in targets)


def test_hostile_links_to_another_ip_or_port_are_checked_once_never_crawled(trap_crawl):
    con = sqlite3.connect(trap_crawl["db"])
    for other in (trap_crawl["other_ip"], trap_crawl["other_port"]):
        rows = con.execute("select url, status, is_external from pages where url like ?",
                           (other.base + "/%",)).fetchall()
        assert sorted(r[0] for r in rows) == [other.url("/"), other.url("/deep.html")]
        assert all(r[1] == 200 and r[2] == 1 for r in rows)
        # never parsed: nothing was recorded as linked from there
        assert con.execute("select count(*) from links where source_url like ?", (other.base + "/%",)).fetchone()[0] == 0
    ip_hits, port_hits = trap_crawl["other_hits"]
    assert ip_hits == {"/": 1, "/deep.html": 1} and port_hits == {"/": 1, "/deep.html": 1}


def test_canonical_urls():
    assert canonical("http://A.Gov.CN") == "http://a.gov.cn/"
    assert canonical("http://a.gov.cn:80/x.html;jsessionid=AB12?b=2&a=1#part") == "http://a.gov.cn/x.html?a=1&b=2"
    assert canonical("http://a.gov.cn/s?q=%E4%B8%AD&PHPSESSID=1&sid=2") == "http://a.gov.cn/s?q=%E4%B8%AD"
    assert canonical("http://a.gov.cn/index.jsp?123") == "http://a.gov.cn/index.jsp?123"
    assert canonical("http://127.0.0.1:8080/a") == "http://127.0.0.1:8080/a"
