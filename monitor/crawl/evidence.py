"""`monitor evidence`: take and keep screenshots of open findings' pages (key evidence for the notice).

Screenshots are facts like any other: taken when asked (this command, or
`monitor report --screenshots`), stored in ``evidence_shots`` with a copy
under ``storage.notices_dir/evidence/``, and only ever *embedded* by reports.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from sqlalchemy import select

from monitor.config import Config
from monitor.model import FindingStatus
from monitor.store import Column, CrawlRun, EvidenceShot, Finding, Store, utcnow
from spiders.evidence import ShotRequest, iter_shots

SHOT_RULES = ("W-S1", "W-V3", "W-V4", "W-V5")
MAX_BROWSERS = 4  # browsers at once; each host still gets at most its concurrency_per_host of them
HIGHLIGHT = {"link": "已用红框标出失效链接", "item": "已用红框标出最新一条信息", "list": "已用红框标出栏目列表"}


def summary_lines(r: "EvidenceResult") -> list[str]:
    head = (
        f"已截图 {r.taken} 个问题"
        + (f"，{len(r.failed)} 个失败" if r.failed else "")
        + (f"，{r.kept} 个已有截图（沿用，--refresh 可重拍）" if r.kept else "")
        + (f"，{len(r.skipped)} 个无法截图" if r.skipped else "")
    )
    lines = [head]
    lines += [f"  问题 {fid} 截图失败：{why}" for fid, why in r.failed or []]
    lines += [f"  问题 {fid} 跳过：{why}" for fid, why in r.skipped]
    return lines


@dataclass
class EvidenceResult:
    taken: int = 0
    failed: list[tuple[int, str]] | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (finding id, why no shot is possible)
    kept: int = 0  # findings that already had a shot (a resumed run leaves them)


def shot_request(store: Store, f: Finding) -> ShotRequest | None:
    """Which page shows the problem, and what to outline on it."""
    facts = f.facts or {}
    if f.rule == "W-S1":
        return ShotRequest(f.id, f.source_url, "link", f.url) if f.source_url else None
    if f.rule in ("W-V3", "W-V4", "W-V5"):
        with store.session() as s:
            col = s.scalars(
                select(Column)
                .join(CrawlRun, CrawlRun.id == Column.run_id)
                .where(CrawlRun.site == f.site, Column.url == f.url, Column.role == "column")
                .order_by(Column.id.desc())
                .limit(1)
            ).first()
        page = (col.list_pages or [f.url])[0] if col is not None and col.list_pages else f.url
        newest = facts.get("newest_url")
        return ShotRequest(f.id, page, "item", newest) if newest else ShotRequest(f.id, page, "list")
    return None


def _why_not(f: Finding) -> str:
    return "没有记录引用该链接的页面，无法定位" if f.rule == "W-S1" else "无法确定要截图的页面"


class _HostPacer:
    """Hands requests to browser threads so that no host has more than its limit in flight."""

    def __init__(self, requests: list[ShotRequest], limit_of: Callable[[str], int]):
        self.pending = list(requests)
        self.busy: dict[str, int] = {}
        self.limit_of = limit_of
        self.cond = threading.Condition()
        self.stopped = False

    @staticmethod
    def host(req: ShotRequest) -> str:
        return urlsplit(req.page_url).netloc.lower()

    def stream(self):
        """One browser thread's requests; the previous one is done when the next is asked for."""
        current = None
        try:
            while True:
                with self.cond:
                    if current is not None:
                        self.busy[self.host(current)] -= 1
                        self.cond.notify_all()
                        current = None
                    while True:
                        if self.stopped or not self.pending:
                            return
                        pick = next(
                            (r for r in self.pending if self.busy.get(self.host(r), 0) < self.limit_of(self.host(r))),
                            None,
                        )
                        if pick is not None:
                            break
                        self.cond.wait(0.5)
                    self.pending.remove(pick)
                    self.busy[self.host(pick)] = self.busy.get(self.host(pick), 0) + 1
                    current = pick
                yield pick
        finally:
            if current is not None:
                with self.cond:
                    self.busy[self.host(current)] -= 1
                    self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()


def take_evidence(
    store: Store,
    config: Config,
    *,
    as_of: date,
    finding_ids: tuple[int, ...] = (),
    out_dir: str | Path | None = None,
    refresh: bool = False,
    browsers: int = MAX_BROWSERS,
    on_shot: Callable[[int, int, str | None], None] | None = None,
) -> EvidenceResult:
    """Screenshot every open finding of the supported rules that has no shot yet (all of them with refresh).

    Each shot is stored the moment it is taken, so an interrupted run keeps its work and the next run resumes
    with the findings still without one. Several browsers run at once, each host within its
    ``limits.concurrency_per_host``. ``on_shot(done, total, error)`` reports progress."""
    keys = {s.key for s in config.sites}
    open_states = [st.value for st in FindingStatus if st.is_open]
    q = select(Finding).where(
        Finding.site.in_(keys),
        Finding.verdict == "finding",
        Finding.status.in_(open_states),
        Finding.rule.in_(SHOT_RULES),
    )
    if finding_ids:
        q = q.where(Finding.id.in_(finding_ids))
    with store.session() as s:
        findings = s.scalars(q.order_by(Finding.id)).all()
        have = {i for (i,) in s.execute(select(EvidenceShot.finding_id))}
    sites = {s.key: s for s in config.sites}
    result = EvidenceResult(failed=[])
    requests = []
    for f in findings:
        if not refresh and f.id in have:
            result.kept += 1
            continue
        r = shot_request(store, f)
        if r is None:
            result.skipped.append((f.id, _why_not(f)))
        else:
            # each shot is confined to its own site's scope (spiders.chromium): its origin, and private addresses
            # only where they are that site's own or the site allows them
            requests.append(
                replace(r, scope=sites[f.site].scope, allow_private=sites[f.site].limits.allow_private_network)
            )
    if not requests:
        return result
    folder = Path(out_dir or config.storage.notices_dir) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    by_key = {r.key: r for r in requests}
    limits = {}
    for site in config.sites:
        for host in site.scope:
            limits[host.split(":")[0]] = site.limits.concurrency_per_host
            limits[host] = site.limits.concurrency_per_host

    def limit_of(host: str) -> int:
        return limits.get(host, limits.get(host.split(":")[0], 2))

    pacer = _HostPacer(requests, limit_of)
    done: queue.Queue = queue.Queue()

    def worker() -> None:
        try:
            for shot in iter_shots(pacer.stream()):
                done.put(shot)
        except Exception as exc:  # a browser that fails to start: its requests go to the other browsers
            done.put(exc)
        finally:
            done.put(None)

    n = max(1, min(browsers, len(requests)))
    threads = [threading.Thread(target=worker, daemon=True, name=f"evidence-{i}") for i in range(n)]
    for t in threads:
        t.start()
    finished = 0
    errors: list[str] = []
    try:
        while finished < n:
            shot = done.get()
            if shot is None:
                finished += 1
                continue
            if isinstance(shot, Exception):
                errors.append(str(shot).splitlines()[0][:300] if str(shot) else type(shot).__name__)
                continue
            _keep(store, shot, by_key[shot.key], folder, as_of, result)
            if on_shot is not None:
                on_shot(result.taken + len(result.failed), len(requests), None if shot.png else shot.error)
    finally:
        pacer.stop()
        for t in threads:
            t.join(30)
    left = [r for r in pacer.pending]
    for r in left:  # every browser failed to start: say so for each remaining finding
        result.failed.append((r.key, "浏览器无法启动：" + (errors[0] if errors else "未知原因")))
    return result


def _keep(store: Store, shot, req: ShotRequest, folder: Path, as_of: date, result: EvidenceResult) -> None:
    if shot.png is None:
        result.failed.append((shot.key, shot.error or "截图失败"))
        return
    digest = hashlib.sha256(shot.png).hexdigest()
    path = folder / f"finding-{shot.key}-{as_of:%Y%m%d}-{digest[:8]}.png"
    path.write_bytes(shot.png)
    note = HIGHLIGHT[req.mode] if shot.found else "页面上未找到要标出的元素"
    with store.session() as s:
        s.add(
            EvidenceShot(
                finding_id=shot.key,
                as_of=as_of,
                taken_at=utcnow(),
                page_url=shot.page_url,
                highlight=note,
                found=bool(shot.found),
                png=shot.png,
                sha256=digest,
                path=str(path),
            )
        )
    result.taken += 1
