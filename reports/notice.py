"""The monthly supervision notice (督查通报) as HTML and PDF, from one Jinja2 template.

The PDF is WeasyPrint's rendering of the very HTML (print CSS in the template:
A4, page numbers, attachments on landscape pages); Chinese glyphs come from the
Noto CJK fonts (Debian fonts-noto-cjk, see .ci/apt-packages). The DOCX, built
from the same view, is in ``reports.notice_docx``.
"""
from __future__ import annotations

import base64
from pathlib import Path

from reports import environment

FORMATS = ("html", "pdf", "docx")


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_notice_html(view) -> str:
    """Render a ``monitor.notices.notice.NoticeView``. No queries, no thresholds."""
    env = environment()
    env.filters["data_uri"] = data_uri
    return env.get_template("notice.html").render(n=view)


def render_notice_pdf(view) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_notice_html(view), base_url=None).write_pdf()


def notice_path(view, out_dir: str | Path, fmt: str) -> Path:
    return Path(out_dir) / f"督查通报-{view.month}.{fmt}"


def write_notice_html(view, out_dir: str | Path) -> Path:
    path = notice_path(view, out_dir, "html")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_notice_html(view), encoding="utf-8")
    return path


def write_notice(view, out_dir: str | Path, formats: tuple[str, ...] = ("html",)) -> list[Path]:
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
