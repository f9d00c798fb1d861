"""Every rule on its fixture file, through the one engine, and every rule's shape.

``tests/rules/<ID>.yaml`` holds, for one rule, the facts that must flag and the
facts that must not: each case builds the facts (the ``monitor.model``
dataclasses, from plain YAML) and calls ``rules.run(scope, facts, today=…,
overrides=…)``, selecting that rule. A case says which subjects it flags (``flags``;
empty: clean) and which it cannot judge (``unverified``, default none).

The format::

    rule: W-V2
    today: 2026-11-26          # "today-15" in any date field is 15 days before this
    base: {…}                  # facts every case starts from (merged key by key)
    cases:
      - name: what the case shows
        thresholds: {W-V2: {max_age_days: 30}}   # optional, as in sites.yaml
        facts: {…}             # SITE: SiteFacts fields; ACCOUNT: AccountFacts fields;
                               # TEXT: {texts: [TextFacts…]}; REPORT: {report: …, previous: …}
        flags: [首页]          # subjects of the findings, in any order
        severity: 否决         # optional: the severity of every finding
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import yaml

import rules
from monitor.model import AccountFacts, SiteFacts, TextFacts
from monitor.model.annual import AnnualReportFacts, Cell
from rules.base import DOC_HEADINGS, Scope, Verdict

FIXTURES = Path(__file__).parents[1] / "rules"
HOME = "http://www.example.gov.cn/"
_TABLES = {"table2": "二", "table3": "三", "table4": "四"}
_RELATIVE = re.compile(r"^today([+-]\d+)(?:\s+(\d{1,2}):(\d{2}))?$")
# a fault a name states: a name that says only what is checked ("site-search") says nothing is wrong
FAULT_WORDS = {
    "not",
    "no",
    "missing",
    "unreachable",
    "stale",
    "empty",
    "unanswered",
    "wrong",
    "unsafe",
    "hidden",
    "redated",
    "broken",
    "typo",
    "outdated",
    "unmasked",
    "invalid",
    "unusable",
    "changed",
    "zombie",
    "duplicate",
    "mismatch",
    "discontinuity",
    "old",
    "late",
    "copied",
}


def _date(value: Any, today: date) -> Any:
    if isinstance(value, str):
        m = _RELATIVE.match(value.strip())
        if m:
            return today + timedelta(days=int(m.group(1)))
        return date.fromisoformat(value)
    return value


def _datetime(value: Any, today: date) -> Any:
    if isinstance(value, str):
        m = _RELATIVE.match(value.strip())
        if m:
            day = today + timedelta(days=int(m.group(1)))
            return datetime(day.year, day.month, day.day, int(m.group(2) or 2), int(m.group(3) or 0))
        return datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, 2)
    return value


def _cells(field: str, value: Any) -> tuple[Cell, ...]:
    """A table as ``{row: {column: value}}`` (table 二: ``{section: {row: {column: value}}}``)."""
    table = _TABLES[field]
    out: list[Cell] = []

    def add(row: str, cols: dict[str, Any], section: str = "") -> None:
        for column, v in cols.items():
            out.append(
                Cell(
                    table=table,
                    row=str(row),
                    column=str(column),
                    value=v,
                    raw="" if v is None else str(v),
                    where=f"第{len(out) + 1}行",
                    section=section,
                )
            )

    for key, rows in value.items():
        if table == "二":
            for row, cols in rows.items():
                add(row, cols, section=str(key))
        else:
            add(key, rows)
    return tuple(out)


def build(tp: Any, value: Any, today: date) -> Any:
    """``value`` (plain YAML) as the type ``tp``: dataclasses and named tuples by field, enums by value, dates,
    tuples."""
    if value is None or tp is Any:
        return value
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        for a in args:
            if a in (int, float, str, bool) and isinstance(value, a):
                return value
        return build(args[0], value, today)
    if isinstance(tp, type) and (dataclasses.is_dataclass(tp) or (issubclass(tp, tuple) and hasattr(tp, "_fields"))):
        hints = typing.get_type_hints(tp)
        unknown = set(value) - set(hints)
        assert not unknown, f"{tp.__name__} has no field {sorted(unknown)}"
        kwargs = {}
        for k, v in value.items():
            if k in _TABLES and tp is AnnualReportFacts and isinstance(v, dict):
                kwargs[k] = _cells(k, v)
            else:
                kwargs[k] = build(hints[k], v, today)
        return tp(**kwargs)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(value)
    if tp is datetime:
        return _datetime(value, today)
    if tp is date:
        return _date(value, today)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(build(args[0], v, today) for v in value)
        return tuple(build(a, v, today) for a, v in zip(args, value))
    if origin is frozenset:
        (arg,) = typing.get_args(tp)
        return frozenset(build(arg, v, today) for v in value)
    return value


def _merge(base: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    return {**base, **facts}


def facts_for(scope: Scope, data: dict[str, Any], today: date) -> tuple[Any, Any]:
    """(the facts the scope's rules read, last year's report for REPORT)."""
    if scope is Scope.SITE:
        defaults = {
            "site": "portal",
            "site_name": "示例县人民政府",
            "unit": "县政府办",
            "home_url": HOME,
            "run_id": 1,
            "crawled_at": "today+0 02:00",
        }
        return build(SiteFacts, {**defaults, **data}, today), None
    if scope is Scope.ACCOUNT:
        defaults = {
            "account": "wx-fb",
            "platform": "wechat",
            "name": "示例县发布",
            "unit": "县融媒体中心",
            "url": "https://mp.example.org/fb",
        }
        return build(AccountFacts, {**defaults, **data}, today), None
    if scope is Scope.TEXT:
        assert set(data) <= {"texts"}, f"TEXT facts are {{texts: […]}}, got {sorted(data)}"
        return [build(TextFacts, t, today) for t in data.get("texts", ())], None
    assert set(data) <= {"report", "previous"}, f"REPORT facts are {{report, previous}}, got {sorted(data)}"
    previous = build(AnnualReportFacts, data["previous"], today) if data.get("previous") else None
    return build(AnnualReportFacts, data.get("report") or {}, today), previous


def _load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict) and doc.get("rule") == path.stem, f"{path.name}: rule: {path.stem} expected"
    return doc


def _cases() -> list[Any]:
    out = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        doc = _load(path)
        for n, case in enumerate(doc.get("cases") or ()):
            out.append(pytest.param(path, n, id=f"{path.stem}:{case.get('name', n)}"))
    return out


@pytest.mark.parametrize("path, n", _cases())
def test_rule_fixture(path: Path, n: int) -> None:
    doc = _load(path)
    case = doc["cases"][n]
    entry = rules.get_rule(doc["rule"])
    today = _date(doc.get("today", "2026-11-26"), date(2026, 11, 26))
    facts, previous = facts_for(entry.rule.scope, _merge(doc.get("base") or {}, case.get("facts") or {}), today)
    result = rules.run(
        entry.rule.scope,
        facts,
        today=today,
        overrides=case.get("thresholds"),
        select=[entry.rule.id],
        previous=previous,
    )
    assert result.ran == [entry.rule.id]
    assert {o.rule for o in result.outcomes} <= {entry.rule.id}
    found = [o for o in result.outcomes if o.verdict is Verdict.FINDING]
    unverified = [o for o in result.outcomes if o.verdict is Verdict.UNVERIFIED]
    assert sorted(o.subject for o in found) == sorted(case.get("flags") or []), [o.evidence for o in found]
    assert sorted(o.subject for o in unverified) == sorted(case.get("unverified") or []), [
        o.evidence for o in unverified
    ]
    if case.get("severity"):
        assert {o.severity.value for o in found} == {case["severity"]}
    for o in result.outcomes:  # every outcome says, in Chinese, what was measured
        assert o.evidence and re.search(r"[\u4e00-\u9fff]", o.evidence)


def test_every_rule_has_its_fixture_file_with_a_flagged_and_a_clean_case() -> None:
    ids = [e.rule.id for e in rules.all_rules()]
    files = {p.stem for p in FIXTURES.glob("*.yaml")}
    assert sorted(set(ids) - files) == [], "rules without tests/rules/<ID>.yaml"
    assert sorted(files - set(ids)) == [], "fixture files of no rule"
    for rule_id in ids:
        cases = _load(FIXTURES / f"{rule_id}.yaml")["cases"]
        assert any(c.get("flags") for c in cases), f"{rule_id}: no case that flags"
        assert any(not c.get("flags") and not c.get("unverified") for c in cases), f"{rule_id}: no clean case"


def test_every_rule_is_documented_named_after_its_fault_and_filed_under_its_name() -> None:
    for e in rules.all_rules():
        rule, doc = e.rule, e.rule.doc
        positions = [doc.find(h + "\n") for h in DOC_HEADINGS]
        assert -1 not in positions, f"{rule.id}: headings {DOC_HEADINGS} expected"
        assert positions == sorted(positions), f"{rule.id}: headings out of order"
        assert doc.startswith(f"{rule.id} {rule.name}: "), f"{rule.id}: the doc opens with id, name and title"
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", rule.name), f"{rule.id}: kebab-case name"
        assert FAULT_WORDS & set(rule.name.split("-")), f"{rule.id}: {rule.name} does not state the fault"
        assert e.module.__name__.rsplit(".", 1)[1] == rule.name.replace("-", "_"), (
            f"{rule.id}: module {e.module.__name__} is not named after {rule.name}"
        )
        # the generated Thresholds section lists every field with its default
        section = doc.split("## Thresholds\n", 1)[1].split("\n## ", 1)[0]
        for f in dataclasses.fields(rule.thresholds):
            assert f"- {f.name} = " in section, f"{rule.id}: {f.name} missing from ## Thresholds"


def test_the_thresholds_section_follows_the_dataclass() -> None:
    """A field's default and comment come from the code: the doc cannot say 14 when the code says 30."""
    from rules.base import Rule, Severity

    @dataclasses.dataclass(frozen=True)
    class Thresholds:
        max_days: int = 30  # days the newest entry may be old
        words: tuple[str, ...] = ("信箱", "留言")

    rule = Rule(
        id="X-1",
        name="thing-not-updated",
        title="示例",
        severity=Severity.NOTICE,
        source="",
        thresholds=Thresholds,
        docstring="X-1 thing-not-updated: 示例\n\n## What it does\nx\n\n## Thresholds\n\n\n## Source\ny",
    )
    section = rule.doc.split("## Thresholds\n", 1)[1].split("\n## ", 1)[0]
    assert "- max_days = 30: days the newest entry may be old" in section
    assert "- words = [信箱, 留言]" in section
    assert "## Source\ny" in rule.doc
    shared = rules.get_rule("W-V4").rule.doc
    assert "news_days = 14" in shared and "read by W-V3、W-V4" in shared
