"""Plain matching helpers shared by the content rules (and by N-V3 for posts).

Everything here is a pure function of a text: where a match sits (offset,
line, column), the sentence around it, whether a mention is historical, and
the grouping of occurrences into one record per matched word.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

SENTENCE_END = "。！？!?；;\n"
CLAUSE_END = SENTENCE_END + "，,、：:（）()《》“”\"' \t\u3000"
MAX_SIDE = 60  # characters of context kept on each side of a match
_NEWLINE = re.compile("\n")


class TextIndex:
    """Line and sentence lookups over one text; newline offsets computed once, on first use."""

    __slots__ = ("text", "_newlines")

    def __init__(self, text: str):
        self.text = text
        self._newlines: list[int] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a 0-based character offset."""
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(self.text)]
        line = bisect.bisect_left(self._newlines, offset)
        col = offset - (self._newlines[line - 1] + 1 if line else 0)
        return line + 1, col + 1

    def sentence_bounds(self, start: int, end: int) -> tuple[int, int]:
        text = self.text
        lo = max(0, start - MAX_SIDE)
        s = start
        while s > lo and text[s - 1] not in SENTENCE_END:
            s -= 1
        hi = min(len(text), end + MAX_SIDE)
        e = end
        while e < hi and text[e] not in SENTENCE_END:
            e += 1
        if e < len(text) and text[e] in SENTENCE_END and text[e] != "\n":
            e += 1  # keep the full stop
        return s, e

    def sentence(self, start: int, end: int) -> str:
        s, e = self.sentence_bounds(start, end)
        out = " ".join(self.text[s:e].split())
        if s > 0 and self.text[s - 1] not in SENTENCE_END:
            out = "…" + out
        if e < len(self.text) and self.text[e - 1] not in SENTENCE_END and self.text[e] not in SENTENCE_END:
            out += "…"
        return out

    def clause_before(self, start: int, limit: int = 12) -> str:
        """Text between the previous clause break and ``start`` (at most ``limit`` characters)."""
        text = self.text
        s = start
        lo = max(0, start - limit)
        while s > lo and text[s - 1] not in CLAUSE_END:
            s -= 1
        return text[s:start]


@dataclass
class Hit:
    """One occurrence of a matched word."""

    start: int
    end: int


@dataclass
class Group:
    """All occurrences of one word (or one finding key) in one text."""

    key: str
    hits: list[Hit] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def locate(index: TextIndex, start: int, end: int) -> dict[str, Any]:
    line, col = index.line_col(start)
    return {"offset": start, "end": end, "line": line, "column": col, "sentence": index.sentence(start, end)}


def occurrence_facts(index: TextIndex, hits: list[Hit], *, keep: int) -> dict[str, Any]:
    """Facts of the first occurrence, the count and up to ``keep`` located occurrences."""
    first = locate(index, hits[0].start, hits[0].end)
    first["count"] = len(hits)
    first["occurrences"] = [
        {k: v for k, v in locate(index, h.start, h.end).items() if k in ("offset", "line", "column", "sentence")}
        for h in hits[:keep]
    ]
    return first


def group_hits(items: Iterable[tuple[str, int, int, dict[str, Any]]]) -> list[Group]:
    """Group (key, start, end, data) by key, in order of first appearance."""
    groups: dict[str, Group] = {}
    for key, start, end, data in items:
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group(key=key, data=data)
        g.hits.append(Hit(start, end))
    return list(groups.values())


# ---------------------------------------------------------------- historical mentions

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年|[〔［\[（(]((?:19|20)\d{2})[〕］\]）)]")
HISTORY_CUES = (
    "更名",
    "改名",
    "名称变更",
    "组建",
    "撤销",
    "不再保留",
    "整合",
    "划入",
    "划转",
    "机构改革",
    "前身",
    "曾任",
    "时任",
    "历任",
    "原名",
    "改为",
    "合并为",
    "挂牌成立",
)
# "环境保护部关于…的通知", "…行政监管措施决定书〔2021〕4号": the issuer of a cited document
_ISSUER_TITLE = re.compile(
    r"\s*(?:关于|[^，。；！？\n]{0,30}(?:决定书|公告|通知|批复|意见|办法|规定|令)\s*(?:[〔\[（(第]|$))", re.M
)
_FORMER_BEFORE = re.compile(r"(?:^|[的由将和与及、从在])原[^原]{0,8}$")


def historical_reason(
    index: TextIndex, start: int, end: int, *, since: date | None, published: date | None
) -> str | None:
    """Why a mention of a renamed name is legitimate, or None when it reads as current."""
    text = index.text
    if since is not None and published is not None and published < since:
        return f"发布日期 {published.isoformat()} 早于更名日期 {since.isoformat()}"
    before = index.clause_before(start)
    if before.endswith("原") or _FORMER_BEFORE.search(before) or before.startswith("原"):
        return "标明为“原”机构"
    after = text[end : end + 4]
    if after[:1] in "（(" and after[1:2] in "现今":
        return "已注明现名称"
    # inside a document title 《…》: citations keep the issuer's old name
    open_ = text.rfind("《", max(0, start - 80), start)
    if open_ != -1 and text.rfind("》", open_, start) == -1 and text.find("》", end, end + 80) != -1:
        return "文件名称中的引用"
    if _ISSUER_TITLE.match(text, end):
        return "文件标题中的发文机关"
    s, e = index.sentence_bounds(start, end)
    sentence = text[s:e]
    for cue in HISTORY_CUES:
        if cue in sentence:
            return f"历史沿革表述（“{cue}”）"
    if since is not None:
        for m in _YEAR.finditer(sentence):
            year = m.group(1) or m.group(2)
            if int(year) < since.year:
                return f"所述为 {year} 年的情况"
    return None
