"""A post is untrusted text: its links must not make the feeds spider probe this machine or the intranet.

An RSS feed (served on loopback, like the account's own source) carries posts whose links point at a canary
server on another loopback port, directly and through a redirect from the feed's own host. The canary must
receive no request; those links are recorded as blocked (never judged broken), while a dead link on the
account's own host is still checked and a configured switch allows the intranet on purpose.
"""

from __future__ import annotations

from spiders.feeds import FeedSpider
from monitor.config import Account
from tests.feeds_server import FeedServer


def _rss(items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>https://mp.example.cn/s/{i}</link><guid>{i}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 09:00:00 +0800</pubDate>"
        f'<description><![CDATA[<p>{t}，详见<a href="{href}">链接</a></p>]]></description></item>'
        for i, (t, href) in enumerate(items)
    )
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>测试号</title>{entries}</channel></rss>"


def _fetch(feed: FeedServer, **limits) -> dict[str, tuple[int | None, str | None]]:
    account = Account(
        key="acct",
        platform="wechat",
        name="测试号",
        unit="县政府办",
        source=feed.base + "/rss.xml",
        limits={"delay_seconds": 0, **limits},
    )
    with FeedSpider() as spider:
        result = spider.fetch(account)
    return {c.url: (c.status, c.error_kind) for c in result.link_checks}


def test_post_links_to_other_local_ports_are_never_requested():
    canary, feed = FeedServer(), FeedServer()
    try:
        secret = canary.route("/secret", "内部页面", ctype="text/html")
        bounce = feed.route("/bounce", "", status=302, ctype="text/html", headers={"Location": secret})
        gone = feed.base + "/gone.html"  # the account's own host: checked, and broken
        feed.route("/rss.xml", _rss([("内部", secret), ("跳转", bounce), ("失效", gone)]))
        checks = _fetch(feed)
        assert canary.hits == []
        assert checks[secret] == (None, "blocked")
        assert checks[bounce] == (None, "blocked")  # the redirect's target is refused, not followed
        assert checks[gone] == (404, None)

        allowed = _fetch(feed, allow_private_network=True)  # the documented switch (demo, tests)
        assert "/secret" in canary.hits
        assert allowed[secret] == (200, None) and allowed[bounce] == (200, None)
    finally:
        canary.close()
        feed.close()
