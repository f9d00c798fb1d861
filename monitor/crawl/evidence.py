"""`monitor evidence`: take and keep screenshots of open findings' pages (key evidence for the notice).

Screenshots are facts like any other: taken when asked (this command, or
`monitor report --screenshots`), stored in ``evidence_shots`` with a copy
under ``storage.notices_dir/evidence/``, and only ever *embedded* by reports.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import select

from monitor.config import Config
from monitor.model import FindingStatus
from monitor.store import Column, CrawlRun, EvidenceShot, Finding, Store, utcnow
from spiders.evidence import ShotRequest, take_shots

SHOT_RULES = ("W-S1", "W-V3", "W-V4", "W-V5")
HIGHLIGHT = {"link": "已用红框标出失效链接", "item": "已用红框标出最新一条信息", "list": "已用红框标出栏目列表"}


@dataclass
class EvidenceResult:
    taken: int = 0
    failed: list[tuple[int, str]] | None = None


def shot_request(store: Store, f: Finding) -> ShotRequest | None:
    """Which page shows the problem, and what to outline on it."""
    facts = f.facts or {}
    if f.rule == "W-S1":
        return ShotRequest(f.id, f.source_url, "link", f.url) if f.source_url else None
    if f.rule in ("W-V3", "W-V4", "W-V5"):
        with store.session() as s:
            col = s.scalars(select(Column).join(CrawlRun, CrawlRun.id == Column.run_id)
                            .where(CrawlRun.site == f.site, Column.url == f.url, Column.role == "column")
                            .order_by(Column.id.desc()).limit(1)).first()
        page = (col.list_pages or [f.url])[0] if col is not None and col.list_pages else f.url
        newest = facts.get("newest_url")
        return ShotRequest(f.id, page, "item", newest) if newest else ShotRequest(f.id, page, "list")
    return None


def take_evidence(store: Store, config: Config, *, as_of: date, finding_ids: tuple[int, ...] = (),
                  out_dir: str | Path | None = None, refresh: bool = False) -> EvidenceResult:
    """Screenshot every open finding of the supported rules that has no shot yet (all of them with refresh)."""
    keys = {s.key for s in config.sites}
    open_states = [st.value for st in FindingStatus if st.is_open]
    q = select(Finding).where(Finding.site.in_(keys), Finding.verdict == "finding", Finding.status.in_(open_states),
                              Finding.rule.in_(SHOT_RULES))
    if finding_ids:
        q = q.where(Finding.id.in_(finding_ids))
    with store.session() as s:
        findings = s.scalars(q.order_by(Finding.id)).all()
        have = {i for (i,) in s.execute(select(EvidenceShot.finding_id))}
    sites = {s.key: s for s in config.sites}
    # each shot is confined to its own site's scope (spiders.chromium): its origin, and private addresses
    # only where they are that site's own or the site allows them
    requests = [replace(r, scope=sites[f.site].scope, allow_private=sites[f.site].limits.allow_private_network)
                for f in findings if (refresh or f.id not in have) and (r := shot_request(store, f))]
    result = EvidenceResult(failed=[])
    if not requests:
        return result
    folder = Path(out_dir or config.storage.notices_dir) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    by_key = {r.key: r for r in requests}
    for shot in take_shots(requests):
        if shot.png is None:
            result.failed.append((shot.key, shot.error or "截图失败"))
            continue
        digest = hashlib.sha256(shot.png).hexdigest()
        path = folder / f"finding-{shot.key}-{as_of:%Y%m%d}-{digest[:8]}.png"
        path.write_bytes(shot.png)
        req = by_key[shot.key]
        note = HIGHLIGHT[req.mode] if shot.found else "页面上未找到要标出的元素"
        with store.session() as s:
            s.add(EvidenceShot(finding_id=shot.key, as_of=as_of, taken_at=utcnow(), page_url=shot.page_url,
                               highlight=note, found=bool(shot.found), png=shot.png, sha256=digest, path=str(path)))
        result.taken += 1
    return result
