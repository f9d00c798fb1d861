"""W-V6 no-consultation-channel: 无有效网上咨询渠道

## What it does
Looks for an online consultation or suggestion channel: a column of kind
互动交流 whose name holds a consultation word (咨询, 留言, 信箱, 来信, 建议,
诉求, 问政…), or any link on the site (also one to an external unified
platform) whose anchor text does. The special channels 网上信访 and 纪检举报,
and 在线访谈 / 调查征集, do not count. None found: flagged, listing the
interaction columns examined and the special channels seen. A home page that could not be read is unverified.

## Why is this bad?
互动回应差 vetoes the site when there is no effective online consultation or
suggestion channel (网上信访、纪检举报 special channels don't count) (S4, V5).

## Example
Site whose only interaction entry is “网上信访”: flagged (veto).
Site with a 县长信箱 column or a “咨询留言” link: not flagged.

## Thresholds

## Source
S4 (spec/inspection-rules.md W-V6)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import ColumnKind, Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._site import CONSULT_WORDS, NOT_CONSULT_WORDS, is_consultation, usable_home


@dataclass(frozen=True)
class Thresholds:
    consult_words: tuple[str, ...] = CONSULT_WORDS  # words of a consultation or suggestion channel
    exclude_words: tuple[str, ...] = NOT_CONSULT_WORDS  # special channels (信访, 举报 …) that do not count


RULE = Rule(
    id="W-V6",
    name="no-consultation-channel",
    title="无有效网上咨询渠道",
    severity=Severity.VETO,
    source="S4",
    thresholds=Thresholds,
    category="互动回应差",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    if usable_home(site) is None:
        yield RULE.unverified(
            subject="网上咨询渠道", url=site.home_url, evidence="首页未能打开，无法判断是否有网上咨询渠道"
        )
        return
    for col in site.columns:
        if col.kind in (ColumnKind.INTERACTION, ColumnKind.OTHER) and is_consultation(
            col.name, words=t.consult_words, exclude=t.exclude_words
        ):
            return
    for link in site.links:
        if link.tag == "a" and is_consultation(link.anchor_text, words=t.consult_words, exclude=t.exclude_words):
            return
    examined = [{"name": c.name, "url": c.url} for c in site.columns if c.kind is ColumnKind.INTERACTION]
    special = sorted(
        {
            l.anchor_text
            for l in site.links
            if l.anchor_text
            and any(w in l.anchor_text for w in t.exclude_words)
            and any(w in l.anchor_text for w in ("信访", "举报", "访谈", "征集", "调查", "互动"))
        }
    )[:10]
    note = f"；只找到不计入的专门渠道：{'、'.join(special)}" if special else ""
    yield RULE.finding(
        subject="网上咨询渠道",
        url=site.home_url,
        evidence=f"全站未找到有效的网上咨询或建议渠道（信箱、咨询、留言等）{note}",
        facts={"interaction_columns": examined, "special_channels": special, "links_checked": len(site.links)},
    )
