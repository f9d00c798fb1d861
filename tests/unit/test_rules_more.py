"""W-S14, W-S16, W-S12, W-V10 on hand-built facts: each triggers, and its near-miss does not."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from monitor.model import ColumnFacts, ColumnKind, ItemFacts, LinkFacts, PageFacts, Severity, SiteFacts
from rules import get_rule

TODAY = date(2026, 11, 26)
HOME = "http://gov.example/"
CHROME = "示例县人民政府 首页 政务公开 政策文件 政策解读 互动交流 当前位置： 网站地图 联系我们 主办单位：示例县人民政府办公室"


def site(pages=(), links=(), columns=(), home_text="示例县人民政府 首页") -> SiteFacts:
    home = PageFacts(url=HOME, status=200, is_home=True, text=home_text)
    return SiteFacts(
        site="s",
        site_name="示例",
        unit="县政府办",
        home_url=HOME,
        run_id=1,
        crawled_at=datetime(2026, 11, 26),
        pages=(home, *pages),
        links=tuple(links),
        columns=tuple(columns),
    )


def run(rule_id, facts, today=TODAY, **overrides):
    e = get_rule(rule_id)
    return list(e.check(facts, today=today, t=e.rule.thresholds_with(overrides)))


# ---------------------------------------------------------------- W-S14


def test_w_s14_previous_years_report_must_be_on_the_home_page_from_february():
    feb = date(2026, 2, 10)
    ok = site(links=[LinkFacts(HOME, HOME + "ndbb.html", "2025年度政府网站工作年度报表", on_home=True)])
    assert run("W-S14", ok, today=feb) == []
    bracket = site(links=[LinkFacts(HOME, HOME + "x.html", "政府网站工作年度报表（2025年度）", on_home=True)])
    assert run("W-S14", bracket, today=feb) == []
    in_text = site(home_text="首页 政府网站工作年度报表 2025年度 网站地图")
    assert run("W-S14", in_text, today=feb) == []

    old = site(
        links=[
            LinkFacts(HOME, HOME + "ndbb.html", "2024年度政府网站工作年度报表", on_home=True),
            LinkFacts(HOME, HOME + "nb.html", "2025年政府信息公开工作年度报告", on_home=True),
        ]
    )
    out = run("W-S14", old, today=feb)
    assert len(out) == 1 and out[0].severity is Severity.DEDUCTION and out[0].facts["year"] == 2025
    assert "2025年度政府网站工作年度报表" in out[0].evidence and HOME == out[0].url
    assert out[0].facts["other_reports"] == ["2024年度政府网站工作年度报表"]
    # near-miss: before 1 February nothing is judged; on 1 February it is
    assert run("W-S14", old, today=date(2026, 1, 31)) == []
    assert len(run("W-S14", old, today=date(2026, 2, 1))) == 1
    # a report linked from another page only does not count
    deep = site(links=[LinkFacts(HOME + "zfxxgk/", HOME + "ndbb.html", "2025年度政府网站工作年度报表")])
    assert len(run("W-S14", deep, today=feb)) == 1


# ---------------------------------------------------------------- W-S16


def test_w_s16_elder_mode_entrance_is_a_notice():
    out = run("W-S16", site(links=[LinkFacts(HOME, HOME + "about.html", "关于我们", on_home=True)]))
    assert len(out) == 1 and out[0].severity is Severity.NOTICE and out[0].url == HOME
    assert "适老化" in out[0].evidence and out[0].facts["home_links_checked"] == 1
    assert run("W-S16", site(links=[LinkFacts(HOME, HOME + "care/", "适老化版", on_home=True)])) == []
    assert (
        run("W-S16", site(links=[LinkFacts(HOME, "http://wza.example/tool.js", "", tag="script", on_home=True)])) == []
    )
    assert run("W-S16", site(home_text="首页 无障碍浏览 长者模式")) == []
    # the word on another page does not count
    assert len(run("W-S16", site(links=[LinkFacts(HOME + "a.html", HOME + "care/", "适老化版")]))) == 1


# ---------------------------------------------------------------- W-S12


def _policy_site(interp_links, doc_links, *, jd_title="关于《示例县办法》的政策解读"):
    doc, jd, other = HOME + "zcwj/a.html", HOME + "zcjd/1.html", HOME + "xw/n.html"
    cols = [
        ColumnFacts(
            url=HOME + "zcwj/", name="政策文件", kind=ColumnKind.POLICY, items=(ItemFacts(doc, "示例县办法", TODAY),)
        ),
        ColumnFacts(
            url=HOME + "zcjd/", name="政策解读", kind=ColumnKind.POLICY, items=(ItemFacts(jd, jd_title, TODAY),)
        ),
    ]
    pages = [
        PageFacts(url=doc, status=200, text="示例县办法 正文", title="示例县办法_示例县"),
        PageFacts(url=jd, status=200, text="解读 正文", title=jd_title + "_示例县"),
        PageFacts(url=other, status=200, text="新闻", title="新闻_示例县"),
    ]
    links = [LinkFacts(jd, t, a) for t, a in interp_links] + [LinkFacts(doc, t, a) for t, a in doc_links]
    return site(pages=pages, links=links, columns=cols), doc, jd


def test_w_s12_linked_both_ways_is_fine():
    facts, doc, jd = _policy_site([(HOME + "zcwj/a.html", "政策原文")], [(HOME + "zcjd/1.html", "相关解读")])
    assert run("W-S12", facts) == []


def test_w_s12_interpretation_linking_no_document():
    facts, doc, jd = _policy_site([(HOME + "xw/n.html", "相关新闻")], [])
    out = run("W-S12", facts)
    assert [(o.subject, o.facts["kind"]) for o in out] == [(jd, "interpretation_without_document")]
    assert out[0].severity is Severity.DEDUCTION and "未链接对应的政策文件" in out[0].evidence
    # near-miss: a link labelled 原文 (say, the document's PDF) counts as linked
    facts, _, _ = _policy_site([(HOME + "uploads/a.pdf", "政策原文.pdf")], [])
    assert run("W-S12", facts) == []


def test_w_s12_document_without_backlink():
    facts, doc, jd = _policy_site([(HOME + "zcwj/a.html", "示例县办法")], [(HOME + "xw/n.html", "新闻")])
    out = run("W-S12", facts)
    assert [(o.subject, o.source_url, o.facts["kind"]) for o in out] == [(doc, jd, "document_without_backlink")]
    assert out[0].facts["interpretations"] == [{"url": jd, "title": "关于《示例县办法》的政策解读"}]
    assert "未链接回该解读" in out[0].evidence


def test_w_s12_title_marks_an_interpretation_outside_the_column_and_no_documents_means_no_judgement():
    facts, doc, jd = _policy_site([(HOME + "zcwj/a.html", "原文")], [(HOME + "zcjd/1.html", "解读")])
    news = PageFacts(url=HOME + "xw/jd.html", status=200, text="图解 正文", title="一图读懂：示例县办法解读_示例县")
    with_news = site(pages=[*facts.pages[1:], news], links=facts.links, columns=facts.columns)
    out = run("W-S12", with_news)
    assert [o.subject for o in out] == [HOME + "xw/jd.html"]
    no_docs = site(pages=[news], columns=[ColumnFacts(url=HOME + "zcjd/", name="政策解读", kind=ColumnKind.POLICY)])
    assert run("W-S12", no_docs) == []


# ---------------------------------------------------------------- W-V10

BODY = (
    "为进一步加强农村人居环境整治工作，县农业农村局组织召开专题会议，对全县二十个行政村的垃圾分类、污水处理和厕所改造"
    "情况进行逐一点评。会议指出，部分村庄存在垃圾清运不及时、设施管护责任不落实等问题，要求各乡镇在十二月底前完成"
    "整改并建立长效管护机制。会议还就冬季村庄清洁行动作出部署，明确由乡镇分管领导牵头，村两委具体负责，每月开展"
    "一次集中评比，评比结果纳入年度考核。县财政安排专项资金支持农村公厕提升改造，县住建局负责技术指导和质量监管。"
)


def article(path, title, d, body=BODY):
    text = f"{CHROME} {title} 发布时间：{d:%Y-%m-%d} 09:30 {d.year}年{d.month}月{d.day}日，{body} {CHROME}"
    return PageFacts(
        url=HOME + path, status=200, title=f"{title}_示例县", text=text, pub_date=d, meta={"ArticleTitle": title}
    )


def filler(n):
    return [
        article(f"f{i}.html", f"其他新闻{i}", TODAY - timedelta(days=i), body=f"第{i}条不同的新闻内容。")
        for i in range(n)
    ]


def test_w_v10_same_body_redated_inside_the_window_is_a_candidate_veto():
    old = article("xw/old.html", "县农业农村局召开人居环境整治推进会", TODAY - timedelta(days=200))
    new = article("xw/new.html", "县农业农村局召开农村人居环境整治会议", TODAY - timedelta(days=3))
    out = run("W-V10", site(pages=[old, new, *filler(6)]))
    assert len(out) == 1
    o = out[0]
    assert o.severity is Severity.VETO and o.facts["needs_confirmation"] is True
    assert o.facts["candidate"] is True  # 待人工确认: no veto in the notice until an auditor confirms it
    assert (o.subject, o.source_url) == (new.url, old.url)
    assert o.facts["original_date"] == old.pub_date.isoformat() and o.facts["date"] == new.pub_date.isoformat()
    assert old.url in o.evidence and new.url in o.evidence and f"{old.pub_date:%Y-%m-%d}" in o.evidence
    # near-miss: the newer copy is older than the window
    assert run("W-V10", site(pages=[old, new, *filler(6)]), window_days=2) == []


def test_w_v10_near_misses_same_date_short_pages_and_different_texts():
    d = TODAY - timedelta(days=3)
    twin = [
        article("xw/a.html", "县农业农村局召开人居环境整治推进会", d),
        article("xw/b.html", "县农业农村局召开人居环境整治推进会", d),
    ]
    assert run("W-V10", site(pages=[*twin, *filler(6)])) == []  # one page under two URLs
    short = [
        article("xw/s1.html", "停水通知", TODAY - timedelta(days=100), body="因管网维修，城区明日停水。"),
        article("xw/s2.html", "停水通知", TODAY - timedelta(days=2), body="因管网维修，城区明日停水。"),
    ]
    assert run("W-V10", site(pages=[*short, *filler(6)])) == []
    other = [
        article("xw/o1.html", "推进会", TODAY - timedelta(days=100)),
        article("xw/o2.html", "推进会", TODAY - timedelta(days=2), body=BODY.replace("二十个", "十八个")),
    ]
    assert run("W-V10", site(pages=[*other, *filler(6)])) == []
    # the shared template around every page is not a body: many templated pages with short texts do not match
    assert run("W-V10", site(pages=filler(12))) == []


def test_w_v10_column_list_pages_are_not_articles():
    old = article("zcjd/index.html", "政策解读", TODAY - timedelta(days=200))
    new = article("gsgg/index.html", "公示公告", TODAY - timedelta(days=3))
    cols = [
        ColumnFacts(url=HOME + "zcjd/index.html", name="政策解读", kind=ColumnKind.POLICY),
        ColumnFacts(
            url=HOME + "gsgg/", name="公示公告", kind=ColumnKind.NOTICE, list_pages=(HOME + "gsgg/index.html",)
        ),
    ]
    assert len(run("W-V10", site(pages=[old, new, *filler(6)]))) == 1
    assert run("W-V10", site(pages=[old, new, *filler(6)], columns=cols)) == []
