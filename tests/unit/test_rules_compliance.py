"""Site-compliance rules on hand-built facts: each with a case that fires and a near miss that must not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from parsel import Selector

from monitor.model import (
    ColumnFacts,
    ColumnKind,
    ItemFacts,
    LinkFacts,
    MessageFacts,
    PageFacts,
    ProbeFacts,
    Severity,
    SiteFacts,
)
from rules import get_rule
from rules.base import Verdict

TODAY = date(2026, 11, 26)
HOME = "http://www.sx.gov.cn/"
FOOTER = (
    "主办单位：示例县人民政府办公室 政府网站标识码：3609990001 赣ICP备12345678号 "
    "公安备案 赣公网安备 36099902000123号 党政机关"
)
SITE_META = {"SiteName": "示例县人民政府", "SiteDomain": "www.sx.gov.cn", "SiteIDCode": "3609990001"}


def home_page(**kw) -> PageFacts:
    base = dict(
        url=HOME,
        status=200,
        content_type="text/html",
        is_home=True,
        text="首页 我为政府网站找错 " + FOOTER,
        footer=FOOTER,
        meta={
            **SITE_META,
            "ColumnName": "首页",
            "ColumnType": "首页",
            "ColumnDescription": "首页",
            "ColumnKeywords": "首页",
        },
    )
    base.update(kw)
    return PageFacts(**base)


def article(url: str, title: str, text: str = "正文", pub: date | None = date(2026, 11, 1), meta=None) -> PageFacts:
    m = {
        **SITE_META,
        "ArticleTitle": title,
        "PubDate": f"{pub:%Y-%m-%d} 09:30" if pub else "",
        "ContentSource": "县政府办",
    }
    m.update(meta or {})
    return PageFacts(
        url=url,
        status=200,
        content_type="text/html",
        text=text,
        title=f"{title}_示例县人民政府",
        pub_date=pub,
        meta={k: v for k, v in m.items() if v is not None},
    )


def site(**kw) -> SiteFacts:
    base = dict(
        site="sx",
        site_name="示例县人民政府",
        unit="县政府办",
        home_url=HOME,
        run_id=1,
        crawled_at=datetime(2026, 11, 26),
        pages=(home_page(),),
        links=(LinkFacts(HOME, HOME + "hdjl/xzxx/", "县长信箱", on_home=True),),
    )
    base.update(kw)
    return SiteFacts(**base)


def run(rule_id: str, facts: SiteFacts, **thresholds):
    e = get_rule(rule_id)
    return list(e.check(facts, today=TODAY, t=e.rule.thresholds_with(thresholds)))


def col(url, name, kind, newest_age, level=1, n=3, interval=5) -> ColumnFacts:
    items = tuple(
        ItemFacts(url=f"{url}a{i}.html", title=f"{name}{i}", date=TODAY - timedelta(days=newest_age + i * interval))
        for i in range(n)
    )
    return ColumnFacts(url=url, name=name, kind=kind, level=level, items=items)


# ------------------------------------------------------------------ W-S2


def test_w_s2_service_stats_and_replies_past_their_periods():
    cols = (
        col(HOME + "bsfw/bstj/", "办事统计", ColumnKind.OTHER, 100, level=2),
        col(HOME + "hdjl/xzxx/", "县长信箱", ColumnKind.INTERACTION, 70, level=2),
    )
    out = run("W-S2", site(columns=cols))
    by = {o.subject: o for o in out}
    assert set(by) == {"办事统计", "县长信箱"}
    assert by["办事统计"].facts["part"] == "service_stats" and by["办事统计"].facts["period_days"] == 92
    assert by["办事统计"].facts["age_days"] == 100
    assert by["县长信箱"].facts["part"] == "replies" and by["县长信箱"].facts["indicator"] == "互动交流"
    assert "已 70 天未更新" in by["县长信箱"].evidence


def test_w_s2_near_misses_fresh_special_channel_and_policy_left_to_w_v3():
    cols = (
        col(HOME + "bsfw/bstj/", "办事统计", ColumnKind.OTHER, 90, level=2),  # 90 ≤ 92
        col(HOME + "hdjl/xzxx/", "县长信箱", ColumnKind.INTERACTION, 60),  # 60 ≤ 61
        col(HOME + "hdjl/xf/", "网上信访", ColumnKind.INTERACTION, 300),  # special channel
        col(HOME + "zcwj/", "政策文件", ColumnKind.POLICY, 400),  # W-V3 reports it
        ColumnFacts(url=HOME + "bsfw/bjgs/", name="办件公示", kind=ColumnKind.OTHER),
    )  # empty: W-V5's
    assert run("W-S2", site(columns=cols)) == []
    w_v3 = run("W-V3", site(columns=cols))
    assert [o.subject for o in w_v3] == ["政策文件"]
    # a site that gives W-V3 a longer period (shared with W-S2) gets the policy column from W-S2 instead
    assert [o.facts["part"] for o in run("W-S2", site(columns=cols), notice_policy_days=500)] == ["policy"]


# ------------------------------------------------------------------ W-S5


def test_w_s5_names_every_missing_identifier():
    footer = "主办单位：示例县人民政府办公室 政府网站标识码：3609990001 赣ICP备12345678号"
    out = run("W-S5", site(pages=(home_page(footer=footer, text=footer),)))
    assert len(out) == 1
    assert out[0].facts["missing"] == ["党政机关网站标识", "公安机关备案"]
    assert "党政机关网站标识、公安机关备案" in out[0].evidence and out[0].url == HOME


def test_w_s5_complete_footer_and_badge_as_link_pass():
    assert run("W-S5", site()) == []
    footer = FOOTER.replace("党政机关", "")
    badge = LinkFacts(HOME, "http://bszs.conac.cn/sitename?method=show&id=1", "", tag="a", on_home=True)
    assert run("W-S5", site(pages=(home_page(footer=footer),), links=(badge,))) == []
    # unreadable home: not judged
    assert run("W-S5", site(pages=(home_page(status=503, footer=None, text=None),))) == []


# ------------------------------------------------------------------ W-S6


def test_w_s6_counts_pages_missing_site_code_and_bad_article_tags():
    pages = (
        home_page(),
        article(HOME + "a/1.html", "一", meta={"SiteIDCode": None}),
        article(HOME + "a/2.html", "二", meta={"SiteIDCode": None}),
        article(HOME + "a/3.html", "三", meta={"PubDate": "2026年11月1日"}),
        article(HOME + "a/4.html", "四", meta={"SiteIDCode": "36099900"}),
        article(HOME + "a/5.html", "五", meta={"ContentSource": None}),
    )
    out = {o.subject: o for o in run("W-S6", site(pages=pages))}
    missing = out["页面缺少 SiteIDCode"]
    assert missing.facts["count"] == 2 and missing.facts["checked"] == 6
    assert missing.url == HOME + "a/1.html" and missing.facts["examples"] == [HOME + "a/1.html", HOME + "a/2.html"]
    assert "2 个页面缺少 SiteIDCode（共检查 6 个页面）" in missing.evidence
    assert out["文章页PubDate “2026年11月1日” 无法识别"].facts["count"] == 1
    assert out["页面SiteIDCode “36099900” 格式不符"].url == HOME + "a/4.html"
    assert out["文章页缺少 ContentSource"].facts["checked"] == 5
    assert len(out) == 4


def test_w_s6_code_must_equal_the_footer_and_column_pages_need_their_tags():
    col_page = PageFacts(
        url=HOME + "tzgg/",
        status=200,
        content_type="text/html",
        text="通知公告",
        meta={**SITE_META, "SiteIDCode": "3609990002", "ColumnName": "通知公告", "ColumnType": "通知公告"},
    )
    out = {o.subject for o in run("W-S6", site(pages=(home_page(), col_page)))}
    assert out == {
        "页面SiteIDCode “3609990002” 与页脚标识码 3609990001 不一致",
        "栏目页缺少 ColumnDescription",
        "栏目页缺少 ColumnKeywords",
    }


def test_w_s6_near_miss_complete_tags_and_unparsed_resources():
    pdf = PageFacts(url=HOME + "f.pdf", status=200, content_type="application/pdf")
    ext = PageFacts(url="http://other.example.com/", status=200, content_type="text/html", is_external=True, text="x")
    gone = PageFacts(url=HOME + "gone.html", status=404, content_type="text/html", text="404")
    assert run("W-S6", site(pages=(home_page(), article(HOME + "a/1.html", "一"), pdf, ext, gone))) == []
    # a ministry code (bm + 8 digits) matching its footer
    bm_home = home_page(footer=FOOTER.replace("3609990001", "bm01000001"))
    bm_home = replace(bm_home, meta={**bm_home.meta, "SiteIDCode": "bm01000001"})
    bm = article(HOME + "a/1.html", "一", meta={"SiteIDCode": "bm01000001"})
    assert run("W-S6", site(pages=(bm_home, bm))) == []


# ------------------------------------------------------------------ W-S7


@pytest.mark.parametrize(
    "home,flagged",
    [
        ("http://www.example-county.com/", True),
        ("http://10.12.0.8/", True),
        ("https://www.sx.gov.cn/", False),
        ("http://县政府.政务/", False),
        ("http://127.0.0.1:8080/", False),
        ("http://localhost/", False),
    ],
)
def test_w_s7_domain(home, flagged):
    out = run("W-S7", site(home_url=home))
    assert bool(out) is flagged
    if flagged:
        assert out[0].url == home and out[0].facts["ip_only"] is home.startswith("http://10.")


def test_w_s7_loopback_is_only_exempt_by_the_threshold():
    assert len(run("W-S7", site(home_url="http://127.0.0.1:8080/"), exempt_hosts=())) == 1


# ------------------------------------------------------------------ W-S8, W-S9


def _probe(at_h: int, **kw) -> ProbeFacts:
    return ProbeFacts(at=datetime(2026, 11, 25, at_h), url=HOME, ok=True, status=200, **kw)


def test_w_s8_w_s9_newest_measured_probe_decides_and_is_a_notice():
    probes = (_probe(1, ipv6=True, https=True), _probe(5, ipv6=False, https=False), _probe(9))
    for rule_id in ("W-S8", "W-S9"):
        out = run(rule_id, site(probes=probes))
        assert len(out) == 1 and out[0].severity is Severity.NOTICE and out[0].verdict is Verdict.FINDING
        assert out[0].facts["probe_at"] == "2026-11-25T05:00:00"


def test_w_s8_w_s9_not_measured_or_supported_say_nothing():
    for rule_id in ("W-S8", "W-S9"):
        assert run(rule_id, site(probes=(_probe(1), _probe(2)))) == []
        assert run(rule_id, site()) == []
        assert run(rule_id, site(probes=(_probe(1, ipv6=False, https=False), _probe(2, ipv6=True, https=True)))) == []


# ------------------------------------------------------------------ W-S11


def test_w_s11_missing_entrance():
    home = home_page(text="首页 " + FOOTER)
    out = run("W-S11", site(pages=(home,)))
    assert len(out) == 1 and out[0].url == HOME and "我为政府网站找错" in out[0].evidence


def test_w_s11_entrance_by_link_or_text_and_switch():
    home = home_page(text="首页 " + FOOTER)
    link = LinkFacts(
        HOME,
        "https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteId.action?websiteid=1",
        "",
        tag="a",
        on_home=True,
        is_external=True,
    )
    assert run("W-S11", site(pages=(home,), links=(link,))) == []
    assert run("W-S11", site()) == []  # the words on the home page
    assert run("W-S11", site(pages=(home,)), required=False) == []


# ------------------------------------------------------------------ W-S13

POLICY = HOME + "zcwj/"


def _policy_site(old_text: str, new_text: str, old_title="示例县城乡环境卫生管理办法", old_pub=date(2025, 3, 1)):
    old = article(POLICY + "old.html", old_title, old_text, pub=old_pub)
    new = article(POLICY + "new.html", "示例县城乡环境卫生管理规定", new_text, pub=date(2026, 10, 1))
    column = ColumnFacts(
        url=POLICY,
        name="政策文件",
        kind=ColumnKind.POLICY,
        items=(
            ItemFacts(new.url, "示例县城乡环境卫生管理规定", date(2026, 10, 1)),
            ItemFacts(old.url, old_title, old_pub),
        ),
    )
    return site(pages=(home_page(), old, new), columns=(column,))


REPEAL = "本规定自2026年10月1日起施行，《示例县城乡环境卫生管理办法》（示政发〔2025〕3号）同时废止。"


def test_w_s13_repealed_by_a_later_document_and_expired():
    out = run("W-S13", _policy_site("第一条 为加强城乡环境卫生管理……", REPEAL))
    assert len(out) == 1
    o = out[0]
    assert o.url == POLICY + "old.html" and o.source_url == POLICY + "new.html"
    assert o.facts["doc_number"] == "示政发〔2025〕3号" and "同时废止" in o.facts["sentence"]
    expired = run("W-S13", _policy_site("本办法自2023年1月1日起施行，有效期3年。", "无关内容。"))
    assert [(x.facts["kind"], x.facts["valid_until"]) for x in expired] == [("expired", "2026-01-01")]
    # found by its 文号 when the list title differs
    out = run("W-S13", _policy_site("示政发〔2025〕3号 第一条……", REPEAL, old_title="关于印发环境卫生管理办法的通知"))
    assert [x.url for x in out] == [POLICY + "old.html"]


def test_w_s13_near_misses():
    assert run("W-S13", _policy_site("【已废止】第一条……", REPEAL)) == []  # marked in the text
    assert run("W-S13", _policy_site("第一条……", REPEAL, old_title="示例县城乡环境卫生管理办法（已废止）")) == []
    assert (
        run("W-S13", _policy_site("第一条……", "根据《示例县城乡环境卫生管理办法》，做好保洁，确保失效设施及时更换。"))
        == []
    )
    assert run("W-S13", _policy_site("有效期至2027年12月31日。", "无关内容。")) == []  # still valid
    assert run("W-S13", _policy_site("有效期至2025年12月31日。经评估，有效期延长至2027年。", "无关内容。")) == []
    # an older page "repealing" a newer one is not believed
    assert run("W-S13", _policy_site("第一条……", REPEAL, old_pub=date(2026, 11, 1))) == []


# ------------------------------------------------------------------ W-V6


def test_w_v6_only_special_channels_is_a_veto():
    links = (
        LinkFacts(HOME, HOME + "xf/", "网上信访", on_home=True),
        LinkFacts(HOME, HOME + "jb/", "纪检举报", on_home=True),
        LinkFacts(HOME, HOME + "ft/", "在线访谈", on_home=True),
    )
    cols = (col(HOME + "hdjl/zxft/", "在线访谈", ColumnKind.INTERACTION, 3),)
    out = run("W-V6", site(links=links, columns=cols))
    assert len(out) == 1 and out[0].severity is Severity.VETO
    assert out[0].facts["special_channels"] == ["在线访谈", "纪检举报", "网上信访"]
    assert out[0].facts["interaction_columns"] == [{"name": "在线访谈", "url": HOME + "hdjl/zxft/"}]


def test_w_v6_a_mailbox_link_or_column_is_enough():
    assert run("W-V6", site()) == []
    cols = (col(HOME + "hdjl/zxzx/", "在线咨询", ColumnKind.INTERACTION, 3),)
    assert run("W-V6", site(links=(), columns=cols)) == []
    down = run("W-V6", site(pages=(home_page(status=None, error_kind="timeout"),), links=()))
    assert [o.verdict for o in down] == [Verdict.UNVERIFIED]


# ------------------------------------------------------------------ W-V7

MAILBOX = HOME + "hdjl/xzxx/"


def msg(title, asked, answered=None, status="", column="县长信箱") -> MessageFacts:
    return MessageFacts(
        column_url=MAILBOX,
        page_url=MAILBOX + "index.html",
        url=MAILBOX + f"{title}.html",
        title=title,
        asked=asked,
        answered=answered,
        status=status,
        column_name=column,
    )


def test_w_v7_unanswered_and_late_answered_messages():
    messages = (
        msg("未答复", TODAY - timedelta(days=103), status="未回复"),
        msg("迟复", date(2026, 3, 1), answered=date(2026, 7, 1), status="已回复"),
        msg("无状态", TODAY - timedelta(days=200)),
    )
    out = {o.facts["title"]: o for o in run("W-V7", site(messages=messages))}
    assert set(out) == {"未答复", "迟复", "无状态"}
    o = out["未答复"]
    assert o.severity is Severity.VETO and o.facts["waited_days"] == 103 and o.url == MAILBOX + "未答复.html"
    assert o.source_url == MAILBOX + "index.html" and "未回复" in o.evidence
    assert out["迟复"].facts["waited_days"] == 122
    assert len(run("W-V7", site(messages=messages), count_late_answers=False)) == 2


def test_w_v7_near_misses():
    messages = (
        msg("尚未超期", TODAY - timedelta(days=92), status="办理中"),
        msg("一年前", TODAY - timedelta(days=400), status="未回复"),
        msg("已回复无日期", TODAY - timedelta(days=150), status="已回复"),
        msg("按时答复", TODAY - timedelta(days=150), answered=TODAY - timedelta(days=100)),
        msg("信访件", TODAY - timedelta(days=150), status="未回复", column="网上信访"),
    )
    assert run("W-V7", site(messages=messages)) == []


# ------------------------------------------------------------------ the mailbox extractor


def test_mailbox_extractor_reads_tables_and_labelled_entries():
    from spiders.mailbox import mailbox_rows

    table = Selector(
        text="""<table><tr><th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>
      <tr><td><a href="m/1.html">关于农村公路养护的咨询</a></td><td>2026-08-15</td><td>—</td><td>未回复</td></tr>
      <tr><td><a href="m/2.html">关于医保报销的咨询</a></td><td>2026-11-01</td><td>2026-11-03</td><td>已回复</td></tr>
      <tr><td>合计</td><td>共 2 条</td><td></td><td></td></tr></table>"""
    )
    rows = mailbox_rows(table, MAILBOX + "index.html", column_url=MAILBOX, column_name="县长信箱", today=TODAY)
    assert [(r.url, r.asked, r.answered, r.status) for r in rows] == [
        (MAILBOX + "m/1.html", date(2026, 8, 15), None, "未回复"),
        (MAILBOX + "m/2.html", date(2026, 11, 1), date(2026, 11, 3), "已回复"),
    ]
    entries = Selector(
        text="""<ul><li><a href="/x/1.html">咨询一</a> 留言时间：2026年9月1日 状态：办理中</li>
      <li><a href="/x/2.html">咨询二</a> 提问时间：2026-09-02 答复时间：2026-09-05</li>
      <li><a href="/x/3.html">工作动态</a> 2026-09-03</li></ul>"""
    )
    rows = mailbox_rows(entries, HOME + "x/", column_url=HOME + "x/", today=TODAY)
    assert [(r.title, r.asked, r.answered, r.status) for r in rows] == [
        ("咨询一", date(2026, 9, 1), None, "办理中"),
        ("咨询二", date(2026, 9, 2), date(2026, 9, 5), ""),
    ]
