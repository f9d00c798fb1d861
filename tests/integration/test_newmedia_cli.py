"""`monitor feeds` → `check` → `report` → `stats` through the real CLI, on generated and corpus sources
served on 127.0.0.1, with "now" frozen at 2021-06-20.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from monitor.store import Column, ColumnItem, Store
from tests.conftest import findings_json, run_monitor
from tests.feeds_server import FeedServer, rss, write_config

NOW = date(2021, 6, 20)
CN = ZoneInfo("Asia/Shanghai")
SNAP1 = "weibo_getindex__cards__1076036279793937__snap1.json"


def _day(days_ago: int, hour: int = 10) -> str:
    return format_datetime(datetime.combine(NOW - timedelta(days=days_ago), time(hour), tzinfo=CN))


@pytest.fixture
def world(tmp_path):
    srv = FeedServer()
    ok_page = srv.route("/pages/ok.html", "<html><body>ok</body></html>", ctype="text/html; charset=utf-8")
    gone = srv.base + "/pages/gone.html"  # 404
    fresh = [
        {
            "title": "县政府召开常务会议",
            "link": srv.base + "/p/1",
            "date": _day(1),
            "html": f'<p>会议研究了防汛工作。</p><a href="{ok_page}">详情</a>',
        },
        {
            "title": "低保名单公示",
            "link": srv.base + "/p/2",
            "date": _day(3),
            "html": "<p>公示对象：李某，联系手机13907971234，住址某村。</p>",
        },
        {
            "title": "转发：精准六合彩资料",
            "link": srv.base + "/p/3",
            "date": _day(5),
            "html": f'<p>本期六合彩一码中特，欢迎下注。</p><p><a href="{gone}">往期回顾</a></p>',
        },
        {
            "title": "五月工作回顾",
            "link": srv.base + "/p/4",
            "date": _day(30),
            "html": "<p>严厉打击六合彩等非法赌博活动。</p>",
        },
    ]
    stale = [{"title": f"旧消息{i}", "link": srv.base + f"/q/{i}", "date": _day(20 + 7 * i)} for i in range(3)]
    srv.route("/feeds/fresh.xml", rss("示例发布", fresh))
    srv.route("/feeds/stale.xml", rss("示例交通", stale))
    srv.route("/feeds/dup.xml", rss("示例发布二号", [{"title": "通知", "link": srv.base + "/r/1", "date": _day(2)}]))
    srv.route("/feeds/broken.xml", "<html>502 Bad Gateway</html>", status=502, ctype="text/html")
    api = "/api/container/getIndex?containerid=1076036279793937"
    srv.corpus(api, SNAP1)
    srv.corpus("/statuses/extend?id=4649031014551911", "weibo_statuses_extend__4649031014551911.json")
    export = tmp_path / "douyin.csv"
    export.write_text(
        "id,title,text,published,url,pinned\n"
        "v1,置顶：办事指南,,2021-03-01 09:00,https://www.douyin.com/video/1,是\n"
        "v2,防溺水提醒,暑期防溺水,2021-06-02 18:30:00,https://www.douyin.com/video/2,\n"
        "v3,中考安排,,2021-05-28T08:00:00+08:00,https://www.douyin.com/video/3,\n",
        encoding="utf-8-sig",
    )
    db = tmp_path / "m.db"
    lim = {"delay_seconds": 0, "timeout_seconds": 5}
    accounts = [
        {
            "key": "wx-fresh",
            "platform": "wechat",
            "name": "示例发布",
            "unit": "县政府办",
            "source": srv.base + "/feeds/fresh.xml",
            "limits": lim,
        },
        {
            "key": "wx-dup",
            "platform": "wechat",
            "name": "示例发布二号",
            "unit": "县政府办",
            "source": srv.base + "/feeds/dup.xml",
            "verified": False,
            "limits": lim,
        },
        {
            "key": "tt-stale",
            "platform": "toutiao",
            "name": "示例交通",
            "unit": "县交通局",
            "source": srv.base + "/feeds/stale.xml",
            "limits": lim,
        },
        {
            "key": "dy-broken",
            "platform": "douyin",
            "name": "示例融媒",
            "unit": "县融媒体中心",
            "source": srv.base + "/feeds/broken.xml",
            "limits": lim,
        },
        {
            "key": "wb-ak",
            "platform": "weibo",
            "name": "示例微博",
            "unit": "县交通局",
            "source": srv.base + api,
            "limits": {**lim, "check_links": False},
        },
        {
            "key": "dy-export",
            "platform": "douyin",
            "name": "示例抖音",
            "unit": "县交通局",
            "source": "douyin.csv",
            "limits": lim,
        },
    ]
    cfg = write_config(tmp_path / "sites.yaml", accounts, db=db)
    yield tmp_path, cfg, db, srv
    srv.close()


def test_feeds_check_report_and_stats(world):
    tmp, cfg, db, srv = world
    out = run_monitor("-c", str(cfg), "feeds", cwd=tmp)
    assert out.returncode == 3, out.stderr + out.stdout  # one source failed, the others were fetched
    assert "示例融媒（HTTP 错误）" in out.stderr and "无法核实" in out.stderr
    assert "示例发布" in out.stdout and "示例抖音" in out.stdout
    assert "/pages/ok.html" in srv.hits and "/pages/gone.html" in srv.hits  # in-post links checked once
    assert srv.hits.count("/pages/gone.html") == 1

    out = run_monitor("-c", str(cfg), "check", "--as-of", NOW.isoformat(), cwd=tmp)
    assert out.returncode == 0, out.stderr
    assert "新媒体账号检查结果" in out.stdout
    rows = findings_json(f"sqlite:///{db}", tmp)
    got = sorted((r["rule"], r["site"], r["facts"].get("content_rule", "")) for r in rows)
    assert got == sorted(
        [
            ("N-V1", "tt-stale", ""),  # newest post 20 days before the monitoring point
            ("N-V3", "wx-fresh", "W-S4"),  # mobile number in clear
            ("N-V3", "wx-fresh", "W-V9"),
            ("N-V3", "wx-fresh", "W-V9"),  # 六合彩 and 一码中特 in one promotion;
            # the 严厉打击六合彩 sentence of another post is not flagged
            ("N-S2", "wx-fresh", ""),  # the 404 link, not the working one
            ("N-S3", "wx-fresh", ""),
            ("N-S3", "wx-dup", ""),  # two WeChat accounts of 县政府办
            ("N-S3", "wx-dup", ""),  # and wx-dup is marked unverified
            ("N-V1", "dy-export", ""),  # export: newest 2021-06-02 (the pinned 03-01 post does not count as fresh)
            ("N-V3", "wb-ak", "W-S3"),  # the real Weibo text writes 帐号 (规范写法 账号): a 提示, not a deduction
        ]
    )
    by = {(r["rule"], r["site"], r["subject"]): r for r in rows}
    stale = next(r for r in rows if r["rule"] == "N-V1" and r["site"] == "tt-stale")
    assert stale["facts"]["age_days"] == 20 and stale["severity"] == "否决"
    exported = next(r for r in rows if r["rule"] == "N-V1" and r["site"] == "dy-export")
    assert exported["facts"]["newest_date"] == "2021-06-02" and exported["facts"]["age_days"] == 18
    gamble = [r for r in rows if r["facts"].get("content_rule") == "W-V9"]
    assert {r["subject"] for r in gamble} == {"六合彩", "一码中特"}  # never an internal rule id
    variant = next(r for r in rows if r["facts"].get("content_rule") == "W-S3")
    assert variant["subject"] == "帐号" and variant["severity"] == "提示" and "规范写法为“账号”" in variant["evidence"]
    assert all(r["severity"] == "否决" and r["url"] == srv.base + "/p/3" for r in gamble)
    mobile = next(r for r in rows if r["facts"].get("content_rule") == "W-S4")
    assert "139****1234" in mobile["evidence"] and "13907971234" not in json.dumps(mobile, ensure_ascii=False)
    broken = next(r for r in rows if r["rule"] == "N-S2")
    assert broken["url"] == srv.base + "/pages/gone.html" and broken["source_url"] == srv.base + "/p/3"
    assert ("N-S3", "wx-dup", "未认证") in by
    # the failing source: unverifiable, never stale
    assert not [r for r in rows if r["site"] == "dy-broken"]
    everything = json.loads(
        run_monitor("--db", f"sqlite:///{db}", "findings", "--format", "json", "--status", "all", cwd=tmp).stdout
    )
    assert everything == rows  # export hides unverified items; they are in the notice
    assert run_monitor("--db", f"sqlite:///{db}", "findings", "--format", "json", cwd=tmp).returncode == 0

    out = run_monitor("-c", str(cfg), "report", "--month", "2021-06", "--as-of", NOW.isoformat(), cwd=tmp)
    assert out.returncode == 0, out.stderr
    notice = (tmp / "out" / "督查通报-2021-06-征求意见稿.html").read_text(encoding="utf-8")  # a draft for proofreading
    sel = Selector(text=notice)
    summary = "".join(sel.xpath("//p[@id='newmedia-summary']//text()").getall())
    # 6 accounts, 1 unverifiable; of the 5 judged, tt-stale, dy-export (N-V1) and wx-fresh (W-V9 veto) fail
    assert "本次共检查政务新媒体账号 6 个，其中可核实 5 个、存在单项否决问题的 3 个，合格率 40.0%" in summary
    assert "微信 50.0%" in summary and "微博 100.0%" in summary and "抖音 0.0%" in summary and "头条 0.0%" in summary
    assert "另有 1 个账号" in summary
    unverifiable = " ".join(sel.xpath("//p[@class='newmedia-unverifiable']//text()").getall())
    assert "示例融媒" in unverifiable and "HTTP 502" in unverifiable
    problems = sel.xpath("//p[@class='newmedia-problem']/@data-rule").getall()
    assert sorted(problems) == sorted(r["rule"] for r in rows)
    assert "13907971234" not in notice
    # the Word notice carries the same 政务新媒体 part (one view, three formats)
    out = run_monitor(
        "-c", str(cfg), "report", "--month", "2021-06", "--as-of", NOW.isoformat(), "--format", "docx", cwd=tmp
    )
    assert out.returncode == 0, out.stderr
    import docx

    paras = [p.text for p in docx.Document(str(next((tmp / "out").glob("*.docx")))).paragraphs]
    joined = "\n".join(paras)
    assert any(t.endswith("政务新媒体") for t in paras)
    assert "本次共检查政务新媒体账号 6 个，其中可核实 5 个、存在单项否决问题的 3 个，合格率 40.0%" in joined
    assert "示例融媒" in joined and "HTTP 502" in joined and "13907971234" not in joined

    # counts: posts by publish day; a site's column items of its latest crawl, deduplicated by URL
    store = Store(f"sqlite:///{db}")
    run = store.start_run("portal")
    store.insert_rows(
        Column,
        [
            {"run_id": run, "role": "column", "url": "http://x/a/", "name": "工作动态", "kind": "工作动态"},
            {"run_id": run, "role": "column", "url": "http://x/b/", "name": "通知公告", "kind": "通知公告"},
            {"run_id": run, "role": "home", "url": "http://x/", "name": "首页", "kind": "首页"},
        ],
    )
    items = [
        ("http://x/a/", "http://x/a/1.html", date(2021, 6, 1)),
        ("http://x/a/", "http://x/a/2.html", date(2021, 5, 1)),
        ("http://x/a/", "http://x/a/3.html", date(2020, 12, 31)),
        ("http://x/b/", "http://x/b/1.html", date(2021, 2, 1)),
        ("http://x/b/", "http://x/a/1.html", date(2021, 6, 1)),  # listed in two columns
        ("http://x/", "http://x/a/1.html", date(2021, 6, 1)),
    ]  # and on the home page
    store.insert_rows(
        ColumnItem,
        [{"run_id": run, "column_url": c, "url": u, "title": "t", "date": d, "date_text": ""} for c, u, d in items],
    )
    store.finish_run(run, pages=3)
    store.close()
    cfg.write_text(
        cfg.read_text(encoding="utf-8")
        + "sites:\n  - {key: portal, name: 示例县政府网站, home: 'http://x/', unit: 县政府办}\n",
        encoding="utf-8",
    )
    out = run_monitor("-c", str(cfg), "stats", "--year", "2021", "--format", "json", cwd=tmp)
    assert out.returncode == 0, out.stderr
    c = json.loads(out.stdout)
    assert c["site_total"] == 3  # a/1 (three listings), a/2, b/1; a/3 is 2020
    assert {(x["column"], x["items"]) for x in c["columns"]} == {("工作动态", 2), ("通知公告", 2)}
    per = {a["account"]: a["items"] for a in c["accounts"]}
    assert per == {"wx-fresh": 4, "wx-dup": 1, "tt-stale": 3, "dy-broken": 0, "wb-ak": 11, "dy-export": 3}
    assert c["account_total"] == 22
    units = {u["unit"]: (u["site_items"], u["account_items"]) for u in c["units"]}
    assert units == {"县政府办": (3, 5), "县交通局": (0, 17), "县融媒体中心": (0, 0)}
    out = run_monitor("-c", str(cfg), "stats", "--year", "2021", "--month", "6", cwd=tmp)
    assert out.returncode == 0, out.stderr
    # June: a/1 only on the site; posts: wx-fresh 3 (one is May 21), wx-dup 1, tt-stale 0 (all in May),
    # wb-ak 11, dy-export 1
    assert "2021年6月通过政府网站发布政府信息1条、政务新媒体发布政府信息16条" in out.stdout
    assert "各单位发布信息条数" in out.stdout


def test_feeds_rejects_an_unknown_account(world):
    tmp, cfg, _, _ = world
    out = run_monitor("-c", str(cfg), "feeds", "--account", "nope", cwd=tmp)
    assert out.returncode == 2 and "没有 key 为“nope”的新媒体账号" in out.stderr
    out = run_monitor("-c", str(cfg), "feeds", "--account", "wx-dup", cwd=tmp)
    assert out.returncode == 0, out.stderr
