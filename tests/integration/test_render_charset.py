"""A Chromium render never replaces a good decode with mojibake: the browser is fed the page's bytes with the
charset we decided, and a render whose text reads worse than our raw decode is kept out."""

from __future__ import annotations

import os
import sqlite3

import pytest
from scrapy.http import HtmlResponse, Request

from monitor.crawl.browser import CHROMIUM
from spiders.encoding import text_quality
from spiders.site import SiteSpider
from tests.conftest import DEMO_DAY, need_service, run_monitor
from tests.local_http import serve, sites_yaml

STATIC = "《中国政府网》关于做好全县防汛工作的通知，各乡镇人民政府要切实加强领导。"
ITEM = "县政府召开常务会议研究部署防汛工作"


def list_page(head: str) -> bytes:
    """A column list a script fills in, served as UTF-8 bytes under ``head`` (no charset, or a wrong one)."""
    html = (
        f"<html><head>{head}<title>通知公告</title></head><body><p>{STATIC}</p><ul class='list'></ul>"
        "<script>document.querySelector('.list').innerHTML = "
        f"'<li><a href=\"/art/1.html\">{ITEM}</a><span>2026-11-20</span></li>';</script></body></html>"
    )
    return html.encode("utf-8")


def test_rendered_pages_keep_the_charset_we_decided(tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        need_service(f"Chromium not installed at {CHROMIUM}")

    def route(path, server):
        if path == "/":
            return (
                200,
                {},
                (
                    "<html><head><meta charset='utf-8'><title>示例县</title></head><body>"
                    "<a href='/nocharset/'>通知公告</a><a href='/gb/'>政策文件</a></body></html>"
                ),
            )
        if path == "/nocharset/":  # no charset in the header nor in the page
            return 200, {"Content-Type": "text/html"}, list_page("")
        if path == "/gb/":  # declares GB2312, but the bytes are UTF-8
            return (
                200,
                {"Content-Type": "text/html"},
                list_page("<meta http-equiv='Content-Type' content='text/html; charset=gb2312'>"),
            )
        return 200, {}, "<html><head><meta charset='utf-8'><title>文章</title></head><body>正文</body></html>"

    with serve(route) as srv:
        cfg = sites_yaml(tmp_path / "sites.yaml", [{"key": "s", "home": srv.url("/")}])
        out = run_monitor(
            "-c", cfg, "--db", f"sqlite:///{tmp_path / 'm.db'}", "crawl", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path
        )
        assert out.returncode == 0, out.stderr
    con = sqlite3.connect(tmp_path / "m.db")
    rows = dict(con.execute("select url, text from pages where rendered=1").fetchall())
    con.close()
    assert set(rows) == {srv.url("/nocharset/"), srv.url("/gb/")}  # both went through Chromium …
    for url, text in rows.items():  # … and read right: the static text and what the script wrote
        assert STATIC in text and ITEM in text, (url, text[:80])


def test_a_render_that_reads_worse_than_the_raw_decode_is_kept_out():
    good = list_page("")
    raw = HtmlResponse(
        "http://x.example/l/", body=good, headers={"Content-Type": "text/html"}, request=Request("http://x.example/l/")
    )
    garbled = good.decode("utf-8").encode("utf-8").decode("latin-1").encode("utf-8")  # UTF-8 read as Latin-1
    worse = HtmlResponse(
        "http://x.example/l/",
        body=garbled,
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=Request("http://x.example/l/"),
    )
    assert not SiteSpider._render_as_good(worse, raw)
    assert SiteSpider._render_as_good(raw, raw)
    assert text_quality(STATIC) == 1.0 and text_quality(STATIC.encode("utf-8").decode("latin-1")) < 0.2
    assert text_quality(STATIC.encode("utf-8").decode("gbk", "replace")) < 0.5


@pytest.mark.parametrize(
    "codec,label", [("gb18030", "gb18030"), ("cp1252", "windows-1252"), ("big5hkscs", "big5"), ("utf-8", "utf-8")]
)
def test_web_charset_labels(codec, label):
    from spiders.render import web_charset

    assert web_charset(codec) == label
