"""The notice's 政务新媒体 section: accounts checked, 合格率 overall and per platform, problems, unverifiable accounts.

An account whose source failed (or was never fetched) is *unverifiable*: listed as such, and left out of
the 合格率 (neither qualified nor failed). An account with an open veto problem (N-V1, N-V3 veto) fails.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from sqlalchemy import select

from monitor.config import PLATFORM_NAMES, Config
from monitor.model import Severity
from monitor.model.views import NewMediaView
from monitor.store import AccountFetch, Finding, Store


def _rate(judged: int, failed: int) -> str:
    return f"{(judged - failed) / judged * 100:.1f}%" if judged else "—"


def build_newmedia_view(
    store: Store, config: Config, *, rows: list, problems: list[Finding], unverified: list[Finding]
) -> NewMediaView | None:
    """``rows`` are the notice's ranked ProblemRows; ``problems``/``unverified`` its open findings."""
    if not config.accounts:
        return None
    accounts = {a.key: a for a in config.accounts}
    with store.session() as s:
        fetched = set(
            s.scalars(select(AccountFetch.account).where(AccountFetch.account.in_(list(accounts))).distinct()).all()
        )
    reasons: OrderedDict[str, str] = OrderedDict()
    for a in config.accounts:
        if a.key not in fetched:
            reasons[a.key] = "尚未抓取该账号的数据源"
    for f in unverified:
        if f.site in accounts and f.rule == "N-V1":
            reasons.setdefault(f.site, f.evidence)
    failed = {f.site for f in problems if f.site in accounts and f.severity == Severity.VETO.value} - set(reasons)

    by_platform: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for code, name in PLATFORM_NAMES.items():
        members = [a for a in config.accounts if a.platform == code]
        if not members:
            continue
        judged = [a for a in members if a.key not in reasons]
        bad = [a for a in judged if a.key in failed]
        by_platform[code] = {
            "platform": name,
            "checked": len(members),
            "judged": len(judged),
            "failed": len(bad),
            "unverifiable": len(members) - len(judged),
            "pass_rate": _rate(len(judged), len(bad)),
        }

    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    count = veto = 0
    for r in rows:
        a = accounts.get(r.site)
        if a is None:
            continue
        count += 1
        veto += r.severity == Severity.VETO.value
        groups.setdefault(r.category, []).append(
            {
                "no": r.no,
                "unit": r.unit,
                "platform": a.platform_name,
                "name": a.name,
                "rule": r.rule,
                "severity": r.severity,
                "evidence": r.evidence,
                "url": r.url,
                "source_url": r.source_url,
            }
        )

    # at scale a category names a few typical accounts (one per unit first); the full list is per unit
    from monitor.notices.notice import LIST_ALL, TYPICAL

    totals = {c: len(rs) for c, rs in groups.items()}
    for c, rs in groups.items():
        if len(rs) > LIST_ALL:
            seen: set[str] = set()
            pick = [r for r in rs if not (r["unit"] in seen or seen.add(r["unit"]))][:TYPICAL]
            pick += [r for r in rs if r not in pick][: TYPICAL - len(pick)]
            groups[c] = sorted(pick, key=lambda r: r["no"])
    n = len(config.accounts)
    judged = n - len(reasons)
    return NewMediaView(
        accounts_checked=n,
        accounts_judged=judged,
        accounts_failed=len(failed),
        accounts_unverifiable=len(reasons),
        pass_rate=_rate(judged, len(failed)),
        platforms=list(by_platform.values()),
        groups=groups,
        problems=count,
        veto_problems=veto,
        unverifiable=[
            {
                "unit": accounts[k].unit,
                "platform": accounts[k].platform_name,
                "name": accounts[k].name,
                "reason": why,
                "url": accounts[k].url,
            }
            for k, why in reasons.items()
        ],
        unverifiable_keys=list(reasons),
        group_totals=totals,
    )
