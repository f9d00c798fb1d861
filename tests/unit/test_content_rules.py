"""Content rules W-S3, W-S4, W-V8, W-V9: texts that must and must not be flagged."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.model import Severity, TextFacts
from rules import get_rule, rules_for
from rules.base import Scope, Verdict
from rules.content import typo_or_outdated_wording as typos
from rules.content import unmasked_personal_data as personal_data
from rules.content import unsafe_content as sensitive
from rules.content import wrong_political_expression as wrong_expression
from rules.content.lexicon import LexiconError, default_terms, load_leaders
from rules.content.pii import find_personal_data, luhn_ok, valid_resident_id

TODAY = date(2025, 6, 1)


def run(module, text: str, *, published: date | None = None, **thresholds):
    t = module.RULE.thresholds_with(thresholds)
    return list(
        module.check([TextFacts(url="https://x.gov.cn/a.html", text=text, published=published)], today=TODAY, t=t)
    )


def words(outcomes) -> list[str]:
    return [o.facts["word"] for o in outcomes]


def with_check_digit(body17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights)) % 11]


def luhn_complete(prefix: str) -> str:
    for d in "0123456789":
        if luhn_ok(prefix + d):
            return prefix + d
    raise AssertionError


# ---------------------------------------------------------------- registry and lexicons


def test_content_rules_are_registered_as_text_rules():
    ids = {e.rule.id for e in rules_for(Scope.TEXT)}
    assert {"W-S3", "W-S4", "W-V8", "W-V9"} <= ids
    for rid in ("W-S3", "W-S4", "W-V8", "W-V9"):
        doc = get_rule(rid).rule.doc
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Thresholds", "## Source"):
            assert heading in doc, (rid, heading)


def test_typo_lexicon_is_large_sourced_and_has_no_correct_word_as_wrong_form():
    typo = default_terms("typos")
    assert len(typo) >= 150
    assert all(t.suggestion and t.source and t.word != t.suggestion for t in typo)
    wrong = {t.word for t in typo}
    # a correction must never itself be flagged by another entry
    assert not [t.suggestion for t in typo if t.suggestion in wrong]
    outdated = default_terms("outdated")
    assert all(t.since is not None and t.suggestion for t in outdated)


def test_corrections_of_the_lexicon_are_clean_text():
    """Every suggested correction, written out as text, produces no W-S3 finding."""
    text = "。".join(t.suggestion for t in default_terms("typos")) + "。"
    assert run(typos, text) == []


# ---------------------------------------------------------------- W-S3 typos


def test_typo_found_with_suggestion_sentence_offset_and_line():
    text = "关于软件升级的通知\n请各单位按装最新版本，再接再励。\n"
    out = run(typos, text)
    assert words(out) == ["按装", "再接再励"]
    first = out[0]
    assert first.rule == "W-S3" and first.severity is Severity.DEDUCTION and first.verdict is Verdict.FINDING
    assert first.facts["kind"] == "错别字" and first.facts["suggestion"] == "安装"
    assert first.facts["offset"] == text.index("按装") and first.facts["line"] == 2
    assert first.facts["sentence"] == "请各单位按装最新版本，再接再励。"
    assert "按装" in first.evidence and "安装" in first.evidence and "第 2 行" in first.evidence


def test_typo_occurrences_are_grouped_per_word():
    out = run(typos, "一如继往地做好工作。\n我们将一如继往。")
    assert len(out) == 1 and out[0].facts["count"] == 2
    assert [o["line"] for o in out[0].facts["occurrences"]] == [1, 2]


@pytest.mark.parametrize(
    "text",
    [
        "既使企业减负，又使群众受益。",  # 既…又…: correct
        "既使用财政资金，也使用社会资本。",
        "国土资源部门要加强管理。",  # 部门, not the former ministry
        "全部份额已分配完毕。",
        "加倍受到重视。",
        "截止日期为6月30日。",
    ],
)
def test_typo_near_misses_are_not_flagged(text):
    assert run(typos, text) == []


def test_typo_unless_in_sentence_still_catches_the_real_error():
    assert words(run(typos, "既使困难再大，也要按期完成。")) == ["既使"]


def test_typo_site_extension_and_ignore():
    assert words(run(typos, "做好防汛工作，加强巡逻。", extra_typos=[{"wrong": "巡逻", "right": "巡查"}])) == ["巡逻"]
    assert run(typos, "请按装最新版本。", ignore=["按装"]) == []


# ---------------------------------------------------------------- W-S3 outdated names


def test_renamed_agency_in_a_current_text_is_flagged_with_rename_date():
    out = run(typos, "县环保局联合国土资源部门开展执法检查。", published=date(2024, 5, 1))
    assert words(out) == ["环保局"]
    assert out[0].facts["kind"] == "过时表述" and out[0].facts["suggestion"] == "生态环境局"
    assert out[0].facts["since"] == "2019-03-31"
    out = run(typos, "国家卫生和计划生育委员会印发通知。", published=date(2023, 1, 1))
    assert words(out) == ["国家卫生和计划生育委员会"] and out[0].facts["suggestion"] == "国家卫生健康委员会"


@pytest.mark.parametrize(
    "text,published",
    [
        ("2015年，原国土资源部印发了规划。", None),
        ("原环境保护部已组建为生态环境部。", None),
        ("县环保局更名为县生态环境局。", None),
        ("根据《国土资源部关于加强土地管理的通知》执行。", None),
        ("国土资源部印发规划。", date(2017, 6, 1)),  # published before the 2018 rename
        ("环境保护部（现生态环境部）发布标准。", None),
        ("中国银行保险监督管理委员会行政处罚决定书〔2022〕3号", date(2024, 1, 5)),
        ("国家税务总局福州市税务局发布公告。", None),  # the current name
        ("农业农村部、文化和旅游部联合印发通知。", None),
        ("相关文件\n中国银行保险监督管理委员会行政许可事项撤销决定书\n", date(2024, 7, 12)),
        ("环境保护部关于印发排污许可管理办法的通知", date(2024, 7, 12)),
    ],
)
def test_historical_or_current_mentions_are_not_flagged(text, published):
    assert run(typos, text, published=published) == []


def test_rename_not_yet_in_force_is_not_flagged():
    t = typos.RULE.thresholds_with({"extra_outdated": [{"wrong": "某某局", "right": "新局", "since": "2030-01-01"}]})
    assert list(typos.check([TextFacts(url="u", text="某某局发布通知。")], today=TODAY, t=t)) == []


# ---------------------------------------------------------------- W-V8

LEADERS = [
    {"name": "张建国", "posts": ["县委书记"], "order": 1, "wrong": ["张建囯"]},
    {"name": "李卫东", "posts": ["县长", "县委副书记"], "order": 2},
    {"name": "王晓明", "posts": ["常务副县长"], "order": 3},
]


def test_wrong_formula_is_a_candidate_veto():
    out = run(wrong_expression, "坚决拥护以习近平总书记为核心的党中央。")
    assert len(out) == 1
    o = out[0]
    assert o.rule == "W-V8" and o.severity is Severity.VETO and o.facts["needs_confirmation"] is True
    assert o.facts["suggestion"] == "以习近平同志为核心的党中央"


def test_formula_in_wrong_order_is_flagged_only_when_complete():
    out = run(wrong_expression, "牢固树立政治意识、核心意识、大局意识、看齐意识。")
    assert [o.facts["kind"] for o in out] == ["表述顺序错误"]
    assert out[0].facts["suggestion"] == "政治意识、大局意识、核心意识、看齐意识"
    assert run(wrong_expression, "牢固树立政治意识、大局意识、核心意识、看齐意识。") == []
    assert run(wrong_expression, "增强核心意识、政治意识。") == []  # partial list


def test_leader_post_name_mismatch_order_and_misspelling():
    text = "县长张建国主持会议。\n李卫东、张建国、王晓明出席。\n张建囯讲话。"
    out = run(wrong_expression, text, leaders=LEADERS)
    kinds = {o.facts["kind"]: o for o in out}
    assert set(kinds) == {"职务与姓名不符", "领导排序错误", "领导姓名错误"}
    assert kinds["领导排序错误"].facts["suggestion"] == "张建国、李卫东、王晓明"
    assert kinds["领导排序错误"].facts["line"] == 2
    assert kinds["领导姓名错误"].facts["suggestion"] == "张建国"
    assert "李卫东" in kinds["职务与姓名不符"].facts["detail"]


@pytest.mark.parametrize(
    "text",
    [
        "县委书记张建国、县长李卫东、常务副县长王晓明出席会议。",
        "副县长张建国参加调研。",  # a deputy post is another post
        "原县长张建国。",
        "张建国、李卫东出席。",
    ],
)
def test_leader_near_misses(text):
    assert run(wrong_expression, text, leaders=LEADERS) == []


def test_load_leaders(tmp_path):
    p = tmp_path / "leaders.yaml"
    p.write_text(
        "leaders:\n  - {name: 张建国, posts: [县委书记], order: 1}\n  - {name: 李卫东, posts: [县长], order: 2}\n",
        encoding="utf-8",
    )
    leaders = load_leaders(p)
    assert [ld.name for ld in leaders] == ["张建国", "李卫东"] and leaders[1].posts == ("县长",)
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {posts: [县长]}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="name"):
        load_leaders(bad)


# ---------------------------------------------------------------- W-V9


def test_gambling_promotion_is_a_candidate_veto():
    out = run(sensitive, "澳门新葡京真人百家乐，注册送彩金！")
    assert set(words(out)) == {"澳门新葡京", "真人百家乐", "注册送彩金"}
    assert all(o.severity is Severity.VETO and o.facts["needs_confirmation"] for o in out)
    assert out[0].facts["category"] == "赌博"


@pytest.mark.parametrize(
    "text",
    [
        "严厉打击六合彩等非法赌博活动。",
        "开展扫黄打非专项行动，查处色情网站12个。",
        "游客在天安门广场参观，缅怀毛主席。",
        "禁毒宣传进校园。",
        "警惕裸聊敲诈。",
    ],
)
def test_legitimate_mentions_are_not_flagged(text):
    assert run(sensitive, text) == []


def test_sensitive_extension():
    assert words(run(sensitive, "本站出售迷药。", extra_terms=[{"word": "出售迷药", "category": "违禁品"}])) == [
        "出售迷药"
    ]


# ---------------------------------------------------------------- W-S4


def test_personal_numbers_are_flagged_and_shown_masked():
    idn = with_check_digit("35010219900101123")
    card = luhn_complete("621700123456789012")
    text = f"补贴发放名单\n张三 身份证号{idn} 手机13812345678 银行卡号{card}\n"
    out = run(personal_data, text)
    assert [o.facts["kind"] for o in out] == ["身份证号", "手机号", "银行卡号"]
    masked = [o.facts["masked"] for o in out]
    assert masked == ["35" + "*" * 13 + idn[-3:], "138****5678", card[:4] + "*" * 11 + card[-4:]]
    for o in out:
        assert o.severity is Severity.DEDUCTION
        blob = o.evidence + repr(o.facts)
        assert idn not in blob and "13812345678" not in blob and card not in blob
        assert o.facts["line"] == 2
    assert out[1].facts["offset"] == text.index("13812345678")


def test_id_validation():
    good = with_check_digit("11010519491231002")
    assert valid_resident_id(good, today=TODAY)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert not valid_resident_id(bad_check, today=TODAY)
    assert not valid_resident_id(with_check_digit("11010519901332002"), today=TODAY)  # month 13
    assert not valid_resident_id(with_check_digit("11010520300101002"), today=TODAY)  # born in the future
    assert not valid_resident_id(with_check_digit("99010519900101002"), today=TODAY)  # no such province


@pytest.mark.parametrize(
    "text",
    [
        "身份证号 35*************123，手机 138****1234。",  # masked
        "订单号 2024010113812345678。",  # phone inside a longer digit run
        "编号 9138120000123456789。",
        "咨询电话：13812345678。",  # a published service line
        "手机号 12345678901。",  # no such segment
        "金额 0.13812345678 元。",
    ],
)
def test_personal_data_near_misses(text):
    assert run(personal_data, text) == []


def test_invalid_id_and_impossible_birth_date_not_flagged():
    good = with_check_digit("35010219900101123")
    wrong_digit = good[:-1] + ("1" if good[-1] != "1" else "2")
    text = f"身份证号{wrong_digit}；另一号码{with_check_digit('35010219901340123')}。"
    assert run(personal_data, text) == []


def test_card_needs_account_wording_and_not_an_id():
    card = luhn_complete("621700123456789012")
    assert run(personal_data, f"编码{card}。") == []  # no account wording anywhere
    assert run(personal_data, f"账号信息如下。订单号{card}。") == []  # labelled as an order number
    idn = with_check_digit("62010219900101123")  # 18 digits, also starts with 62
    kinds = [h.kind for h in find_personal_data(f"银行账号与身份证：{idn}", today=TODAY)]
    assert kinds == ["身份证号"]


def test_full_width_digits_keep_offsets():
    text = "手机：１３８１２３４５６７８。"
    hits = find_personal_data(text, today=TODAY)
    assert [h.masked for h in hits] == ["138****5678"] and text[hits[0].start] == "１"


def test_switching_a_kind_off():
    assert run(personal_data, "手机13812345678", mobiles=False) == []


def test_first_generation_15_digit_id_needs_a_cue_and_a_real_birth_date():
    listing = "临时救助对象名单\n姓名\t身份证号码\t金额\n王五\t440304850101123\t800"
    hits = find_personal_data(listing, today=TODAY)
    assert [(h.kind, h.masked) for h in hits] == [("身份证号", "44**********123")]
    assert find_personal_data("文件编号440304850101123", today=TODAY) == []  # no ID wording before it
    assert find_personal_data("身份证号：440304851301123", today=TODAY) == []  # month 13
    assert find_personal_data("身份证号：990304850101123", today=TODAY) == []  # no province 99
    out = run(personal_data, listing)
    assert len(out) == 1 and "440304850101123" not in str(out[0].facts) + out[0].evidence


def test_personal_number_patterns_match_what_their_look_behind_first_forms_matched():
    """The patterns start with a character so that ``re`` can skip ahead (rules/content/pii.py); each must find
    exactly the spans and groups its earlier form (look-behind first) found, on text built from the characters
    that decide a match: digits (fullwidth too), letters, +86, dots, dashes, spaces and Chinese."""
    import random
    import re

    from rules.content import pii

    before = {
        "ID_RE": r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])",
        "ID15_RE": r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])",
        "MOBILE_RE": r"(?:(?<=\+86)|(?<![\d.]))(1[3-9]\d)([- ]?)(\d{4})\2(\d{4})(?![\d])",
        "CARD_RE": r"(?<![0-9A-Za-z])\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?![0-9A-Za-z])",
    }
    rng = random.Random(15)
    pieces = list("0123456789") * 6 + ["1", "13", "+86", ".", "-", " ", "X", "x", "a", "Z", "号", "：", "１", "\n"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))) for _ in range(20_000)]
    texts += ["+8613812345678", "a13812345678", ".13812345678", "113812345678", "13812345678", "1381234567８"]
    texts += ["11010519491231002X", "x11010519491231002X", "6222021234567890123", "6222 0212 3456 7890 123"]
    for name, pattern in before.items():
        old, new = re.compile(pattern), getattr(pii, name)
        found = 0
        for text in texts:
            want = [(m.span(), m.groups()) for m in old.finditer(text)]
            assert [(m.span(), m.groups()) for m in new.finditer(text)] == want, (name, text)
            found += len(want)
        assert found > 20, name  # the texts do exercise the pattern
