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


@pytest.mark.parametrize("mutate, path, words", [
    (lambda d: d.pop("organisation"), "organisation", "缺少必填项"),
    (lambda d: d["sites"][0].update(home="www.example.gov.cn"), "sites 第 1 项（portal） → home", "http://"),
    (lambda d: d["sites"][0].update(limits={"max_pages": "很多"}), "sites 第 1 项（portal） → limits → max_pages", "整数"),
    (lambda d: d["sites"][0].update(limits={"delay_seconds": -1}), "sites 第 1 项（portal） → limits → delay_seconds", "数值太小"),
    (lambda d: d["sites"][0].update(colour="red"), "sites 第 1 项（portal） → colour", "不认识的字段"),
    (lambda d: d["sites"][0].update(key="门户 网站"), "sites 第 1 项（门户 网站） → key", "字母、数字"),
    (lambda d: d["sites"][0].update(unit="不存在的单位"), "sites 第 1 项（portal） → unit", "不在 units 列表中"),
    (lambda d: d["sites"].append(dict(d["sites"][0])), "sites 第 2 项 → key", "重复"),
    (lambda d: d["sites"][0].update(columns=[{"url": "https://x/", "kind": "新闻"}]), "sites 第 1 项（portal） → columns 第 1 项 → kind",
     "取值应为"),
])
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
    bad.write_text("organisation: {name: 县政府办}\nsites:\n  - key: portal\n    name: 门户\n"
                   "    home: https://www.example.gov.cn/\n", encoding="utf-8")
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
    data = {"organisation": {"name": "县政府办"}, "units": [{"name": "县政府办"}],
            "sites": [{"key": k, "name": k, "home": f"http://127.0.0.1:{p}/", "unit": "县政府办", "limits": limits}
                      for k, p in (("a", 8001), ("b", 8002))]}
    text = dump_yaml(data)
    assert "&" not in text and "*" not in text
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert [s.limits.allow_private_network for s in config.sites] == [True, True]
