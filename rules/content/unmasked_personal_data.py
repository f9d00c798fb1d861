"""W-S4 unmasked-personal-data: 个人信息未脱敏

## What it does
Finds unmasked personal numbers in a page, attachment (PDF, DOCX, XLSX),
post or draft: 18-character resident ID numbers (GB 11643 check digit, a real
province code and birth date), 15-digit first-generation ID numbers (a real
province code and birth date, and 身份证/证件号 within the 200 characters
before: they carry no check digit), mainland mobile numbers (11 digits, a real
13x–19x segment, not part of a longer digit run) and bank card numbers
(16–19 digits, Luhn check, a card issuer prefix, account wording such as
卡号/账号/银行 earlier in the text, and no 订单号/编号/发票 label in front).
The evidence and facts hold only the masked number (138****1234,
35*************123, 6222***********1234) and where it is.

## Why is this bad?
Information involving personal privacy must be de-identified before it is
published (《2018年政务公开工作要点》); inspection notices criticise unmasked
ID, phone and bank card numbers in 公示 lists and their attachments.

## Example
"张三，身份证号350102199001011234" (valid check digit) → flagged, shown as 35*************234.
Not flagged: a wrong check digit, a birth date 19901332, "138****1234",
"订单号 202401011381234567890", "咨询电话：13812345678".

## Thresholds

## Source
G12, S22, S23 (spec/inspection-rules.md W-S4, §2 personal data)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Iterator

from monitor.model import Severity, TextFacts
from rules.base import Outcome, Rule, Scope
from rules.content.matching import TextIndex, group_hits, occurrence_facts
from rules.content.pii import CARD_CONTEXT, CARD_NEGATIVE, PUBLIC_LINE_CUES, PersonalHit, find_personal_data


@dataclass(frozen=True)
class Thresholds:
    ids: bool = True  # report resident ID numbers (身份证号)
    mobiles: bool = True  # report mobile numbers
    bank_cards: bool = True  # report bank card numbers
    # words that mark a published service line (咨询电话 …), not a person's number
    public_line_cues: tuple[str, ...] = PUBLIC_LINE_CUES
    card_context: tuple[str, ...] = CARD_CONTEXT  # words near a number that make it a card number
    card_negative: tuple[str, ...] = CARD_NEGATIVE  # words near a number that make it not one (订单, 文号 …)
    max_occurrences: int = 10  # occurrences kept in a finding's facts

    def __post_init__(self) -> None:
        for name in ("public_line_cues", "card_context", "card_negative"):
            object.__setattr__(self, name, tuple(getattr(self, name) or ()))


RULE = Rule(
    id="W-S4",
    name="unmasked-personal-data",
    title="个人信息未脱敏",
    severity=Severity.DEDUCTION,
    source="G12, S22, S23",
    thresholds=Thresholds,
    scope=Scope.TEXT,
    category="个人信息泄露",
)

_MASK_HINT = {
    "身份证号": "仅保留前 2 位和后 3 位，如 35*************123",
    "手机号": "隐去中间 4 位，如 138****1234",
    "银行卡号": "仅保留前 4 位和后 4 位",
}


def check(texts: Iterable[TextFacts], *, today: date, t: Thresholds) -> Iterator[Outcome]:
    for tx in texts:
        found = find_personal_data(
            tx.text,
            today=today,
            ids=t.ids,
            mobiles=t.mobiles,
            cards=t.bank_cards,
            public_line_cues=t.public_line_cues,
            card_context=t.card_context,
            card_negative=t.card_negative,
        )
        if not found:
            continue
        index = TextIndex(tx.text)
        for g in group_hits((h.key, h.start, h.end, {"hit": h}) for h in found):
            hit = g.data["hit"]
            facts = occurrence_facts(index, g.hits, keep=t.max_occurrences)
            # the sentence would repeat the full number: mask every occurrence in it
            facts["sentence"] = _masked_sentence(index, g.hits[0].start, found)
            for occ, h in zip(facts["occurrences"], g.hits):
                occ["sentence"] = _masked_sentence(index, h.start, found)
            facts.update(
                kind=hit.kind,
                word=hit.masked,
                masked=hit.masked,
                suggestion=f"去标识化处理：{_MASK_HINT[hit.kind]}",
                text_kind=tx.kind,
                title=tx.title,
            )
            times = f"，共 {len(g.hits)} 处" if len(g.hits) > 1 else ""
            evidence = f"未脱敏的{hit.kind} {hit.masked}；第 {facts['line']} 行{times}：{facts['sentence']}"
            yield RULE.finding(
                subject=f"{hit.kind} {hit.masked}", url=tx.url, evidence=evidence, facts=facts, source_url=tx.source_url
            )


def _masked_sentence(index: TextIndex, start: int, found: list[PersonalHit]) -> str:
    """The sentence around ``start`` with every personal number in it replaced by its masked form."""
    s, e = index.sentence_bounds(start, start + 1)
    text = index.text
    pieces: list[str] = []
    pos = s
    for h in found:
        if h.end <= s or h.start >= e:
            continue
        a, b = max(h.start, s), min(h.end, e)
        pieces.append(text[pos:a])
        pieces.append(h.masked)
        pos = b
    pieces.append(text[pos:e])
    out = " ".join("".join(pieces).split())
    # any digit run the finders did not claim (a partial number cut by the window) is hidden too
    out = re.sub(r"\d{11,}", lambda m: m.group()[:3] + "*" * (len(m.group()) - 7) + m.group()[-4:], out)
    return ("…" if s > 0 and text[s - 1] not in "。！？!?；;\n" else "") + out
