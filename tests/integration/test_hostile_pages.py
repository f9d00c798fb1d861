"""Crawled content is untrusted: it is escaped in the notice and never steers the crawler out of scope."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_DAY, findings_json, run_monitor
from tests.loopback import LoopbackServer

HOSTILE = "<script>alert(1)</script>"


def _serve(pages: dict[str, bytes]) -> LoopbackServer:
    return LoopbackServer(lambda path, _srv: (200, {}, pages[path]) if path in pages else (404, {}, b"not here"))


@pytest.fixture
def hostile_site():
    outside = _serve(
        {
            "/": b"<html><body><a href='/deeper.html'>deeper</a></body></html>",
            "/deeper.html": b"<html><body>must never be fetched</body></html>",
        }
    )
    port = outside.port
    home = (
        f"<html><head><title>{HOSTILE}</title></head><body>"
        "<a href='/missing.html'>&lt;script&gt;alert(1)&lt;/script&gt;</a>"
        f"<a href='http://127.0.0.1:{port}/'>outside</a>"
        f"<a href='javascript:alert(2)'>js</a><img src='data:image/png;base64,AAAA'>"
        "</body></html>"
    ).encode()
    site = _serve({"/": home})
    yield site, outside
    for s in (site, outside):
        s.close()


def test_hostile_anchor_text_is_escaped_and_scope_holds(tmp_path, hostile_site):
    site, outside = hostile_site
    url = f"http://127.0.0.1:{site.port}/"
    db = f"sqlite:///{tmp_path / 'h.db'}"
    out = run_monitor(
        "--db",
        db,
        "crawl",
        "--url",
        url,
        "--delay",
        "0",
        "--as-of",
        DEMO_DAY.isoformat(),
        "--allow-private-network",
        cwd=tmp_path,
    )
    assert out.returncode == 1, out.stderr  # the broken /missing.html
    rows = findings_json(db, tmp_path, "--rule", "W-S1")
    assert [r["url"] for r in rows] == [url + "missing.html"]
    assert HOSTILE in rows[0]["evidence"]  # stored as the fact it is…

    import sqlite3

    fetched = {u for (u,) in sqlite3.connect(tmp_path / "h.db").execute("select url from pages")}
    other = f"http://127.0.0.1:{outside.port}/"
    assert other in fetched  # the external link is checked once…
    assert other + "deeper.html" not in fetched  # …and never crawled beyond

    cfg = tmp_path / "sites.yaml"
    key = f"127.0.0.1_{site.port}"
    cfg.write_text(
        f"organisation: {{name: 县政府办}}\nsites:\n  - key: {key}\n    name: 测试站\n    home: {url}\n"
        f"    unit: 县政府办\nstorage: {{url: '{db}', notices_dir: '{tmp_path / 'out'}'}}\n",
        encoding="utf-8",
    )
    out = run_monitor(
        "-c", str(cfg), "report", "--month", "2026-11", "--as-of", DEMO_DAY.isoformat(), "--issue", cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    notice = (tmp_path / "out" / "督查通报-2026-11.html").read_text(encoding="utf-8")
    assert HOSTILE not in notice  # …but rendered as text, never as markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in notice
