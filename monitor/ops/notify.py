"""Telling people: a new veto item, a site down (or back up), a notice ready — once per state change.

What is the state now is read from the store (findings, probes, the notices directory); what people
were last told is the ``notifications`` table (last row per event + subject + recipient). A difference is an
event; events are grouped per unit into one message rendered from ``templates/notify.txt`` and sent
through Apprise to the unit's URLs and the global ones. Rows are written per recipient only after its
message went out, so a failed send is retried at the next run and a sent one is never repeated.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import func, select

from monitor.config import Config
from monitor.ops.logs import event as log_event
from monitor.model import ErrorKind, FindingStatus, Severity, error_label
from monitor.store import Finding, Notification, Probe, Store, utcnow

log = logging.getLogger("monitor.notify")

LABELS = {"veto": "单项否决", "site_down": "网站无法访问", "site_up": "网站恢复访问", "notice_ready": "督查通报"}
NOTICE_FILE = re.compile(r"督查通报-(\d{4}-\d{2})\.html$")


@dataclass(frozen=True)
class State:
    """How one subject stands now: a veto finding open/closed, a site down/up, a month's notice ready."""

    event: str  # veto | site_down | notice_ready
    subject: str  # finding fingerprint | site key | month
    state: str  # open|closed | down|up | ready
    unit: str  # "" for everyone
    title: str
    detail: str = ""

    @property
    def label(self) -> str:
        return LABELS["site_up"] if (self.event, self.state) == ("site_down", "up") else LABELS[self.event]

    def worth_telling(self, before: str | None) -> bool | None:
        """True: say it; False: record it silently; None: nothing changed."""
        if before == self.state:
            return None
        if before is None and self.state in ("closed", "up"):
            return False  # never told it was open/down: remember the state, say nothing
        return self.state not in ("closed",)


@dataclass(frozen=True)
class Recipient:
    url: str
    units: frozenset[str] | None  # None: every unit and the general events

    @property
    def key(self) -> str:
        return hashlib.sha256(self.url.encode()).hexdigest()[:32]

    @property
    def scheme(self) -> str:
        return self.url.split("://", 1)[0] + "://…"

    def covers(self, unit: str) -> bool:
        return self.units is None or unit == "" or unit in self.units


def recipients(config: Config) -> list[Recipient]:
    by_url: dict[str, set[str] | None] = {u: None for u in config.notify.urls}
    for unit in config.units:
        for u in unit.notify:
            if u in by_url and by_url[u] is None:
                continue
            by_url.setdefault(u, set()).add(unit.name)  # type: ignore[union-attr]
    return [Recipient(u, None if units is None else frozenset(units)) for u, units in by_url.items()]


def last_told(store: Store) -> dict[tuple[str, str, str], str]:
    with store.session() as s:
        newest = select(func.max(Notification.id)).group_by(
            Notification.event, Notification.subject, Notification.recipient
        )
        rows = s.execute(
            select(Notification.event, Notification.subject, Notification.recipient, Notification.state).where(
                Notification.id.in_(newest)
            )
        ).all()
    return {(e, subj, r): st for e, subj, r, st in rows}


def _veto_states(store: Store, config: Config) -> list[State]:
    names = {s.key: s.name for s in config.sites} | {a.key: a.name for a in config.accounts}
    with store.session() as s:
        rows = s.scalars(
            select(Finding)
            .where(Finding.severity == Severity.VETO.value, Finding.verdict == "finding")
            .order_by(Finding.id)
        ).all()
    return [
        State(
            "veto",
            f.fingerprint,
            "open" if FindingStatus(f.status).is_open else "closed",
            f.unit,
            title=f"{names.get(f.site, f.site)}：{f.evidence}",
            detail=f"地址：{f.url}",
        )
        for f in rows
    ]


def _site_states(store: Store, config: Config) -> list[State]:
    n = config.notify.down_after_failures
    out = []
    for site in config.sites:
        with store.session() as s:
            recent = s.scalars(
                select(Probe).where(Probe.site == site.key).order_by(Probe.at.desc(), Probe.id.desc()).limit(n)
            ).all()
        if not recent:
            continue
        if recent[0].ok:
            out.append(
                State(
                    "site_down",
                    site.key,
                    "up",
                    site.unit,
                    title=f"{site.name}（{site.home}）已恢复访问",
                    detail=f"恢复时间：{_cn_time(recent[0].at)}",
                )
            )
        elif len(recent) == n and not any(p.ok for p in recent):
            p = recent[0]
            if p.status and (p.error_kind is None or p.error_kind == ErrorKind.HTTP):
                why = f"HTTP {p.status}"
            else:  # the kind's label, not the exception's English text
                why = error_label(p.error_kind) if p.error_kind else "无响应"
            out.append(
                State(
                    "site_down",
                    site.key,
                    "down",
                    site.unit,
                    title=f"{site.name}（{site.home}）连续 {n} 次探测无法访问",
                    detail=f"最近一次：{_cn_time(p.at)}，{why}",
                )
            )
        # failing but not yet confirmed: no state, wait for the next probes
    return out


def _notice_states(config: Config) -> list[State]:
    folder = Path(config.storage.notices_dir)
    months = (
        sorted(m.group(1) for p in folder.glob("督查通报-*.html") if (m := NOTICE_FILE.search(p.name)))
        if folder.is_dir()
        else []
    )
    if not months:
        return []
    month = months[-1]  # only the newest: a daemon started on an old folder must not announce history
    path = (folder / f"督查通报-{month}.html").resolve()
    return [State("notice_ready", month, "ready", "", title=f"{month} 督查通报已印发", detail=f"文件：{path}")]


def _cn_time(at) -> str:
    from datetime import timezone

    from monitor.timeutil import CHINA

    return at.replace(tzinfo=timezone.utc).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def current_states(store: Store, config: Config) -> list[State]:
    wanted = set(config.notify.events)
    out: list[State] = []
    if "veto" in wanted:
        out += _veto_states(store, config)
    if "site_down" in wanted:
        out += _site_states(store, config)
    if "notice_ready" in wanted:
        out += _notice_states(config)
    return out


def _env() -> Environment:
    # Plain text messages: no HTML escaping (the .txt name keeps autoescape off), strict about names.
    return Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_message(unit: str, events: list[State], *, org: str) -> tuple[str, str]:
    title = f"【政府网站监测】{unit or '全部单位'}：{len(events)} 条提醒"
    body = _env().get_template("notify.txt").render(unit=unit, events=events, org=org)
    return title, re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


def _send(url: str, title: str, body: str) -> tuple[bool, str]:
    import apprise

    a = apprise.Apprise()
    if not a.add(url):
        return False, f"无法识别的提醒地址 {url.split('://', 1)[0]}://…（请检查 notify.urls / units[].notify）"
    ok = a.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
    return bool(ok), "" if ok else "发送失败（详见日志中 apprise 的记录）"


def send_pending(store: Store, config: Config, *, job: str | None = None) -> dict[str, int]:
    """Tell each recipient what changed since it was last told, one message per unit; remember it.

    Delivery is tracked per recipient, so one unreachable webhook is retried on its own and never
    makes the others hear the same thing twice.
    """
    states = current_states(store, config)
    told = last_told(store)
    stats = {"events": 0, "messages": 0, "failed": 0}
    changed: set[tuple[str, str]] = set()
    for r in recipients(config):
        groups: OrderedDict[str, list[tuple[State, bool]]] = OrderedDict()
        for st in states:
            if not r.covers(st.unit):
                continue
            verdict = st.worth_telling(told.get((st.event, st.subject, r.key)))
            if verdict is not None:
                groups.setdefault(st.unit, []).append((st, verdict))
                changed.add((st.event, st.subject))
        for unit, items in groups.items():
            tell = [st for st, say in items if say]
            ok = True
            if tell:
                title, body = render_message(unit, tell, org=config.organisation.name)
                ok, why = _send(r.url, title, body)
                stats["messages" if ok else "failed"] += 1
                log_event(
                    log,
                    "notify.sent" if ok else "notify.failed",
                    f"{title}：{'已发送' if ok else why}",
                    level=logging.INFO if ok else logging.ERROR,
                    job=job,
                    unit=unit,
                    channel=r.scheme,
                    events=[f"{st.event}:{st.subject}:{st.state}" for st in tell],
                )
            if not ok:
                continue  # nothing recorded for this recipient: the next run tries again
            now = utcnow()
            with store.session() as s:
                for st, say in items:
                    s.add(
                        Notification(
                            event=st.event,
                            subject=st.subject,
                            state=st.state,
                            unit=st.unit,
                            recipient=r.key,
                            at=now,
                            sent=say,
                            detail=st.title[:2000],
                        )
                    )
    stats["events"] = len(changed)
    return stats
