"""`check-text`: the pre-publication check, end to end on real files."""

from __future__ import annotations


import click
import pytest
from click.testing import CliRunner

from monitor.cli.commands.check_text import register


@pytest.fixture()
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        pass

    register(group)
    return group


def invoke(cli, *args):
    return CliRunner().invoke(cli, ["check-text", *map(str, args)])


def test_clean_draft_exits_0(cli, tmp_path):
    f = tmp_path / "clean.txt"
    f.write_text("关于做好防汛工作的通知\n各乡镇要加强巡查，确保安全度汛。\n", encoding="utf-8")
    res = invoke(cli, f)
    assert res.exit_code == 0, res.output
    assert "发现 0 处问题" in res.output


def test_findings_with_file_line_suggestion_and_masked_number(cli, tmp_path):
    f = tmp_path / "draft.txt"
    f.write_text("关于补贴发放的公示\n请按装最新版本。\n联系人张三，手机13812345678。\n", encoding="utf-8")
    res = invoke(cli, f)
    assert res.exit_code == 1, res.output
    assert f"{f}:2:" in res.output and "“按装” → 安装" in res.output
    assert f"{f}:3:" in res.output and "138****5678" in res.output
    assert "13812345678" not in res.output


def test_docx_xlsx_pdf_end_to_end(cli, tmp_path):
    docx = pytest.importorskip("docx")
    openpyxl = pytest.importorskip("openpyxl")
    weasyprint = pytest.importorskip("weasyprint")
    d = docx.Document()
    d.add_paragraph("会议强调，要增强政治意识、核心意识、大局意识、看齐意识。")
    d.save(tmp_path / "a.docx")
    wb = openpyxl.Workbook()
    wb.active.append(["县环保局", "执法检查"])
    wb.save(tmp_path / "b.xlsx")
    (tmp_path / "c.pdf").write_bytes(weasyprint.HTML(string="<p>澳门新葡京，注册送彩金。</p>").write_pdf())
    res = invoke(cli, tmp_path / "a.docx", tmp_path / "b.xlsx", tmp_path / "c.pdf")
    assert res.exit_code == 1, res.output
    assert "a.docx:1:" in res.output and "W-V8" in res.output and "待人工确认" in res.output
    assert "b.xlsx:2:" in res.output and "生态环境局" in res.output
    assert "c.pdf:1:" in res.output and "W-V9" in res.output


def test_leaders_option(cli, tmp_path):
    leaders = tmp_path / "leaders.yaml"
    leaders.write_text(
        "- {name: 张建国, posts: [县委书记], order: 1}\n- {name: 李卫东, posts: [县长], order: 2}\n", encoding="utf-8"
    )
    f = tmp_path / "news.txt"
    f.write_text("县长张建国主持召开常务会议。\n", encoding="utf-8")
    assert invoke(cli, f).exit_code == 0
    res = CliRunner().invoke(cli, ["check-text", "--leaders", str(leaders), str(f)])
    assert res.exit_code == 1 and "职务与姓名不符" in res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("[: not yaml", encoding="utf-8")
    res = CliRunner().invoke(cli, ["check-text", "--leaders", str(bad), str(f)])
    assert res.exit_code == 2 and "领导词库" in res.output


def test_unreadable_input_exits_2_naming_the_file(cli, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("请按装。", encoding="utf-8")
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    missing = tmp_path / "missing.pdf"
    res = invoke(cli, good, old, missing)
    assert res.exit_code == 2
    assert "old.doc" in res.output and "文件可能已损坏" in res.output
    assert "missing.pdf" in res.output and "无法读取" in res.output
    assert "按装" in res.output  # the readable file was still checked


def test_help_is_chinese(cli):
    res = CliRunner().invoke(cli, ["check-text", "--help"])
    assert res.exit_code == 0 and "发布前检查" in res.output and "领导词库" in res.output
