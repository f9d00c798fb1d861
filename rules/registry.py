"""The registry: every rule module under the ``rules`` package, found by walking it.

A module counts as a rule when it defines ``RULE`` (a :class:`rules.base.Rule`)
and a ``check`` function. Adding a rule is adding a file: no list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Callable, Iterable

from rules.base import Outcome, Rule, Scope


@dataclass(frozen=True)
class RuleEntry:
    rule: Rule
    check: Callable[..., Iterable[Outcome]]
    module: ModuleType


def _discover() -> dict[str, RuleEntry]:
    found: dict[str, RuleEntry] = {}
    pkg = importlib.import_module("rules")
    for info in pkgutil.walk_packages(pkg.__path__, prefix="rules."):
        if info.name.endswith(".base"):
            continue
        mod = importlib.import_module(info.name)
        rule = getattr(mod, "RULE", None)
        check = getattr(mod, "check", None)
        if isinstance(rule, Rule) and callable(check):
            if rule.id in found:
                raise RuntimeError(f"rule id {rule.id} defined twice: {found[rule.id].module.__name__}, {info.name}")
            if not rule.docstring:
                rule = replace(rule, docstring=(mod.__doc__ or "").strip())
            found[rule.id] = RuleEntry(rule, check, mod)
    return found


_REGISTRY: dict[str, RuleEntry] | None = None


def _id_key(rule_id: str) -> tuple[int, bool, int, str]:
    prefix, _, num = rule_id.partition("-")
    order = {"W": 0, "N": 1, "A": 2}.get(prefix, 9)
    kind = num[:1]
    digits = "".join(c for c in num if c.isdigit())
    return (order, kind != "V", int(digits or 0), rule_id)


def all_rules() -> list[RuleEntry]:
    """Every rule, in rule-book order (website veto, website scored, new media, annual report)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _discover()
    return sorted(_REGISTRY.values(), key=lambda e: _id_key(e.rule.id))


def get_rule(rule_id: str) -> RuleEntry:
    for entry in all_rules():
        if entry.rule.id == rule_id:
            return entry
    raise KeyError(rule_id)


def rules_for(scope: Scope) -> list[RuleEntry]:
    return [e for e in all_rules() if e.rule.scope is scope]
