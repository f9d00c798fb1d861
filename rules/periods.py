"""Update periods several rules share, each defined once.

The indicators count stale and empty columns together (应更新但长期未更新, S6) and
must not report one column twice (S10), so the column rules have to agree on
what a column's period is: W-V3 and W-V4 judge news and notice/policy columns by
the same periods, and W-S2 leaves a first-level policy column to W-V3 once it
is past W-V3's period.

A rule that reads a shared period declares the field with :func:`shared`; its
value always comes from :class:`Periods`. In ``sites.yaml`` a shared period is
set once, under the pseudo rule id ``periods`` or under any rule that reads it
(``W-V3: {news_days: 30}``), and then applies to every rule that reads it (W-V3,
W-V4 and W-S2 alike). Two different values for one period at the same level
(global, or one site's) are a configuration error; a site's value wins over the
global one. The configuration loader moves rule-level shared values into
``periods`` (:func:`rules.engine.check_overrides`), so the merged thresholds of a
site carry each period once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

PERIODS_KEY = "periods"  # the pseudo rule id of the shared periods in sites.yaml thresholds


@dataclass(frozen=True)
class Periods:
    news_days: int = 14  # 动态、要闻类 columns: 2 weeks (S4)
    notice_policy_days: int = 183  # 通知公告、政策文件类 columns: 6 months (S4)
    personnel_planning_days: int = 365  # 人事、规划计划类 columns: 1 year, not confirmed by a source [U] (S6)


DEFAULT = Periods()


def shared(name: str) -> Any:
    """A thresholds field whose value is the shared period ``name`` (default and override from :class:`Periods`)."""
    if name not in {f.name for f in dataclasses.fields(Periods)}:
        raise ValueError(f"no shared period {name}")
    return dataclasses.field(default=getattr(DEFAULT, name), metadata={"shared": name})


def shared_name(f: dataclasses.Field[Any]) -> str | None:
    """The shared period a thresholds field reads, or None for a rule's own field."""
    name = f.metadata.get("shared")
    return name if isinstance(name, str) else None
