"""W-S8 ipv6-not-supported: 网站不支持 IPv6（提示）

## What it does
Reads the availability probes of the monitoring window (SiteFacts.probes) and
takes the newest one that looked the host up for an AAAA record
(ProbeFacts.ipv6). When that says the host has no IPv6 address, it reports a
提示 (informational). Probes that did not look it up (ipv6 None) say nothing:
no probe measured it means no outcome, never a finding.

The deeper measures of the vendors (home page over IPv6, 2nd/3rd-level link
IPv6 rate, G10) need an IPv6 route the monitor may not have; they are not
judged here.

## Why is this bad?
《推进IPv6规模部署行动计划》 and its yearly plans set targets for government
portals (85% of county-level-and-above portals by 2022, G9); 功能设计 lists
IPv6改造 among its items (S9). No national point value was found, hence 提示.

## Example
Newest probe 2026-11-26 08:00, ipv6 False: 提示 "首页域名没有 IPv6 地址（AAAA 记录）".
Probes with ipv6 None, or no probes: nothing.

## Thresholds

## Source
G9, G10, S9 (spec/inspection-rules.md W-S8)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator
from urllib.parse import urlsplit

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._probes import measured as measured_probes


@dataclass(frozen=True)
class Thresholds:
    pass


RULE = Rule(
    id="W-S8",
    name="ipv6-not-supported",
    title="网站不支持IPv6",
    severity=Severity.NOTICE,
    source="G9, G10, S9",
    thresholds=Thresholds,
    category="IPv6支持",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    measured, last = measured_probes(site, "ipv6")
    if last is None or last.ipv6:
        return
    host = urlsplit(last.url).hostname or last.url
    yield RULE.finding(
        subject=host,
        url=site.home_url,
        evidence=f"首页域名 {host} 没有 IPv6 地址（AAAA 记录），测于 {last.at:%Y-%m-%d %H:%M}（UTC）",
        facts={
            "host": host,
            "probe_at": last.at.isoformat(),
            "probe_url": last.url,
            "probes_measured": len(measured),
            "probes_with_ipv6": sum(1 for p in measured if p.ipv6),
        },
    )
