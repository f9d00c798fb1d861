"""What every rule is made of.

A rule is one module holding a module docstring in ruff's shape (What it
does / Why is this bad? / Example / Thresholds / Source), a ``RULE`` constant
and a pure ``check`` function: facts, ``today`` and thresholds in, outcomes
out. No I/O, no clock, no randomness.
"""
from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any

from monitor.model import Severity

__all__ = ["Rule", "Outcome", "Verdict", "Scope", "Severity"]


class Verdict(str, enum.Enum):
    FINDING = "finding"
    UNVERIFIED = "unverified"  # could not be judged: a failed fetch, an unreadable date


class Scope(str, enum.Enum):
    """What facts a rule reads; the check engine feeds each rule accordingly."""

    SITE = "site"  # monitor.model.SiteFacts
    ACCOUNT = "account"  # new-media account facts
    TEXT = "text"  # a text (page, post, draft)
    REPORT = "report"  # an annual report (政府信息公开工作年度报告)


@dataclass(frozen=True)
class Outcome:
    """What a rule says about one subject (a column, a link target, an account…)."""

    rule: str
    severity: Severity
    verdict: Verdict
    subject: str
    url: str
    evidence: str  # short Chinese sentence with the measured fact
    facts: dict[str, Any] = field(default_factory=dict)
    source_url: str | None = None  # where the problem was seen (the parent page of a link)


@dataclass(frozen=True)
class Rule:
    id: str  # id from spec/inspection-rules.md (W-V2, W-S1, …); never reused
    name: str  # kebab-case, states the fault
    title: str  # Chinese title as used in notices
    severity: Severity
    source: str  # source keys in spec/inspection-rules.md
    thresholds: type  # a frozen dataclass of defaults
    scope: Scope = Scope.SITE
    category: str = ""  # 问题类别 shown in notices; defaults to the title
    doc: str = ""

    @property
    def problem_category(self) -> str:
        return self.category or self.title

    def default_thresholds(self) -> Any:
        return self.thresholds()

    def thresholds_with(self, overrides: dict[str, Any] | None) -> Any:
        """Defaults replaced by the overrides that name one of our fields."""
        if not overrides:
            return self.thresholds()
        names = {f.name for f in dataclasses.fields(self.thresholds)}
        return self.thresholds(**{k: v for k, v in overrides.items() if k in names})

    def finding(self, *, subject: str, url: str, evidence: str, facts: dict[str, Any] | None = None,
                source_url: str | None = None, severity: Severity | None = None) -> Outcome:
        return Outcome(rule=self.id, severity=severity or self.severity, verdict=Verdict.FINDING,
                       subject=subject, url=url, evidence=evidence, facts=dict(facts or {}),
                       source_url=source_url)

    def unverified(self, *, subject: str, url: str, evidence: str, facts: dict[str, Any] | None = None,
                   source_url: str | None = None) -> Outcome:
        return Outcome(rule=self.id, severity=Severity.NOTICE, verdict=Verdict.UNVERIFIED,
                       subject=subject, url=url, evidence=evidence, facts=dict(facts or {}),
                       source_url=source_url)
