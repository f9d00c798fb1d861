"""Facts read from a 政府信息公开工作年度报告 (annual report on government information disclosure).

The parser (``spiders.annual_report``) fills these; the A-rules (``rules.annual_report``) judge
them. Every number keeps where it came from (``Cell.where``: a line of the text, or a row of an
HTML table) and its raw text, so a finding can name the cell. Nothing here judges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# ---------------------------------------------------------------- vocabulary

FORMAT_2019 = "2019"  # 国办公开办函〔2019〕60号 trial format
FORMAT_2021 = "2021"  # 国办公开办函〔2021〕30号
FORMAT_UNKNOWN = "unknown"

# Table 三 columns, in printed order.
T3_APPLICANT = "自然人"
T3_LEGAL = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
T3_TOTAL = "总计"
T3_COLUMNS = (T3_APPLICANT, *T3_LEGAL, T3_TOTAL)

# Table 三 rows: canonical key -> label used in messages.
T3_NEW = "新收"
T3_CARRIED_IN = "上年结转"
T3_RESULT_TOTAL = "办理结果总计"
T3_CARRIED_OUT = "结转下年度"

_T3_RESULT_GROUPS = {
    "予以公开": ("（一）予以公开", 0),
    "部分公开": ("（二）部分公开", 0),
    "不予公开": ("（三）不予公开", 8),
    "无法提供": ("（四）无法提供", 3),
    "不予处理": ("（五）不予处理", 5),
    "其他处理": ("（六）其他处理", 3),  # one row in the 2019 trial format, three items in 2021
}


def t3_row_label(key: str) -> str:
    """Chinese label of a Table 三 row key, as printed in messages."""
    fixed = {
        T3_NEW: "一、本年新收",
        T3_CARRIED_IN: "二、上年结转",
        T3_RESULT_TOTAL: "三、（七）总计",
        T3_CARRIED_OUT: "四、结转下年度继续办理",
    }
    if key in fixed:
        return fixed[key]
    group, _, item = key.partition(".")
    label = _T3_RESULT_GROUPS.get(group, (group, 0))[0]
    return f"{label}第{item}项" if item else label


def t3_result_keys(fmt: str) -> tuple[str, ...]:
    """The leaf rows of 三、本年度办理结果 (without （七）总计) expected in a format."""
    keys: list[str] = []
    for group, (_, items) in _T3_RESULT_GROUPS.items():
        if group == "其他处理" and fmt != FORMAT_2021:
            keys.append(group)
        elif items:
            keys.extend(f"{group}.{i}" for i in range(1, items + 1))
        else:
            keys.append(group)
    return tuple(keys)


T3_RESULT_GROUPS = tuple(_T3_RESULT_GROUPS)

# Table 四: three groups of five columns, in printed order.
T4_REVIEW = "行政复议"
T4_SUIT_DIRECT = "行政诉讼（未经复议直接起诉）"
T4_SUIT_AFTER = "行政诉讼（复议后起诉）"
T4_GROUPS = (T4_REVIEW, T4_SUIT_DIRECT, T4_SUIT_AFTER)
T4_PARTS = ("结果维持", "结果纠正", "其他结果", "尚未审结")
T4_TOTAL = "总计"
T4_COLUMNS = (*T4_PARTS, T4_TOTAL)

# Table 二 quantities the rules read (2021 format, 第二十条第（一）项).
T2_RULES_SECTION = "第二十条第（一）项"
T2_MADE = "本年制发件数"
T2_REPEALED = "本年废止件数"
T2_IN_FORCE = "现行有效件数"


# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class Cell:
    """One number of a table, with its place."""

    table: str  # "二", "三", "四"
    row: str  # canonical row key (Table 三: see t3_row_label; Table 二: the row label; Table 四: group)
    column: str
    value: int | float | None  # None when the cell is empty
    raw: str  # the text as found
    where: str  # "第64行" or "第3个表格第5行"
    section: str = ""  # Table 二: "第二十条第（一）项" …


@dataclass(frozen=True)
class NarrativeNumber:
    """A number in the running text, with what it counts."""

    value: int | float
    unit: str  # 条, 件, 项 …
    label: str  # the words before it (“通过政府网站发布政府信息”)
    raw: str


@dataclass(frozen=True)
class NarrativeSum:
    """A stated total and its parts: “全年主动公开政府信息8331条，其中，…4611条、…3720条”."""

    total: NarrativeNumber
    parts: tuple[NarrativeNumber, ...]
    sentence: str
    where: str


@dataclass(frozen=True)
class NarrativeClaim:
    """A number in the text that names a table quantity: “收到新增公开政府信息的申请 8 件”."""

    quantity: str  # T3_NEW, T3_CARRIED_IN, T3_CARRIED_OUT, T4_REVIEW, "行政诉讼"
    value: int
    sentence: str
    where: str


@dataclass(frozen=True)
class AnnualReportFacts:
    """Everything the parser read from one annual report. Partial when the shape was unknown."""

    year: int | None = None
    organisation: str = ""
    title: str = ""
    issuer_kind: str = "unknown"  # government | department | unknown
    format_version: str = FORMAT_UNKNOWN
    format_markers: tuple[str, ...] = ()  # the header words that decided the format
    table2: tuple[Cell, ...] = ()
    table3: tuple[Cell, ...] = ()
    table4: tuple[Cell, ...] = ()
    sums: tuple[NarrativeSum, ...] = ()
    claims: tuple[NarrativeClaim, ...] = ()
    narrative_text: str = ""  # the running text without the tables (for A-8 similarity)
    problems: tuple[str, ...] = ()  # parse problems, in Chinese
    url: str = ""  # page URL or file path, set by the caller
    published: date | None = None  # publication date, set by the caller (page date)

    # -- lookups
    def t3(self, row: str, column: str) -> Cell | None:
        for c in self.table3:
            if c.row == row and c.column == column:
                return c
        return None

    def t3_rows(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for c in self.table3:
            seen.setdefault(c.row, None)
        return tuple(seen)

    def t4(self, group: str, column: str) -> Cell | None:
        for c in self.table4:
            if c.row == group and c.column == column:
                return c
        return None

    def t2(self, section: str, row: str, column: str) -> Cell | None:
        for c in self.table2:
            if c.section == section and c.row == row and c.column == column:
                return c
        return None

    @property
    def subject(self) -> str:
        """How findings name this report."""
        year = f"{self.year}年" if self.year else ""
        return f"{self.organisation}{year}政府信息公开工作年度报告" if self.organisation else (self.title or "年度报告")
