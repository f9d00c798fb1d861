"""Every message a user reads is Chinese, click's own usage errors included."""

from __future__ import annotations

from click.testing import CliRunner

from monitor.cli.app import main


def test_help_and_usage_errors_are_chinese():
    runner = CliRunner()
    out = runner.invoke(main, ["--help"])
    assert out.exit_code == 0
    assert "用法：" in out.output and "选项" in out.output and "显示帮助并退出" in out.output
    assert "Show this message" not in out.output and "Usage:" not in out.output
    bad = runner.invoke(main, ["report"])
    assert bad.exit_code == 2 and "错误：缺少选项 '--month'" in bad.output
    bad = runner.invoke(main, ["findings", "--format", "xml"])
    assert bad.exit_code == 2 and "取值无效" in bad.output
    bad = runner.invoke(main, ["no-such-command"])
    assert bad.exit_code == 2 and "没有命令" in bad.output
    for name, cmd in main.commands.items():  # every command documents itself in Chinese
        doc = cmd.help or ""
        assert any("\u4e00" <= ch <= "\u9fff" for ch in doc), name


def test_top_level_help_shows_every_command_line_whole():
    from click.testing import CliRunner

    from monitor.cli import main

    out = CliRunner().invoke(main, ["--help"], terminal_width=100).output
    commands = out.split("命令:")[1]
    assert "..." not in commands, commands  # no summary cut short
    assert "check-text    发布前检查稿件" in commands
