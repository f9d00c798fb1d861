"""W-V1 site-unreachable: 网站无法访问

## What it does
Reads the availability probes of the 7 days up to the monitoring day (one
GET of the home page each; a probe fails when no page arrived within 15 s
or the answer was an HTTP error). When every day has at least 20 probes,
a failure share of 5% or more is a veto; 3% or more is a warning (提示).
A day with fewer probes makes the week *unverified*, with the counts per day.
Probes answered 401/403/429 (blocked by a firewall) count neither way.
A site with no probe at all in the window is not judged (probing is not set up).

## Why is this bad?
站点无法访问 is a single veto (单项否决) in the national indicators: monitored for
one week, at least 20 probes a day, failures of 5% or more (S4, S5).

## Example
7 days × 24 probes = 168, 9 failed: 5.4% ≥ 5%, flagged (否决).
1000 probes, 49 failed: 4.9%, below the veto, warned (提示) at ≥ 3%.
Day 2026-11-20 with 12 probes: unverified, 20 a day needed.

## Thresholds

## Source
S4, S5, P1 (spec/inspection-rules.md)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterator

from monitor.model import ProbeFacts, Severity, SiteFacts, error_label
from rules.base import Outcome, Rule

CHINA_OFFSET = timedelta(hours=8)  # probe times are UTC; days are counted in Beijing time


@dataclass(frozen=True)
class Thresholds:
    window_days: int = 7  # days of probes judged
    min_probes_per_day: int = 20  # probes a day needed to judge
    veto_share: float = 0.05  # failed share from which the site is vetoed
    warn_share: float = 0.03  # failed share from which a notice is given
    uncounted_statuses: tuple[int, ...] = (401, 403, 429)  # blocked answers: the probe is not counted


RULE = Rule(
    id="W-V1",
    name="site-unreachable",
    title="网站无法访问",
    severity=Severity.VETO,
    source="S4, S5, P1",
    thresholds=Thresholds,
    category="站点无法访问",
)


def _reason(p: ProbeFacts) -> str:
    if p.status is not None and p.status >= 400:
        return f"HTTP {p.status}"
    return error_label(p.error_kind)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    days = [today - timedelta(days=n) for n in range(t.window_days - 1, -1, -1)]
    window = set(days)
    counted = [
        p for p in site.probes if (p.at + CHINA_OFFSET).date() in window and p.status not in t.uncounted_statuses
    ]
    if not counted:
        return
    per_day = Counter((p.at + CHINA_OFFSET).date() for p in counted)
    failed = [p for p in counted if not p.ok]
    share = len(failed) / len(counted)
    by_reason = dict(Counter(_reason(p) for p in failed))
    facts: dict[str, Any] = {
        "probes": len(counted),
        "failures": len(failed),
        "share": round(share, 4),
        "per_day": {d.isoformat(): per_day.get(d, 0) for d in days},
        "failures_by_reason": by_reason,
        "failed_probes": [
            {
                "at": p.at.isoformat(timespec="seconds"),
                "status": p.status,
                "error_kind": p.error_kind,
                "elapsed_ms": p.elapsed_ms,
            }
            for p in failed[:50]
        ],
        "veto_share": t.veto_share,
        "warn_share": t.warn_share,
        "min_probes_per_day": t.min_probes_per_day,
    }
    short = [d for d in days if per_day.get(d, 0) < t.min_probes_per_day]
    if short:
        listed = "、".join(f"{d:%m-%d} {per_day.get(d, 0)} 次" for d in short[:7])
        yield RULE.unverified(
            subject="首页可用性",
            url=site.home_url,
            facts={**facts, "short_days": [d.isoformat() for d in short]},
            evidence=f"近 {t.window_days} 天探测次数不足（每天需 ≥ {t.min_probes_per_day} 次）：{listed}；"
            f"已探测 {len(counted)} 次，失败 {len(failed)} 次（{share:.1%}）",
        )
        return
    summary = f"近 {t.window_days} 天探测首页 {len(counted)} 次，失败 {len(failed)} 次（{share:.1%}）"
    reasons = "、".join(f"{k} {v} 次" for k, v in by_reason.items())
    if share >= t.veto_share:
        yield RULE.finding(
            subject="首页可用性",
            url=site.home_url,
            facts=facts,
            evidence=f"{summary}，达到 {t.veto_share:.0%} 的否决线；失败原因：{reasons}",
        )
    elif share >= t.warn_share:
        yield RULE.finding(
            subject="首页可用性",
            url=site.home_url,
            facts=facts,
            severity=Severity.NOTICE,
            evidence=f"{summary}，超过 {t.warn_share:.0%} 的提示线（否决线 {t.veto_share:.0%}）；失败原因：{reasons}",
        )
