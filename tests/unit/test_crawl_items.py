"""Typed hand-offs of a crawl: the items a spider yields, the store pipeline's dispatch on their type, the
components built from the crawl's settings, and our MONITOR_* settings each declared once with its default.

Unit tests on the wiring alone (no crawl, no network); the crawl tests show the behaviour end to end."""

from __future__ import annotations

import ast
import dataclasses
import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from monitor.crawl.runner import RunTarget, StorePipeline
from monitor.model import (
    CRAWL_ITEMS,
    ItemFacts,
    ListItem,
    MessageFacts,
    MessageItem,
    NetworkItem,
    PageItem,
    ReportDocumentItem,
    ReuseItem,
    SearchItem,
)
from monitor.model import items as items_module
from spiders import settings as crawl_defaults
from spiders.revalidate import LightPath, PaceMiddleware, Pacer, PrefetchedMiddleware
from spiders.site import SiteSpider

ROOT = Path(__file__).resolve().parents[2]


def test_every_crawl_item_type_has_one_store_handler():
    declared = {
        obj
        for obj in vars(items_module).values()
        if dataclasses.is_dataclass(obj) and obj.__module__ == items_module.__name__
    }
    assert declared == set(CRAWL_ITEMS)
    assert set(StorePipeline.HANDLERS) == set(CRAWL_ITEMS)


def _pipeline(light=None) -> StorePipeline:
    crawler = SimpleNamespace(get_extension=lambda cls: light if cls is LightPath else None)
    pipe = StorePipeline(
        crawler, RunTarget(store=None, run_id=7, site_key="s", previous_run=3), batch_size=10**9, flush_seconds=10**9
    )
    pipe.open_spider()
    return pipe


def test_the_pipeline_stores_each_item_by_its_type():
    pipe = _pipeline()
    home = "http://x.gov.cn/"
    lst = ListItem(
        role="column",
        column_url=home + "gzdt/",
        page_url=home + "gzdt/",
        name="工作\x00动态",
        column_type="动态要闻",
        items=[
            ItemFacts(
                url=home + "a.html", title="标题", date=date(2026, 11, 20), date_text="2026-11-20", date_source="list"
            )
        ],
        empty=False,
        how="structure",
    )
    page = PageItem(
        page={"url": home + "gzdt/", "status": 200, "title": "工作动态\x00"},
        links=[
            {"source_url": home + "gzdt/", "target_url": home + "a.html", "anchor_text": "标\x01题"},
            {
                "source_url": home + "gzdt/",
                "target_url": home + "b.html",
                "anchor_text": "正文",
                "on_home": False,
                "fragment": None,
            },
        ],
        lists=[lst],
    )
    for item in (
        page,
        ReuseItem(url=home, how="304", elapsed_ms=5, etag='"e"', last_modified=None),
        MessageItem(
            MessageFacts(
                column_url=home + "xx/",
                page_url=home + "xx/",
                url=None,
                title="来信",
                asked=date(2026, 1, 2),
                status="已回复",
            )
        ),
        SearchItem({"page_url": home, "kind": "none"}),
        NetworkItem(url="http://ref.example/", status=None, error_kind="dns", error_detail="x"),
        ReportDocumentItem(url=home + "nb.html", title="2025年度报告", published=None, body="<p>表\x00</p>"),
    ):
        assert pipe.process_item(item) is item
    buf = pipe.writer.buffers
    (row,) = buf["page"]
    assert row["title"] == "工作动态" and row["run_id"] == 7 and row["fetched_at"] is not None
    # the page's links stored with it, cleaned of the control character as the page's title is
    assert [(link[0], link[1]) for link in json.loads(row["links"])] == [
        (home + "a.html", "标题"),
        (home + "b.html", "正文"),
    ]
    (lp,) = buf["list_page"]
    assert (
        lp["name"] == "工作动态"
        and lp["how"] == "structure"
        and lp["items"]
        == [
            {
                "url": home + "a.html",
                "title": "标题",
                "date": "2026-11-20",
                "date_text": "2026-11-20",
                "date_source": "list",
            }
        ]
    )
    assert pipe.writer.reused == [{"url": home, "how": "304", "elapsed_ms": 5, "etag": '"e"', "last_modified": None}]
    (msg,) = buf["message"]
    assert msg["title"] == "来信" and msg["asked"] == date(2026, 1, 2) and msg["status"] == "已回复"
    assert [(r["kind"], r["page_url"]) for r in buf["search_check"]] == [("none", home)]
    assert pipe.reference == [("http://ref.example/", "dns")]
    (doc,) = buf["report_document"]
    assert doc["body"] == "<p>表</p>" and doc["title"] == "2025年度报告"


def test_an_item_of_no_known_type_is_refused_not_dropped():
    pipe = _pipeline()
    with pytest.raises(TypeError, match="dict"):
        pipe.process_item({"kind": "page", "page": {}, "links": []})


def test_the_light_path_stores_through_the_pipeline_only_while_it_is_open():
    crawler = get_crawler(SiteSpider, {"MONITOR_PACE_DELAY": 0.25})
    light = LightPath.from_crawler(crawler)
    pipe = _pipeline(light)
    assert light.item_sink == pipe.process_item
    light.emit(NetworkItem(url="http://ref.example/", status=200, error_kind=None))
    assert pipe.reference == [("http://ref.example/", None)]
    pipe.failed = "stop"  # close_spider stores nothing more once the run failed
    pipe.close_spider()
    assert light.item_sink is None
    light.emit(NetworkItem(url="http://other.example/", status=200, error_kind=None))  # dropped, not raised
    assert len(pipe.reference) == 1


def test_pace_and_light_path_are_built_from_the_crawl_settings():
    with pytest.raises(NotConfigured):  # no shared pace: Scrapy's own per-slot delay applies
        LightPath.from_crawler(get_crawler(SiteSpider))
    crawler = get_crawler(SiteSpider, {"MONITOR_PACE_DELAY": 0.25, "CONCURRENT_REQUESTS_PER_DOMAIN": 3})
    light = LightPath.from_crawler(crawler)
    assert isinstance(light.pacer, Pacer) and (light.pacer.concurrency, light.pacer.delay) == (3, 0.25)
    pool = LightPath.from_crawler(
        get_crawler(
            SiteSpider,
            {
                "MONITOR_PACE_DELAY": 0.5,
                "MONITOR_PACE_CONCURRENCY": 2,
                "MONITOR_PACE_REDIS": "redis://127.0.0.1:1/0",
                "MONITOR_PACE_NAMESPACE": "t",
            },
        )
    )
    assert type(pool.pacer).__name__ == "RedisPacer" and (pool.pacer.concurrency, pool.pacer.namespace) == (2, "t")

    found = SimpleNamespace(get_extension=lambda cls: light)
    assert PaceMiddleware.from_crawler(found).pacer is light.pacer
    assert PrefetchedMiddleware.from_crawler(found).light is light
    for middleware in (PaceMiddleware, PrefetchedMiddleware):
        with pytest.raises(NotConfigured):
            middleware.from_crawler(SimpleNamespace(get_extension=lambda cls: None))

    # no previous run, or reuse off: the pace alone, no light path
    light.item_sink = print
    light.spider_opened(SimpleNamespace(previous=None))
    assert light.revalidator is None
    off = LightPath.from_crawler(get_crawler(SiteSpider, {"MONITOR_PACE_DELAY": 0.25, "MONITOR_REUSE_ENABLED": False}))
    off.item_sink = print
    off.spider_opened(SimpleNamespace(previous=object()))
    assert off.revalidator is None


_GETTERS = {
    "get",
    "getint",
    "getfloat",
    "getbool",
    "getlist",
    "getdict",
    "getdictorlist",
    "getwithbase",
    "getpriority",
    "set",
    "setdefault",
}


def _setting_reads() -> list[tuple[str, int, str, ast.Call]]:
    """Every call ``<settings>.get…("MONITOR_…")`` / ``.set("MONITOR_…")`` in the code (not os.environ's)."""
    out = []
    for folder in ("monitor", "spiders", "rules", "reports"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if '"MONITOR_' not in text:
                continue
            for node in ast.walk(ast.parse(text)):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _GETTERS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and node.args[0].value.startswith("MONITOR_")
                ):
                    continue
                receiver = ast.unparse(node.func.value)
                if receiver.endswith("environ"):
                    continue  # an environment variable, not a Scrapy setting
                out.append((str(path.relative_to(ROOT)), node.lineno, node.args[0].value, node))
    return out


def test_every_monitor_setting_read_is_declared_once_with_its_default():
    reads = _setting_reads()
    assert len(reads) >= 20, "the scan finds the settings the crawl reads"
    declared = crawl_defaults.monitor_defaults
    undeclared = [(f, line, name) for f, line, name, _ in reads if name not in declared]
    assert not undeclared, f"MONITOR_* settings read without a default in spiders/settings.py: {undeclared}"
    restated = [
        (f, line, name)
        for f, line, name, call in reads
        if call.func.attr.startswith("get") and (len(call.args) > 1 or call.keywords)
    ]
    assert not restated, f"a default restated where the setting is read (declare it once instead): {restated}"
    unused = set(declared) - {name for *_, name, _ in reads}
    assert not unused, f"declared but never read: {sorted(unused)}"
    # declared once: not also as a module-level setting of its own in spiders/settings.py
    tree = ast.parse((ROOT / "spiders" / "settings.py").read_text(encoding="utf-8"))
    assert not [
        t.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name) and t.id.startswith("MONITOR_")
    ]


def test_every_crawl_has_the_declared_defaults_and_the_module_overrides_them(monkeypatch):
    settings = crawl_defaults.crawl_settings()
    for name, value in crawl_defaults.monitor_defaults.items():
        assert settings.get(name) == value, name
    assert get_crawler(SiteSpider).settings.getint("MONITOR_BATCH_SIZE") == 500  # any crawler of the spider
    monkeypatch.setattr(crawl_defaults, "MONITOR_FLUSH_SECONDS", 0.05, raising=False)
    assert crawl_defaults.crawl_settings().getfloat("MONITOR_FLUSH_SECONDS") == 0.05
