"""What Scrapy's per-response callback check (WARN_ON_GENERATOR_RETURN_VALUE, switched off in spiders/settings.py
because it re-parses the callback's source for every page) would have caught, checked once here: no generator
method of our spider returns a value, which Scrapy would silently drop."""

from __future__ import annotations

import inspect

from scrapy.utils.misc import is_generator_with_return_value

from spiders import settings
from spiders.site import SiteSpider


def test_the_per_response_check_is_off_and_done_here_once():
    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False
    generators = [
        fn
        for cls in SiteSpider.__mro__
        if cls.__module__.startswith("spiders.")
        for fn in vars(cls).values()
        if inspect.isgeneratorfunction(fn)
    ]
    assert len(generators) >= 1  # the spider's callbacks are generators
    assert [fn.__qualname__ for fn in generators if is_generator_with_return_value(fn)] == []


def test_the_check_would_catch_a_generator_that_returns_a_value():
    def callback(response):
        yield response
        return "lost"

    assert is_generator_with_return_value(callback)


def test_the_crawl_counts_statuses_and_errors_without_scrapys_byte_counting():
    from scrapy import Request
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from spiders.stats import PlainStats, StatusCounts

    ours = settings.crawl_settings()
    crawler = get_crawler(settings_dict={"STATS_CLASS": ours["STATS_CLASS"]})  # no reactor here: the stats need none
    assert type(crawler.stats) is PlainStats
    mws = ours.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert mws["scrapy.downloadermiddlewares.stats.DownloaderStats"] is None
    assert mws["spiders.stats.StatusCounts"] == 850
    counts = StatusCounts.from_crawler(crawler)
    req = Request("http://127.0.0.1/a")
    for status in (200, 404, 200):
        counts.process_request(req)
        assert counts.process_response(req, Response(req.url, status=status)) is not None
    counts.process_exception(req, TimeoutError())
    stats = crawler.stats.get_stats()
    assert stats["downloader/request_count"] == 3 and stats["downloader/response_count"] == 3
    assert stats["downloader/response_status_count/200"] == 2
    assert stats["downloader/response_status_count/404"] == 1
    assert stats["downloader/exception_count"] == 1
    assert stats["downloader/exception_type_count/builtins.TimeoutError"] == 1


def test_a_page_without_a_meta_refresh_is_passed_on_without_a_second_decode(monkeypatch):
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils import response as scrapy_response
    from scrapy.utils.test import get_crawler

    from spiders import refresh

    mw = refresh.SelfRefreshAwareMiddleware.from_crawler(get_crawler(settings_dict={"METAREFRESH_IGNORE_TAGS": []}))
    decoded = []
    real = scrapy_response.get_meta_refresh
    monkeypatch.setattr(refresh, "get_meta_refresh", lambda r, **kw: decoded.append(r.url) or real(r, **kw))

    def page(url: str, head: str, encoding: str = "utf-8") -> HtmlResponse:
        body = f"<html><head>{head}<title>通知</title></head><body>{'正文' * 5000}</body></html>"
        return HtmlResponse(url, body=body.encode(encoding), encoding=encoding)

    req = Request("http://127.0.0.1/a.html")
    plain = page(req.url, "<meta charset='utf-8'>")
    assert mw.process_response(req, plain) is plain and decoded == []
    # any case of the word, in GBK, and in UTF-16 (NUL bytes: left to the full check): still followed
    for head, enc in [
        ("<META HTTP-EQUIV='ReFresh' CONTENT='0;url=/b.html'>", "utf-8"),
        ("<meta http-equiv='refresh' content='0;url=/b.html'>", "gbk"),
        ("<meta http-equiv='refresh' content='0;url=/b.html'>", "utf-16"),
    ]:
        out = mw.process_response(req, page(req.url, head, enc))
        assert isinstance(out, Request) and out.url.startswith("http://127.0.0.1/b.html"), (head, enc)
    assert len(decoded) == 3
    assert not refresh.may_refresh(plain.body) and refresh.may_refresh(b"<meta http-equiv=REFRESH>")
    assert refresh.may_refresh("<html>".encode("utf-16"))


def test_facts_go_to_the_store_sink_and_a_failing_sink_loses_no_request():
    from types import SimpleNamespace

    import scrapy
    from scrapy import signals
    from scrapy.http import HtmlResponse
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from monitor.model import PageItem

    page = '<html><head><title>首页</title></head><body><a href="/a.html">甲</a><a href="/b.html">乙</a></body></html>'

    def run(sink):
        spider = SiteSpider(site_key="t", home="http://127.0.0.1:8999/")
        sent: list = []
        crawler = SimpleNamespace(
            item_sink=sink,
            stats=MemoryStatsCollector(SimpleNamespace(settings=Settings())),
            signals=SimpleNamespace(send_catch_log=lambda signal, **kw: sent.append((signal, kw["item"]))),
        )
        spider.crawler = crawler  # type: ignore[attr-defined]
        request = spider._request(spider.home, depth=0)
        response = HtmlResponse(
            url=spider.home, body=page.encode(), headers={"Content-Type": "text/html; charset=utf-8"}, request=request
        )
        return list(spider.on_response(response)), sent, crawler.stats

    stored: list = []
    out, sent, stats = run(stored.append)
    assert [type(o) for o in out] == [scrapy.Request, scrapy.Request]  # the facts did not go through Scrapy
    assert type(stored[0]) is PageItem and stored[0].page["title"] == "首页"
    assert sent == [(signals.item_scraped, i) for i in stored]  # the progress line and Scrapy's count hear of each

    def broken(item):
        raise RuntimeError("disk full")

    out, sent, stats = run(broken)
    assert [type(o) for o in out] == [scrapy.Request, scrapy.Request]  # the page's links are still followed
    assert sent == [] and stats.get_value("store/item_failed") == len(stored)

    out, sent, stats = run(None)  # no store: the facts are yielded as before
    assert [type(o) for o in out] == [*(type(i) for i in stored), scrapy.Request, scrapy.Request]
