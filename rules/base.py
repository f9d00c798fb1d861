"""What every rule is made of.

A rule is one module named after the rule's name (``stale-column`` →
``stale_column.py``) holding a module docstring in ruff's shape (What it does /
Why is this bad? / Example / Thresholds / Source), a ``RULE`` constant and a
pure ``check`` function: facts, ``today`` and thresholds in, outcomes out. No
I/O, no clock, no randomness.

The ``## Thresholds`` section of :attr:`Rule.doc` is generated from the rule's
thresholds dataclass (:func:`threshold_fields`: each field, its default and its
trailing comment or ``metadata["doc"]``), so the documentation cannot drift from
the code; the module docstring keeps the heading only.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass, field
from typing import Any

from monitor.model import Severity

__all__ = ["Rule", "Outcome", "Verdict", "Scope", "Severity", "ThresholdField", "threshold_fields"]

DOC_HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Thresholds", "## Source")


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
    docstring: str = ""  # the module docstring, as written (the registry fills it in)

    @property
    def doc(self) -> str:
        """The rule's documentation, its ``## Thresholds`` section generated from the thresholds dataclass."""
        return with_thresholds_section(self.docstring, thresholds_section(self.thresholds))

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

    def finding(
        self,
        *,
        subject: str,
        url: str,
        evidence: str,
        facts: dict[str, Any] | None = None,
        source_url: str | None = None,
        severity: Severity | None = None,
    ) -> Outcome:
        return Outcome(
            rule=self.id,
            severity=severity or self.severity,
            verdict=Verdict.FINDING,
            subject=subject,
            url=url,
            evidence=evidence,
            facts=dict(facts or {}),
            source_url=source_url,
        )

    def unverified(
        self,
        *,
        subject: str,
        url: str,
        evidence: str,
        facts: dict[str, Any] | None = None,
        source_url: str | None = None,
    ) -> Outcome:
        return Outcome(
            rule=self.id,
            severity=Severity.NOTICE,
            verdict=Verdict.UNVERIFIED,
            subject=subject,
            url=url,
            evidence=evidence,
            facts=dict(facts or {}),
            source_url=source_url,
        )


@dataclass(frozen=True)
class ThresholdField:
    """One field of a rule's thresholds dataclass, as documented."""

    name: str
    default: Any
    help: str  # the field's metadata["doc"], or its trailing comment in the source
    shared: str | None = None  # the shared period it reads (rules.periods), if any


def threshold_fields(cls: type) -> list[ThresholdField]:
    """The fields of a thresholds dataclass with their defaults and help."""
    from rules.periods import Periods, shared_name

    comments = _field_comments(cls)
    period_comments = _field_comments(Periods)
    out: list[ThresholdField] = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        shared = shared_name(f)
        doc = f.metadata.get("doc")
        help_text = doc if isinstance(doc, str) else comments.get(f.name, "")
        if shared is not None and not help_text:
            help_text = period_comments.get(shared, "")
        out.append(ThresholdField(f.name, default, help_text, shared))
    return out


@functools.cache
def _field_comments(cls: type) -> dict[str, str]:
    """Field name → its comment in the class source: on the field's lines, or on the lines just above it."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    starts: dict[int, str] = {}
    for n, line in enumerate(source.splitlines(), start=1):
        m = re.match(r"^    ([A-Za-z_][A-Za-z0-9_]*)\s*:", line)
        if m:
            starts[n] = m.group(1)
    comments: dict[str, list[str]] = {}
    pending: list[str] = []
    current: str | None = None
    lines = source.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.COMMENT:
            continue
        row = tok.start[0]
        text = tok.string.lstrip("#").strip()
        own_line = lines[row - 1][: tok.start[1]].strip() == ""
        before = [r for r in starts if r <= row]
        current = starts[max(before)] if before else None
        if own_line:
            nxt = [r for r in starts if r > row]
            if nxt:
                pending.append(text)
                comments.setdefault(starts[min(nxt)], [])
                comments[starts[min(nxt)]].extend(pending)
                pending = []
                continue
        if current is not None:
            comments.setdefault(current, []).append(text)
    return {k: " ".join(v) for k, v in comments.items()}


def _value(v: Any, *, inner: bool = False) -> str:
    """A default as it is written in sites.yaml (flow style)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (tuple, list, frozenset)):
        return "[" + ", ".join(_value(x, inner=True) for x in v) + "]"
    if isinstance(v, str):
        return v if inner and v and not re.search(r"[\[\],:#'\"{}]|^\s|\s$", v) else repr(v)
    return str(v)


def thresholds_section(cls: type) -> str:
    """The generated body of a rule's ``## Thresholds`` section."""
    fields = threshold_fields(cls)
    if not fields:
        return "None: nothing to set."
    lines = []
    for f in fields:
        line = f"- {f.name} = {_value(f.default)}"
        if f.help:
            line += f": {f.help}"
        if f.shared:
            readers = "、".join(_period_readers().get(f.shared, ()))
            line += (
                f" [shared period, read by {readers}: a value set under any of them or under "
                f"`periods` applies to all; rules/periods.py]"
            )
        lines.append(line)
    return "\n".join(lines)


def _period_readers() -> dict[str, list[str]]:
    from rules.engine import shared_readers  # the registry, read when a doc is asked for

    return shared_readers()


def with_thresholds_section(docstring: str, body: str) -> str:
    """``docstring`` with its ``## Thresholds`` section (heading kept, or added before ``## Source``) set to
    ``body``, followed by any note the docstring's own section holds."""
    parts = re.split(r"(?m)^(## .*)$", docstring)
    # parts: [preamble, heading, text, heading, text, …]
    out = [parts[0]]
    done = False
    for i in range(1, len(parts), 2):
        heading, text = parts[i], parts[i + 1]
        if heading.strip() == "## Thresholds":
            note = text.strip()
            text = f"\n{body}\n" + (f"\n{note}\n" if note else "") + "\n"
            done = True
        elif heading.strip() == "## Source" and not done:
            out.append(f"## Thresholds\n{body}\n\n")
            done = True
        out.extend([heading, text])
    if not done:
        out.append(f"\n\n## Thresholds\n{body}\n")
    return "".join(out).strip()
