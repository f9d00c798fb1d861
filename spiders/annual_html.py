"""An HTML report page as lines: paragraphs as text lines, each table row as one tab-separated line.

The annual-report parser reads both flattened text and HTML through these lines, so the two
inputs share one table reader. Every line keeps where it came from (“第2个表格第4行”).
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html

__all__ = ["Line", "html_to_lines"]


@dataclass(frozen=True)
class Line:
    text: str
    where: str  # "第12行" or "第2个表格第5行"
    in_table: bool


def html_to_lines(html: str) -> list[Line]:
    """Paragraphs as lines; each ``<tr>`` as one tab-separated line."""
    root = lxml.html.fromstring(html)
    lines: list[Line] = []
    buf: list[str] = []
    counters = {"table": 0, "para": 0}
    blocks = {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "section",
        "article",
        "body",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "center",
        "title",
    }

    def flush() -> None:
        text = " ".join("".join(buf).split())
        buf.clear()
        if text:
            counters["para"] += 1
            lines.append(Line(text, f"第{counters['para']}段", False))

    def table(el) -> None:
        counters["table"] += 1
        rows = el.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        for r, tr in enumerate(rows, 1):
            cells = [" ".join(td.text_content().split()) for td in tr.xpath("./td|./th")]
            lines.append(Line("\t".join(cells), f"第{counters['table']}个表格第{r}行", True))

    def walk(root) -> None:
        # an explicit stack, not recursion: a report page may nest deeper than Python's recursion limit
        stack: list = [(root, False)]
        while stack:
            el, leaving = stack.pop()
            tag = el.tag if isinstance(el.tag, str) else ""
            if leaving:
                if tag in blocks:
                    flush()
                if el is not root and el.tail:
                    buf.append(el.tail)
                continue
            if tag in ("script", "style", "head") or not tag:
                if el is not root and el.tail:
                    buf.append(el.tail)
                continue
            if tag in ("table", "br"):
                flush()
                if tag == "table":
                    table(el)
                if el is not root and el.tail:
                    buf.append(el.tail)
                continue
            if tag in blocks:
                flush()
            if el.text:
                buf.append(el.text)
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))

    walk(root)
    flush()
    return lines
