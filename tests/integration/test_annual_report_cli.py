"""``check-report``: the pre-publication check of an annual report, through click's CliRunner."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from monitor.cli.commands.check_report import register
from tests.unit.test_annual_report import HTML_2021, SEED, edit_line, seed_text

pytestmark = pytest.mark.usefixtures("shared_required")


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        """测试用命令组"""

    register(group)
    return group


def invoke(cli, *args):
    return CliRunner().invoke(cli, ["check-report", *map(str, args)])


def test_clean_seed_exits_0(cli):
    result = invoke(cli, SEED)
    assert result.exit_code == 0, result.output
    assert "红寺堡区2020年政府信息公开工作年度报告（2019年试行格式）" in result.output
    assert "未发现问题" in result.output
    assert "[A-8 无法核查] 未取得发布日期" in result.output  # no date given: said, not hidden


def test_finding_exits_1_and_names_the_cells(cli, tmp_path):
    draft = tmp_path / "草稿.txt"
    draft.write_text(edit_line(seed_text(), 77, "2\t0\t0\t0\t0\t0\t2", "3\t0\t0\t0\t0\t0\t3"), encoding="utf-8")
    result = invoke(cli, draft)
    assert result.exit_code == 1, result.output
    assert "[A-2 扣分] 表三 自然人列：（七）总计11，（一）至（六）各项之和12" in result.output
    assert "第77行" in result.output and "共发现2个问题" in result.output


def test_gb18030_file_is_read(cli, tmp_path):
    draft = tmp_path / "report.txt"
    draft.write_bytes(seed_text().encode("gb18030"))
    result = invoke(cli, draft)
    assert result.exit_code == 0, result.output
    assert "红寺堡区2020年" in result.output


def test_html_with_published_date_and_previous(cli, tmp_path):
    result = CliRunner().invoke(cli, ["check-report", str(HTML_2021), "--published", "2023-02-10"])
    assert result.exit_code == 1
    assert "[A-8 扣分] 2022年度报告发布日期2023-02-10，晚于截止日期2023-01-31（政府部门），逾期10天" in result.output
    prev = tmp_path / "2021.html"
    prev.write_text(HTML_2021.read_text("utf-8").replace("2022年政府信息公开", "2021年政府信息公开"), "utf-8")
    result = CliRunner().invoke(
        cli, ["check-report", str(HTML_2021), "--previous", str(prev), "--published", "2023-01-20"]
    )
    assert result.exit_code == 1
    assert "[A-5 扣分]" in result.output and "[A-8 扣分] 报告正文" in result.output


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("缺失.txt", None, "文件不存在"),
        ("report.xlsx", b"PK", "不支持的文件类型"),
        ("空白.txt", "这不是年度报告。\n".encode("utf-8"), "未识别出年度报告"),
    ],
)
def test_unreadable_input_exits_2_naming_the_file(cli, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = invoke(cli, path)
    assert result.exit_code == 2
    assert f"无法读取 {path}" in result.output and message in result.output


def test_docx_is_read_through_spiders_documents(cli, tmp_path):
    """A real Word file of the seed report reads as the text does; a broken one is named, not a traceback."""
    from docx import Document

    doc = Document()
    for line in seed_text().splitlines():
        doc.add_paragraph(line)
    path = tmp_path / "报告.docx"
    doc.save(str(path))
    result = invoke(cli, path)
    assert result.exit_code == 0, result.output
    assert "红寺堡区2020年政府信息公开工作年度报告（2019年试行格式）" in result.output and "未发现问题" in result.output
    path.write_bytes(b"PK\x03\x04 not a zip")
    result = invoke(cli, path)
    assert result.exit_code == 2 and f"无法读取 {path}：文档内容无法提取" in result.output


def test_help_is_chinese(cli):
    result = CliRunner().invoke(cli, ["check-report", "--help"])
    assert result.exit_code == 0
    assert "发布前检查政府信息公开工作年度报告" in result.output and "--previous" in result.output
