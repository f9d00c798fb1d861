"""Crawled text on the terminal: shown, never obeyed.

A page title can carry terminal escape sequences (``ESC]0;…`` retitles the window, others move the
cursor or rewrite what was printed) and Rich markup (``[/bold]`` makes Rich raise). Every CLI output
goes through here: control characters (C0 but newline and tab, DEL, C1) and bidirectional overrides
are written as visible escapes (``\\u001b``), and Rich never reads markup in what we print.
"""

from __future__ import annotations

import re
import sys

from rich.console import Console

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def term_safe(text: str) -> str:
    """``text`` with control characters shown as escapes instead of acted upon by the terminal."""
    # \u001b, not \x1b: the same escape is valid inside a JSON string (`findings --format json`)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class SafeStream:
    """A text stream that escapes control characters in everything written to it (see ``term_safe``)."""

    def __init__(self, stream):
        self.unfiltered = stream

    def write(self, s: str) -> int:
        self.unfiltered.write(term_safe(s) if isinstance(s, str) else s)
        return len(s)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.unfiltered.flush()

    def isatty(self) -> bool:
        return self.unfiltered.isatty()

    def fileno(self) -> int:
        return self.unfiltered.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.unfiltered, "encoding", "utf-8")

    @property
    def errors(self):
        return getattr(self.unfiltered, "errors", "strict")


def install() -> None:
    """Filter this process's stdout and stderr (click.echo, log handlers created afterwards)."""
    if not isinstance(sys.stdout, SafeStream) and sys.stdout is not None:
        sys.stdout = SafeStream(sys.stdout)
    if not isinstance(sys.stderr, SafeStream) and sys.stderr is not None:
        sys.stderr = SafeStream(sys.stderr)


class SafeConsole(Console):
    """Rich without markup, and with control characters escaped in every string it renders; it writes to the
    unfiltered stream so that its own styling still reaches a terminal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)
        out = sys.stderr if kwargs.pop("stderr", False) else sys.stdout
        kwargs.setdefault("file", getattr(out, "unfiltered", out))
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs):
        return super().render_str(term_safe(text), **kwargs)
