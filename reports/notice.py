"""The monthly supervision notice (督查通报) as HTML."""
from __future__ import annotations

from pathlib import Path

from reports import environment


def render_notice_html(view) -> str:
    """Render a ``monitor.notice.NoticeView``. No queries, no thresholds."""
    return environment().get_template("notice.html").render(n=view)


def write_notice_html(view, out_dir: str | Path) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"督查通报-{view.month}.html"
    path.write_text(render_notice_html(view), encoding="utf-8")
    return path
