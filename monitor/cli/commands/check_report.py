"""``monitor check-report FILE``: check an annual report before it is published.

Reads the report (.txt, .html/.htm itself; .docx/.pdf through ``spiders.documents``), parses it
with ``spiders.annual_report`` and runs every annual-report rule (Scope.REPORT, A-1 … A-9).
Exit status: 0 nothing found, 1 findings, 2 the input could not be read.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from monitor.model.annual import AnnualReportFacts

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
DOCUMENT_SUFFIXES = {".docx", ".pdf"}

EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


class UnreadableReport(Exception):
    """The file cannot be turned into report facts; the message is Chinese and names the file."""


def load_report(path: Path, *, published: date | None = None) -> AnnualReportFacts:
    from spiders.annual_report import parse_annual_report, parse_annual_report_html

    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | DOCUMENT_SUFFIXES:
        raise UnreadableReport(
            f"无法读取 {path}：不支持的文件类型“{suffix or '无扩展名'}”，请提供 .txt、.html、.htm、.docx 或 .pdf 文件"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = "文件不存在" if isinstance(exc, FileNotFoundError) else (exc.strerror or str(exc))
        raise UnreadableReport(f"无法读取 {path}：{reason}") from exc
    if suffix in DOCUMENT_SUFFIXES:
        text = _extract_document(data, path)
        facts = parse_annual_report(text, url=str(path), published=published)
    else:
        from spiders.documents import DocumentError, decode_text  # the one decoder of documents

        try:
            text = decode_text(data, html=suffix in HTML_SUFFIXES)
        except DocumentError as exc:
            raise UnreadableReport(f"无法读取 {path}：{exc}") from exc
        parse = parse_annual_report_html if suffix in HTML_SUFFIXES else parse_annual_report
        facts = parse(text, url=str(path), published=published)
    if facts.year is None and not (facts.table3 or facts.table4 or facts.table2):
        raise UnreadableReport(f"无法读取 {path}：未识别出年度报告的标题和表格，请确认文件是政府信息公开工作年度报告")
    return facts


def _extract_document(data: bytes, path: Path) -> str:
    from spiders.documents import extract_text  # pdfminer and python-docx load only for these files

    try:
        return extract_text(data, filename=path.name)
    except Exception as exc:  # a broken document must give a message, not a traceback
        raise UnreadableReport(f"无法读取 {path}：文档内容无法提取（{exc}）") from exc


def run_checks(report: AnnualReportFacts, *, today: date, previous: AnnualReportFacts | None = None) -> list:
    """Every annual-report rule on one report, in rule-book order, with the default thresholds."""
    import rules
    from rules.base import Scope

    return rules.run(Scope.REPORT, report, today=today, previous=previous).outcomes


@click.command("check-report")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--previous",
    "previous_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="上一年度的年度报告文件，用于跨年核对（上年结转、内容雷同、现行有效件数）。",
)
@click.option(
    "--published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="发布日期（YYYY-MM-DD），用于判断是否逾期发布；不填则不判断。",
)
def check_report(file: Path, previous_file: Path | None, published: datetime | None) -> None:
    """发布前检查政府信息公开工作年度报告（规则A-1至A-9）。

    FILE 为年度报告文件（.txt、.html、.htm、.docx、.pdf）。核对表三、表四的勾稽关系、
    正文数字与表格是否一致、是否使用2021年新格式等。发现问题时退出码为1，未发现问题为0，
    文件无法读取为2。
    """
    pub = published.date() if published else None
    try:
        report = load_report(file, published=pub)
        previous = load_report(previous_file) if previous_file else None
    except UnreadableReport as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(EXIT_UNREADABLE)

    from rules.base import Verdict

    outcomes = run_checks(report, today=date.today(), previous=previous)
    findings = [o for o in outcomes if o.verdict is Verdict.FINDING]
    unverified = [o for o in outcomes if o.verdict is Verdict.UNVERIFIED]
    fmt = {"2019": "2019年试行格式", "2021": "2021年格式"}.get(report.format_version, "格式未识别")
    click.echo(f"检查对象：{report.subject}（{fmt}）  文件：{file}")
    for o in findings:
        click.echo(f"[{o.rule} {o.severity.value}] {o.evidence}")
    for o in unverified:
        click.echo(f"[{o.rule} 无法核查] {o.evidence}")
    for p in report.problems:
        click.echo(f"解析提示：{p}")
    if findings:
        click.echo(f"共发现{len(findings)}个问题。")
        sys.exit(EXIT_FINDINGS)
    click.echo("未发现问题。" + (f"另有{len(unverified)}项无法核查。" if unverified else ""))
    sys.exit(EXIT_CLEAN)


def register(group: click.Group) -> None:
    group.add_command(check_report)
