"""Rules explained to users in Chinese (monitor rule X, monitor rules, the dashboard's 规则库), not developer text."""

from __future__ import annotations

import re

from click.testing import CliRunner

from monitor.cli import main
from rules import all_rules, get_rule
from rules.explain import EXPLAIN, explain


def test_every_rule_is_explained_with_its_thresholds_in_plain_words():
    ids = {e.rule.id for e in all_rules()}
    assert set(EXPLAIN) == ids
    for e in all_rules():
        x = explain(e.rule)
        assert x["threshold"] not in ("（暂无说明）", "（阈值说明暂不可用）"), e.rule.id
        for text in x.values():
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (e.rule.id, text)  # no threshold field names
            assert "{" not in text and "等等" not in text, (e.rule.id, text)
        assert "〔" in x["basis"] or "规范" in x["basis"] or "要求" in x["basis"] or "计划" in x["basis"], e.rule.id


def test_the_threshold_sentence_follows_the_thresholds_in_effect():
    rule = get_rule("W-V3").rule
    assert "2 周" in explain(rule)["threshold"] and "累计 5 个" in explain(rule)["threshold"]
    changed = explain(rule, rule.thresholds_with({"news_days": 30, "veto_count": 3}))["threshold"]
    assert "30 天" in changed and "累计 3 个" in changed


def test_cli_rule_and_rules_speak_chinese():
    res = CliRunner().invoke(main, ["rule", "w-v7"])
    assert res.exit_code == 0
    assert "检查什么：" in res.output and "判定标准：" in res.output and "国办秘函〔2019〕19号" in res.output
    assert "3 个月未答复" in res.output
    assert "## What it does" not in res.output and "max_wait_days" not in res.output
    res = CliRunner().invoke(main, ["rules"], terminal_width=250)
    assert res.exit_code == 0 and "判定标准" in res.output and "What it does" not in res.output


def test_a_rule_without_its_sentence_shows_its_settings_from_the_dataclass():
    import dataclasses

    from rules.base import Rule, Severity
    from rules.explain import settings

    @dataclasses.dataclass(frozen=True)
    class Thresholds:
        max_days: int = 30
        words: tuple[str, ...] = ("信箱", "留言")

    rule = Rule(
        id="X-1", name="thing-not-updated", title="示例问题", severity=Severity.NOTICE, source="", thresholds=Thresholds
    )
    x = explain(rule)
    assert x["checks"] == "示例问题" and x["threshold"] == "可调阈值：max_days = 30；words = 信箱、留言。"
    assert settings(rule, Thresholds(max_days=45)) == "可调阈值：max_days = 45（默认 30）；words = 信箱、留言。"
    # a sentence that no longer fits the dataclass (a field renamed) falls back to the listing, not to a stale text
    w_v3 = get_rule("W-V3").rule
    assert explain(w_v3, Thresholds())["threshold"].startswith("可调阈值：news_days = 14；notice_policy_days = 183")
