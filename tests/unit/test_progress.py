"""Progress on long work: periodic plain lines when not a terminal, a rich bar in one; crawl counts per site."""

from __future__ import annotations

import io

from monitor.cli.progress import CrawlProgress, progress


def test_plain_lines_when_not_a_terminal_with_rate_and_eta(monkeypatch):
    lines: list[str] = []
    clock = iter(range(1000))  # each call to time.monotonic advances 1 s
    monkeypatch.setattr("monitor.cli.progress.time.monotonic", lambda: next(clock))
    with progress("截图", total=40, say=lines.append, every=10, terminal=False) as p:
        for i in range(40):
            p.advance(error=i == 3)
    assert lines[0] == "截图：开始，共 40 个"
    periodic = lines[1:-1]
    assert 3 <= len(periodic) <= 12  # every 10 s, not every item
    assert "已完成" in periodic[0] and "/40" in periodic[0] and "每分钟" in periodic[0] and "预计还需" in periodic[0]
    assert lines[-1].startswith("截图：已完成 40/40，出错 1")


def test_a_bar_in_a_terminal_and_messages_stay_text(monkeypatch):
    from rich.console import Console

    buf = io.StringIO()
    monkeypatch.setattr("rich.console.Console", lambda **kw: Console(file=buf, force_terminal=True, width=100))
    lines: list[str] = []
    with progress("检查网站", total=3, say=lines.append, terminal=True) as p:
        p.advance(extra="门户")
        p.note("[bold]页面标题[/bold]")  # crawled text with rich markup: shown as is
    out = buf.getvalue()
    assert "检查网站" in out and "[bold]页面标题[/bold]" in out
    assert lines == ["检查网站：已完成 1/3，门户，每分钟 " + lines[0].split("每分钟 ")[1]]


def test_crawl_progress_counts_per_site():
    said: list[str] = []
    rep = CrawlProgress(said.append, terminal=False)
    with rep:
        rep("开始")
        rep.site("门户", 10, 5, 1)  # no bar: nothing drawn, the crawler's own lines go through say
    assert said == ["开始"]
