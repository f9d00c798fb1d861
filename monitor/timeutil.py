"""The clock, in the users' time zone. Rules never read it: callers pass ``today`` in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today_cn() -> date:
    return datetime.now(CHINA).date()


def parse_day(text: str | None) -> date:
    """--as-of YYYY-MM-DD, default today in Asia/Shanghai."""
    if not text:
        return today_cn()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"日期“{text}”格式不对，应为 YYYY-MM-DD，如 2026-11-26") from exc
