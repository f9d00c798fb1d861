"""Progress of long work: a rich progress bar in a terminal, periodic log lines when not a terminal.

One small interface for crawl, feeds, check, report and screenshots: ``with progress("截图", total=n) as p:
p.advance(…)``. In a terminal (stderr is a TTY) a bar with rate and ETA is drawn; otherwise (cron, systemd,
CI, tests) a plain line is written every ``every`` seconds and at the end, so logs show that work goes on.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import click


class Progress:
    def __init__(self, label: str, total: int | None, *, say: Callable[[str], None], every: float):
        self.label, self.total, self.done, self.errors = label, total, 0, 0
        self.extra = ""
        self._say, self._every = say, every
        self._start = self._last = time.monotonic()
        self._bar = None
        self._task = None

    def rate(self) -> float:
        elapsed = max(time.monotonic() - self._start, 1e-6)
        return self.done / elapsed

    def line(self) -> str:
        rate = self.rate()
        total = f"/{self.total}" if self.total else ""
        eta = ""
        if self.total and rate > 0 and self.done < self.total:
            eta = f"，预计还需 {_duration((self.total - self.done) / rate)}"
        errors = f"，出错 {self.errors}" if self.errors else ""
        extra = f"，{self.extra}" if self.extra else ""
        return f"{self.label}：已完成 {self.done}{total}{errors}{extra}，每分钟 {rate * 60:.0f} 个{eta}"

    def note(self, message: str) -> None:
        """A message beside the bar (crawled text is printed as text, never as rich markup)."""
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False)
        else:
            self._say(message)

    def advance(self, n: int = 1, *, error: bool = False, extra: str | None = None, total: int | None = None) -> None:
        self.done += n
        self.errors += int(error)
        if extra is not None:
            self.extra = extra
        if total is not None:
            self.total = total
        if self._bar is not None:
            self._bar.update(
                self._task,
                completed=self.done,
                total=self.total,
                description=f"{self.label}" + (f"（{self.extra}）" if self.extra else ""),
            )
        elif time.monotonic() - self._last >= self._every:
            self._last = time.monotonic()
            self._say(self.line())


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} 秒"
    if seconds < 3600:
        return f"{seconds // 60} 分 {seconds % 60} 秒"
    return f"{seconds // 3600} 小时 {seconds % 3600 // 60} 分"


def is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(
    label: str,
    total: int | None = None,
    *,
    say: Callable[[str], None] | None = None,
    every: float = 10.0,
    terminal: bool | None = None,
) -> Iterator[Progress]:
    say = say or (lambda m: click.echo(m, err=True))
    p = Progress(label, total, say=say, every=every)
    use_bar = is_terminal() if terminal is None else terminal
    if use_bar:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        bar = Bar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        with bar:
            p._bar, p._task = bar, bar.add_task(label, total=total)
            yield p
        say(p.line())
    else:
        say(f"{label}：开始" + (f"，共 {total} 个" if total else ""))
        yield p
        say(p.line())


class CrawlProgress:
    """The crawl's reporter: plain messages pass through; per-site counts draw one bar per site in a terminal
    (pages done of done + queued, errors, rate, ETA)."""

    def __init__(self, say: Callable[[str], None], *, terminal: bool | None = None):
        self._say = say
        self._terminal = is_terminal() if terminal is None else terminal
        self._bar = None
        self._tasks: dict[str, int] = {}

    def __call__(self, message: str) -> None:
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False)
        else:
            self._say(message)

    def __enter__(self) -> "CrawlProgress":
        if self._terminal:
            from rich.console import Console
            from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} 页 {task.fields[errors]}"),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def site(self, name: str, done: int, queued: int | None, errors: int) -> None:
        if self._bar is None:
            return
        total = done + (queued or 0)
        if name not in self._tasks:
            self._tasks[name] = self._bar.add_task(name, total=total, errors="", rate="")
        task = self._tasks[name]
        elapsed = next((t.elapsed for t in self._bar.tasks if t.id == task), None) or 0
        rate = f"{done / elapsed * 60:.0f} 页/分" if elapsed > 1 else ""
        self._bar.update(
            task, completed=done, total=max(total, done), errors=f"出错 {errors}" if errors else "", rate=rate
        )


def screenshots_with_progress(store, config, **kw):
    """take_evidence with a bar in a terminal, periodic lines otherwise (`evidence`, `report --screenshots`)."""
    from monitor.crawl.evidence import take_evidence

    with progress("截图") as p:
        return take_evidence(
            store, config, on_shot=lambda done, total, err: p.advance(error=bool(err), total=total), **kw
        )
