"""W-V9b on real markup: the benign hidden links of real government and news pages (login pop-ups, share
widgets, CMS credits, 找错 links, drop-down menus, social links) are never 暗链; planted ones are.

The links are extracted by the spider's own code (SiteSpider._links) and judged by the rule, as in a crawl."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
from parsel import Selector

from monitor.model import HiddenLink, LinkFacts, PageFacts, SiteFacts
from rules import get_rule
from spiders.encoding import decode_html
from spiders.site import SiteSpider
from tests.conftest import CORPUS, require_shared

TODAY = date(2026, 11, 30)
HOME = "http://www.xx.gov.cn/"
PAGE = HOME + "art/2026/11/1/art_1.html"


def judge(html: str, *, page: str = PAGE, home: str = HOME, titles: dict[str, str] | None = None):
    spider = SiteSpider(site_key="s", home=home)
    links, _ = spider._links(Selector(text=html), page, depth=1, on_home=False, html=html)
    facts = tuple(LinkFacts(**link) for link in links)
    pages = [PageFacts(url=page, status=200)] + [
        PageFacts(url=u, status=200, is_external=True, title=t) for u, t in (titles or {}).items()
    ]
    site = SiteFacts(
        site="s",
        site_name="示例",
        unit="县政府办",
        home_url=home,
        run_id=1,
        crawled_at=datetime(2026, 11, 30),
        pages=tuple(pages),
        links=facts,
    )
    entry = get_rule("W-V9b")
    return facts, {o.subject: o for o in entry.check(site, today=TODAY, t=entry.rule.thresholds_with(None))}


def body(inner: str) -> str:
    return f"<html><head><title>示例</title></head><body><div class='main'>正文</div>{inner}</body></html>"


BENIGN = {
    "login pop-up": """<div data-role="login-pop" class="pop-layer login-pop" style="display:none;"><ul>
        <li><a href="https://passport.sso-example.com/fe/forgetPassword">忘记密码</a></li>
        <li><a href="https://m.sso-example.com/ucenter/WapService">用户服务协议</a></li>
        <li><a href="https://privacy.other-example.net/">隐私政策</a></li></ul></div>""",
    "bShare widget": """<div id="bsPanelHolder"><div id="bsPanel" style="display:none;">
        <div class="bsTitle"><a class="bsSiteLink" href="http://www.bshare.cn/intro">分享到</a></div>
        <div class="bsClear"></div><div id="bsPower"><a class="bsSiteLink" href="http://www.bshare.cn">b Share</a>
        </div></div></div>""",
    "CMS credit": """<a href="http://www.hanweb.com" style="display:none">Produced By 大汉网络 大汉版通发布系统</a>""",
    "找错 link": """<div class="footer"><a style="display:none;"
        href="http://121.43.68.40/exposure/jiucuo.html?site_code=3300000020&url=http%3A%2F%2Fwww.xx.gov.cn%2F">
        <img style="display:none;" src="/jiucuo.png"></a></div>""",
    "drop-down menu": """<ul><li><a href="/">首页</a><ul style="display:none">
        <li><a href="http://www.city-a.example/">市人民政府</a></li><li><a href="http://www.bureau-b.example/">发改委</a></li>
        <li><a href="http://www.agency-c.example/">统计局</a></li><li><a href="http://www.d-example.org/">政务服务网</a></li>
        </ul></li></ul>""",
    "social links": """<div style="display: none;"><div class="twitter"><a href="https://twitter.com/xx_gov"></a></div>
        <div class="facebook"><a href="https://www.facebook.com/xxgov"></a></div>
        <a href="https://weibo.com/xxgov">官方微博</a><a href="https://www.youtube.com/xxgov">视频</a></div>""",
    "same-domain channel menu": """<div style="display:none"><a href="http://cp.xx.gov.cn/">彩票公益金公告</a>
        <a href="http://tj.xx.gov.cn/">统计</a><a href="http://jy.xx.gov.cn/">教育</a></div>""",
    "statistics counter": """<div style="display:none"><span id="cnzz_stat_icon_1"><a
        href="https://www.cnzz.com/stat/website.php?web_id=1" title="站长统计">站长统计</a></span></div>""",
}


@pytest.mark.parametrize("name", list(BENIGN))
def test_benign_hidden_link_is_no_finding(name):
    facts, out = judge(body(BENIGN[name]))
    assert any(link.hidden and link.is_external for link in facts), "the fixture must hide an external link"
    assert out == {}, f"{name}: {[o.evidence for o in out.values()]}"


def test_the_spider_records_how_and_where_a_link_is_hidden():
    facts, _ = judge(body(BENIGN["login pop-up"] + BENIGN["CMS credit"]))
    by_target = {link.target_url: HiddenLink.decode(link.hiding) for link in facts if link.hidden}
    pop = by_target["https://passport.sso-example.com/fe/forgetPassword"]
    assert pop.how == "display" and pop.ui == "pop" and not pop.on_link
    credit = by_target["http://www.hanweb.com/"]
    assert credit.ui == "" and credit.on_link
    assert pop.block != credit.block


def test_hidden_block_of_gambling_links_is_a_veto():
    _, out = judge(
        body("""<div style="display:none"><a href="http://a1-example.com/">澳门赌场</a>
        <a href="http://b2-example.net/">真人百家乐</a><a href="http://c3-example.org/">时时彩</a></div>""")
    )
    assert set(out) == {"http://a1-example.com/", "http://b2-example.net/", "http://c3-example.org/"}
    for o in out.values():
        assert not o.facts["needs_confirmation"] and o.severity.value == "否决" and "为暗链" in o.evidence
        assert "同一隐藏区块内有 3 个不相关网站的链接" in o.facts["patterns"]
    assert out["http://a1-example.com/"].facts["words"] == ["澳门赌场"]


def test_off_screen_links_to_a_lottery_host_are_a_veto():
    _, out = judge(
        body("""<div style="position:absolute;left:-9999px;top:-9999px">
        <a href="http://www.caipiao-888.example/">点击进入</a></div>""")
    )
    o = out["http://www.caipiao-888.example/"]
    assert o.facts["host_words"] == ["caipiao"] and "用定位移出屏幕外隐藏" in o.facts["patterns"]
    assert not o.facts["needs_confirmation"]


def test_keyword_stuffed_hidden_anchors_are_a_candidate_for_an_auditor():
    _, out = judge(
        body("""<div style="display:none"><a href="http://seo-firm.example/">北京SEO 网站优化 快速排名
        关键词排名 整站优化 SEO外包</a></div>""")
    )
    o = out["http://seo-firm.example/"]
    assert o.facts["candidate"] and o.facts["patterns"] == ["链接文字堆砌关键词"]
    assert "疑似暗链（待人工确认）" in o.evidence and o.facts["evidence_key"]


def test_plain_hidden_block_of_many_unrelated_sites_is_a_candidate():
    links = "".join(f'<a href="http://shop{i}-example.com/">商城{i}</a>' for i in range(4))
    _, out = judge(body(f"<div style='display:none'>{links}</div>"))
    assert len(out) == 4 and all(o.facts["needs_confirmation"] for o in out.values())


def test_hidden_link_to_a_domain_whose_fetched_title_is_gambling_is_a_veto():
    _, out = judge(
        body("<div style='display:none'><a href='http://old-partner.example/'>合作单位</a></div>"),
        titles={"http://old-partner.example/": "澳门新葡京娱乐场 注册送彩金"},
    )
    o = out["http://old-partner.example/"]
    assert o.facts["title_words"] == ["澳门新葡京", "注册送彩金"] and not o.facts["needs_confirmation"]


def _corpus_pages():
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as fh:
        return [r["local_path"] for r in csv.DictReader(fh, delimiter="\t") if r["local_path"].endswith(".html")]


def test_no_hidden_link_finding_on_any_real_corpus_page():
    """The corpus's real government and news pages carry benign hidden links (login bars, share panels,
    Hanweb credits, 找错 links, channel menus, social and statistics links): zero findings, zero vetoes."""
    require_shared()
    pages = _corpus_pages()
    assert len(pages) >= 30
    hidden_external = 0
    for rel in pages:
        host = rel.split("/")[-1].split("__")[0]
        html, _ = decode_html((CORPUS / rel).read_bytes(), http_charset=None)
        facts, out = judge(html, page=f"http://{host}/a/page.html", home=f"http://{host}/")
        hidden_external += sum(1 for link in facts if link.hidden and link.is_external)
        assert out == {}, f"{rel}: {[o.evidence for o in out.values()]}"
    assert hidden_external >= 100  # the pages do hide many external links: the rule had work to do
