"""The one rule engine: every caller judges facts through :func:`run`.

Like ruff's linter loop: the registry says which rules exist (``rules.registry``),
the engine picks the rules of a scope, resolves each rule's thresholds from the
defaults and the overrides (``sites.yaml`` thresholds, merged global → site),
calls each rule's pure ``check`` and collects the outcomes. The check of a site,
of a new-media account, of an annual report, ``monitor check-text``,
``monitor check-report`` and N-V3 (the content rules on posts) all call it.

:func:`check_overrides` is the other half: the configuration loader hands it a
``thresholds`` mapping and gets back the problems (unknown rule id, unknown key,
wrong type, one shared period set twice), each naming its place and the allowed
keys, in Chinese. :func:`merge_overrides` merges the levels (global, then a
site's) with the shared periods gathered under ``periods`` (see ``rules.periods``).
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rules.base import Outcome, Rule, Scope
from rules.periods import PERIODS_KEY, Periods, shared_name
from rules.registry import all_rules, get_rule, rules_for

Overrides = Mapping[str, Mapping[str, Any]]
SCORING_KEY = "scoring"  # thresholds: {scoring: {...}} holds the scoring settings (rules/scoring.py), not a rule


@dataclass(frozen=True)
class RunResult:
    ran: list[str]  # the ids of the rules that ran, in rule-book order
    outcomes: list[Outcome]


def run(
    scope: Scope,
    facts: Any,
    *,
    today: date,
    overrides: Overrides | None = None,
    select: Iterable[str] | None = None,
    previous: Any = None,
) -> RunResult:
    """Every rule of ``scope`` (or of ``select`` among them) on ``facts``, with thresholds from ``overrides``.

    ``facts`` is what the scope's rules read: a ``SiteFacts`` (SITE), a list of ``TextFacts`` (TEXT), an
    ``AccountFacts`` (ACCOUNT) or one ``AnnualReportFacts`` (REPORT, with last year's report as ``previous``).
    """
    wanted = set(select) if select is not None else None
    own, periods = _normalised(overrides)
    ran: list[str] = []
    outcomes: list[Outcome] = []
    for entry in rules_for(scope):
        if wanted is not None and entry.rule.id not in wanted:
            continue
        t = _thresholds(entry.rule, own, periods)
        if scope is Scope.REPORT:
            outcomes.extend(entry.check(facts, today=today, t=t, previous=previous))
        else:
            outcomes.extend(entry.check(facts, today=today, t=t))
        ran.append(entry.rule.id)
    return RunResult(ran, outcomes)


def thresholds_for(rule: Rule | str, overrides: Overrides | None = None) -> Any:
    """One rule's thresholds: its defaults, the shared periods, then its own overrides."""
    r = get_rule(rule).rule if isinstance(rule, str) else rule
    own, periods = _normalised(overrides)
    return _thresholds(r, own, periods)


def _thresholds(rule: Rule, own: Mapping[str, Mapping[str, Any]], periods: Mapping[str, Any]) -> Any:
    values: dict[str, Any] = {}
    mine = own.get(rule.id) or {}
    for f in dataclasses.fields(rule.thresholds):
        name = shared_name(f)
        if name is not None:
            if name in periods:
                values[f.name] = periods[name]
        elif f.name in mine:
            values[f.name] = mine[f.name]
    return rule.thresholds(**values)


def shared_readers() -> dict[str, list[str]]:
    """Shared period → the ids of the rules that read it."""
    users: dict[str, list[str]] = {}
    for e in all_rules():
        for f in dataclasses.fields(e.rule.thresholds):
            name = shared_name(f)
            if name is not None:
                users.setdefault(name, []).append(e.rule.id)
    return users


def _normalised(overrides: Overrides | None) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """(each rule's own overrides, the shared periods): shared fields set under a rule move to the periods.

    The loader refuses one level setting a period twice; in a mapping merged without ``merge_overrides`` the
    ``periods`` section wins, then the value set last (a later level's, as ``dict.update`` merges them)."""
    own: dict[str, dict[str, Any]] = {}
    explicit: dict[str, Any] = dict((overrides or {}).get(PERIODS_KEY) or {})
    periods: dict[str, Any] = {}
    for rule_id, values in (overrides or {}).items():
        if rule_id == PERIODS_KEY or not isinstance(values, Mapping):
            continue
        try:
            fields = {f.name: f for f in dataclasses.fields(get_rule(rule_id).rule.thresholds)}
        except KeyError:
            own[rule_id] = dict(values)  # not a rule: kept as it is, no rule reads it
            continue
        mine: dict[str, Any] = {}
        for key, value in values.items():
            f = fields.get(key)
            name = shared_name(f) if f is not None else None
            if name is None:
                mine[key] = value
            else:
                periods[name] = value
        own[rule_id] = mine
    return own, {**periods, **explicit}


def merge_overrides(*levels: Overrides | None) -> dict[str, dict[str, Any]]:
    """The overrides of several levels (global, then a site's or an account's), later ones winning key by key.

    Each level's shared periods are gathered under ``periods`` first, so a site's ``W-V4: {news_days: 20}``
    wins over a global ``W-V3: {news_days: 30}`` for both rules, as a site's value of any threshold does.
    """
    merged: dict[str, dict[str, Any]] = {}
    for level in levels:
        own, periods = _normalised(level)
        for rule_id, values in own.items():
            merged.setdefault(rule_id, {}).update(values)
        if periods:
            merged.setdefault(PERIODS_KEY, {}).update(periods)
    return merged


# -- validation at configuration load ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdProblem:
    path: tuple[str, ...]  # below `thresholds`: (rule id,) or (rule id, key)
    message: str  # Chinese, for the person who edits sites.yaml


_TYPE_WORDS = {int: "整数", float: "数字", bool: " true 或 false", str: "文本"}


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _type_problem(hint: Any, value: Any) -> str | None:
    """What is wrong with ``value`` for a field annotated ``hint`` (None when it fits)."""
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif hint is str:
        ok = isinstance(value, str)
    elif hint is tuple or typing.get_origin(hint) is tuple:
        item = (typing.get_args(hint) or (Any,))[0]
        if not isinstance(value, (list, tuple)):
            return "应为列表"
        bad = next((x for x in value if _type_problem(item, x) is not None), None) if item is not Any else None
        if bad is not None:
            return f"列表的每一项应为{_TYPE_WORDS.get(item, '合适的值')}（有一项是：{bad!r}）"
        return None
    else:
        return None
    return None if ok else f"应为{_TYPE_WORDS[hint]}"


def check_overrides(overrides: Overrides) -> list[ThresholdProblem]:
    """The problems of a ``thresholds`` mapping of sites.yaml, checked against each rule's thresholds dataclass:
    an unknown rule id or key, a value of the wrong type or refused by the dataclass, a shared period set twice
    with different values. Empty when the mapping is good."""
    problems: list[ThresholdProblem] = []
    users = shared_readers()
    known = {e.rule.id: e.rule for e in all_rules()}
    period_fields = {f.name for f in dataclasses.fields(Periods)}
    periods: dict[str, Any] = {}
    set_at: dict[str, str] = {}

    def shared_value(name: str, value: Any, where: str, path: tuple[str, ...]) -> None:
        if name in periods and periods[name] != value:
            problems.append(
                ThresholdProblem(
                    path,
                    (
                        f"{name} 是 {'、'.join(users.get(name, []))} 共用的周期，这里的 {value!r} 与 {set_at[name]} 的 "
                        f"{periods[name]!r} 不同；共用周期只需写一处（写在 {PERIODS_KEY} 下即对所有用到它的规则生效）"
                    ),
                )
            )
            return
        periods[name] = value
        set_at.setdefault(name, where)

    items = list(overrides.items())
    items.sort(key=lambda kv: kv[0] != PERIODS_KEY)  # the periods section first: it names the conflicts
    for rule_id, values in items:
        if not isinstance(values, Mapping):
            problems.append(ThresholdProblem((str(rule_id),), "应为映射（阈值名: 值），如 W-V3: {news_days: 14}"))
            continue
        if rule_id == PERIODS_KEY:
            hints = _hints(Periods)
            for key, value in values.items():
                if key not in period_fields:
                    problems.append(
                        ThresholdProblem(
                            (rule_id, str(key)),
                            (
                                f"不认识的共用周期“{key}”（拼写错了？）；{PERIODS_KEY} 可设的有：{'、'.join(sorted(period_fields))}"
                            ),
                        )
                    )
                    continue
                bad = _type_problem(hints[key], value)
                if bad is not None:
                    problems.append(ThresholdProblem((rule_id, key), f"{bad}（实际值：{value!r}）"))
                    continue
                shared_value(key, value, f"{PERIODS_KEY} → {key}", (rule_id, key))
            continue
        if rule_id == SCORING_KEY:  # not a rule: the scoring settings (rules/scoring.py), checked by their loader
            from rules.scoring import ScoringConfig

            try:
                ScoringConfig.from_mapping(values)
            except (ValueError, TypeError) as exc:
                problems.append(ThresholdProblem((rule_id,), str(exc)))
            continue
        rule = known.get(rule_id)
        if rule is None:
            hint = (
                f"（规则编号区分大小写，应写作 {rule_id.upper()}）"
                if str(rule_id).upper() in known
                else "（拼写错了？）"
            )
            readers = sorted({r for rs in users.values() for r in rs}, key=list(known).index)
            problems.append(
                ThresholdProblem(
                    (str(rule_id),),
                    (
                        f"不认识的规则编号“{rule_id}”{hint}；可用的有：{'、'.join(known)}，"
                        f"以及 {PERIODS_KEY}（{'、'.join(readers)} 共用的周期：{'、'.join(sorted(period_fields))}）"
                        f"和 {SCORING_KEY}（评分设置）"
                    ),
                )
            )
            continue
        fields = {f.name: f for f in dataclasses.fields(rule.thresholds)}
        hints = _hints(rule.thresholds)
        mine: dict[str, Any] = {}
        typed = True
        for key, value in values.items():
            f = fields.get(key)
            if f is None:
                allowed = f"{rule_id} 可设的阈值有：{'、'.join(fields)}" if fields else f"{rule_id} 没有可调的阈值"
                problems.append(
                    ThresholdProblem((rule_id, str(key)), f"{rule_id} 没有阈值“{key}”（拼写错了？）；{allowed}")
                )
                typed = False
                continue
            bad = _type_problem(hints[key], value)
            if bad is not None:
                problems.append(ThresholdProblem((rule_id, key), f"{bad}（实际值：{value!r}）"))
                typed = False
                continue
            name = shared_name(f)
            if name is None:
                mine[key] = value
            else:
                shared_value(name, value, f"{rule_id} → {key}", (rule_id, key))
        if typed:
            try:  # the dataclass's own checks (lexicon entries, leaders …)
                rule.thresholds(**mine)
            except (ValueError, TypeError) as exc:
                problems.append(ThresholdProblem((rule_id,), str(exc)))
    return problems
