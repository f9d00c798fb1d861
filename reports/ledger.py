"""The rectification ledger (整改台账) as XLSX: a summary sheet and one sheet per unit."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from monitor.model import cell_safe, xml_safe
from monitor.model.views import LedgerRow, LedgerView

COLUMNS = [
    ("序号", 6),
    ("发现日期", 12),
    ("单位", 18),
    ("网站/账号", 20),
    ("问题类别", 16),
    ("问题描述", 48),
    ("URL", 40),
    ("所在页面", 44),
    ("链接文字", 20),
    ("严重程度", 9),
    ("整改期限", 12),
    ("状态", 10),
    ("整改完成日期", 13),
    ("复查结果", 30),
    ("整改过程", 60),
]
STATUS_COL = [label for label, _ in COLUMNS].index("状态") + 1
MAX_CELL = 30000  # Excel holds 32,767 characters a cell
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = Font(name="黑体", bold=True)
_BODY = Font(name="仿宋")
_WRAP = Alignment(wrap_text=True, vertical="top")
_STATUS_FILL = {
    "逾期": "F8CBAD",
    "重新出现": "F8CBAD",
    "已整改": "C6EFCE",
    "无法整改": "D9D9D9",
    "待复核": "FFEB9C",
    "不成立": "D9D9D9",
    "异议中": "FFEB9C",
    "待人工确认": "DDEBF7",
}


# 误报 and unconfirmed candidates are listed with their history but are not problems
UNCOUNTED = ("不成立", "待人工确认")


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:28] or "单位"
    out, n = base, 2
    while out in used:
        out, n = f"{base[:26]}_{n}", n + 1
    used.add(out)
    return out


def _header(ws: Worksheet, row: int, labels: list[tuple[str, int]]) -> None:
    for c, (label, width) in enumerate(labels, 1):
        cell = ws.cell(row=row, column=c, value=label)
        cell.font, cell.border, cell.alignment = (
            _HEAD,
            _BORDER,
            Alignment(horizontal="center", vertical="center", wrap_text=True),
        )
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        ws.column_dimensions[get_column_letter(c)].width = width


def _lines(items: list[str]) -> str:
    """One per line, cut to what a cell holds, saying how many were left out."""
    out: list[str] = []
    size = 0
    for n, item in enumerate(items):
        if size + len(item) + 1 > MAX_CELL - 40:
            out.append(f"……另有 {len(items) - n} 个")
            break
        out.append(item)
        size += len(item) + 1
    return "\n".join(out)


def _values(r: LedgerRow, no: int) -> list[str | int]:
    return [
        no,
        r.found_on,
        r.unit,
        r.site_name,
        r.category,
        r.description,
        r.url,
        _lines(r.pages),
        _lines(r.anchors),
        r.severity,
        r.deadline,
        r.status,
        r.fixed_on,
        r.recheck,
        _lines(r.history),
    ]


def _table_done(ws: Worksheet, header_row: int, last_row: int) -> None:
    """Filters on the header and the header frozen, so a unit can sort and narrow its own list."""
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(COLUMNS))}{max(last_row, header_row)}"
    ws.freeze_panes = f"A{header_row + 1}"


def render_ledger_xlsx(view: LedgerView) -> Workbook:
    """A workbook from a ``LedgerView``. No queries."""
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = "汇总"
    ws["A1"] = cell_safe(view.title)
    ws["A1"].font = Font(name="黑体", size=14, bold=True)
    counted = [r for r in view.rows if r.status not in UNCOUNTED]
    aside = "，".join(f"{s} {n} 个" for s, n in view.by_status().items() if s in UNCOUNTED and n)
    ws["A2"] = f"统计截至 {view.as_of}；共 {len(counted)} 个问题" + (f"（另有{aside}，不计入问题数）" if aside else "")
    units = view.units()
    statuses = [s for s, n in view.by_status().items()]
    _header(ws, 4, [("单位", 22), ("问题数", 9)] + [(s, 10) for s in statuses])
    for i, unit in enumerate(units, 5):
        rows = [r for r in view.rows if r.unit == unit]
        values = [unit, sum(r.status not in UNCOUNTED for r in rows)] + [
            sum(r.status == s for r in rows) for s in statuses
        ]
        for c, v in enumerate(values, 1):
            cell = ws.cell(row=i, column=c, value=cell_safe(v))
            cell.font, cell.border = _BODY, _BORDER
    total = 5 + len(units)
    totals: list[str | int] = ["合计", len(counted), *(view.by_status()[s] for s in statuses)]
    for c, v in enumerate(totals, 1):
        cell = ws.cell(row=total, column=c, value=v)
        cell.font, cell.border = _HEAD, _BORDER
    ws.auto_filter.ref = f"A4:{get_column_letter(2 + len(statuses))}{total - 1}"
    ws.freeze_panes = "B5"
    ws.cell(row=total + 2, column=1, value="逐条清单见“全部问题”及各单位工作表").font = _BODY

    every = wb.create_sheet("全部问题")
    _header(every, 1, COLUMNS)
    for n, r in enumerate(view.rows, 1):
        _row(every, 1 + n, _values(r, n), r.status)
    _table_done(every, 1, 1 + len(view.rows))

    used = {"汇总", "全部问题"}
    for unit in units:
        us = wb.create_sheet(_sheet_name(xml_safe(unit), used))
        us["A1"] = cell_safe(f"{unit} 问题整改台账")
        us["A1"].font = Font(name="黑体", size=14, bold=True)
        _header(us, 2, COLUMNS)
        mine = [r for r in view.rows if r.unit == unit]
        for n, r in enumerate(mine, 1):
            _row(us, 2 + n, _values(r, n), r.status)
        _table_done(us, 2, 2 + len(mine))
    return wb


def _row(ws: Worksheet, row: int, values: list[str | int], status: str) -> None:
    for c, v in enumerate(values, 1):
        # crawled and typed text: no XML-illegal characters, never a formula
        cell = ws.cell(row=row, column=c, value=cell_safe(v))
        cell.font, cell.border, cell.alignment = _BODY, _BORDER, _WRAP
    fill = _STATUS_FILL.get(status)
    if fill:
        ws.cell(row=row, column=STATUS_COL).fill = PatternFill("solid", fgColor=fill)


def write_ledger(view: LedgerView, out_dir: str | Path) -> Path:
    path = Path(out_dir) / f"整改台账-{view.month}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    render_ledger_xlsx(view).save(str(path))
    return path
