"""Benchmark: the content rules (W-S3, W-S4, W-V8, W-V9) over generated government text.

Not a test. Generates >= 5 MB of realistic Chinese government text (pages of
news, notices and 公示 lists, with a sprinkle of typos, renamed agencies,
numbers and leaders), then prints characters per second for the four rules
together and for a naive ``str.find`` loop over the same lexicons.

    /work/main/.venv/bin/python bench/content_rules.py [--mb 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.model import TextFacts
from rules.content import typo_or_outdated_wording as typos
from rules.content import unmasked_personal_data as personal_data
from rules.content import unsafe_content as sensitive
from rules.content import wrong_political_expression as wrong_expression
from rules.content.lexicon import default_ordered_formulas, default_terms

SENTENCES = [
    "为深入贯彻落实党中央、国务院决策部署，进一步优化营商环境，现就有关事项通知如下。",
    "各乡镇人民政府、县直各有关单位要高度重视，加强组织领导，确保各项工作落到实处。",
    "会议强调，要坚持以人民为中心的发展思想，扎实推进乡村振兴，巩固拓展脱贫攻坚成果。",
    "县市场监督管理局联合县生态环境局开展食品安全专项检查，共检查经营主体126家。",
    "2024年以来，全县累计完成固定资产投资45.6亿元，同比增长8.2%。",
    "请各单位于6月30日前将材料报送至县政府办公室，联系电话：0591-12345678。",
    "本次公示期为5个工作日，如有异议，请在公示期内向县民政局反映。",
    "严厉打击各类违法犯罪活动，持续开展扫黄打非和禁毒宣传教育。",
    "要牢固树立政治意识、大局意识、核心意识、看齐意识，坚定道路自信、理论自信、制度自信、文化自信。",
    "县自然资源局组织开展耕地保护督察，发现问题线索17条，已全部整改到位。",
    "根据《中华人民共和国政府信息公开条例》规定，现将有关情况公开如下。",
    "县委书记张建国、县长李卫东、常务副县长王晓明出席会议并讲话。",
    "医疗保障、社会救助、养老服务等民生实事项目稳步推进，群众满意度持续提升。",
    "姓名：王某某，身份证号：35*************123，联系电话：138****1234。",
]
NOISE = [
    "请按装最新版本。",
    "县环保局开展执法检查。",
    "既使困难再大，也要完成任务。",
    "2015年，原国土资源部印发规划。",
    "张三，手机13812345678。",
    "李卫东、张建国出席。",
    "澳门新葡京注册送彩金。",
    "增强政治意识、核心意识、大局意识、看齐意识。",
]
LEADERS = [
    {"name": "张建国", "posts": ["县委书记"], "order": 1},
    {"name": "李卫东", "posts": ["县长", "县委副书记"], "order": 2},
    {"name": "王晓明", "posts": ["常务副县长"], "order": 3},
]
TODAY = date(2025, 6, 1)


def corpus(target_chars: int, seed: int) -> list[TextFacts]:
    rnd = random.Random(seed)
    texts, total, n = [], 0, 0
    while total < target_chars:
        paras = []
        for _ in range(rnd.randint(8, 40)):
            para = "".join(rnd.choice(SENTENCES) for _ in range(rnd.randint(2, 6)))
            if rnd.random() < 0.05:
                para += rnd.choice(NOISE)
            paras.append(para)
        body = "\n".join(paras)
        texts.append(TextFacts(url=f"https://www.example.gov.cn/art/{n}.html", text=body, published=date(2024, 1, 1)))
        total += len(body)
        n += 1
    return texts


def run_rules(texts: list[TextFacts]) -> int:
    count = 0
    for mod, t in (
        (typos, typos.Thresholds()),
        (personal_data, personal_data.Thresholds()),
        (wrong_expression, wrong_expression.Thresholds(leaders=LEADERS)),
        (sensitive, sensitive.Thresholds()),
    ):
        count += sum(1 for _ in mod.check(texts, today=TODAY, t=t))
    return count


def naive(texts: list[TextFacts], words: list[str]) -> int:
    hits = 0
    for tx in texts:
        s = tx.text
        for w in words:
            i = s.find(w)
            while i != -1:
                hits += 1
                i = s.find(w, i + 1)
    return hits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=5.0, help="text size in millions of characters")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    texts = corpus(int(args.mb * 1_000_000), args.seed)
    chars = sum(len(t.text) for t in texts)
    utf8 = sum(len(t.text.encode("utf-8")) for t in texts)
    words = [t.word for name in ("typos", "outdated", "formulas", "sensitive") for t in default_terms(name)]
    words += [i for f in default_ordered_formulas() for i in f.items]
    words += [ld["name"] for ld in LEADERS] + [p for ld in LEADERS for p in ld["posts"]]
    print(f"texts: {len(texts)}, characters: {chars:,} ({utf8 / 1e6:.1f} MB UTF-8), lexicon words: {len(words)}")

    run_rules(texts[:5])  # build and cache the automata outside the timing
    best = min(_timed(run_rules, texts) for _ in range(args.repeat))
    findings = run_rules(texts)
    print(
        f"content rules (W-S3+W-S4+W-V8+W-V9): {best[0]:.2f} s, {chars / best[0] / 1e6:.2f} M chars/s, "
        f"{findings} findings"
    )
    nb = min(_timed(naive, texts, words) for _ in range(1))
    print(f"naive str.find loop, same lexicons (matching only): {nb[0]:.2f} s, {chars / nb[0] / 1e6:.2f} M chars/s")


def _timed(fn, *a):
    t0 = time.perf_counter()
    r = fn(*a)
    return time.perf_counter() - t0, r


if __name__ == "__main__":
    main()
