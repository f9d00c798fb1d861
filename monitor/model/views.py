"""The views that cross from the app into ``reports/``: the notice, its new-media part and the ledger.

``monitor.notices`` fills them from the store; ``reports`` renders them and decides nothing. They live in the
model so that both sides share one typed definition without ``reports`` importing the app layers.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any

from monitor.model.facts import FindingStatus, Severity


@dataclass
class ProblemRow:
    no: int
    fid: int
    unit: str
    site: str
    site_name: str
    rule: str
    category: str
    severity: str
    subject: str
    evidence: str
    url: str
    source_url: str | None
    deadline: str
    status: str
    first_seen: str
    flag: str = ""  # 逾期未整改 / 整改后再次出现
    shot_id: int | None = None  # a stored screenshot (EvidenceShot) of this problem
    shot_caption: str = ""


@dataclass
class Review:
    """What became of last month's notified findings, replayed from their history."""

    month: str  # YYYY-MM of last month
    notified: int = 0
    fixed: int = 0
    overdue: int = 0
    reopened: int = 0
    wontfix: int = 0
    dismissed: int = 0  # judged 不成立 (误报) by an auditor since
    pending: int = 0  # still being rectified within the deadline (已通报, 待复核, 已提交整改)


@dataclass
class NewMediaView:
    """The notice's 政务新媒体 section (``monitor.notices.notice_newmedia``)."""

    accounts_checked: int
    accounts_judged: int
    accounts_failed: int
    accounts_unverifiable: int
    pass_rate: str
    platforms: list[dict[str, Any]] = field(default_factory=list)  # platform, checked, judged, failed, pass_rate
    groups: OrderedDict[str, list[dict[str, Any]]] = field(default_factory=OrderedDict)  # category → rows
    problems: int = 0
    veto_problems: int = 0
    unverifiable: list[dict[str, Any]] = field(default_factory=list)  # unit, platform, name, reason, url
    unverifiable_keys: list[str] = field(default_factory=list)
    group_totals: dict[str, int] = field(default_factory=dict)  # category → problems (groups may list fewer)


@dataclass
class NoticeView:
    """The month's notice (``monitor.notices.notice.build_notice``), rendered alike as HTML, PDF and DOCX."""

    title: str
    issuer: str
    doc_number: str | None
    addressees: str
    basis: tuple[str, ...]
    month: str
    period: str
    issued_on: str
    deadline: str
    region: str
    sites_checked: int
    sites_failed: int
    pass_rate: str
    accounts_checked: int = 0
    accounts_failed: int = 0
    account_pass_rate: str = "—"
    platform_rows: list[dict[str, Any]] = field(default_factory=list)  # hook: new-media 合格率 per platform
    review: Review | None = None
    veto_rows: list[ProblemRow] = field(default_factory=list)
    deduction_groups: OrderedDict[str, list[ProblemRow]] = field(default_factory=OrderedDict)
    unit_columns: list[tuple[str, str]] = field(default_factory=list)  # (key, 表头) of 附件1
    unit_rows: list[dict[str, Any]] = field(default_factory=list)
    all_rows: list[ProblemRow] = field(default_factory=list)
    unverified_rows: list[ProblemRow] = field(default_factory=list)
    shots: dict[int, bytes] = field(default_factory=dict)  # EvidenceShot.id → PNG
    newmedia: NewMediaView | None = None  # when accounts are configured
    # a draft (征求意见稿) changes no finding; an issued notice records who issued it and when
    draft: bool = True
    issued_by: str = ""
    deadline_date: str = ""  # ISO date of the rectification deadline this notice sets
    # the body at any size: counts per problem type, then a few typical examples each (see summarise)
    category_rows: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    full_list: bool = True  # 附件2 lists every problem only while that stays readable
    unit_summary: list[dict[str, Any]] = field(default_factory=list)  # 附件2 otherwise: per unit, per type
    cc: str = ""
    contact: str = ""
    printed_by: str = ""

    @property
    def veto_count(self) -> int:
        return sum(1 for r in self.all_rows if r.severity == Severity.VETO.value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LedgerRow:
    no: int
    fid: int
    found_on: str
    unit: str
    site_name: str
    rule: str
    category: str
    description: str
    url: str
    severity: str
    deadline: str
    status: str
    fixed_on: str
    recheck: str  # the latest re-check result, from the history
    history: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # every page the problem was found on (所在页面)
    anchors: list[str] = field(default_factory=list)  # the link texts there (W-S1 and the like)


@dataclass
class LedgerView:
    """The rectification ledger (``monitor.notices.ledger.build_ledger``), written as XLSX by ``reports.ledger``."""

    title: str
    month: str
    as_of: str
    rows: list[LedgerRow]

    def units(self) -> list[str]:
        return list(dict.fromkeys(r.unit for r in self.rows))

    def by_status(self) -> dict[str, int]:
        out = {st.value: 0 for st in FindingStatus}
        for r in self.rows:
            out[r.status] = out.get(r.status, 0) + 1
        return out
