"""Scores: veto, deductions by indicator with caps, the pass mark, unit roll-up and ranking."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from rules.scoring import ScoringConfig, rank_units, score_sites


@dataclass(frozen=True)
class S:
    key: str
    name: str
    unit: str


def f(site, rule, severity="扣分", verdict="finding", status="已通报", subject="x", **facts):
    return {
        "site": site,
        "rule": rule,
        "severity": severity,
        "verdict": verdict,
        "status": status,
        "subject": subject,
        "facts": facts,
    }


SITES = [S("a", "甲网站", "甲单位"), S("b", "乙网站", "乙单位"), S("c", "丙网站", "乙单位")]


def by_key(scores):
    return {s.site: s for s in scores}


def test_points_from_the_spec_and_broken_links():
    findings = [
        f("a", "W-S2", part="policy"),
        f("a", "W-S2", part="service_stats"),
        f("a", "W-S2", part="replies"),
        f("a", "W-S1", on_home=False),
        f("a", "W-S1", on_home=False),
        f("a", "W-S1", on_home=True),
        f("a", "W-S8", severity="提示"),
        f("a", "W-S1", verdict="unverified", severity="提示"),
        f("a", "W-S5"),
    ]
    s = by_key(score_sites(findings, SITES))["a"]
    # 5 + 2 + 3 + 0.1 + 0.1 + 1.0 (home, configurable) + 1 (default) ; notices and unverified cost nothing
    assert s.by_indicator == {"发布解读": 5.0, "办事服务": 2.0, "互动交流": 3.0, "功能设计": 2.2}
    assert s.score == pytest.approx(87.8) and s.result == "合格" and not s.vetoed


def test_w_v3_policy_column_carries_w_s2_points_once():
    findings = [f("a", "W-V3", column_type="政策文件", level=1), f("a", "W-V3", column_type="动态要闻", level=2)]
    s = by_key(score_sites(findings, SITES))["a"]
    assert [d.points for d in s.deductions] == [5.0, 1.0] and s.score == 94.0


def test_deductions_are_capped_per_indicator_and_below_60_fails():
    many_typos = [f("a", "W-S3", subject=str(i)) for i in range(40)]  # 40 > 发布解读 31
    links = [f("a", "W-S1", on_home=True, subject=str(i)) for i in range(30)]  # 30 > 功能设计 21
    s = by_key(score_sites(many_typos + links, SITES))["a"]
    assert s.by_indicator == {"发布解读": 31.0, "功能设计": 21.0}
    assert s.score == 48.0 and s.result == "不合格"
    s = by_key(score_sites(many_typos, SITES))["a"]
    assert s.score == 69.0 and s.result == "合格"


def test_any_open_veto_fails_without_a_score_but_fixed_or_rechecking_do_not():
    findings = [
        f("a", "W-V8", severity="否决"),
        f("a", "W-S5"),
        f("b", "W-V3", severity="否决", status="已整改"),
        f("b", "W-V5", severity="否决", status="待复核"),
        f("c", "W-V7", severity="否决", status="逾期"),
    ]
    s = by_key(score_sites(findings, SITES))
    assert s["a"].vetoed and s["a"].score is None and s["a"].result == "不合格" and s["a"].veto_rules == ["W-V8"]
    assert s["a"].deduction_score == 99.0
    assert s["b"].score == 100.0 and s["b"].result == "合格"
    assert s["c"].result == "不合格"


def test_configuration_changes_points_caps_and_pass_mark():
    cfg = ScoringConfig.from_mapping(
        {"points": {"W-S3": 0.5}, "home_broken_link_points": 2, "pass_mark": 90, "caps": {"功能设计": 3}}
    )
    findings = [f("a", "W-S3"), f("a", "W-S3"), f("a", "W-S1", on_home=True), f("a", "W-S1", on_home=True)]
    s = by_key(score_sites(findings, SITES, cfg))["a"]
    assert s.by_indicator == {"发布解读": 1.0, "功能设计": 3.0} and s.score == 96.0
    assert ScoringConfig.from_mapping({"caps": {"功能设计": 3}}).caps["发布解读"] == 31.0  # merged, not replaced
    with pytest.raises(ValueError, match="pass_marks"):
        ScoringConfig.from_mapping({"pass_marks": 50})


def test_units_worst_site_decides_average_ranks():
    findings = [
        f("b", "W-S5"),
        f("b", "W-S5"),  # b: 98
        f("c", "W-V7", severity="否决"),
    ]  # c: vetoed
    scores = score_sites(findings, SITES + [S("d", "丁网站", "丙单位")])
    units = rank_units(scores, units=["甲单位", "乙单位", "丙单位", "空单位"])
    got = [(u.unit, u.result, u.average, u.rank, u.worst_site) for u in units]
    assert got == [
        ("甲单位", "合格", 100.0, 1, "a"),
        ("丙单位", "合格", 100.0, 1, "d"),
        ("乙单位", "不合格", 98.0, 3, "c"),
        ("空单位", "—", None, 0, None),
    ]
    assert [s.rank for s in sorted(scores, key=lambda s: s.site)] == [1, 3, 4, 1]


def test_sites_yaml_carries_scoring_and_mailbox_settings():
    from monitor.config import ConfigError, parse_config

    cfg = parse_config(
        {
            "organisation": {"name": "示例县人民政府办公室"},
            "sites": [
                {
                    "key": "p",
                    "name": "门户",
                    "home": "http://www.sx.gov.cn/",
                    "unit": "县政府办",
                    "mailbox": {"words": ["局长信箱"], "urls": ["http://www.sx.gov.cn/hdjl/"]},
                }
            ],
            "thresholds": {"scoring": {"points": {"W-S3": 0.5}, "pass_mark": 70}},
        }
    )
    assert cfg.sites[0].mailbox.words == ("局长信箱",) and cfg.sites[0].mailbox.enabled
    sc = ScoringConfig.from_config(cfg)
    assert sc.points["W-S3"] == 0.5 and sc.pass_mark == 70.0
    with pytest.raises(ConfigError, match="mailbox → word"):
        parse_config(
            {
                "organisation": {"name": "x"},
                "sites": [
                    {
                        "key": "p",
                        "name": "门户",
                        "home": "http://www.sx.gov.cn/",
                        "unit": "u",
                        "mailbox": {"word": ["局长信箱"]},
                    }
                ],
            }
        )
