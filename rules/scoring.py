"""Scores per site and per unit from open findings, the way the 2019 indicators score (S1, S3, S8).

Pure: findings, sites and a configuration in, scores out; no store, no clock.

- Any open veto finding (单项否决) makes the site 不合格; it gets no score.
- Otherwise: 100 minus the deductions, each first-level indicator's deductions
  capped at its points (发布解读 31, 办事服务 25, 互动交流 23, 功能设计 21, S8);
  below the pass mark (60) the site is 不合格.
- Points per finding: W-S2 −5 (政策文件类一级栏目), −2 (办事统计), −3 (留言答复)
  (S9); a first-level policy column that W-V3 reports as a deduction carries
  W-S2's −5 (one finding, one deduction: S10's rule note); W-S1 0.1 per broken
  link seen only on other pages (P2) and ``home_broken_link_points`` when the
  home page links it (no source: configurable); 提示 findings and unverified
  outcomes deduct nothing; every other deduction rule deducts
  ``points[rule]`` or ``default_points`` (no national values found [U]).
- A unit takes its worst site's result, and the average of its sites' scores.

The bonus part (加分, portals scoring > 80) and the 4/3 rule for departments
without 办事服务 are not implemented.

Configuration: ``thresholds: {scoring: {...}}`` in sites.yaml, keys as in
:class:`ScoringConfig` (``points: {W-S3: 0.5}``, ``caps: {功能设计: 21}``…).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable, Iterable, Mapping

from monitor.model import FindingStatus, Severity

PASS = "合格"
FAIL = "不合格"

INDICATOR_POINTS = {"发布解读": 31.0, "办事服务": 25.0, "互动交流": 23.0, "功能设计": 21.0}  # S8 [D]
OTHER = "其他"  # rules with no known indicator: not capped by an indicator

RULE_INDICATORS = {
    "W-V1": "功能设计",
    "W-V2": "发布解读",
    "W-V3": "发布解读",
    "W-V4": "发布解读",
    "W-V5": "发布解读",
    "W-V6": "互动交流",
    "W-V7": "互动交流",
    "W-V11": "办事服务",
    "W-S1": "功能设计",
    "W-S3": "发布解读",
    "W-S4": "发布解读",
    "W-S5": "功能设计",
    "W-S6": "功能设计",
    "W-S7": "功能设计",
    "W-S8": "功能设计",
    "W-S9": "功能设计",
    "W-S10": "功能设计",
    "W-S11": "功能设计",
    "W-S12": "发布解读",
    "W-S13": "发布解读",
    "W-S14": "功能设计",
    "W-S15": "功能设计",
    "W-S16": "功能设计",
}
W_S2_PARTS = {"policy": ("发布解读", 5.0), "service_stats": ("办事服务", 2.0), "replies": ("互动交流", 3.0)}  # S9


@dataclass(frozen=True)
class ScoringConfig:
    caps: Mapping[str, float] = field(default_factory=lambda: dict(INDICATOR_POINTS))
    indicators: Mapping[str, str] = field(default_factory=lambda: dict(RULE_INDICATORS))
    points: Mapping[str, float] = field(default_factory=dict)  # per rule, for rules without a part table
    w_s2_points: Mapping[str, float] = field(default_factory=lambda: {k: v[1] for k, v in W_S2_PARTS.items()})
    other_broken_link_points: float = 0.1  # W-S1, per link on other pages (P2)
    home_broken_link_points: float = 1.0  # W-S1, per link on the home page [U]
    default_points: float = 1.0  # a deduction finding of a rule with no known value [U]
    pass_mark: float = 60.0
    full_marks: float = 100.0

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> "ScoringConfig":
        """Defaults updated by a sites.yaml mapping; dict values merge into the defaults."""
        if not data:
            return cls()
        base = cls()
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(
                f"thresholds.scoring 中有不认识的设置：{'、'.join(sorted(unknown))}；"
                f"可用的有：{'、'.join(sorted(names))}"
            )
        values: dict[str, Any] = {}
        for k, v in data.items():
            current = getattr(base, k)
            values[k] = {**current, **dict(v)} if isinstance(current, Mapping) else float(v)
        return cls(**values)

    @classmethod
    def from_config(cls, config: Any) -> "ScoringConfig":
        return cls.from_mapping((getattr(config, "thresholds", None) or {}).get("scoring"))


@dataclass(frozen=True)
class Deduction:
    rule: str
    subject: str
    indicator: str
    points: float


@dataclass
class SiteScore:
    site: str
    site_name: str
    unit: str
    vetoed: bool
    veto_rules: list[str]
    deductions: list[Deduction]
    by_indicator: dict[str, float]  # capped deductions per indicator
    deducted: float  # total of the capped deductions
    score: float | None  # None when vetoed: no further scoring (S1)
    result: str
    rank: int = 0

    @property
    def deduction_score(self) -> float:
        """100 minus the deductions, also for a vetoed site (for reference only)."""
        return round(100.0 - self.deducted, 2)


@dataclass
class UnitScore:
    unit: str
    sites: int
    failed: int
    result: str
    average: float | None
    worst_site: str | None
    rank: int = 0


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def counts(finding: Any) -> bool:
    """An open problem: a finding (not unverified) not fixed, not waiting for its re-check."""
    if (_get(finding, "verdict") or "finding") != "finding":
        return False
    status = _get(finding, "status") or FindingStatus.OPEN.value
    return FindingStatus(status).is_open and status != FindingStatus.RECHECK.value


def deduction_for(finding: Any, cfg: ScoringConfig) -> Deduction | None:
    """What one deduction finding costs, and under which indicator; None for notices."""
    rule = _get(finding, "rule")
    severity = _get(finding, "severity")
    facts = _get(finding, "facts") or {}
    subject = _get(finding, "subject") or ""
    if severity != Severity.DEDUCTION.value:
        return None
    indicator = cfg.indicators.get(rule, OTHER)
    if rule == "W-S2" and facts.get("part") in W_S2_PARTS:
        part = facts["part"]
        return Deduction(rule, subject, W_S2_PARTS[part][0], cfg.w_s2_points.get(part, W_S2_PARTS[part][1]))
    if rule == "W-V3" and facts.get("column_type") == "政策文件" and facts.get("level") == 1:
        return Deduction(rule, subject, "发布解读", cfg.w_s2_points.get("policy", 5.0))
    if rule == "W-S1":
        pts = cfg.home_broken_link_points if facts.get("on_home") else cfg.other_broken_link_points
        return Deduction(rule, subject, indicator, pts)
    return Deduction(rule, subject, indicator, cfg.points.get(rule, cfg.default_points))


def score_sites(findings: Iterable[Any], sites: Iterable[Any], config: ScoringConfig | None = None) -> list[SiteScore]:
    """One SiteScore per site (objects with key, name, unit), from the open findings of those sites."""
    cfg = config or ScoringConfig()
    site_list = list(sites)
    by_site: dict[str, list[Any]] = {_get(s, "key"): [] for s in site_list}
    for f in findings:
        key = _get(f, "site")
        if key in by_site and counts(f):
            by_site[key].append(f)
    out: list[SiteScore] = []
    for s in site_list:
        key = _get(s, "key")
        fs = by_site[key]
        veto_rules = sorted({_get(f, "rule") for f in fs if _get(f, "severity") == Severity.VETO.value})
        deductions = [d for d in (deduction_for(f, cfg) for f in fs) if d is not None]
        raw: dict[str, float] = {}
        for d in deductions:
            raw[d.indicator] = raw.get(d.indicator, 0.0) + d.points
        capped = {ind: round(min(v, cfg.caps[ind]) if ind in cfg.caps else v, 2) for ind, v in raw.items()}
        deducted = round(min(sum(capped.values()), cfg.full_marks), 2)
        score = None if veto_rules else round(cfg.full_marks - deducted, 2)
        result = FAIL if veto_rules or (score is not None and score < cfg.pass_mark) else PASS
        out.append(
            SiteScore(
                site=key,
                site_name=_get(s, "name") or key,
                unit=_get(s, "unit") or "",
                vetoed=bool(veto_rules),
                veto_rules=veto_rules,
                deductions=deductions,
                by_indicator=capped,
                deducted=deducted,
                score=score,
                result=result,
            )
        )
    _rank(out, key=lambda x: (x.result != PASS, x.score is None, -(x.score or 0.0)))
    return out


def _rank(items: list[Any], key: Callable[[Any], Any]) -> None:
    """Competition ranking (1, 2, 2, 4) by ``key``; items are ranked in place."""
    ordered = sorted(items, key=key)
    prev = None
    for n, item in enumerate(ordered, 1):
        k = key(item)
        item.rank = n if k != prev else ordered[n - 2].rank
        prev = k


def rank_units(site_scores: Iterable[SiteScore], units: Iterable[str] = ()) -> list[UnitScore]:
    """Per unit: the worst site decides the result; the average score of its scored sites ranks it.

    ``units`` adds units with no site (shown without a result). The list is in rank order.
    """
    grouped: dict[str, list[SiteScore]] = {u: [] for u in units}
    for s in site_scores:
        grouped.setdefault(s.unit, []).append(s)
    out: list[UnitScore] = []
    for unit, ss in grouped.items():
        scored = [s.score for s in ss if s.score is not None]
        failed = [s for s in ss if s.result == FAIL]
        worst = min(ss, key=lambda s: (s.result == PASS, s.score is not None, s.score or 0.0)) if ss else None
        out.append(
            UnitScore(
                unit=unit,
                sites=len(ss),
                failed=len(failed),
                result=(FAIL if failed else PASS) if ss else "—",
                average=round(sum(scored) / len(scored), 2) if scored else None,
                worst_site=worst.site if worst else None,
            )
        )
    with_sites = [u for u in out if u.sites]
    _rank(with_sites, key=lambda u: (u.result != PASS, u.average is None, -(u.average or 0.0)))
    return sorted(out, key=lambda u: (u.rank == 0, u.rank))  # stable: ties keep the units' order
