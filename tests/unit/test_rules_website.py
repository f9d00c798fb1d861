"""The column, home-page and link rules on hand-built facts: each triggers, and its near-miss does not."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from monitor.model import ColumnFacts, ColumnKind, ItemFacts, LinkFacts, PageFacts, Severity, SiteFacts
from rules import get_rule
from rules.base import Verdict

TODAY = date(2026, 11, 26)
HOME = "http://gov.example/"


def site(columns=(), home_items=(), pages=None, links=()) -> SiteFacts:
    pages = pages if pages is not None else (PageFacts(url=HOME, status=200, is_home=True),)
    return SiteFacts(
        site="s",
        site_name="示例",
        unit="县政府办",
        home_url=HOME,
        run_id=1,
        crawled_at=datetime(2026, 11, 26),
        pages=tuple(pages),
        links=tuple(links),
        columns=tuple(columns),
        home_items=tuple(home_items),
    )


def col(path, kind, age=None, *, level=1, items=None, failure=None) -> ColumnFacts:
    if items is None:
        items = (
            () if age is None else (ItemFacts(url=HOME + path + "a.html", title="t", date=TODAY - timedelta(days=age)),)
        )
    return ColumnFacts(
        url=HOME + path, name=path.strip("/"), kind=kind, level=level, items=tuple(items), failure=failure
    )


def run(rule_id, facts, **overrides):
    e = get_rule(rule_id)
    return list(e.check(facts, today=TODAY, t=e.rule.thresholds_with(overrides)))


def test_w_v2_home_page_stale_fresh_undated_and_unreachable():
    def item(d):
        return ItemFacts(url=HOME + "x.html", title="x", date=d)

    stale = run("W-V2", site(home_items=[item(TODAY - timedelta(days=15))]))
    assert len(stale) == 1 and stale[0].facts["age_days"] == 15 and stale[0].severity is Severity.VETO
    assert run("W-V2", site(home_items=[item(TODAY - timedelta(days=14))])) == []  # 14 days is still in time
    undated = run("W-V2", site(home_items=[ItemFacts(url=HOME + "y.html", title="y", date=None)]))
    assert len(undated) == 1 and "无带发布日期" in undated[0].evidence.replace("没有带", "无带")
    down = run("W-V2", site(pages=[PageFacts(url=HOME, error_kind="refused", is_home=True)]))
    assert [o.verdict for o in down] == [Verdict.UNVERIFIED]
    assert run("W-V2", site(home_items=[item(TODAY - timedelta(days=20))]), max_age_days=30) == []


def test_w_v3_counts_news_and_first_level_notice_columns_towards_the_veto():
    cols = [col(f"news{i}/", ColumnKind.NEWS, 15 + i) for i in range(4)]
    cols.append(col("tzgg/", ColumnKind.NOTICE, 200))
    cols.append(col("bm/tzgg/", ColumnKind.NOTICE, 400, level=2))  # second-level: not W-V3's
    cols.append(col("fresh/", ColumnKind.NEWS, 14))  # near-miss: exactly at the limit
    out = run("W-V3", site(cols))
    assert sorted(o.subject for o in out) == ["news0", "news1", "news2", "news3", "tzgg"]
    assert {o.severity for o in out} == {Severity.VETO}  # five ⇒ veto
    assert {o.facts["stale_count"] for o in out} == {5}
    fewer = run("W-V3", site(cols[:4]))
    assert {o.severity for o in fewer} == {Severity.DEDUCTION}


def test_w_v3_undated_and_unread_columns_are_unverified_not_stale():
    from rules.website._columns import unverified_reason

    undated = col("a/", ColumnKind.NEWS, items=[ItemFacts(url=HOME + "a/1.html", title="x", date=None)])
    unread = col("b/", ColumnKind.NEWS, failure="HTTP 500")
    assert run("W-V3", site([undated, unread])) == []
    assert "无可确认的发布日期" in unverified_reason(undated) and unverified_reason(unread) == "列表页未能读取"
    # near-miss: once one entry has a date (here from its article), the column is judged
    dated = col(
        "a/",
        ColumnKind.NEWS,
        items=[
            ItemFacts(url=HOME + "a/1.html", title="x", date=None),
            ItemFacts(url=HOME + "a/2.html", title="y", date=TODAY - timedelta(days=30), date_source="article"),
        ],
    )
    out = run("W-V3", site([dated]))
    assert [o.subject for o in out] == ["a"] and out[0].facts["newest_date_source"] == "article"


def test_w_v3_pinned_old_entry_does_not_make_a_fresh_column_stale_and_a_year_is_a_zombie():
    pinned = col(
        "tzgg/",
        ColumnKind.NEWS,
        items=[
            ItemFacts(url=HOME + "tzgg/old.html", title="置顶 旧通知", date=TODAY - timedelta(days=800)),
            ItemFacts(url=HOME + "tzgg/new.html", title="新通知", date=TODAY - timedelta(days=3)),
        ],
    )
    assert run("W-V3", site([pinned])) == []
    old = col("gzdt/", ColumnKind.NEWS, 400)
    out = run("W-V3", site([old, col("xw/", ColumnKind.NEWS, 40)]))
    by = {o.subject: o for o in out}
    assert by["gzdt"].facts["zombie"] is True and "僵尸栏目" in by["gzdt"].evidence
    assert by["xw"].facts["zombie"] is False and "僵尸栏目" not in by["xw"].evidence


def test_weak_columns_are_never_accused_and_empty_needs_evidence_on_the_page():
    from dataclasses import replace

    weak_old = replace(col("a/", ColumnKind.NEWS, 400), how="navigation", weak=True)
    weak_empty = replace(col("b/", ColumnKind.OTHER, items=()), how="navigation", weak=True, empty_evidence="marker")
    no_evidence = replace(col("c/", ColumnKind.OTHER, items=()), how="structure")
    script = replace(
        col("d/", ColumnKind.OTHER, items=()), how="meta", empty_evidence="container", script_unrendered=True
    )
    shown = replace(col("e/", ColumnKind.OTHER, items=()), how="navigation", empty_evidence="marker")
    facts = site([weak_old, weak_empty, no_evidence, script, shown])
    assert run("W-V3", facts) == [] and run("W-V4", facts) == []
    assert [o.subject for o in run("W-V5", facts)] == ["e"]
    other = [ItemFacts(url=HOME + f"z/{i}.html", title="t", date=TODAY - timedelta(days=400 + i)) for i in range(3)]
    zombie = replace(col("z/", ColumnKind.OTHER, items=other), how="structure")
    one = replace(col("y/", ColumnKind.OTHER, items=other[:1]), how="structure")  # one old page: not a list
    out = run("W-V4", site([zombie, one]))
    assert [o.subject for o in out] == ["z"] and out[0].facts["zombie"] is True


def test_w_v4_personnel_planning_periods_without_double_counting_w_v3():
    cols = [
        col("rsxx/", ColumnKind.PERSONNEL, 400),
        col("ghjh/", ColumnKind.PLANNING, 300),
        col("news/", ColumnKind.NEWS, 30),
        col("bm/zcwj/", ColumnKind.POLICY, 200, level=2),
    ]
    out = run("W-V4", site(cols))
    assert sorted(o.subject for o in out) == ["bm/zcwj", "rsxx"]  # news is W-V3's; 300 < 365 days
    assert {o.facts["should_update_count"] for o in out} == {3}
    many = [col(f"e{i}/", ColumnKind.OTHER, items=()) for i in range(8)] + cols  # 8 empty + 3 stale ≥ 10
    assert {o.severity for o in run("W-V4", site(many))} == {Severity.VETO}


def test_w_v5_empty_columns_but_not_static_pages_or_unread_lists():
    cols = [
        col("tjsj/", ColumnKind.OTHER, items=()),
        col("jggk/", ColumnKind.STATIC, items=()),
        col("x/", ColumnKind.NOTICE, failure="timeout"),
        col("ok/", ColumnKind.NEWS, 1),
    ]
    out = run("W-V5", site(cols))
    assert [o.subject for o in out] == ["tjsj"] and out[0].severity is Severity.DEDUCTION
    five = [col(f"e{i}/", ColumnKind.OTHER, items=()) for i in range(5)]
    assert {o.severity for o in run("W-V5", site(five))} == {Severity.VETO}


def test_w_s1_broken_targets_with_every_parent_and_blocked_ones_unverified():
    target = HOME + "gone.html"
    pages = [
        PageFacts(url=HOME, status=200, is_home=True),
        PageFacts(url=target, status=404),
        PageFacts(url="http://other.example/", status=403, is_external=True),
        PageFacts(url=HOME + "fine.html", status=200),
        PageFacts(url="http://dead.example/", error_kind="dns", is_external=True),
    ]
    links = [
        LinkFacts(HOME, target, "旧文章", on_home=True),
        LinkFacts(HOME + "fine.html", target, "相关阅读"),
        LinkFacts(HOME, "http://other.example/", "外站", is_external=True),
        LinkFacts(HOME, HOME + "fine.html", "正常"),
        LinkFacts(HOME + "fine.html", "http://dead.example/", "已注销域名", is_external=True),
    ]
    out = run("W-S1", site(pages=pages, links=links))
    broken = {o.subject: o for o in out if o.verdict is Verdict.FINDING}
    assert set(broken) == {target, "http://dead.example/"}
    assert broken[target].facts["parent_count"] == 2 and broken[target].facts["on_home"] is True
    assert [p["anchor_text"] for p in broken[target].facts["parents"]] == ["旧文章", "相关阅读"]
    assert broken["http://dead.example/"].facts["error_kind"] == "dns"
    unverified = [o for o in out if o.verdict is Verdict.UNVERIFIED]
    assert [o.subject for o in unverified] == ["http://other.example/"]
