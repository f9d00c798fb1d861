"""Chinese date normalisation.

htmldate and dateparser miss the 年月日 forms and take copyright years for
publication dates (spec/field-notes.md), so list and article dates go through
this normaliser first.

Forms read (after full-width digits and punctuation are folded to ASCII):

- ``2026-11-20``, ``2026/11/20``, ``2026.11.20``, ``2026年11月20日``, ``2026-11-20T10:05:00+08:00``,
  ``2007-08-20-23:59:59`` (www.gov.cn ``firstpublishedtime``), each with an optional
  ``HH:MM[:SS]`` / ``HH时MM分`` time;
- month-day forms without a year (``[11-20]``, ``11月20日``, ``10-08 12:00``): the year is the one
  that puts the date not after ``today`` (only when ``today`` is given);
- relative forms (``刚刚``, ``N分钟前``, ``N小时前``, ``今天``, ``昨天``, ``前天``, ``N天前``) relative
  to a passed ``now`` (only when ``now`` is given).

Dates preceded by copyright, "last updated" or CMS-build wording are skipped: they are not
publication dates (版权所有 2008-2024, 最后更新, 更新时间, 修改时间, 生成时间).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_TIME = r"(?:\s*(?:T|-|\s)?\s*(?P<H>[01]?\d|2[0-3])\s*(?::|时)\s*(?P<M>[0-5]\d)(?:\s*(?::|分)\s*(?P<S>[0-5]\d)(?:\.\d+)?(?:秒)?)?)?"
_FULL = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*"
    # The same separator twice (2026-11-20, 2026/11/20, 2026.11.20) or 年…月: "2018-05/03" and
    # "2019年1-7月" (January to July) are not dates.
    r"(?:(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)|年\s*(?P<m2>\d{1,2})\s*月)"
    r"\s*(?P<d>\d{1,2})(?!\d)(?:\s*日)?" + _TIME
)
# Month-day with no year: 11-20, [11-20], 11/20, 11月20日. Not part of a longer number or a full date.
_SHORT = re.compile(
    r"(?<![\d\-/.年])(?P<m>\d{1,2})\s*(?:-|/|月)\s*(?P<d>\d{1,2})(?![\d/.])(?:\s*日)?(?!\s*-\s*\d)" + _TIME
)
_RELATIVE = re.compile(r"刚刚|(?P<n>\d+)\s*(?P<unit>秒|分钟|小时|天)前|(?P<word>今天|昨天|前天)" + _TIME)

# Words that, just before a date, mark it as something other than a publication date.
_EXCLUDE_BEFORE = re.compile(
    r"(?:版权所有|版权|copyright|\(c\)|©|最后更新|更新时间|更新于|修改时间|修改日期|生成时间|建站|"
    r"Maketime|lastmodified|build)[^\n]{0,12}$",
    re.IGNORECASE,
)
_EXCLUDE_WINDOW = 24


@dataclass(frozen=True)
class DateMatch:
    """One date found in a text: the value, whether a time was given, the matched text and its span."""

    value: datetime
    has_time: bool
    text: str
    start: int
    end: int

    @property
    def date(self) -> date:
        return self.value.date()


def normalize(text: str) -> str:
    """Fold full-width digits/punctuation (２０２６／１１／２０, ：) to ASCII; NBSP and ideographic space to space."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


def _make(y: int, m: int, d: int, hh: str | None = None, mm: str | None = None, ss: str | None = None):
    try:
        return datetime(y, m, d, int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None


def _excluded(text: str, start: int) -> bool:
    return bool(_EXCLUDE_BEFORE.search(text[max(0, start - _EXCLUDE_WINDOW) : start]))


def iter_dates(text: str, *, today: date | None = None, keep_excluded: bool = False) -> list[DateMatch]:
    """Every date in ``text`` in document order: full dates, and month-day forms when ``today`` is given.

    ``text`` is normalised first; the spans refer to the normalised text. Dates preceded by
    copyright/update wording are dropped unless ``keep_excluded``.
    """
    if not text:
        return []
    text = normalize(text)
    out: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for m in _FULL.finditer(text):
        value = _make(int(m["y"]), int(m["m"] or m["m2"]), int(m["d"]), m["H"], m["M"], m["S"])
        if value is None:
            continue
        taken.append(m.span())
        if not keep_excluded and _excluded(text, m.start()):
            continue
        out.append(DateMatch(value, m["H"] is not None, m.group(0).strip(), m.start(), m.end()))
    if today is not None:
        for m in _SHORT.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            month, day = int(m["m"]), int(m["d"])
            value = _make(today.year, month, day, m["H"], m["M"], m["S"])
            if value is not None and value.date() > today:
                value = _make(today.year - 1, month, day, m["H"], m["M"], m["S"])
            if value is None:
                continue
            if not keep_excluded and _excluded(text, m.start()):
                continue
            out.append(DateMatch(value, m["H"] is not None, m.group(0).strip(), m.start(), m.end()))
        out.sort(key=lambda dm: dm.start)
    return out


def find_dates(text: str) -> list[tuple[date, str]]:
    """Every full date (with a year) in ``text``, with the matched text, in order."""
    return [(dm.date, dm.text) for dm in iter_dates(text)]


def parse_relative(text: str, *, now: datetime) -> datetime | None:
    """刚刚 / N分钟前 / N小时前 / N天前 / 今天 / 昨天 / 前天 [HH:MM], relative to ``now``."""
    if not text:
        return None
    m = _RELATIVE.search(normalize(text))
    if not m:
        return None
    if m.group(0) == "刚刚":
        return now
    if m["unit"]:
        n = int(m["n"])
        delta = {
            "秒": timedelta(seconds=n),
            "分钟": timedelta(minutes=n),
            "小时": timedelta(hours=n),
            "天": timedelta(days=n),
        }[m["unit"]]
        return now - delta
    days = {"今天": 0, "昨天": 1, "前天": 2}[m["word"]]
    day = (now - timedelta(days=days)).date()
    if m["H"] is not None:
        return datetime(day.year, day.month, day.day, int(m["H"]), int(m["M"]), int(m["S"] or 0))
    return datetime(day.year, day.month, day.day)


def parse_datetime(text: str, *, today: date | None = None, now: datetime | None = None) -> datetime | None:
    """The first date in ``text`` as a datetime (midnight when no time is given).

    Month-day forms need ``today`` (or ``now``); relative forms need ``now``.
    """
    if not text:
        return None
    if now is not None and today is None:
        today = now.date()
    found = iter_dates(text, today=today)
    if found:
        return found[0].value
    if now is not None:
        return parse_relative(text, now=now)
    return None


def parse_date(text: str, *, today: date | None = None, now: datetime | None = None) -> date | None:
    """The first date in ``text``; a month-day form takes the year that puts it not after ``today``."""
    value = parse_datetime(text, today=today, now=now)
    return value.date() if value else None


# ------------------------------------------------------------------ dates in URLs and split dates
#
# CMS families put the creation date of an article in its URL: TRS ``t20261120_123.html`` (often
# under ``/202611/``), 大汉 JCMS ``/art/2026/11/20/art_1_2.html``, many ``/2026/11/20/`` or
# ``/2026-11/20/`` folders. It dates an entry whose list shows no date, and gives a month-day its year.
_URL_FULL = (
    re.compile(r"(?<!\d)t?(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:_|\d{0,6}\.)"),  # t20261120_1 / 20261120.
    re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)/"),  # /2026/11/20/, /2026-11-20/
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)/(?P<d>[0-3]\d)/"),  # /202611/20/
    re.compile(r"/(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)/(?P<d>[0-3]\d)/"),  # /2026-11/20/
)
_URL_MONTH = re.compile(r"/(?P<y>(?:19|20)\d{2})[-/]?(?P<m>[01]\d)/")  # /202611/ or /2026-11/ or /2026/11/


def url_date(url: str) -> date | None:
    """The date a CMS wrote into an article URL (see above), or None."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = path.split("//", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    for pattern in _URL_FULL:
        for m in pattern.finditer(path):
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                continue
    return None


def url_year_month(url: str) -> tuple[int, int] | None:
    """(year, month) of a URL's date or dated folder (``/202611/``), or None."""
    found = url_date(url)
    if found is not None:
        return found.year, found.month
    path = url.split("?", 1)[0].split("#", 1)[0].split("//", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    m = _URL_MONTH.search(path)
    if m and 1 <= int(m["m"]) <= 12:
        return int(m["y"]), int(m["m"])
    return None


_YEAR_MONTH = re.compile(r"^\s*[\[(【]?\s*(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?\s*[\])】]?\s*$")
_DAY = re.compile(r"^\s*[\[(【]?\s*(?P<d>\d{1,2})\s*日?\s*[\])】]?\s*$")


def split_date(parts: list[str]) -> date | None:
    """A date written across elements: a day in one (``20``), year-month in another (``2026-11``,
    ``2026.11``, ``2026年11月``), in either order, as card layouts show them."""
    ym = day = None
    for raw in parts:
        text = normalize(raw)
        if ym is None:
            m = _YEAR_MONTH.match(text)
            if m:
                ym = (int(m["y"]), int(m["m"]))
                continue
        if day is None:
            m = _DAY.match(text)
            if m:
                day = int(m["d"])
    if ym is None or day is None:
        return None
    try:
        return date(ym[0], ym[1], day)
    except ValueError:
        return None


def month_days(text: str) -> list[tuple[int, int, str]]:
    """Month-day forms without a year (``11-20``, ``[11-20]``, ``11月20日``): (month, day, text)."""
    if not text:
        return []
    text = normalize(text)
    taken = [m.span() for m in _FULL.finditer(text)]
    out = []
    for m in _SHORT.finditer(text):
        if any(a <= m.start() < b for a, b in taken) or _excluded(text, m.start()):
            continue
        month, day = int(m["m"]), int(m["d"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            out.append((month, day, m.group(0).strip()))
    return out


def _on(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def infer_year(
    month: int, day: int, *, above: date | None = None, below: date | None = None, hint: tuple[int, int] | None = None
) -> date | None:
    """The year of a month-day from what surrounds it, or None when nothing decides it.

    ``hint``: (year, month) of the entry's own URL date: taken when its month agrees. ``above`` and
    ``below``: the nearest fully dated entries before and after it in a newest-first list; the
    month-day takes the one year that puts it between them (either bound alone decides only within
    its own year or across one new year, never further).
    """
    if hint is not None and hint[1] == month:
        return _on(hint[0], month, day)
    candidates = set()
    for ref in (above, below):
        if ref is not None:
            candidates.update((ref.year - 1, ref.year, ref.year + 1))
    fits = []
    for y in sorted(candidates):
        d = _on(y, month, day)
        if d is None:
            continue
        if above is not None and d > above:
            continue
        if below is not None and d < below:
            continue
        # one bound alone: not more than a year away from it
        if above is not None and below is None and (above - d).days > 366:
            continue
        if below is not None and above is None and (d - below).days > 366:
            continue
        fits.append(d)
    if len(fits) == 1:
        return fits[0]
    if fits and above is not None and below is None:
        return max(fits)  # the nearest below the entry above it
    if fits and below is not None and above is None:
        return min(fits)
    return None
