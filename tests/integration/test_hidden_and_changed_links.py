"""暗链 (W-V9b) and 外链变异 (W-S15): the facts the spider records, the rules on hand-built facts, and both
end to end through a crawl of a local site that links a hijacked partner domain."""

from __future__ import annotations

import json

from parsel import Selector

from monitor.model import LinkFacts, PageFacts
from spiders.hidden import hidden_hrefs
from tests.conftest import DEMO_DAY, run_monitor
from tests.local_http import page, serve, sites_yaml
from tests.unit.test_rules_website import HOME, run, site

CASINO = "http://casino.example/"


def test_hidden_hrefs_reads_inline_hiding_only():
    html = """<html><body>
      <div style="display: none"><a href="http://casino.example/">澳门赌场</a></div>
      <div style="position:absolute;left:-9999px"><p><a href="/offscreen">x</a></p></div>
      <span style="font-size:0px"><a href="/tiny">z</a></span><div hidden><a href="/attr">h</a></div>
      <p style="font-size:0.8em"><a href="/small">visible</a></p>
      <div style="margin:0 -5px"><a href="/margin">visible</a></div><a href="/plain">visible</a>
    </body></html>"""
    assert hidden_hrefs(Selector(text=html)) == {CASINO, "/offscreen", "/tiny", "/attr"}
    assert hidden_hrefs(Selector(text=html), html=html) == {CASINO, "/offscreen", "/tiny", "/attr"}
    plain = "<html><body><a href='/a' class='hidden-xs'>a</a></body></html>"  # no hiding wording: not walked
    assert hidden_hrefs(Selector(text=plain), html=plain) == frozenset()


def test_hidden_external_link_is_reported_only_with_wording_or_a_black_hat_pattern():
    links = [
        LinkFacts(HOME + "a.html", CASINO, "澳门新葡京", is_external=True, hidden=True),
        LinkFacts(HOME + "b.html", CASINO, "", is_external=True, hidden=True),
        LinkFacts(HOME + "a.html", "http://seo-spam.example/x", "广告", is_external=True, hidden=True),
        LinkFacts(HOME, "http://www.other.gov.cn/", "部门网站", is_external=True, hidden=True),
        LinkFacts(HOME, HOME + "menu.html", "下拉菜单", hidden=True),
        LinkFacts(HOME, "http://visible.example/", "友情链接", is_external=True),
    ]
    out = {o.subject: o for o in run("W-V9b", site(links=links))}
    # a lone hidden link with a plain text and no hiding pattern is no 暗链 (a CMS credit, a 找错 link …)
    assert set(out) == {CASINO}
    casino = out[CASINO]
    assert casino.facts["sources"] == [HOME + "a.html", HOME + "b.html"] and casino.facts["words"] == ["澳门新葡京"]
    assert not casino.facts["needs_confirmation"] and "为暗链" in casino.evidence
    # a trusted domain hidden behind a gambling text is still reported
    sneaky = [LinkFacts(HOME, "http://www.other.gov.cn/", "六合彩开奖", is_external=True, hidden=True)]
    assert [o.facts["words"] for o in run("W-V9b", site(links=sneaky))] == [["六合彩"]]


def test_external_target_whose_title_turned_to_gambling_is_reported_with_its_parents():
    partner = "http://old-partner.example/"
    pages = (
        PageFacts(url=HOME, status=200, is_home=True),
        PageFacts(
            url=partner,
            final_url="http://landing.example/",
            status=200,
            is_external=True,
            title="澳门新葡京娱乐场 注册送彩金",
        ),
        PageFacts(url="http://fine.example/", status=200, is_external=True, title="示例市人民政府"),
        PageFacts(url="http://gone.example/", status=404, is_external=True, title="澳门赌场"),
    )
    links = (
        LinkFacts(HOME, partner, "合作单位", on_home=True, is_external=True),
        LinkFacts(HOME + "yqlj.html", partner, "合作单位", is_external=True),
        LinkFacts(HOME, "http://fine.example/", "市政府", is_external=True),
    )
    out = run("W-S15", site(pages=pages, links=links))
    assert [o.subject for o in out] == [partner]
    assert out[0].facts["sources"] == [HOME, HOME + "yqlj.html"]
    assert out[0].facts["words"] == ["澳门新葡京", "注册送彩金"]
    assert "跳转到 http://landing.example/" in out[0].evidence


def test_crawl_finds_a_planted_hidden_link_and_a_hijacked_partner_domain(tmp_path):
    def partner(path, server):
        return 200, {}, page("澳门新葡京 真人娱乐城", "欢迎光临")

    with serve(partner) as hijacked:

        def site_route(path, server):
            if path == "/":
                return (
                    200,
                    {},
                    page(
                        "示例县人民政府",
                        f"<a href='/a.html'>要闻</a><a href='{hijacked.url('/')}'>友情链接：示例合作单位</a>",
                    ),
                )
            if path == "/a.html":
                return (
                    200,
                    {},
                    page("要闻", "正文<div style='display:none'><a href='http://casino.invalid/'>澳门赌场</a></div>"),
                )
            return 404, {}, page("404", "页面不存在")

        with serve(site_route) as srv:
            cfg = sites_yaml(tmp_path / "sites.yaml", [{"key": "s", "home": srv.url("/")}])
            db = f"sqlite:///{tmp_path / 'm.db'}"
            for cmd in ("crawl", "check"):
                out = run_monitor("-c", cfg, "--db", db, cmd, "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
                assert out.returncode in (0, 1), out.stderr
            out = run_monitor("--db", db, "findings", "--format", "json", cwd=tmp_path)
            assert out.returncode == 0, out.stderr
    rows = {r["rule"]: r for r in json.loads(out.stdout)}
    assert rows["W-V9b"]["subject"] == "http://casino.invalid/" and rows["W-V9b"]["url"] == srv.url("/a.html")
    assert rows["W-V9b"]["status"] == "待整改" and not rows["W-V9b"]["facts"]["needs_confirmation"]
    assert rows["W-S15"]["subject"] == hijacked.url("/") and rows["W-S15"]["facts"]["sources"] == [srv.url("/")]
