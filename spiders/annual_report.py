"""Read a 政府信息公开工作年度报告 into facts (extraction only, no judging).

Input is the report as text (tables flattened to tab- or space-separated rows, as PDF/DOCX
extraction gives them) or as an HTML page with ``<table>``s. Both the 2019 trial format
(国办公开办函〔2019〕60号) and the 2021 format (国办公开办函〔2021〕30号) are read. An unknown
shape gives partial facts and a list of parse problems, never an exception.
"""

from __future__ import annotations

import re
from datetime import date

from monitor.model.annual import (
    FORMAT_2019,
    FORMAT_2021,
    FORMAT_UNKNOWN,
    T3_CARRIED_IN,
    T3_CARRIED_OUT,
    T3_COLUMNS,
    T3_NEW,
    T3_RESULT_TOTAL,
    T4_COLUMNS,
    T4_GROUPS,
    AnnualReportFacts,
    Cell,
    t3_result_keys,
    t3_row_label,
)
from spiders.annual_html import Line, html_to_lines
from spiders.annual_narrative import read_narrative

__all__ = ["ANNUAL_REPORT_TITLE", "parse_annual_report", "parse_annual_report_html", "html_to_lines"]

# the title of a 政府信息公开工作年度报告 (a page's title or heading, a link's text): the crawl stores such pages
# whole (spiders.site) and the check reads them (monitor.check.checking), without importing the crawler
ANNUAL_REPORT_TITLE = re.compile(r"(?:19|20)\d{2}年度?.{0,30}政府信息公开(?:工作)?年度报告")


_FULLWIDTH = str.maketrans("０１２３４５６７８９（）＋－．／　\xa0", "0123456789()+-./  ")
_MARKERS = {
    FORMAT_2021: (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
        "逾期不补正",
        "逾期未按收费通知",
    ),
    FORMAT_2019: (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "政府集中采购",
        "采购总金额",
    ),
}
_HEADINGS = {
    "二": re.compile(r"^[二2][、.]?主动公开政府信息(?:的)?情况"),
    "三": re.compile(r"^[三3][、.]?收到和处理政府信息公开申请(?:的)?情况"),
    "四": re.compile(r"^[四4][、.]?政府信息公开行政复议[、,，]?行政诉讼(?:的)?情况"),
    "五": re.compile(r"^[五5][、.]?存在的?主要问题"),
    "六": re.compile(r"^[六6][、.]?其他需要报告的事项"),
}
_TITLE = re.compile(r"^(.*?)(\d{4})年度?(?:政府)?信息公开(?:工作)?年度报告")
_INT = re.compile(r"^\d+$")
_SPACED_INT = re.compile(r"^\d+(?: \d+)+$")
_T2_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万元|万|元|件|个|项)?$")
_T2_SECTION = re.compile(r"第二十条第\(([一二三四五六七八九十]+)\)项")
_T3_GROUP_NUMERALS = {
    "一": "予以公开",
    "二": "部分公开",
    "三": "不予公开",
    "四": "无法提供",
    "五": "不予处理",
    "六": "其他处理",
    "七": T3_RESULT_TOTAL,
}
_T3_ITEM_WORDS = {
    "不予公开": (
        "国家秘密",
        "其他法律行政法规禁止公开",
        "三安全一稳定",
        "第三方合法权益",
        "内部事务",
        "过程性信息",
        "行政执法案卷",
        "行政查询事项",
    ),
    "无法提供": ("不掌握", "另行制作", "仍不明确"),
    "不予处理": ("信访举报投诉", "重复申请", "公开出版物", "大量反复申请", "重新出具"),
    "其他处理": ("逾期不补正", "逾期未按收费", "其他"),
}


def compact(s: str) -> str:
    """Normalised for matching: full-width digits and brackets folded, all whitespace removed."""
    return re.sub(r"\s+", "", s.translate(_FULLWIDTH))


def _cells(text: str) -> list[str]:
    text = text.translate(_FULLWIDTH)
    if "\t" in text:
        return [" ".join(c.split()) for c in text.split("\t")]
    return re.split(r"\s{2,}", text.strip()) if re.search(r"\s{2,}", text.strip()) else text.split()


def _numbers(cells: list[str], expected: int) -> tuple[list[str], list[int]]:
    """Label cells and integer cells of a row. A cell “1 0” is one number when that gives the
    expected count, separate numbers otherwise (space-separated rows)."""
    labels = [c for c in cells if c and not _INT.match(c) and not _SPACED_INT.match(c)]
    joined = [int(c.replace(" ", "")) for c in cells if _INT.match(c) or _SPACED_INT.match(c)]
    split = [int(n) for c in cells if _INT.match(c) or _SPACED_INT.match(c) for n in c.split()]
    if len(joined) == expected or len(split) != expected and len(joined) == len(split):
        return labels, joined
    return labels, split if len(split) == expected else joined


# ---------------------------------------------------------------- entry points


def parse_annual_report(text: str, *, url: str = "", published: date | None = None) -> AnnualReportFacts:
    """Facts of a report given as text (tables flattened to rows)."""
    lines = [Line(t, f"第{i}行", "\t" in t) for i, t in enumerate(text.splitlines(), 1)]
    return _parse(lines, url=url, published=published)


def parse_annual_report_html(html: str, *, url: str = "", published: date | None = None) -> AnnualReportFacts:
    """Facts of a report given as an HTML page whose tables are ``<table>`` elements."""
    try:
        lines = html_to_lines(html)
    except Exception as exc:  # lxml refuses some inputs (empty, broken encoding declarations)
        return AnnualReportFacts(url=url, published=published, problems=(f"无法解析HTML：{exc}",))
    return _parse(lines, url=url, published=published)


# ---------------------------------------------------------------- parsing


def _parse(lines: list[Line], *, url: str, published: date | None) -> AnnualReportFacts:
    problems: list[str] = []
    title, organisation, year = _title(lines)
    if year is None:
        problems.append("未识别报告年度（标题中应有“XXXX年政府信息公开工作年度报告”）")
    heads = _headings(lines)
    for key in ("二", "三", "四"):
        if key not in heads:
            problems.append(f"未找到第{key}部分标题，按全文查找该表")
    region = {key: _region(lines, heads, key) for key in ("二", "三", "四")}
    table_lines = [ln for key in ("二", "三") for ln in region[key]] or lines
    fmt, markers = _format(table_lines)
    table2 = _table2(region["二"])
    table3 = _table3(region["三"], fmt, problems)
    table4 = _table4(region["四"], problems)
    if not table2:
        problems.append("未识别表二（主动公开政府信息情况）")
    narrative = [(ln.text, ln.where) for ln in lines if not ln.in_table]
    sums, claims = read_narrative(narrative)
    return AnnualReportFacts(
        year=year,
        organisation=organisation,
        title=title,
        issuer_kind=_issuer_kind(organisation),
        format_version=fmt,
        format_markers=markers,
        table2=tuple(table2),
        table3=tuple(table3),
        table4=tuple(table4),
        sums=sums,
        claims=claims,
        narrative_text="\n".join(t.strip() for t, _ in narrative if t.strip()),
        problems=tuple(problems),
        url=url,
        published=published,
    )


def _title(lines: list[Line]) -> tuple[str, str, int | None]:
    candidates = [ln for ln in lines if ln.text.strip()][:12]
    for ln in candidates:
        m = _TITLE.search(compact(ln.text))
        if m and len(compact(ln.text)) < 60:
            org = m.group(1).strip('《》“”"')
            return compact(ln.text).strip("《》"), org, int(m.group(2))
    for ln in lines:
        m = re.search(r"(\d{4})年度?(?:政府)?信息公开(?:工作)?年度报告", compact(ln.text))
        if m:
            return "", "", int(m.group(1))
    return "", "", None


def _issuer_kind(org: str) -> str:
    if not org:
        return "unknown"
    if org.endswith(("人民政府", "政府")):
        return "government"
    if re.search(r"(局|委员会|委|办公室|办|厅|部|署|中心|院|所|站|队|会|处|公司)$", org):
        return "department"
    if re.search(r"(省|市|县|区|旗|州|盟|乡|镇|街道|自治区)$", org):
        return "government"
    return "unknown"


def _headings(lines: list[Line]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, ln in enumerate(lines):
        text = compact(ln.text)
        if len(text) > 40:
            continue
        for key, pattern in _HEADINGS.items():
            if key not in found and pattern.match(text):
                found[key] = i
    return found


def _region(lines: list[Line], heads: dict[str, int], key: str) -> list[Line]:
    if key not in heads:
        return lines
    start = heads[key] + 1
    later = [i for i in heads.values() if i > heads[key]]
    return lines[start : min(later) if later else len(lines)]


def _format(lines: list[Line]) -> tuple[str, tuple[str, ...]]:
    text = "".join(compact(ln.text) for ln in lines)
    hits = {fmt: tuple(m for m in words if m in text) for fmt, words in _MARKERS.items()}
    n21, n19 = len(hits[FORMAT_2021]), len(hits[FORMAT_2019])
    if n21 == n19 == 0:
        return FORMAT_UNKNOWN, ()
    fmt = FORMAT_2021 if n21 > n19 else FORMAT_2019
    return fmt, hits[fmt]


def _table2(lines: list[Line]) -> list[Cell]:
    cells: list[Cell] = []
    section, columns = "", None
    for ln in lines:
        text = compact(ln.text)
        m = _T2_SECTION.search(text)
        if m:
            section, columns = f"第二十条第（{m.group(1)}）项", None
            continue
        row = _cells(ln.text)
        if not row or not section:
            continue
        if compact(row[0]).startswith("信息内容"):
            columns = [compact(c) for c in row[1:]]
            continue
        if columns is None or len(row) < 2 or _T2_NUMBER.match(compact(row[0])):
            continue
        values = [compact(c) for c in row[1:]]
        if not any(_T2_NUMBER.match(v) for v in values):
            continue
        label = compact(row[0])
        for i, col in enumerate(columns):
            raw = values[i] if i < len(values) else ""
            if not col and not raw:
                continue
            num = _T2_NUMBER.match(raw)
            value = (float(num.group(1)) if "." in num.group(1) else int(num.group(1))) if num else None
            cells.append(Cell("二", label, col or f"第{i + 1}列", value, raw, ln.where, section))
    return cells


def _t3_key(labels: list[str], group: str | None) -> tuple[str | None, str | None]:
    """(row key, current group) for a Table 三 row whose label cells are ``labels``."""
    text = compact("".join(labels))
    if "本年新收" in text or ("新收" in text and "申请" in text):
        return T3_NEW, None
    if "上年结转" in text:
        return T3_CARRIED_IN, None
    if "结转下年度" in text or "结转下一年" in text:
        return T3_CARRIED_OUT, None
    for word in ("予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"):
        if word in text:
            group = word
            break
    else:
        m = re.search(r"\(([一二三四五六七])\)", text)
        if m:
            group = _T3_GROUP_NUMERALS[m.group(1)]
        elif "总计" in text:
            group = T3_RESULT_TOTAL
    if group in (T3_RESULT_TOTAL, "予以公开", "部分公开"):
        return group, group
    if group is None:
        return None, None
    for cell in labels:
        m = re.match(r"^\s*([1-9])\s*[.、]", cell.translate(_FULLWIDTH))
        if m:
            return f"{group}.{m.group(1)}", group
    for i, word in enumerate(_T3_ITEM_WORDS.get(group, ()), 1):
        if word in text and word != "其他":
            return f"{group}.{i}", group
    return group, group


def _table3(lines: list[Line], fmt: str, problems: list[str]) -> list[Cell]:
    cells: list[Cell] = []
    group: str | None = None
    seen: set[str] = set()
    pending: list[str] = []  # label cells of rows without numbers: the first line of a split label
    for ln in lines:
        row = _cells(ln.text)
        labels, nums = _numbers(row, len(T3_COLUMNS))
        if not nums:
            if labels and "自然人" not in compact("".join(labels)):
                _, group = _t3_key(labels, group)
                pending.extend(labels)
            else:
                pending.clear()
            continue
        before = group
        key, group = _t3_key(labels, group)
        if pending and (key is None or key in _T3_ITEM_WORDS):
            key2, group2 = _t3_key(pending + labels, before)
            if key2 is not None:
                key, group = key2, group2
        pending = []
        if key is None:
            problems.append(f"表三{ln.where}：未识别行名，已跳过")
            continue
        if len(nums) < len(T3_COLUMNS):
            problems.append(f"表三{ln.where}（{t3_row_label(key)}）：只有{len(nums)}个数字，已跳过")
            continue
        if len(nums) > len(T3_COLUMNS):
            problems.append(
                f"表三{ln.where}（{t3_row_label(key)}）：有{len(nums)}个数字，"
                f"取第1个为自然人、最后1个为总计、其间前5个为法人或其他组织"
            )
            nums = [nums[0], *nums[1:6], nums[-1]]
        if key in seen:
            problems.append(f"表三{ln.where}：“{t3_row_label(key)}”行重复出现，已跳过")
            continue
        seen.add(key)
        cells.extend(Cell("三", key, col, v, str(v), ln.where) for col, v in zip(T3_COLUMNS, nums))
    if cells:
        expected = {T3_NEW, T3_CARRIED_IN, T3_RESULT_TOTAL, T3_CARRIED_OUT, *t3_result_keys(fmt)}
        if fmt != FORMAT_2021 and any(k.startswith("其他处理.") for k in seen):
            expected = (expected - {"其他处理"}) | {f"其他处理.{i}" for i in (1, 2, 3)}
        missing = [t3_row_label(k) for k in expected if k not in seen]
        if missing:
            problems.append("表三缺少行：" + "、".join(sorted(missing)))
    else:
        problems.append("未识别表三（收到和处理政府信息公开申请情况）")
    return cells


def _table4(lines: list[Line], problems: list[str]) -> list[Cell]:
    """The fifteen numbers of Table 四: one row, or consecutive rows of numbers only (groups
    printed one under the other) that add up to fifteen."""
    width = len(T4_GROUPS) * len(T4_COLUMNS)
    run: list[tuple[int, str]] = []  # (value, where) of consecutive number-only rows
    found: list[tuple[int, str]] | None = None
    for ln in lines:
        labels, nums = _numbers(_cells(ln.text), width)
        if len(nums) >= width:
            if len(nums) > width:
                problems.append(f"表四{ln.where}：有{len(nums)}个数字，取前{width}个")
            found = [(v, ln.where) for v in nums[:width]]
            break
        if nums and not labels:
            run.extend((v, ln.where) for v in nums)
            if len(run) == width:
                found = run
                break
        elif ln.text.strip():
            run = []
    if found is None:
        problems.append("未识别表四（行政复议、行政诉讼情况）")
        return []
    out = []
    for g, group in enumerate(T4_GROUPS):
        for c, col in enumerate(T4_COLUMNS):
            v, where = found[g * len(T4_COLUMNS) + c]
            out.append(Cell("四", group, col, v, str(v), where))
    return out
