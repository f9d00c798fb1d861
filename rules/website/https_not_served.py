"""W-S9 https-not-served: 网站未提供有效 HTTPS（提示）

## What it does
Reads the availability probes of the monitoring window (SiteFacts.probes) and
takes the newest one that tried HTTPS (ProbeFacts.https). When the host did
not answer over HTTPS with a valid certificate, it reports a 提示
(informational). Probes that did not try (https None) say nothing: not
measured means no outcome, never a finding.

## Why is this bad?
Plain HTTP lets pages be altered on the way (挂马, 篡改 are veto items once they
happen); no national requirement or point value was found [U], hence 提示 only.

## Example
Newest probe, https False: 提示 "首页 www.example.gov.cn 未能通过 HTTPS（有效证书）访问".
No probe tried HTTPS: nothing.

## Thresholds

## Source
spec/inspection-rules.md W-S9 (no official threshold found [U])
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
    id="W-S9",
    name="https-not-served",
    title="网站未提供有效HTTPS",
    severity=Severity.NOTICE,
    source="[U]",
    thresholds=Thresholds,
    category="HTTPS支持",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    measured, last = measured_probes(site, "https")
    if last is None or last.https:
        return
    host = urlsplit(last.url).hostname or last.url
    yield RULE.finding(
        subject=host,
        url=site.home_url,
        evidence=f"首页 {host} 未能通过 HTTPS（有效证书）访问，测于 {last.at:%Y-%m-%d %H:%M}（UTC）",
        facts={"host": host, "probe_at": last.at.isoformat(), "probe_url": last.url, "probes_measured": len(measured)},
    )
