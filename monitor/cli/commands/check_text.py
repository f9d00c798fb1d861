"""`monitor check-text FILE...`: pre-publication check of drafts (发布前检查).

Extracts the text of each file (HTML, TXT, PDF, DOC, DOCX, XLS, XLSX), runs the content
rules (every TEXT-scope rule: W-V8, W-V9, W-S3, W-S4) and prints each finding as file:line.
Exit status: 0 clean, 1 something found, 2 a file could not be read.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from spiders.documents import DocumentError, extract_text
from monitor.model import TextFacts


def run_content_rules(texts: list[TextFacts], *, today: date, overrides: dict[str, dict] | None = None) -> list:
    """Outcomes of the content rules (Scope.TEXT) over ``texts``, with per-rule threshold overrides."""
    import rules
    from rules.base import Scope

    return rules.run(Scope.TEXT, texts, today=today, overrides=overrides).outcomes


def _format(o) -> str:
    f = o.facts
    where = f"{o.url}:{f.get('line', '?')}:{f.get('column', '?')}"
    kind = f.get("kind", "")
    head = f"{where}: [{o.rule} {o.severity.value}] {kind}“{f.get('word', o.subject)}”"
    if f.get("suggestion"):
        head += f" → {f['suggestion']}"
    if f.get("needs_confirmation"):
        head += "（待人工确认）"
    if f.get("count", 1) > 1:
        head += f"（共 {f['count']} 处）"
    return f"{head}\n    {f.get('sentence', '')}"


def register(group: click.Group) -> None:
    @group.command(
        "check-text",
        short_help="发布前检查稿件（txt、html、pdf、doc、docx、xls、xlsx）：错别字、个人信息、严重表述错误等。",
    )
    @click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
    @click.help_option("-h", "--help", help="显示本帮助并退出。")
    @click.option(
        "--leaders",
        "leaders_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="领导词库 YAML（每项含 name、posts、order），用于检查领导姓名、职务与排序。",
    )
    def check_text(files: tuple[Path, ...], leaders_path: Path | None) -> None:
        """发布前检查：对稿件（HTML、TXT、PDF、DOC、DOCX、XLS、XLSX）检查错别字与过时表述、个人信息未脱敏、严重表述错误和敏感内容。

        发现问题时退出码为 1，未发现问题为 0，文件无法读取为 2。
        """
        from rules.content.lexicon import LexiconError, load_leaders

        overrides: dict[str, dict] = {}
        if leaders_path is not None:
            try:
                overrides["W-V8"] = {"leaders": load_leaders(leaders_path)}
            except LexiconError as exc:
                click.echo(f"错误：{exc}", err=True)
                raise SystemExit(2) from exc
        today = date.today()
        unreadable = 0
        found = 0
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                click.echo(f"错误：无法读取文件 {path}：{exc.strerror or exc}", err=True)
                unreadable += 1
                continue
            try:
                text = extract_text(data, filename=path.name)
            except DocumentError as exc:
                click.echo(f"错误：{path}：{exc}", err=True)
                unreadable += 1
                continue
            if not text.strip():
                click.echo(f"提示：{path} 未提取到文字（可能是扫描件），未检查", err=True)
                continue
            outcomes = run_content_rules(
                [TextFacts(url=str(path), text=text, kind="draft")], today=today, overrides=overrides
            )
            outcomes.sort(key=lambda o: (o.facts.get("offset", 0), o.rule))
            for o in outcomes:
                click.echo(_format(o))
            found += len(outcomes)
        checked = len(files) - unreadable
        click.echo(
            f"共检查 {checked} 个文件，发现 {found} 处问题"
            + (f"，{unreadable} 个文件无法读取" if unreadable else "")
            + "。",
            err=True,
        )
        if unreadable:
            raise SystemExit(2)
        if found:
            raise SystemExit(1)
