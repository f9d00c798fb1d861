"""Numbers stated in the running text of an annual report (no judging).

Two kinds are read:
- a stated total with its parts: “全年主动公开政府信息8331条，其中，通过政府网站发布政府信息4611条、
  政务新媒体发布政府信息3720条”;
- a number naming a table quantity: “收到新增公开政府信息的申请 8 件” (Table 三 本年新收),
  “上年度结转的 3 项政府信息公开申请”, “无因政府信息公开工作被申请行政复议…的案件” (Table 四, 0).
Only “其中” introduces parts; “包括” lists are often partial and are not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from monitor.model.annual import (
    T3_CARRIED_IN,
    T3_CARRIED_OUT,
    T3_NEW,
    T4_REVIEW,
    NarrativeClaim,
    NarrativeNumber,
    NarrativeSum,
)

LAWSUIT = "行政诉讼"  # claim quantity: both 行政诉讼 groups of Table 四 together

_UNITS = r"(?:人次|条|件|个|项|次|篇|期|份|家|起|宗)"
_NUM = r"(\d+(?:\.\d+)?)"
_TOTAL_BEFORE_QIZHONG = re.compile(_NUM + r"\s*(" + _UNITS + r")\s*[，,]?\s*其中")
_NUM_UNIT = re.compile(_NUM + r"\s*(" + _UNITS + r")")
_PART_STOP = re.compile(r"^(已|共|累计|合计|总计|同比|较|比|办结|答复|均|全部|占|分别|其余|另|此外|同时)")
_COMPARE = re.compile(r"较|同比|比上年|增长|减少|下降|上升|增加")
_NOT_DISCLOSURE = re.compile(r"结转|上年|复议|诉讼|信访|投诉|建议|提案|议案")
_TERMINAL = "。！？；;:：”」）)"
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")

_CLAIMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (T3_CARRIED_IN, re.compile(r"上(?:一)?年(?:度)?结转[^。；，,\d]{0,24}?(\d+)\s*(?:件|个|项|条|份)")),
    (T3_CARRIED_OUT, re.compile(r"结转(?:至|到)?下(?:一)?年(?:度)?[^。；，,\d]{0,16}?(\d+)\s*(?:件|个|项|条|份)")),
    (T3_CARRIED_OUT, re.compile(r"(\d+)\s*(?:件|项)[^。；，,\d]{0,10}?结转(?:至|到)?下(?:一)?年")),
    (T3_NEW, re.compile(r"(?:收到|新收|受理|接收)[^。；，,]{0,24}?申请[^。；，,\d]{0,8}?(\d+)\s*(?:件|个|条|项|份)")),
    (T4_REVIEW, re.compile(r"行政复议[^。；，,\d]{0,10}?(\d+)\s*(?:件|起|宗)")),
    (LAWSUIT, re.compile(r"行政诉讼[^。；，,\d]{0,10}?(\d+)\s*(?:件|起|宗)")),
)
_NONE_CLAIMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (T4_REVIEW, re.compile(r"(?:无|未发生|未收到|没有|未出现)[^。；，,]{0,20}?行政复议")),
    (LAWSUIT, re.compile(r"(?:无|未发生|未收到|没有|未出现)[^。；，,]{0,30}?行政诉讼")),
)


@dataclass(frozen=True)
class Sentence:
    text: str
    where: str


def sentences(lines: Iterable[tuple[str, str]]) -> Iterator[Sentence]:
    """Sentences of the running text; (text, where) lines broken mid-sentence are joined first."""
    paragraphs: list[list[tuple[str, str]]] = []
    for text, where in lines:
        text = text.strip()
        if not text:
            continue
        if paragraphs:
            prev = paragraphs[-1][-1][0]
            if len(prev) >= 30 and prev[-1] not in _TERMINAL and not _HEADING.match(prev):
                paragraphs[-1].append((text, where))
                continue
        paragraphs.append([(text, where)])
    for para in paragraphs:
        joined, starts = "", []
        for text, where in para:
            starts.append((len(joined), where))
            joined += text
        pos = 0
        for piece in re.split(r"(?<=[。；;！？])", joined):
            if piece.strip():
                where = [w for off, w in starts if off <= pos][-1]
                yield Sentence(piece.strip(), where)
            pos += len(piece)


def _number(s: str) -> int | float:
    return float(s) if "." in s else int(s)


def _label_before(text: str, end: int) -> str:
    head = re.split(r"[，,、：:（(]", text[:end])[-1]
    return head.strip()


def read_sums(sent: Sentence) -> Iterator[NarrativeSum]:
    for m in _TOTAL_BEFORE_QIZHONG.finditer(sent.text):
        total = NarrativeNumber(_number(m.group(1)), m.group(2), _label_before(sent.text, m.start()), m.group(0))
        rest = sent.text[m.end() :].lstrip("，,：: ")
        if "分别" in rest:
            continue
        parts: list[NarrativeNumber] = []
        for clause in re.split(r"[、，,]", rest):
            clause = clause.strip()
            if not clause:
                continue
            if _PART_STOP.match(clause) or "率" in clause:
                break
            found = list(_NUM_UNIT.finditer(clause))
            if len(found) != 1 or found[0].group(2) != total.unit:
                break
            f = found[0]
            parts.append(NarrativeNumber(_number(f.group(1)), f.group(2), clause[: f.start()].strip(), clause))
        if parts:
            yield NarrativeSum(total=total, parts=tuple(parts), sentence=sent.text, where=sent.where)


def read_claims(sent: Sentence) -> Iterator[NarrativeClaim]:
    taken: set[str] = set()
    for quantity, pattern in _CLAIMS:
        if quantity in taken:
            continue
        for m in pattern.finditer(sent.text):
            clause_start = max(sent.text.rfind(c, 0, m.start()) for c in "，,；。") + 1
            span = sent.text[clause_start : m.end()]
            if _COMPARE.search(span):
                continue
            if quantity == T3_NEW and (_NOT_DISCLOSURE.search(span) or not ("公开" in span or "信息" in span)):
                continue
            taken.add(quantity)
            yield NarrativeClaim(quantity, int(m.group(1)), sent.text, sent.where)
            break
    for quantity, pattern in _NONE_CLAIMS:
        if quantity not in taken and pattern.search(sent.text):
            taken.add(quantity)
            yield NarrativeClaim(quantity, 0, sent.text, sent.where)


def read_narrative(lines: Iterable[tuple[str, str]]) -> tuple[tuple[NarrativeSum, ...], tuple[NarrativeClaim, ...]]:
    sums: list[NarrativeSum] = []
    claims: list[NarrativeClaim] = []
    for sent in sentences(lines):
        sums.extend(read_sums(sent))
        claims.extend(read_claims(sent))
    return tuple(sums), tuple(claims)
