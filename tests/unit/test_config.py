"""sites.yaml validation: a bad file fails fast with a Chinese message naming the file, the field and the fix."""

from __future__ import annotations


import pytest

from monitor.config import ConfigError, load_config, parse_config
from tests.conftest import ROOT, run_monitor

GOOD = {
    "organisation": {"name": "示例县人民政府办公室"},
    "units": [{"name": "县政府办"}],
    "sites": [{"key": "portal", "name": "门户", "home": "https://www.example.gov.cn/", "unit": "县政府办"}],
}


def test_the_commented_example_is_valid():
    cfg = load_config(ROOT / "sites.example.yaml")
    assert [s.key for s in cfg.sites] == ["portal", "jyj"]
    assert cfg.sites[0].limits.concurrency_per_host == 2
    assert cfg.thresholds_for("W-V3", cfg.sites[0]) == {"news_days": 14}


def test_defaults_follow_the_politeness_of_the_field_notes():
    cfg = parse_config(GOOD)
    lim = cfg.sites[0].limits
    assert (lim.concurrency_per_host, lim.delay_seconds, lim.timeout_seconds) == (2, 0.5, 15)
    assert cfg.sites[0].scope == frozenset({"www.example.gov.cn:443"})


@pytest.mark.parametrize(
    "mutate, path, words",
    [
        (lambda d: d.pop("organisation"), "organisation", "缺少必填项"),
        (lambda d: d["sites"][0].update(home="www.example.gov.cn"), "sites 第 1 项（portal） → home", "http://"),
        (
            lambda d: d["sites"][0].update(limits={"max_pages": "很多"}),
            "sites 第 1 项（portal） → limits → max_pages",
            "整数",
        ),
        (
            lambda d: d["sites"][0].update(limits={"delay_seconds": -1}),
            "sites 第 1 项（portal） → limits → delay_seconds",
            "数值太小",
        ),
        (lambda d: d["sites"][0].update(colour="red"), "sites 第 1 项（portal） → colour", "不认识的字段"),
        (lambda d: d["sites"][0].update(key="门户 网站"), "sites 第 1 项（门户 网站） → key", "字母、数字"),
        (lambda d: d["sites"][0].update(unit="不存在的单位"), "sites 第 1 项（portal） → unit", "不在 units 列表中"),
        (lambda d: d["sites"].append(dict(d["sites"][0])), "sites 第 2 项 → key", "重复"),
        (
            lambda d: d["sites"][0].update(columns=[{"url": "https://x/", "kind": "新闻"}]),
            "sites 第 1 项（portal） → columns 第 1 项 → kind",
            "取值应为",
        ),
    ],
)
def test_each_mistake_is_named_with_its_field_path(mutate, path, words):
    import copy

    data = copy.deepcopy(GOOD)
    mutate(data)
    with pytest.raises(ConfigError) as err:
        parse_config(data, source="sites.yaml")
    msg = str(err.value)
    assert "sites.yaml" in msg and path in msg and words in msg
    assert "Input should" not in msg and "Value error" not in msg  # no English left over from the validator


def test_yaml_syntax_error_names_line(tmp_path):
    p = tmp_path / "sites.yaml"
    p.write_text("organisation:\n  name: 县政府办\nsites:\n  - key: a\n    name: [未闭合\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert str(p) in str(err.value) and "行" in str(err.value) and "YAML" in str(err.value)


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_config(tmp_path / "nope.yaml")
    p = tmp_path / "gbk.yaml"
    p.write_bytes("organisation: {name: 县政府办}\n".encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(p)


def test_cli_refuses_a_bad_config_before_crawling(tmp_path):
    bad = tmp_path / "sites.yaml"
    bad.write_text(
        "organisation: {name: 县政府办}\nsites:\n  - key: portal\n    name: 门户\n"
        "    home: https://www.example.gov.cn/\n",
        encoding="utf-8",
    )
    db = tmp_path / "m.db"
    out = run_monitor("-c", str(bad), "--db", f"sqlite:///{db}", "crawl", cwd=tmp_path)
    assert out.returncode == 2
    assert "错误：" in out.stderr and str(bad) in out.stderr and "sites 第 1 项（portal） → unit" in out.stderr
    assert "Traceback" not in out.stderr
    assert not db.exists()  # nothing was crawled, not even a database opened


def test_config_we_write_ourselves_has_no_aliases_our_loader_refuses(tmp_path):
    """dump_yaml writes shared objects out in full (yaml.safe_dump would emit &id001 / *id001 for them)."""
    from monitor.config import dump_yaml, load_config

    limits = {"delay_seconds": 0, "allow_private_network": True}
    data = {
        "organisation": {"name": "县政府办"},
        "units": [{"name": "县政府办"}],
        "sites": [
            {"key": k, "name": k, "home": f"http://127.0.0.1:{p}/", "unit": "县政府办", "limits": limits}
            for k, p in (("a", 8001), ("b", 8002))
        ],
    }
    text = dump_yaml(data)
    assert "&" not in text and "*" not in text
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert [s.limits.allow_private_network for s in config.sites] == [True, True]


# ------------------------------------------------------------------ thresholds, against each rule's dataclass


@pytest.mark.parametrize(
    "where, thresholds, path, words",
    [
        (
            "site",
            {"W-V3": {"news_dayz": 30}},
            "sites 第 1 项（portal） → thresholds → W-V3 → news_dayz",
            "W-V3 可设的阈值有：news_days、notice_policy_days、veto_count",
        ),
        ("global", {"W-X9": {"max_days": 3}}, "thresholds → W-X9", "不认识的规则编号"),
        ("global", {"w-v2": {"max_age_days": 3}}, "thresholds → w-v2", "应写作 W-V2"),
        (
            "site",
            {"W-V2": {"max_age_days": "两周"}},
            "sites 第 1 项（portal） → thresholds → W-V2 → max_age_days",
            "应为整数",
        ),
        ("global", {"W-S11": {"required": "yes"}}, "thresholds → W-S11 → required", "应为 true 或 false"),
        ("account", {"N-V1": {"max_days": 14.5}}, "accounts 第 1 项（wx） → thresholds → N-V1 → max_days", "应为整数"),
        (
            "global",
            {"W-S1": {"broken_statuses": [404, "410"]}},
            "thresholds → W-S1 → broken_statuses",
            "每一项应为整数",
        ),
        ("global", {"W-S1": {"broken_statuses": 404}}, "thresholds → W-S1 → broken_statuses", "应为列表"),
        ("global", {"W-S8": {"anything": 1}}, "thresholds → W-S8 → anything", "W-S8 没有可调的阈值"),
        ("global", {"W-V9": {"extra_terms": [{"category": "赌博"}]}}, "thresholds → W-V9", "缺少 wrong/word"),
        ("global", {"periods": {"news_dayz": 30}}, "thresholds → periods → news_dayz", "news_days、notice_policy_days"),
        (
            "global",
            {"W-V3": {"news_days": 30}, "W-V4": {"news_days": 20}},
            "thresholds → W-V4 → news_days",
            "W-V3、W-V4 共用的周期",
        ),
        ("global", {"scoring": {"pass_marks": 70}}, "thresholds → scoring", "pass_mark"),
    ],
)
def test_threshold_overrides_are_checked_against_each_rules_dataclass(where, thresholds, path, words):
    import copy

    data = copy.deepcopy(GOOD)
    data["accounts"] = [
        {
            "key": "wx",
            "platform": "wechat",
            "name": "示例发布",
            "unit": "县政府办",
            "source": "https://rss.example.org/a.xml",
        }
    ]
    target = {"site": data["sites"][0], "account": data["accounts"][0], "global": data}[where]
    target["thresholds"] = thresholds
    with pytest.raises(ConfigError) as err:
        parse_config(data, source="sites.yaml")
    msg = str(err.value)
    assert "sites.yaml 有 1 处错误" in msg and f"{path}：" in msg and words in msg, msg
    assert "Input should" not in msg and "Traceback" not in msg


def test_every_threshold_mistake_of_a_file_is_listed_at_once():
    import copy

    data = copy.deepcopy(GOOD)
    data["sites"][0]["thresholds"] = {"W-V3": {"news_dayz": 30, "veto_count": "五"}, "W-V99": {}}
    with pytest.raises(ConfigError) as err:
        parse_config(data, source="sites.yaml")
    msg = str(err.value)
    assert "有 3 处错误" in msg
    assert "W-V3 → news_dayz：" in msg and "W-V3 → veto_count：应为整数" in msg and "thresholds → W-V99：" in msg


def test_good_overrides_and_shared_periods_load():
    import copy

    import rules
    from rules.base import Scope

    data = copy.deepcopy(GOOD)
    data["thresholds"] = {
        "W-V3": {"notice_policy_days": 240, "veto_count": 3},
        "W-V8": {"check_leader_order": False},
        "W-S1": {"broken_statuses": [404, 410, 451]},
        "scoring": {"pass_mark": 70},
    }
    data["sites"][0]["thresholds"] = {"periods": {"news_days": 30}, "W-S4": {"public_line_cues": ["服务电话"]}}
    cfg = parse_config(data)
    merged = rules.merge_overrides(cfg.thresholds, cfg.sites[0].thresholds)
    # one value of each shared period for every rule that reads it: W-V3's override reaches W-V4 and W-S2
    w_v3, w_v4, w_s2 = (rules.thresholds_for(r, merged) for r in ("W-V3", "W-V4", "W-S2"))
    assert (w_v3.notice_policy_days, w_v4.notice_policy_days, w_s2.notice_policy_days) == (240, 240, 240)
    assert (w_v3.news_days, w_v4.news_days) == (30, 30) and w_v3.veto_count == 3 and w_v4.veto_count == 10
    assert list(rules.thresholds_for("W-S1", merged).broken_statuses) == [404, 410, 451]
    assert rules.rules_for(Scope.SITE)  # the registry is the one the loader checked against
    # a site's value of a shared period wins over the global one, whichever rule it was set under
    site_wins = rules.merge_overrides({"W-V3": {"news_days": 30}}, {"W-V4": {"news_days": 20}})
    assert rules.thresholds_for("W-V3", site_wins).news_days == 20


def test_a_shared_period_overridden_under_one_rule_changes_what_the_others_find():
    """W-S2 leaves a first-level policy column to W-V3 while it is past W-V3's period; giving W-V3 a longer period
    hands the column to W-S2, and W-V4 (which counts it toward its own veto) agrees with W-V3."""
    from datetime import date, datetime, timedelta

    import rules
    from monitor.model import ColumnFacts, ColumnKind, ItemFacts, SiteFacts
    from rules.base import Scope

    today = date(2026, 11, 26)
    col = ColumnFacts(
        url="http://gov.example/zcwj/",
        name="政策文件",
        kind=ColumnKind.POLICY,
        level=1,
        items=(ItemFacts(url="http://gov.example/zcwj/1.html", title="t", date=today - timedelta(days=200)),),
    )
    site = SiteFacts(
        site="s",
        site_name="示例",
        unit="县政府办",
        home_url="http://gov.example/",
        run_id=1,
        crawled_at=datetime(2026, 11, 26),
        columns=(col,),
    )

    def found(overrides):
        out = rules.run(Scope.SITE, site, today=today, overrides=overrides, select=("W-V3", "W-S2")).outcomes
        return sorted(o.rule for o in out)

    assert found(None) == ["W-V3"]
    assert found({"W-V3": {"notice_policy_days": 240}}) == ["W-S2"]
    assert found({"periods": {"notice_policy_days": 240}}) == ["W-S2"]


def test_a_thresholds_mapping_merged_by_update_still_gives_one_value_per_shared_period():
    """Callers that merge global and per-site values with dict.update (not merge_overrides) get the later
    level's value for a shared period, and the periods section wins over rule-level values."""
    import rules

    merged = {"W-V3": {"news_days": 30}, "W-V4": {"news_days": 20}}  # global W-V3, then a site's W-V4
    assert [rules.thresholds_for(r, merged).news_days for r in ("W-V3", "W-V4")] == [20, 20]
    merged["periods"] = {"news_days": 25}
    assert [rules.thresholds_for(r, merged).news_days for r in ("W-V3", "W-V4")] == [25, 25]
