"""The feeds spider and the account rules on the real corpus feeds, served on 127.0.0.1, "now" frozen.

Ground truth comes from corpus/MANIFEST.tsv. The corpus files are served byte for byte and never modified.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime

import pytest

from monitor.crawl.accounts import load_account_facts, store_fetch
from monitor.check.checking import check_accounts, run_account_rules
from monitor.config import parse_config
from monitor.store import AccountFetch, Finding, Post, Store
from rules.base import Verdict
from spiders.feeds import FeedSpider
from tests.conftest import require_shared
from tests.feeds_server import CORPUS, FEEDS, FeedServer

SNAP0 = "weibo_getindex__cards__1076036279793937__snap0.json"
SNAP1 = "weibo_getindex__cards__1076036279793937__snap1.json"
LONG_ID = "4649031014551911"


def _manifest() -> dict[str, str]:
    require_shared()
    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        return {r["local_path"]: r["ground_truth"] for r in csv.DictReader(fh, delimiter="\t")}


@pytest.fixture(scope="module")
def server():
    s = FeedServer()
    yield s
    s.close()


@pytest.fixture
def store(tmp_path):
    st = Store(f"sqlite:///{tmp_path / 'm.db'}")
    yield st
    st.close()


def _config(accounts: list[dict], **extra):
    return parse_config({"organisation": {"name": "测试"}, "accounts": accounts, **extra})


def _acc(key: str, source: str, *, platform: str = "wechat", unit: str = "测试单位", **kw) -> dict:
    return {
        "key": key,
        "platform": platform,
        "name": kw.pop("name", key),
        "unit": unit,
        "source": source,
        "limits": {"delay_seconds": 0, "timeout_seconds": 5, **kw.pop("limits", {})},
        **kw,
    }


def _fetch(config, store, keys=None):
    out = {}
    with FeedSpider() as spider:
        for a in config.accounts:
            if keys is None or a.key in keys:
                out[a.key] = store_fetch(store, a, spider.fetch(a))
    return out


def _outcomes(store, config, key, today):
    facts = load_account_facts(store, config, config.account(key))
    return run_account_rules(facts, today=today)[1]


def test_wechat_feeds_match_manifest_ground_truth(server, store):
    truth = _manifest()
    files = sorted(p.name for p in FEEDS.glob("wechat_rss__*.xml"))
    assert len(files) == 17
    accounts = [_acc(f"wx{i}", server.corpus(f"/wx/{name}", name)) for i, name in enumerate(files)]
    config = _config(accounts)
    got = _fetch(config, store)
    for i, name in enumerate(files):
        gt = truth[f"feeds/{name}"]
        n_items = int(re.search(r"items=(\d+)", gt)[1])
        latest = datetime.fromisoformat(re.search(r"latest item pubDate=(\S+?);", gt)[1])
        s = got[f"wx{i}"]
        assert s.outcome == "ok", (name, s.detail)
        assert s.posts == n_items == s.new_posts, name
        assert s.newest == latest and s.newest.utcoffset().total_seconds() == 8 * 3600, name
    with store.session() as s:
        assert s.query(Post).count() == sum(int(re.search(r"items=(\d+)", truth[f"feeds/{n}"])[1]) for n in files)

    # N-V1 at two frozen "now"s: 深圳公安 and 南海政务通 stop at 2021-06-11
    stale_at = {}
    for today in (date(2021, 6, 20), date(2021, 6, 26)):
        stale_at[today] = {
            name
            for i, name in enumerate(files)
            if any(o.rule == "N-V1" and o.verdict is Verdict.FINDING for o in _outcomes(store, config, f"wx{i}", today))
        }
    assert stale_at[date(2021, 6, 20)] == set()
    assert stale_at[date(2021, 6, 26)] == {
        "wechat_rss__shenzhen-gongan__MjM5NzA2OTg2MQ.xml",
        "wechat_rss__nanhai-zhengwutong__MzA4NjQyOTE3Mg.xml",
    }
    gongan = files.index("wechat_rss__shenzhen-gongan__MjM5NzA2OTg2MQ.xml")
    o = next(o for o in _outcomes(store, config, f"wx{gongan}", date(2021, 6, 26)) if o.rule == "N-V1")
    assert o.facts["newest_date"] == "2021-06-11" and o.facts["age_days"] == 15 and "15 天未更新" in o.evidence


def test_gb2312_feeds_with_non_rfc822_dates(server, store):
    config = _config(
        [
            _acc(
                "w3cn",
                server.corpus("/gb/w3cn.xml", "rss_gb2312__w3cn.org__2005.xml"),
                platform="other",
                limits={"check_links": False},
            ),
            _acc(
                "softsea",
                server.corpus("/gb/softsea.xml", "rss_gb2312__softsea.net__2005.xml"),
                platform="other",
                limits={"check_links": False},
            ),
        ]
    )
    got = _fetch(config, store)
    assert got["w3cn"].posts == 20 and got["softsea"].posts == 100
    # "2005-5-28 16:05:36" has no zone: Beijing time, as the feed means it
    assert got["w3cn"].newest.isoformat() == "2005-05-28T16:05:36+08:00"
    assert got["softsea"].newest.isoformat() == "2005-12-29T00:00:00+08:00"  # 2005-12-28T16:00:00Z
    with store.session() as s:
        first = s.query(Post).filter_by(account="w3cn").order_by(Post.published_at.desc()).first()
        assert first.title == "如何以及何时使用sIFR" and first.published_text == "2005-5-28 16:05:36"
        assert first.published_date == date(2005, 5, 28)
    outs = _outcomes(store, config, "w3cn", date(2021, 6, 20))
    zombie = next(o for o in outs if o.rule == "N-S1")
    assert zombie.verdict is Verdict.FINDING and zombie.facts["level"] == "僵尸号"
    assert zombie.facts["newest_date"] == "2005-05-28"


def test_weibo_pinned_new_post_and_long_text(server, store):
    api = "/api/container/getIndex?type=uid&value=6279793937&containerid=1076036279793937"
    server.corpus(api, SNAP0)
    server.corpus(f"/statuses/extend?id={LONG_ID}", f"weibo_statuses_extend__{LONG_ID}.json")
    config = _config([_acc("ak", server.base + api, platform="weibo", limits={"check_links": False})])
    first = _fetch(config, store)["ak"]
    assert first.outcome == "ok" and first.posts == 10 and first.new_posts == 10
    with store.session() as s:
        pinned = s.query(Post).filter_by(account="ak", pinned=True).all()
        assert [p.post_id for p in pinned] == ["4645748019299849"]
        assert pinned[0].published_at == datetime(2021, 6, 8, 1, 35, 4)  # UTC of 09:35:04 +0800
        long = s.query(Post).filter_by(account="ak", post_id=LONG_ID).one()
        # the card's text stops at "…全文" (164 chars); statuses/extend has the whole of it
        assert len(long.text) > 300 and long.text.endswith("如若延迟则请关注官方发布的具体开服时间*")
        assert "全文" not in long.text
        assert long.url == f"https://m.weibo.cn/detail/{LONG_ID}"
    assert f"/statuses/extend?id={LONG_ID}" in server.hits

    server.corpus(api, SNAP1)
    second = _fetch(config, store)["ak"]
    assert second.posts == 11 and second.new_posts == 1  # exactly one new post between the snapshots
    with store.session() as s:
        assert s.query(Post).filter_by(account="ak").count() == 11
        assert [f.new_posts for f in s.query(AccountFetch).order_by(AccountFetch.id)] == [10, 1]

    # the pinned 2021-06-08 card comes first, but the account is fresh on 06-24 (newest 06-17 16:00)
    outs = _outcomes(store, config, "ak", date(2021, 6, 24))
    assert [o for o in outs if o.rule in ("N-V1", "N-S1")] == []
    late = next(o for o in _outcomes(store, config, "ak", date(2021, 7, 3)) if o.rule == "N-V1")
    assert late.verdict is Verdict.FINDING and late.facts["newest_date"] == "2021-06-17"
    assert late.facts["newest_pinned"] is False


@pytest.mark.parametrize(
    "name,route,expected",
    [
        ("ok0", ("corpus", "weibo_getindex__error_ok0.json"), "ok0"),
        ("http503", (503, "text/html", b"<html>Service Unavailable</html>"), "http_error"),
        ("forbidden", (403, "text/html", b"<html>Forbidden</html>"), "blocked"),
        ("login", (200, "text/html; charset=utf-8", "<html><body>请先登录 验证码</body></html>".encode()), "blocked"),
        ("garbage", (200, "application/xml", b"<rss><channel><item><title>oops"), "malformed"),
        ("badjson", (200, "application/json", b"{not json"), "malformed"),
    ],
)
def test_failed_sources_make_the_account_unverifiable_not_stale(server, store, name, route, expected):
    weibo = name in ("ok0", "badjson")
    path = f"/fail/{name}/api/container/getIndex" if weibo else f"/fail/{name}.xml"
    if route[0] == "corpus":
        url = server.corpus(path, route[1])
    else:
        url = server.route(path, route[2], status=route[0], ctype=route[1])
    config = _config([_acc(name, url, platform="weibo" if weibo else "wechat")])
    s = _fetch(config, store)[name]
    assert s.outcome == expected, s.detail
    outs = _outcomes(store, config, name, date(2021, 6, 26))
    assert {o.rule for o in outs} == {"N-V1", "N-S1"}
    assert all(o.verdict is Verdict.UNVERIFIED for o in outs)
    assert "无法核实" in outs[0].evidence


def test_unreachable_source_and_earlier_findings_are_kept(server, tmp_path, store):
    """A stale account whose feed then breaks stays stale (not fixed) and is listed as unverifiable."""
    name = "wechat_rss__shenzhen-gongan__MjM5NzA2OTg2MQ.xml"
    url = server.corpus("/keep/gongan.xml", name)
    config = _config([_acc("ga", url, name="深圳公安")])
    _fetch(config, store)
    day = date(2021, 6, 26)
    r = check_accounts(store, config, as_of=day)[0]
    assert r.findings == 1 and r.unverified == 0
    server.route("/keep/gongan.xml", b"<html>502 Bad Gateway</html>", status=502, ctype="text/html")
    s = _fetch(config, store)["ga"]
    assert s.outcome == "http_error" and "HTTP 502" in s.detail
    for d in (date(2021, 6, 27), date(2021, 6, 28), date(2021, 6, 29)):
        r = check_accounts(store, config, as_of=d)[0]
        assert r.fixed == 0 and r.unverified >= 1
    with store.session() as s:
        f = s.query(Finding).filter_by(rule="N-V1", site="ga").one()
        assert f.verdict == "finding" and f.status == "待整改" and f.last_seen == day


def test_one_failing_account_does_not_stop_the_others(server, store):
    ok = server.corpus("/mix/ok.xml", "wechat_rss__xinhuashe__MzA4NDI3NjcyNA.xml")
    from monitor.demo.server import dead_address

    config = _config(
        [
            _acc("bad1", server.base + "/mix/missing.xml"),
            _acc("good", ok),
            _acc("bad2", str(FEEDS / "does-not-exist.csv"), platform="douyin"),
            _acc("bad3", dead_address() + "/feed.xml", platform="toutiao"),
        ]
    )
    got = _fetch(config, store)
    assert [got[k].outcome for k in ("bad1", "good", "bad2", "bad3")] == [
        "http_error",
        "ok",
        "unreadable",
        "unreachable",
    ]
    assert "连接被拒绝" in got["bad3"].detail
    assert got["good"].posts == 12


def test_store_on_postgresql(server, pg_url):
    store = Store(pg_url)
    try:
        config = _config(
            [_acc("wx", server.corpus("/pg/zf.xml", "wechat_rss__zhongguo-zhengfuwang__MzA4MDA0MzcwMA.xml"))]
        )
        assert _fetch(config, store)["wx"].posts == 12
        assert _fetch(config, store)["wx"].new_posts == 0
        r = check_accounts(store, config, as_of=date(2021, 7, 10))[0]
        assert r.findings == 1  # 2021-06-17 → 23 days
    finally:
        store.close()
