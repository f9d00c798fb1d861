"""Chinese date normalisation.

htmldate and dateparser miss the 年月日 forms and take copyright years for
publication dates (spec/field-notes.md), so list and article dates go through
this normaliser first.
"""
from __future__ import annotations

import re
from datetime import date

_FULL = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})(?:\s*日)?(?!\d)"
)
_SHORT = re.compile(r"(?<![\d\-/.])(?P<m>\d{1,2})\s*(?:-|/|月)\s*(?P<d>\d{1,2})(?:\s*日)?(?![\d\-/.])")


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[date, str]]:
    """Every full date (with a year) in ``text``, with the matched text, in order."""
    out = []
    for m in _FULL.finditer(text):
        d = _make(int(m["y"]), int(m["m"]), int(m["d"]))
        if d:
            out.append((d, m.group(0)))
    return out


def parse_date(text: str, *, today: date | None = None) -> date | None:
    """The first date in ``text``; a month-day form takes the year that puts it not after ``today``."""
    if not text:
        return None
    found = find_dates(text)
    if found:
        return found[0][0]
    if today is not None:
        m = _SHORT.search(text)
        if m:
            month, day = int(m["m"]), int(m["d"])
            d = _make(today.year, month, day)
            if d and d > today:
                d = _make(today.year - 1, month, day)
            return d
    return None
