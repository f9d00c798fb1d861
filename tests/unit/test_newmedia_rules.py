"""The account rules on hand-built facts: what must and must not be flagged."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from monitor.model import AccountFacts, FetchFacts, LinkCheckFacts, PostFacts
from rules import get_rule
from rules.base import Verdict

CN = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 26)
OK = FetchFacts(at=datetime(2026, 11, 26, 1), outcome="ok")


def post(day: str, *, pinned: bool = False, text: str = "通知", url: str = "", links: tuple = ()) -> PostFacts:
    d = date.fromisoformat(day)
    return PostFacts(
        post_id=day + str(pinned),
        title=text[:10],
        text=text,
        url=url or f"http://wx/{day}",
        published=datetime(d.year, d.month, d.day, 23, 30, tzinfo=CN),
        pinned=pinned,
        links=links,
    )


def acct(*posts: PostFacts, fetches=(OK,), **kw) -> AccountFacts:
    return AccountFacts(
        account="a",
        platform="wechat",
        name="示例发布",
        unit="县政府办",
        url="http://wx/a",
        fetches=fetches,
        posts=posts,
        current_posts=posts,
        **kw,
    )


def run(rule_id: str, facts: AccountFacts, today: date = TODAY, **thresholds):
    e = get_rule(rule_id)
    return list(e.check(facts, today=today, t=e.rule.thresholds_with(thresholds)))


def test_n_v1_fourteen_days_and_pinned_posts():
    assert run("N-V1", acct(post("2026-11-12"))) == []  # exactly 14 days: on time
    [o] = run("N-V1", acct(post("2026-11-11")))
    assert o.verdict is Verdict.FINDING and o.facts["age_days"] == 15
    # a pinned post counts by its own (old) date; a recent pinned post does count
    [o] = run("N-V1", acct(post("2026-06-01", pinned=True), post("2026-11-01")))
    assert o.facts["newest_date"] == "2026-11-01"
    assert run("N-V1", acct(post("2026-11-20", pinned=True), post("2026-09-01"))) == []
    # a post dated after the monitoring point is ignored; 23:30 Beijing time is still that day
    [o] = run("N-V1", acct(post("2026-12-01"), post("2026-11-01")))
    assert o.facts["newest_date"] == "2026-11-01"
    assert run("N-V1", acct(post("2026-11-01")), max_days=30) == []


def test_n_v1_failed_or_empty_source_is_unverified_never_stale():
    failed = FetchFacts(at=datetime(2026, 11, 26), outcome="blocked", detail="HTTP 432")
    for facts in (acct(post("2026-01-01"), fetches=(failed, OK)), acct(), acct(fetches=())):
        [o] = run("N-V1", facts)
        assert o.verdict is Verdict.UNVERIFIED and "无法核实" in o.evidence


def test_n_s1_cleanup_and_zombie_levels():
    assert run("N-S1", acct(post("2026-09-01"))) == []  # 86 days
    [o] = run("N-S1", acct(post("2026-08-01")))
    assert o.facts["level"] == "清理整合"
    [o] = run("N-S1", acct(post("2025-11-01")))
    assert o.facts["level"] == "僵尸号"
    failed = FetchFacts(at=datetime(2026, 11, 26), outcome="ok0")
    assert run("N-S1", acct(post("2026-11-20"), fetches=(failed,))) == []  # a recent post is known
    [o] = run("N-S1", acct(post("2025-01-01"), fetches=(failed,)))
    assert o.verdict is Verdict.UNVERIFIED


def test_n_s2_only_definite_failures():
    p = post("2026-11-20", links=("http://x/a",))
    checks = (
        LinkCheckFacts("http://x/404", p.url, status=404),
        LinkCheckFacts("http://x/ok", p.url, status=200),
        LinkCheckFacts("http://x/403", p.url, status=403),
        LinkCheckFacts("http://x/t", p.url, error_kind="timeout"),
        LinkCheckFacts("http://down/", p.url, error_kind="refused"),
    )
    got = {o.url for o in run("N-S2", acct(p, link_checks=checks))}
    assert got == {"http://x/404", "http://down/"}


def test_n_s3_duplicates_unverified_unregistered():
    assert run("N-S3", acct()) == []
    [o] = run("N-S3", acct(peers=(("b", "示例发布二号"),)))
    assert "示例发布二号" in o.evidence and o.facts["count"] == 2
    assert run("N-S3", acct(peers=(("b", "二号"),)), max_per_platform=2) == []
    subjects = {o.subject for o in run("N-S3", acct(verified=False, registered=False))}
    assert subjects == {"未认证", "未报送"}


def test_n_v3_runs_the_content_rules_on_posts():
    leak = post("2026-11-20", text="困难群众公示：王某，身份证号110101199003077777，电话13800138000。")
    clean = post("2026-11-21", text="严厉打击六合彩等非法赌博活动，维护社会稳定。")
    got = run("N-V3", acct(leak, clean))
    assert {o.facts["content_rule"] for o in got} == {"W-S4"}
    assert all(o.url == leak.url and o.facts["text_kind"] == "post" for o in got)
    assert run("N-V3", acct(leak, clean), content_rules=("W-V9",)) == []
