"""JavaScript-filled lists rendered in the real Chromium, and only where needed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from monitor.crawl.browser import CHROMIUM
from monitor.demo.variants import JS_COLUMN, newest_js_date, use_js_variant
from tests.conftest import DEMO_DAY, findings_json, need_service, run_monitor
from tests.integration.test_demo_end_to_end import _expected, _planted_key
from tests.integration.test_reuse import write_config

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium_watch(tmp_path: Path):
    """MONITOR_CHROMIUM pointing at a wrapper that notes each launch, then runs the real Chromium."""
    if not os.access(CHROMIUM, os.X_OK):
        need_service(f"Chromium not installed at {CHROMIUM}")
    # as root the browser runs as an unprivileged user (spiders.chromium): it must reach the wrapper and
    # leave its mark, so both live outside pytest's private tmp_path
    watch = Path(tempfile.mkdtemp(prefix="monitor-chromium-watch-"))
    watch.chmod(0o777)
    marker = watch / "chromium-launches.txt"
    wrapper = watch / "chromium-wrapper.sh"
    wrapper.write_text(f'#!/bin/sh\necho launched >> "{marker}"\nexec {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    yield {"MONITOR_CHROMIUM": str(wrapper)}, marker
    shutil.rmtree(watch, ignore_errors=True)


def test_script_filled_column_is_rendered_and_its_items_stored(tmp_path, demo_server, chromium_watch):
    env, marker = chromium_watch
    use_js_variant(demo_server, DEMO_DAY)
    cfg = write_config(tmp_path, demo_server.home)
    for cmd in ("crawl", "check"):
        out = run_monitor("-c", str(cfg), cmd, "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path, env=env)
        assert out.returncode == 0, out.stderr
    assert marker.exists()  # the browser was started for the script-filled list

    con = sqlite3.connect(tmp_path / "m.db")
    col_url = demo_server.base + JS_COLUMN.path
    count = con.execute("select item_count from columns where url=?", (col_url,)).fetchone()
    assert count == (len(demo_server.site.js_items()),)
    newest = con.execute("select max(date) from column_items where column_url=?", (col_url,)).fetchone()[0]
    assert newest == newest_js_date(DEMO_DAY).isoformat()
    rendered = con.execute("select url from pages where rendered=1").fetchall()
    assert rendered == [(col_url + "index.html",)]  # only that page went through the browser
    assert con.execute("select pages_rendered from crawl_runs").fetchone() == (1,)
    # its articles were reached through the rendered links
    assert con.execute("select count(*) from pages where url like ? and status=200", (col_url + "2%",)).fetchone()[
        0
    ] == len(demo_server.site.js_items())
    con.close()
    # fresh and complete: nothing planted beyond the demo's own problems
    rows = findings_json(f"sqlite:///{tmp_path / 'm.db'}", tmp_path)
    assert {(r["rule"], _planted_key(r["url"])) for r in rows} == _expected()


def test_plain_crawl_never_starts_a_browser(tmp_path, demo_server, chromium_watch):
    env, marker = chromium_watch
    cfg = write_config(tmp_path, demo_server.home)
    out = run_monitor("-c", str(cfg), "crawl", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert not marker.exists()
    con = sqlite3.connect(tmp_path / "m.db")
    assert con.execute("select status, pages_rendered from crawl_runs").fetchone() == ("finished", 0)
    assert con.execute("select count(*) from pages where rendered=1").fetchone() == (0,)


def test_column_set_to_render_in_browser_is_requested_through_playwright():
    from spiders.site import SiteSpider

    spider = SiteSpider(home="http://127.0.0.1:1/", browser=True, browser_urls=["http://127.0.0.1:1/xwzx/tpxw/"])
    listed = spider._request("http://127.0.0.1:1/xwzx/tpxw/index_1.html", depth=1)
    other = spider._request("http://127.0.0.1:1/tzgg/index.html", depth=1)
    assert listed.meta.get("playwright") is True and listed.meta["rendered"] is True
    assert not other.meta.get("playwright")
    off = SiteSpider(home="http://127.0.0.1:1/", browser=False, browser_urls=["http://127.0.0.1:1/xwzx/tpxw/"])
    assert not off._request("http://127.0.0.1:1/xwzx/tpxw/index.html", depth=1).meta.get("playwright")
