"""Text every page repeats (login bars, navigation, footers) is judged once per site; variant spellings such
as 帐号/账号 are a 提示 naming the standard form; a subject never carries an internal rule id."""

from __future__ import annotations

from datetime import date, datetime

from monitor.check.checking import record_outcomes, run_site_rules
from monitor.model import PageFacts, SiteFacts
from monitor.store import Finding, Store
from sqlalchemy import select

HOME = "http://www.xx.gov.cn/"
TODAY = date(2026, 11, 30)
HEADER = "示例县人民政府 用户登录 帐号 密码 忘记密码 注册 首页 政务公开 政务服务 互动交流"
FOOTER = "主办：示例县人民政府办公室 地址：示例县人民路1号 网站标识码：1234567890"


def site(n_pages: int, bodies: dict[int, str] | None = None) -> SiteFacts:
    bodies = bodies or {}
    pages = [
        PageFacts(
            url=HOME if i == 0 else f"{HOME}art/{i}.html",
            status=200,
            is_home=i == 0,
            title=f"页面{i}",
            text=f"{HEADER} 第{i}篇 {bodies.get(i, '本县召开会议，部署相关工作。')} {FOOTER}",
        )
        for i in range(n_pages)
    ]
    return SiteFacts(
        site="s",
        site_name="示例县",
        unit="县政府办",
        home_url=HOME,
        run_id=1,
        crawled_at=datetime(2026, 11, 30),
        pages=tuple(pages),
    )


def ws3(outcomes):
    return [o for o in outcomes if o.rule == "W-S3"]


def test_login_bar_variant_is_one_notice_for_the_site_listing_its_pages():
    _, outcomes = run_site_rules(site(6, {3: "全体干部要再接再励，做好工作。"}), today=TODAY)
    found = ws3(outcomes)
    shared = [o for o in found if o.subject == "帐号"]
    assert len(shared) == 1, [o.evidence for o in found]
    o = shared[0]
    assert o.severity.value == "提示" and o.url == HOME and o.facts["shared"] and o.facts["page_count"] == 6
    assert o.facts["pages"][0] == HOME and len(o.facts["pages"]) == 6
    assert "规范写法为“账号”" in o.evidence and "全站 6 个页面共有的部分" in o.evidence
    assert "W-S3" not in o.subject and "W-S3" not in o.evidence
    # a typo in one article's body stays a per-page deduction
    typo = [o for o in found if o.subject == "再接再励"]
    assert len(typo) == 1 and typo[0].url == f"{HOME}art/3.html" and typo[0].severity.value == "扣分"


def test_a_word_on_a_few_pages_only_is_judged_per_page():
    facts = site(8, {1: "请登录帐号后办理。", 2: "请登录帐号后办理。"})
    body = [o for o in ws3(run_site_rules(facts, today=TODAY)[1]) if "请登录帐号后办理" in o.facts["sentence"]]
    assert {o.url for o in body} == {f"{HOME}art/1.html", f"{HOME}art/2.html"}


def test_shared_finding_keeps_its_identity_across_checks(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    for day, n in ((date(2026, 11, 29), 6), (date(2026, 11, 30), 9)):  # the next crawl saw more pages
        ran, outcomes = run_site_rules(site(n), today=day)
        record_outcomes(store, site_key="s", unit="县政府办", rule_ids=ran, outcomes=outcomes, as_of=day, run_id=None)
    with store.session() as s:
        rows = s.scalars(select(Finding).where(Finding.rule == "W-S3")).all()
    store.close()
    assert [(f.subject, f.severity, f.occurrences, f.status) for f in rows] == [("帐号", "提示", 2, "待整改")]
    assert rows[0].facts["page_count"] == 9
