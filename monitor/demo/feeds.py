"""The demo's new-media accounts: generated RSS feeds and m.weibo.cn-shaped JSON, dates relative to ``today``.

Planted account problems (and only these) — ``ACCOUNT_PLANTED`` lists them for the tests:
- 示例县发布 (WeChat): fresh, but one post publishes a resident ID number in clear (N-V3 via W-S4) and one
  links to a page removed from the portal (N-S2);
- 示例县政府办（旧号） (WeChat, same unit): silent for 400 days (N-V1, N-S1 僵尸号); the unit runs two WeChat
  accounts (N-S3 on both);
- 平安示例 (Weibo): an old pinned post on top, newest post 20 days old (N-V1: the pinned post does not count
  as fresh);
- 示例县卫健委 (Weibo) answers ok=0 and 示例县融媒 (Douyin, via a feed bridge) answers HTTP 503: both are
  unverifiable (``ACCOUNT_UNVERIFIABLE``), never stale;
- 示例县教育体育 (Toutiao): fresh and clean.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
UNIT_GOV = "示例县人民政府办公室"
UNIT_POLICE = "示例县公安局"
UNIT_HEALTH = "示例县卫生健康委员会"
UNIT_MEDIA = "示例县融媒体中心"
UNIT_EDU = "示例县教育体育局"
UNITS = (UNIT_GOV, UNIT_POLICE, UNIT_HEALTH, UNIT_MEDIA, UNIT_EDU)
REMOVED_PAGE = "/hdjl/zjdc/2025wjdc.html"  # a survey page the portal no longer serves (404)
LIVE_PAGE = "/tzgg/index.html"


@dataclass(frozen=True)
class DemoAccount:
    key: str
    platform: str
    name: str
    unit: str
    path: str  # source path on the demo server
    newest_age: int | None  # days between today and the newest post; None: the source fails
    interval: int = 3
    count: int = 10
    failure: str | None = None  # ok0 | http503


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo-wx-fabu", "wechat", "示例县发布", UNIT_GOV, "/feeds/wx-fabu.xml", 1, 2, 12),
    DemoAccount("demo-wx-old", "wechat", "示例县政府办（旧号）", UNIT_GOV, "/feeds/wx-old.xml", 400, 30, 6),
    DemoAccount("demo-wb-police", "weibo", "平安示例", UNIT_POLICE, "/weibo/police/api/container/getIndex", 20, 3, 8),
    DemoAccount(
        "demo-wb-health",
        "weibo",
        "示例县卫健委",
        UNIT_HEALTH,
        "/weibo/health/api/container/getIndex",
        None,
        failure="ok0",
    ),
    DemoAccount("demo-dy-media", "douyin", "示例县融媒", UNIT_MEDIA, "/feeds/dy-media.xml", None, failure="http503"),
    DemoAccount("demo-tt-edu", "toutiao", "示例县教育体育", UNIT_EDU, "/feeds/tt-edu.xml", 2, 3, 10),
)


@dataclass(frozen=True)
class AccountPlanted:
    rule: str
    account: str
    note: str


ACCOUNT_PLANTED: tuple[AccountPlanted, ...] = (
    AccountPlanted("N-V3", "demo-wx-fabu", "公示名单中的身份证号未脱敏"),
    AccountPlanted("N-S2", "demo-wx-fabu", "推文链接到门户网站已删除的页面"),
    AccountPlanted("N-S3", "demo-wx-fabu", "同一单位开设两个微信公众号"),
    AccountPlanted("N-S3", "demo-wx-old", "同一单位开设两个微信公众号"),
    AccountPlanted("N-V1", "demo-wx-old", "400 天未更新"),
    AccountPlanted("N-S1", "demo-wx-old", "400 天未更新，僵尸号"),
    AccountPlanted("N-V1", "demo-wb-police", "20 天未更新（置顶微博更早）"),
)
ACCOUNT_UNVERIFIABLE: tuple[str, ...] = ("demo-wb-health", "demo-dy-media")

_TOPICS = (
    "全县秋冬季森林防火工作部署",
    "城乡居民医保集中参保缴费开始",
    "县城区道路改造工程进展",
    "乡村振兴示范村建设",
    "冬季安全生产检查",
    "县人民医院专家义诊",
    "中小学生研学活动",
    "农产品产销对接会",
)


def resident_id(prefix17: str) -> str:
    """A resident ID number with a correct check digit (GB 11643-1999), for the planted leak."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return prefix17 + "10X98765432"[sum(int(d) * w for d, w in zip(prefix17, weights)) % 11]


LEAKED_ID = resident_id("36099919850312123")


def demo_accounts(base: str) -> list[dict]:
    """The accounts as sites.yaml entries, their sources on the demo server at ``base``."""
    out = []
    for a in ACCOUNTS:
        out.append(
            {
                "key": a.key,
                "platform": a.platform,
                "name": a.name,
                "unit": a.unit,
                "source": base + a.path,
                "home": f"{base}/newmedia/{a.key}",
                "verified": True,
                "registered": True,
                # loopback demo: no need to be polite to ourselves
                "limits": {"delay_seconds": 0, "timeout_seconds": 5},
            }
        )
    return out


class DemoFeeds:
    """Every source of the demo accounts, generated in memory: path → (content type, body, status)."""

    def __init__(self, today: date, base: str):
        self.today = today
        self.base = base.rstrip("/")
        self.pages: dict[str, tuple[str, bytes, int]] = {}
        for a in ACCOUNTS:
            self._build(a)

    def _posts(self, a: DemoAccount) -> list[dict]:
        posts = []
        for i in range(a.count):
            d = self.today - timedelta(days=a.newest_age + i * a.interval)
            when = datetime.combine(d, time(9 + i % 8, 30), tzinfo=CHINA)
            topic = _TOPICS[(i + len(a.key)) % len(_TOPICS)]
            html = f"<p>{a.name}消息：{topic}。</p><p>详情请关注{a.unit}发布的通知。</p>"
            if a.key == "demo-wx-fabu" and i == 2:
                html += (
                    f"<p>公示名单：张某某，身份证号{LEAKED_ID}，家庭人口 3 人。</p>"
                    f'<p><a href="{self.base}{LIVE_PAGE}">通知公告</a></p>'
                )
            if a.key == "demo-wx-fabu" and i == 4:
                html += f'<p>参与问卷：<a href="{self.base}{REMOVED_PAGE}">2025年度满意度调查</a></p>'
            posts.append({"id": f"{a.key}-{i + 1}", "title": f"{topic}（第{i + 1}期）", "html": html, "when": when})
        return posts

    def _build(self, a: DemoAccount) -> None:
        if a.failure == "http503":
            self.pages[a.path] = (
                "text/html; charset=utf-8",
                "<html><body>503 Service Unavailable：RSSHub 路由暂时不可用</body></html>".encode(),
                503,
            )
            return
        if a.failure == "ok0":
            self.pages[a.path] = (
                "application/json",
                json.dumps({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}, ensure_ascii=False).encode(),
                200,
            )
            return
        posts = self._posts(a)
        if a.platform == "weibo":
            cards = []
            pinned_when = datetime.combine(self.today - timedelta(days=120), time(8, 0), tzinfo=CHINA)
            cards.append(
                self._mblog(
                    "pinned-1", "【置顶】关于防范电信网络诈骗的提示：不听、不信、不转账。", pinned_when, pinned=True
                )
            )
            cards += [self._mblog(p["id"], p["title"] + "。" + p["html"], p["when"]) for p in posts]
            body = json.dumps(
                {"ok": 1, "data": {"cardlistInfo": {"total": len(cards)}, "cards": cards}}, ensure_ascii=False
            ).encode()
            self.pages[a.path] = ("application/json; charset=utf-8", body, 200)
            return
        items = "".join(
            f"<item><title>{escape(p['title'])}</title><link>{self.base}/newmedia/{a.key}/{p['id']}.html</link>"
            f"<guid>{p['id']}</guid><description>{escape(p['html'])}</description>"
            f"<pubDate>{format_datetime(p['when'])}</pubDate></item>"
            for p in posts
        )
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{escape(a.name)}</title>'
            f"<link>{self.base}/newmedia/{a.key}</link><description>{escape(a.unit)}</description>{items}"
            "</channel></rss>"
        ).encode()
        self.pages[a.path] = ("application/rss+xml; charset=utf-8", body, 200)

    @staticmethod
    def _mblog(pid: str, html: str, when: datetime, *, pinned: bool = False) -> dict:
        mb = {
            "id": pid,
            "mid": pid,
            "created_at": when.strftime("%a %b %d %H:%M:%S %z %Y"),
            "text": html,
            "isLongText": False,
        }
        if pinned:
            mb["isTop"] = 1
            mb["title"] = {"text": "置顶", "base_color": 1}
        return {"card_type": 9, "itemid": pid, "mblog": mb}
