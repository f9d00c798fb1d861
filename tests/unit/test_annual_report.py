"""Annual report (政府信息公开工作年度报告): parser, rules A-1 … A-9.

The seed is a real 2020 county report in the 2019 trial format with its tables flattened to
tab-separated text; copies with numbers changed are built from it in memory.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

import rules
from monitor.model.annual import (
    FORMAT_2019,
    FORMAT_2021,
    T3_CARRIED_IN,
    T3_CARRIED_OUT,
    T3_NEW,
    T3_RESULT_TOTAL,
    T4_REVIEW,
    T4_SUIT_DIRECT,
    AnnualReportFacts,
)
from rules.base import Scope, Severity, Verdict
from spiders.annual_report import parse_annual_report, parse_annual_report_html


from tests.conftest import SEED, require_shared


@pytest.fixture(autouse=True)
def _seed_present():
    require_shared()


HTML_2021 = Path(__file__).parents[1] / "data" / "annual" / "2022_format2021_department.html"
TODAY = date(2026, 11, 26)


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def edit_line(text: str, lineno: int, old: str, new: str) -> str:
    """The text with ``old`` replaced by ``new`` on one (1-based) line; fails if absent."""
    lines = text.split("\n")
    assert old in lines[lineno - 1], (lineno, lines[lineno - 1])
    lines[lineno - 1] = lines[lineno - 1].replace(old, new, 1)
    return "\n".join(lines)


def run(report: AnnualReportFacts, previous: AnnualReportFacts | None = None, only: str | None = None):
    out = []
    for entry in rules.rules_for(Scope.REPORT):
        if only and entry.rule.id != only:
            continue
        out.extend(entry.check(report, today=TODAY, t=entry.rule.default_thresholds(), previous=previous))
    return out


def findings(report, previous=None, only=None):
    return [o for o in run(report, previous, only) if o.verdict is Verdict.FINDING]


# ---------------------------------------------------------------- parser on the seed


def test_seed_parser_reads_title_format_and_tables():
    f = parse_annual_report(seed_text())
    assert (f.year, f.organisation, f.issuer_kind) == (2020, "红寺堡区", "government")
    assert f.format_version == FORMAT_2019 and "对外公开总数量" in f.format_markers
    # Table 三, values read from lines 64-89 of the seed
    assert [f.t3(T3_NEW, c).value for c in ("自然人", "商业企业", "总计")] == [8, 0, 8]
    assert f.t3(T3_NEW, "总计").where == "第64行"
    assert f.t3(T3_CARRIED_IN, "总计").value == 3
    assert f.t3("予以公开", "自然人").value == 9
    assert f.t3("无法提供.1", "总计").value == 2
    assert f.t3("无法提供.2", "总计").where == "第78行"  # label continues on line 80
    assert f.t3("不予处理.5", "自然人").value == 0
    assert f.t3("其他处理", "总计").value == 0
    assert [f.t3(T3_RESULT_TOTAL, c).value for c in ("自然人", "其他", "总计")] == [11, 0, 11]
    assert f.t3(T3_CARRIED_OUT, "总计").where == "第89行"
    assert len(f.t3_rows()) == 23
    # Table 四: one row of fifteen zeros on line 98
    assert len(f.table4) == 15 and {c.value for c in f.table4} == {0}
    assert f.t4(T4_SUIT_DIRECT, "总计").where == "第98行"
    # Table 二 (2019 trial columns)
    assert f.t2("第二十条第（五）项", "行政许可", "处理决定数量").value == 6269
    assert f.t2("第二十条第（六）项", "行政强制", "本年增/减").value == -14
    assert f.t2("第二十条第（一）项", "规范性文件", "对外公开总数量").value == 5
    # narrative
    main = [s for s in f.sums if s.total.value == 8331]
    assert [p.value for p in main[0].parts] == [4611, 3720] and main[0].where == "第15行"
    claims = {c.quantity: c.value for c in f.claims}
    assert claims[T3_NEW] == 8 and claims[T3_CARRIED_IN] == 3 and claims[T4_REVIEW] == 0
    # the two 8-number rows are reported, not hidden
    assert any("第88行" in p for p in f.problems)


def test_seed_passes_every_check():
    f = parse_annual_report(seed_text(), published=date(2021, 1, 29))
    outcomes = run(f)
    assert [o for o in outcomes if o.verdict is Verdict.FINDING] == []
    assert outcomes == []  # nothing unverified either: every table was read


def test_space_separated_and_split_numbers_parse_the_same():
    text = seed_text().replace("\t", "  ")
    f = parse_annual_report(text)
    assert f.t3(T3_RESULT_TOTAL, "总计").value == 11 and f.t3(T3_NEW, "自然人").value == 8
    assert len(f.table4) == 15
    assert findings(f) == []
    split = edit_line(seed_text(), 88, "(七)总计\t11\t", "(七)总计\t1 1\t")
    assert parse_annual_report(split).t3(T3_RESULT_TOTAL, "自然人").value == 11


def test_row_label_over_two_lines_with_numbers_on_the_second():
    text = edit_line(seed_text(), 82, "1.信访举报投诉 类申请\t", "1.信访举报投诉\n\t\t\t类申请\t")
    text = edit_line(text, 64, "一、本年新收政府信息公开申请数量\t", "一、本年新收政府信息\n公开申请数量\t")
    f = parse_annual_report(text)
    assert f.t3("不予处理.1", "总计").where == "第84行"
    assert f.t3(T3_NEW, "总计").value == 8 and f.t3(T3_NEW, "总计").where == "第65行"
    assert findings(f) == []


def test_table_four_printed_as_one_row_per_group():
    text = edit_line(seed_text(), 98, "0\t" * 14 + "0", "1\t0\t0\t0\t1\n0\t0\t0\t0\t0\n0\t0\t0\t0\t0")
    f = parse_annual_report(text)
    assert f.t4(T4_REVIEW, "总计").value == 1 and f.t4(T4_SUIT_DIRECT, "总计").where == "第99行"
    # the narrative says there was no 行政复议: now the table disagrees
    found = findings(f)
    assert [o.rule for o in found] == ["A-6"] and "表四 行政复议总计为1（第98行）" in found[0].evidence


def test_narrative_about_other_applications_is_not_read_as_table_three():
    text = edit_line(seed_text(), 120, "2020年，", "2020年，收到行政复议申请2件，收到人大代表建议申请3件。")
    claims = [c for c in parse_annual_report(text).claims if c.quantity == T3_NEW]
    assert [c.value for c in claims] == [8]


@pytest.mark.parametrize("text", ["", "无关内容\n没有表格", "\t\t\n1\t2\t3", "<html>", "\x00\x01"])
def test_unknown_shapes_give_partial_facts_and_problems(text):
    f = parse_annual_report(text)
    assert f.problems and not f.table3
    h = parse_annual_report_html(text)
    assert h.problems and not h.table3


# ---------------------------------------------------------------- one number changed


def test_a1_flags_unbalanced_column():
    # 予以公开 9 -> 10 and (七)总计 11 -> 12 in 自然人 and 总计: rows and sums stay consistent
    text = edit_line(seed_text(), 67, "9\t0\t0\t0\t0\t0\t9", "10\t0\t0\t0\t0\t0\t10")
    text = edit_line(text, 88, "11\t0\t0\t0\t0\t0\t0\t11", "12\t0\t0\t0\t0\t0\t0\t12")
    found = findings(parse_annual_report(text))
    assert {o.rule for o in found} == {"A-1"}
    assert [o.subject for o in found] == ["表三 自然人列", "表三 总计列"]
    assert found[0].evidence == (
        "表三 自然人列：本年新收8 + 上年结转3 = 11，办理结果总计12 + 结转下年度0 = 12，"
        "相差1（第64行、第65行、第88行、第89行）"
    )
    assert found[0].severity is Severity.DEDUCTION


def test_a2_flags_result_rows_not_adding_up():
    text = edit_line(seed_text(), 77, "2\t0\t0\t0\t0\t0\t2", "3\t0\t0\t0\t0\t0\t3")
    found = findings(parse_annual_report(text))
    assert {o.rule for o in found} == {"A-2"}
    assert [o.subject for o in found] == ["表三 自然人列", "表三 总计列"]
    assert "（七）总计11，（一）至（六）各项之和12" in found[0].evidence
    assert "（四）无法提供第1项3" in found[0].evidence and "第77行" in found[0].evidence


def test_a3_flags_row_total_not_matching_applicant_columns():
    # a row total moved in the 总计 column only, kept consistent down the column
    text = edit_line(seed_text(), 67, "9\t0\t0\t0\t0\t0\t9", "9\t0\t0\t0\t0\t0\t8")
    text = edit_line(text, 88, "11\t0\t0\t0\t0\t0\t0\t11", "11\t0\t0\t0\t0\t0\t0\t10")
    text = edit_line(text, 89, "0\t0\t0\t0\t0\t0\t0", "0\t0\t0\t0\t0\t0\t1")
    found = findings(parse_annual_report(text))
    assert {o.rule for o in found} == {"A-3"}
    assert {o.subject for o in found} == {
        "表三 “（一）予以公开”行",
        "表三 “三、（七）总计”行",
        "表三 “四、结转下年度继续办理”行",
    }
    row = next(o for o in found if "予以公开" in o.subject)
    assert row.evidence == (
        "表三 “（一）予以公开”行：总计8，自然人9 + 商业企业0 + 科研机构0 + 社会公益组织0 + "
        "法律服务机构0 + 其他0 = 9，相差1（第67行）"
    )


def test_a4_flags_table_four_group():
    text = edit_line(seed_text(), 98, "0\t0\t0\t0\t0\t0", "1\t0\t0\t0\t0\t0")
    found = findings(parse_annual_report(text))
    assert {o.rule for o in found} == {"A-4"}
    assert (
        found[0].evidence == "表四 行政复议：总计0，结果维持1 + 结果纠正0 + 其他结果0 + 尚未审结0 = 1，相差1（第98行）"
    )


def test_a6_flags_narrative_sum_mismatch():
    text = edit_line(seed_text(), 15, "政务新媒体发布政府信息3720条", "政务新媒体发布政府信息3721条")
    found = findings(parse_annual_report(text))
    assert {o.rule for o in found} == {"A-6"}
    assert "正文第15行" in found[0].evidence and "合计8331条" in found[0].evidence
    assert "= 8332条，相差1" in found[0].evidence


def test_a6_flags_narrative_number_against_table():
    text = edit_line(seed_text(), 19, "收到新增公开政府信息的申请 8 件", "收到新增公开政府信息的申请 9 件")
    found = findings(parse_annual_report(text))
    assert {o.rule for o in found} == {"A-6"}
    assert "写明新收9件，表三 “一、本年新收”行总计为8（第64行），相差1" in found[0].evidence


def test_a6_accepts_partial_single_part_and_can_allow_partial_breakdowns():
    f = parse_annual_report(
        edit_line(seed_text(), 21, "其中区长信箱 64 件、网上投诉 30 件", "其中区长信箱 64 件、网上投诉 20 件")
    )
    entry = rules.get_rule("A-6")
    assert [o.rule for o in findings(f)] == ["A-6"]
    lenient = entry.rule.thresholds_with({"parts_must_cover_total": False})
    assert list(entry.check(f, today=TODAY, t=lenient)) == []


def test_a7_flags_2021_report_in_2019_layout():
    text = edit_line(seed_text(), 3, "红寺堡区 2020 年", "红寺堡区 2021 年")
    f = parse_annual_report(text)
    assert f.year == 2021
    found = findings(f)
    assert {o.rule for o in found} == {"A-7"}
    assert "2021年度报告仍使用2019年试行格式" in found[0].evidence and "“本年新制作数量”" in found[0].evidence


# ---------------------------------------------------------------- cross-year


def previous_seed(carried_out_row: str) -> AnnualReportFacts:
    text = edit_line(seed_text(), 3, "红寺堡区 2020 年", "红寺堡区 2019 年")
    text = edit_line(text, 89, "0\t0\t0\t0\t0\t0\t0", carried_out_row)
    return parse_annual_report(text, url="http://www.hongsibu.gov.cn/2019.html")


def test_a5_flags_carry_over_not_matching_previous_year():
    report = parse_annual_report(seed_text())
    previous = previous_seed("2\t0\t0\t0\t0\t0\t2")
    found = findings(report, previous, only="A-5")
    assert [o.subject for o in found] == ["表三 自然人列 上年结转", "表三 总计列 上年结转"]
    assert found[0].evidence == (
        "表三 自然人列：本年度报告上年结转3（第65行），2019年度报告结转下年度继续办理2（第89行），相差1"
    )
    assert found[0].source_url == "http://www.hongsibu.gov.cn/2019.html"
    assert findings(report, previous_seed("3\t0\t0\t0\t0\t0\t3"), only="A-5") == []
    assert findings(report, None, only="A-5") == []  # skipped without a previous report


def test_a5_does_not_compare_with_a_report_two_years_old():
    report = parse_annual_report(edit_line(seed_text(), 3, "红寺堡区 2020 年", "红寺堡区 2022 年"))
    outcomes = run(report, previous_seed("2\t0\t0\t0\t0\t0\t2"), only="A-5")
    assert [o.verdict for o in outcomes] == [Verdict.UNVERIFIED]


def test_a8_flags_text_copied_from_previous_year():
    report = parse_annual_report(seed_text())
    found = findings(report, previous_seed("3\t0\t0\t0\t0\t0\t3"), only="A-8")
    assert len(found) == 1 and "相似度100%" in found[0].evidence
    different = dataclasses.replace(
        previous_seed("3\t0\t0\t0\t0\t0\t3"),
        narrative_text=parse_annual_report(HTML_2021.read_text("utf-8")).narrative_text,
    )
    assert findings(report, different, only="A-8") == []


@pytest.mark.parametrize("published,late", [(date(2021, 3, 31), False), (date(2021, 4, 2), True)])
def test_a8_government_deadline(published, late):
    found = findings(parse_annual_report(seed_text(), published=published), only="A-8")
    assert bool(found) is late
    if late:
        assert found[0].evidence == "2020年度报告发布日期2021-04-02，晚于截止日期2021-03-31（人民政府），逾期2天"


# ---------------------------------------------------------------- 2021 format (HTML)


def html_2021() -> str:
    return HTML_2021.read_text(encoding="utf-8")


def test_2021_html_report_parses_and_passes():
    f = parse_annual_report_html(html_2021(), url="http://example.gov.cn/nb2022.html", published=date(2023, 1, 18))
    assert (f.year, f.organisation, f.issuer_kind, f.format_version) == (
        2022,
        "宁远县自然资源局",
        "department",
        FORMAT_2021,
    )
    assert f.problems == ()
    assert f.t3(T3_NEW, "总计").value == 18 and f.t3(T3_NEW, "总计").where == "第2个表格第4行"
    assert f.t3("其他处理.1", "自然人").value == 1 and f.t3("其他处理.3", "总计").value == 0
    assert f.t3("不予公开.4", "总计").value == 1
    assert f.t3(T3_RESULT_TOTAL, "总计").value == 19 and f.t3(T3_CARRIED_OUT, "商业企业").value == 1
    assert f.t4(T4_REVIEW, "总计").value == 2 and f.t4(T4_SUIT_DIRECT, "尚未审结").value == 1
    assert f.t2("第二十条第（一）项", "行政规范性文件", "现行有效件数").value == 22
    assert f.t2("第二十条第（八）项", "行政事业性收费", "本年收费金额(单位：万元)").value == 12.5
    assert {c.quantity: c.value for c in f.claims} == {
        T3_NEW: 18,
        T3_CARRIED_IN: 2,
        T3_CARRIED_OUT: 1,
        T4_REVIEW: 2,
        "行政诉讼": 1,
    }
    assert run(f) == []


def test_2021_html_department_published_late():
    f = parse_annual_report_html(html_2021(), published=date(2023, 2, 10))
    found = findings(f)
    assert [o.rule for o in found] == ["A-8"]
    assert "截止日期2023-01-31（政府部门），逾期10天" in found[0].evidence


def test_2021_html_table_cell_changed_is_named_by_table_row():
    html = html_2021().replace("<td>14</td><td>3</td>", "<td>15</td><td>3</td>", 1)
    found = findings(parse_annual_report_html(html))
    assert {o.rule for o in found} == {"A-1", "A-3"}
    assert any("第2个表格第4行" in o.evidence for o in found)


def previous_2021(in_force: int) -> AnnualReportFacts:
    html = html_2021().replace("2022年政府信息公开", "2021年政府信息公开")
    html = html.replace(
        "<td>行政规范性文件</td><td>3</td><td>1</td><td>22</td>",
        f"<td>行政规范性文件</td><td>2</td><td>0</td><td>{in_force}</td>",
    )
    return parse_annual_report_html(html)


def test_a9_in_force_count_continuity():
    report = parse_annual_report_html(html_2021())
    assert previous_2021(20).year == 2021
    assert findings(report, previous_2021(20), only="A-9") == []  # 20 + 3 - 1 = 22
    found = findings(report, previous_2021(25), only="A-9")
    assert len(found) == 1 and found[0].severity is Severity.NOTICE
    assert (
        "上年度现行有效25 + 本年制发3 − 本年废止1 = 27，本年度填报现行有效22（第1个表格第4行），相差5"
        in found[0].evidence
    )
    assert findings(report, parse_annual_report(seed_text()), only="A-9") == []  # 2019 format: no stock


# ---------------------------------------------------------------- the rule book


def test_annual_rules_are_registered_and_documented():
    entries = rules.rules_for(Scope.REPORT)
    assert [e.rule.id for e in entries] == [f"A-{i}" for i in range(1, 10)]
    for e in entries:
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Thresholds", "## Source"):
            assert heading in e.rule.doc, (e.rule.id, heading)
        t = e.rule.default_thresholds()
        assert dataclasses.is_dataclass(t)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(t, dataclasses.fields(t)[0].name, 1)
