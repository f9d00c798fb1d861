"""The rule book: every rule module under this package, and the one engine that runs them.

``rules.run(scope, facts, today=…, overrides=…)`` is how every caller judges facts
(the check, the pre-publication commands, N-V3 on posts); ``rules.check_overrides``
is how the configuration loader validates ``sites.yaml`` thresholds. See
``rules/engine.py`` and ``rules/registry.py``.
"""

from __future__ import annotations

from rules.engine import RunResult, ThresholdProblem, check_overrides, merge_overrides, run, thresholds_for
from rules.registry import RuleEntry, all_rules, get_rule, rules_for

__all__ = [
    "RuleEntry",
    "RunResult",
    "ThresholdProblem",
    "all_rules",
    "check_overrides",
    "get_rule",
    "merge_overrides",
    "rules_for",
    "run",
    "thresholds_for",
]
