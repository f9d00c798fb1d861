"""The monthly supervision notice (督查通报) as HTML and PDF, from one Jinja2 template.

The PDF is WeasyPrint's rendering of the very HTML (print CSS in the template:
A4, page numbers, attachments on landscape pages); Chinese glyphs come from the
Noto CJK fonts (Debian fonts-noto-cjk, see .ci/apt-packages). The DOCX, built
from the same view, is in ``reports.notice_docx``.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from monitor.model.views import NoticeView, ProblemRow
from reports import environment


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_notice_html(view: NoticeView) -> str:
    """Render a ``NoticeView``. No queries, no thresholds."""
    env = environment()
    env.filters["data_uri"] = data_uri
    return env.get_template("notice.html").render(n=view)


def render_notice_pdf(view: NoticeView) -> bytes:
    return _pdf(render_notice_html(view))


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=None).write_pdf()  # WeasyPrint ships no type hints
    return pdf


DRAFT_SUFFIX = "-征求意见稿"


def notice_path(view: NoticeView, out_dir: str | Path, fmt: str) -> Path:
    """The issued notice keeps the plain name; a draft never overwrites it."""
    return Path(out_dir) / f"督查通报-{view.month}{DRAFT_SUFFIX if view.draft else ''}.{fmt}"


def safe_name(text: str) -> str:
    """A unit name as part of a file name (names are data: the file is found through the store, not its name)."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" .")
    return cleaned[:80] or "单位"


def unit_rows(view: NoticeView, unit: str) -> tuple[list[ProblemRow], list[ProblemRow]]:
    """A unit's own problems and unverified items, numbered afresh."""
    mine = [r for r in view.all_rows if r.unit == unit]
    unverified = [r for r in view.unverified_rows if r.unit == unit]
    return mine, unverified


def render_unit_html(view: NoticeView, unit: str) -> str:
    rows, unverified = unit_rows(view, unit)
    return environment().get_template("notice_unit.html").render(n=view, unit=unit, rows=rows, unverified=unverified)


def extract_path(view: NoticeView, out_dir: str | Path, unit: str, fmt: str) -> Path:
    return Path(out_dir) / f"{view.month}-各单位问题清单" / f"督查通报-{view.month}-问题清单-{safe_name(unit)}.{fmt}"


def write_unit_extracts(
    view: NoticeView, out_dir: str | Path, formats: tuple[str, ...] = ("html",)
) -> list[tuple[str, Path]]:
    """Each addressed unit's extract: its own problems with evidence and deadlines. Returns (unit, file) pairs."""
    out: list[tuple[str, Path]] = []
    units = [u["unit"] for u in view.unit_rows]
    for unit in units:
        rows, unverified = unit_rows(view, unit)
        if not rows and not unverified:
            continue
        for fmt in formats:
            path = extract_path(view, out_dir, unit, fmt)
            path.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "html":
                path.write_text(render_unit_html(view, unit), encoding="utf-8")
            elif fmt == "pdf":
                path.write_bytes(_pdf(render_unit_html(view, unit)))
            elif fmt == "docx":
                from reports.notice_docx import render_unit_docx

                render_unit_docx(view, unit, rows, unverified).save(str(path))
            else:
                continue
            out.append((unit, path))
    return out


def write_notice(view: NoticeView, out_dir: str | Path, formats: tuple[str, ...] = ("html",)) -> list[Path]:
    """Write the notice in each asked format; returns the files."""
    out: list[Path] = []
    for fmt in formats:
        path = notice_path(view, out_dir, fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "html":
            path.write_text(render_notice_html(view), encoding="utf-8")
        elif fmt == "pdf":
            path.write_bytes(render_notice_pdf(view))
        elif fmt == "docx":
            from reports.notice_docx import render_notice_docx

            render_notice_docx(view).save(str(path))
        else:
            raise ValueError(f"unknown notice format {fmt!r}")
        out.append(path)
    return out
