"""Security suite, crawler side (issue 14 items 1-3, 7): a hostile site never steers the crawl out of scope.

The canary stands for a service on the monitoring host's own network; it must receive no request.
"""

from __future__ import annotations

import sqlite3

import yaml

from tests.conftest import DEMO_DAY, findings_json, run_monitor
from tests.hostile_site import canary_route, hostile_route
from tests.local_http import page, refused_port, serve


def _config(tmp_path, sites: list[dict], **limits) -> str:
    data = {
        "organisation": {"name": "测试县人民政府办公室"},
        "units": [{"name": "测试单位"}],
        "sites": [
            {
                "key": s["key"],
                "name": s["key"],
                "home": s["home"],
                "unit": "测试单位",
                "limits": {"delay_seconds": 0, "concurrency_per_host": 8, "timeout_seconds": 5, **limits},
            }
            for s in sites
        ],
        "storage": {"url": f"sqlite:///{tmp_path / 'h.db'}", "notices_dir": str(tmp_path / "out")},
    }
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_hostile_site_cannot_reach_the_canary_or_local_files(tmp_path):
    closed = refused_port()
    with serve(canary_route) as canary, serve(lambda p, s: (404, {}, "")) as placeholder:
        route = hostile_route(canary, closed)
        with serve(route) as site:
            # a generous timeout: Chromium starts for the list page on a busy machine
            cfg = _config(
                tmp_path,
                [{"key": "evil", "home": site.url("/")}, {"key": "evilb", "home": site.url("/b/")}],
                timeout_seconds=20,
            )
            out = run_monitor("-c", cfg, "crawl", cwd=tmp_path, timeout=300)
            assert out.returncode == 0, out.stderr
            out = run_monitor("-c", cfg, "check", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
            assert out.returncode == 0, out.stderr
            site_hits = dict(site.hits)
        assert dict(canary.hits) == {}, f"the canary was reached: {dict(canary.hits)}"
    del placeholder
    assert site_hits.get("/list/", 0) >= 1 and site_hits.get("/away", 0) >= 1  # the hostile pages were read
    db = sqlite3.connect(tmp_path / "h.db")
    # the off-site and file:// search forms were recorded but never submitted
    checks = db.execute("select kind, action, error_kind, status from search_checks").fetchall()
    forms = {a: e for k, a, e, _ in checks if k == "form"}
    assert forms == {f"{canary.base}/search": "out_of_scope", "file:///etc/hostname": "out_of_scope"}
    assert not [c for c in checks if c[0] == "result"]
    # links to the canary and to a closed local port: recorded as links, refused alike, and no finding
    pages = {u: (st, ek) for u, st, ek in db.execute("select url, status, error_kind from pages")}
    assert pages[f"{canary.base}/secret"] == (None, "blocked")
    assert pages[f"http://127.0.0.1:{closed}/"] == (None, "blocked")
    assert not any("file:" in u for u in pages)
    # the list page was rendered in Chromium (whose script went for the canary, in vain)
    assert db.execute("select rendered from pages where url=?", (site.url("/list/"),)).fetchone() == (1,)
    # the zip-bomb attachments were refused unread, the crawl went on
    errors = dict(db.execute("select url, text_error from pages where url like '%bomb%'"))
    assert len(errors) == 2 and all("压缩炸弹" in (e or "") for e in errors.values()), errors
    titles = [t for (t,) in db.execute("select title from pages where title is not null")]
    assert not any("CANARY" in t for t in titles)
    rows = findings_json(f"sqlite:///{tmp_path / 'h.db'}", tmp_path, "--rule", "W-S1")
    broken = {r["url"] for r in rows}
    assert site.url("/missing.html") in broken  # the real broken link is still found
    assert not [u for u in broken if str(closed) in u or canary.base in u]


def test_allow_private_network_is_the_one_switch_for_loopback_links(tmp_path):
    with serve(lambda p, s: (200, {}, page("外部", "ok"))) as other:
        with serve(lambda p, s: (200, {}, page("首页", f"<a href='{other.url('/x')}'>外部</a>"))) as site:
            cfg = _config(tmp_path, [{"key": "s", "home": site.url("/")}])
            assert run_monitor("-c", cfg, "crawl", cwd=tmp_path).returncode == 0
            assert dict(other.hits) == {}
            (tmp_path / "h.db").unlink()
            cfg = _config(tmp_path, [{"key": "s", "home": site.url("/")}], allow_private_network=True)
            assert run_monitor("-c", cfg, "crawl", cwd=tmp_path).returncode == 0
            assert dict(other.hits) == {"/x": 1}  # checked once, with the documented switch on


def test_requests_and_external_checks_are_bounded(tmp_path):
    with serve(lambda p, s: (200, {}, page("外部", "ok"))) as other:
        many = "".join(f"<img src='/img/{i}.png'>" for i in range(300))
        many += "".join(f"<a href='{other.url(f'/e{i}')}'>外{i}</a>" for i in range(300))
        many += "".join(f"<a href='/p{i}.html'>页{i}</a>" for i in range(50))

        def route(path, srv):
            if path == "/":
                return 200, {}, page("首页", many)
            if path.startswith("/p"):
                return (
                    200,
                    {},
                    page(
                        "页", many[:2000] + "".join(f"<a href='{other.url(f'/q{path}{i}')}'>x</a>" for i in range(30))
                    ),
                )
            return 200, {"Content-Type": "image/png"}, b"png"

        with serve(route) as site:
            cfg = _config(
                tmp_path,
                [{"key": "s", "home": site.url("/")}],
                allow_private_network=True,
                max_pages=1,
                max_requests=60,
                max_external_checks=25,
                max_external_per_page=10,
            )
            out = run_monitor("-c", cfg, "crawl", cwd=tmp_path)
            assert out.returncode == 0, out.stderr
            total = sum(site.hits.values()) + sum(other.hits.values())
        assert total <= 60, total
        assert sum(other.hits.values()) <= 10  # one page crawled (max_pages=1): its 10 external checks
        assert "请求" in out.stderr and "上限 60" in out.stderr and "每页上限 10" in out.stderr, out.stderr


def test_external_checks_per_run_bound(tmp_path):
    with serve(lambda p, s: (200, {}, page("外部", "ok"))) as other:

        def route(path, srv):
            if path == "/":
                return 200, {}, page("首页", "".join(f"<a href='/p{i}.html'>页{i}</a>" for i in range(10)))
            return 200, {}, page("页", "".join(f"<a href='{other.url(f'/{path}/{i}')}'>x</a>" for i in range(10)))

        with serve(route) as site:
            cfg = _config(
                tmp_path,
                [{"key": "s", "home": site.url("/")}],
                allow_private_network=True,
                max_external_checks=15,
                max_external_per_page=5,
            )
            out = run_monitor("-c", cfg, "crawl", cwd=tmp_path)
            assert out.returncode == 0, out.stderr
        assert sum(other.hits.values()) == 15
        assert "因达到上限未检查" in out.stderr


def test_only_http_download_handlers():
    from monitor.config import parse_config
    from monitor.crawl.runner import scrapy_settings

    site = parse_config(
        {
            "organisation": {"name": "x"},
            "sites": [{"key": "s", "name": "s", "home": "http://127.0.0.1:1/", "unit": "u"}],
        }
    ).sites[0]
    from monitor.crawl.browser import apply_browser_settings

    for browser in (False, True):
        s = scrapy_settings(site)
        if browser:
            apply_browser_settings(s, timeout_seconds=5)
        handlers = s.getwithbase("DOWNLOAD_HANDLERS")
        assert all(handlers.get(k) is None for k in ("file", "ftp", "s3", "data")), handlers
