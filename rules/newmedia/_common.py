"""Helpers shared by the account rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.model import FETCH_OUTCOMES, AccountFacts, PostFacts
from monitor.timeutil import CHINA


def source_failure(account: AccountFacts) -> str | None:
    """Why the latest fetch tells us nothing (None when it succeeded): the account is then unverifiable."""
    latest = account.latest
    if latest is None:
        return "尚未抓取该账号的数据源"
    if latest.ok:
        return None
    what = FETCH_OUTCOMES.get(latest.outcome, latest.outcome)
    return f"数据源抓取失败（{what}）" + (f"：{latest.detail}" if latest.detail else "")


def post_day(post: PostFacts) -> date | None:
    return post.published.astimezone(CHINA).date() if post.published else None


def newest_post(account: AccountFacts, today: date) -> PostFacts | None:
    """The newest post published on or before ``today``, pinned ones by their own date."""
    dated = [
        (p.published, p)
        for p in account.posts
        if p.published is not None and (day := post_day(p)) is not None and day <= today
    ]
    return max(dated, key=lambda pair: pair[0])[1] if dated else None


def account_facts(account: AccountFacts) -> dict[str, Any]:
    return {"account": account.account, "platform": account.platform, "name": account.name}
