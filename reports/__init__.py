"""Reports render what they are given; they decide nothing and fetch nothing."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from monitor.model import template_safe

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> Environment:
    """The one Jinja2 environment: strict, and escaping every .html/.xml template (crawled text is hostile)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "htm", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=template_safe,
    )  # no XML-illegal characters in any rendered format
    env.filters["cn"] = cn_numeral
    return env


def cn_numeral(i: int) -> str:
    """1 → 一 … 10 → 十, as notices number their sections; larger numbers stay digits."""
    return "一二三四五六七八九十"[i - 1] if 1 <= i <= 10 else str(i)
