"""Each rule explained to its users in Chinese: what it checks, the threshold in plain words, and the basis.

The module docstrings of the rules are for developers (English, spec codes); staff and units read this,
in `monitor rule X` and the dashboard's 规则库. The threshold sentence is built from the thresholds in effect,
so a site's override shows as it is applied. A rule without its sentence yet (or whose sentence no longer
fits its thresholds) shows its settings listed from its thresholds dataclass (``settings``), the same
listing that generates the ``## Thresholds`` section of its documentation, never a stale sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from rules.base import Rule, threshold_fields

INDICATORS = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）"
GUIDE = "《政府网站发展指引》（国办发〔2017〕47号）"
NEWMEDIA = "《国务院办公厅关于推进政务新媒体健康有序发展的意见》（国办发〔2018〕123号）"
ANNUAL = "《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）"


def _words(items: Any, n: int = 6) -> str:
    items = [str(x) for x in (items or ())]
    return "、".join(items[:n]) + ("等" if len(items) > n else "")


def _md(text: str) -> str:
    m, d = (int(x) for x in text.split("-"))
    return f"{m} 月 {d} 日"


def _months(days: int) -> str:
    return {14: "2 周", 61: "2 个月", 92: "3 个月", 90: "3 个月", 183: "6 个月", 365: "1 年"}.get(days, f"{days} 天")


@dataclass(frozen=True)
class Explanation:
    checks: str
    threshold: Callable[[Any], str]
    basis: str


E = Explanation
EXPLAIN: dict[str, Explanation] = {
    "W-V1": E(
        "每天多次访问网站首页，统计打不开的比例（超过 15 秒仍未打开、或返回错误即算一次失败）。",
        lambda t: (
            f"连续 {t.window_days} 天、每天至少探测 {t.min_probes_per_day} 次，累计失败比例达到 "
            f"{t.veto_share:.0%} 即单项否决（{t.warn_share:.0%} 起提示）；被拦截（HTTP "
            f"{_words(t.uncounted_statuses)}）的探测不计入。"
        ),
        f"{INDICATORS}单项否决指标“站点无法访问”。",
    ),
    "W-V2": E(
        "查看首页最新一条信息的发布日期；首页没有带日期的信息也视为未更新。",
        lambda t: f"首页超过 {t.max_age_days} 天没有新信息即单项否决。",
        f"{INDICATORS}单项否决指标“首页不更新”。",
    ),
    "W-V3": E(
        "查看动态、要闻类栏目和通知公告、政策文件类一级栏目的最新信息日期。",
        lambda t: (
            f"动态要闻类栏目超过 {_months(t.news_days)}、通知公告和政策文件类一级栏目超过 "
            f"{_months(t.notice_policy_days)}未更新的，累计 {t.veto_count} 个及以上即单项否决。"
        ),
        f"{INDICATORS}单项否决指标“栏目不更新”第 1 项。",
    ),
    "W-V4": E(
        "查看其他应定期更新的栏目（人事、规划计划类，以及二级及以下的通知公告、政策文件类栏目）。",
        lambda t: (
            f"人事、规划计划类栏目超过 {_months(t.personnel_planning_days)}、其他通知公告和政策文件类栏目超过 "
            f"{_months(t.notice_policy_days)}未更新，累计 {t.veto_count} 个及以上即单项否决。"
        ),
        f"{INDICATORS}单项否决指标“栏目不更新”第 2 项（应更新但长期未更新）。",
    ),
    "W-V5": E(
        "查找没有任何内容的列表栏目（无信息或显示“暂无信息”）；机构概况等单页栏目不算。",
        lambda t: f"空白栏目 {t.veto_count} 个及以上即单项否决，不足的按扣分问题通报。",
        f"{INDICATORS}单项否决指标“栏目不更新”第 3 项（空白栏目）。",
    ),
    "W-V6": E(
        "查找网上咨询、建议类渠道（如领导信箱、在线咨询、留言板，也可以链接到统一的互动平台）。",
        lambda t: f"找不到任何咨询或建议渠道即单项否决；只有{_words(t.exclude_words, 4)}专门渠道的不算。",
        f"{INDICATORS}单项否决指标“互动回应差”第 1 项。",
    ),
    "W-V7": E(
        "读取政务咨询类栏目的留言列表，核对每条留言的提问和答复日期。",
        lambda t: (
            f"近 {_months(t.window_days)}内的有效留言超过 {_months(t.max_wait_days)}未答复即单项否决"
            + ("（超期后才答复的也算）" if t.count_late_answers else "")
            + "。"
        ),
        f"{INDICATORS}单项否决指标“互动回应差”第 2 项。",
    ),
    "W-V8": E(
        "在网页、附件、新媒体文章中查找严重表述错误：领导人姓名职务及排序、国家名称、重要政治表述的错误写法。",
        lambda t: "发现 1 处即列为单项否决问题（请人工核实后通报）。",
        f"{INDICATORS}单项否决指标“安全、泄密事故等严重问题”第 1 项（严重表述错误）。",
    ),
    "W-V9": E(
        "在网页、附件、新媒体文章中查找反动、暴力、色情、赌博等内容；打击、通报此类活动的正常报道不算。",
        lambda t: "发现 1 处即列为单项否决问题（请人工核实后通报）。",
        f"{INDICATORS}单项否决指标“安全、泄密事故等严重问题”第 3 项。",
    ),
    "W-V9b": E(
        "查找网页中被隐藏、读者看不到的外部链接（常见于网站被植入暗链）。",
        lambda t: f"隐藏的链接指向非政府网站即列为单项否决问题；指向{_words(t.trusted_domains, 4)}可信网站的不算。",
        f"{INDICATORS}单项否决指标“安全、泄密事故等严重问题”第 3、4 项（不安全链接、内容被篡改）。",
    ),
    "W-V10": E(
        "比较各篇文章的正文，查找同一正文换个日期重新发布的情况。",
        lambda t: f"近 {t.window_days} 天内发现同一正文（不少于 {t.min_chars} 字）以不同日期发布即列为单项否决问题。",
        f"{INDICATORS}单项否决指标“安全、泄密事故等严重问题”第 5 项（弄虚作假，如伪造发稿日期）。",
    ),
    "W-S1": E(
        "逐个访问网页中的链接、图片和附件，找出打不开的（含外部链接）及页内锚点不存在的。",
        lambda t: (
            f"返回 HTTP {_words(t.broken_statuses)} 或服务器错误、域名无法解析、连接被拒绝、证书错误、重定向循环的"
            f"算作不可用，每个扣分；被拦截（HTTP {_words(t.unverified_statuses)}）或超时的列为“待核实”，不扣分。"
        ),
        f"{INDICATORS}扣分指标“功能设计—可用性”（链接可用性）。",
    ),
    "W-S2": E(
        "查看政策文件、办事统计、留言答复等重点栏目的最新信息日期。",
        lambda t: (
            f"政策文件类超过 {_months(t.policy_days)}、办事统计类超过 {_months(t.service_stats_days)}、"
            f"留言答复类超过 {_months(t.replies_days)}未更新的，每个扣分。"
        ),
        f"{INDICATORS}扣分指标“发布解读”“办事服务—办事统计”“互动交流—办理答复”。",
    ),
    "W-S3": E(
        "在网页、附件、新媒体文章中查找常见错别字和过时表述（如已更名机构的旧称）。",
        lambda t: f"每处扣分；同一页面最多列出 {t.max_occurrences} 处。",
        f"{INDICATORS}扣分指标“内容准确”；严重错误按单项否决（W-V8）处理。",
    ),
    "W-S4": E(
        "在网页和附件（PDF、Word、Excel）中查找未脱敏的身份证号、手机号、银行卡号。",
        lambda t: "发现 1 处即扣分；公开的咨询、服务电话不算；通报中号码只显示脱敏后的形式（如 138****1234）。",
        "《2018年政务公开工作要点》（国办发〔2018〕23号）：涉及个人隐私的信息公开前应去标识化处理。",
    ),
    "W-S5": E(
        "查看网页底部是否有党政机关网站标识（“红色标识”）。",
        lambda t: "首页底部没有党政机关网站标识即扣分。",
        f"{GUIDE}：网站须在底部功能区展示党政机关网站标识、网站标识码、ICP 备案编号和公安机关备案标识。",
    ),
    "W-S6": E(
        "检查网页源代码中规定的元数据（网站名称、域名、网站标识码，栏目和文章信息）是否齐全、格式正确。",
        lambda t: (
            f"缺少{_words(t.site_tags)}等必填元数据，或网站标识码格式不对（应为 10 位数字，中央部门为 bm 加 8 位数字）的，扣分。"
        ),
        f"{GUIDE}附件《政府网站网页设计规范》。",
    ),
    "W-S7": E(
        "检查网站域名是否为规范的政府网站域名。",
        lambda t: f"域名不以{_words([x for x in t.allowed_suffixes if not x.startswith('.xn--')])}结尾即扣分。",
        f"{GUIDE}：政府网站使用 .gov.cn 域名。",
    ),
    "W-S8": E(
        "检查网站是否能通过 IPv6 访问。",
        lambda t: "不支持 IPv6 的作提示，不扣分。",
        "《推进互联网协议第六版（IPv6）规模部署行动计划》。",
    ),
    "W-S9": E(
        "检查网站是否提供有效的 HTTPS 访问。",
        lambda t: "未提供有效 HTTPS 的作提示，不扣分。",
        "网络安全有关要求（检查指标中无统一扣分标准）。",
    ),
    "W-S10": E(
        "找到首页的站内搜索框，搜索一篇已发布文章的标题，看能否搜到。",
        lambda t: "没有站内搜索、搜索无法使用或搜不到已发布文章的，扣分。",
        f"{INDICATORS}扣分指标“功能设计—搜索功能”。",
    ),
    "W-S11": E(
        "查看首页是否有“我为政府网站找错”入口。",
        lambda t: "首页没有该入口即扣分。" if t.required else "仅作提示。",
        f"国务院办公厅关于开通“我为政府网站找错”功能的要求；{INDICATORS}扣分指标“功能设计”。",
    ),
    "W-S12": E(
        "检查政策解读是否与其解读的政策文件相互关联（互有链接）。",
        lambda t: "解读页面没有链接到政策原文的，每篇扣分。",
        f"{INDICATORS}扣分指标“发布解读—解读关联”。",
    ),
    "W-S13": E(
        "检查政策文件栏目中已废止、失效的文件是否明确标注。",
        lambda t: "正文或其他文件说明已废止、失效，但文件本身未标注的，每篇扣分。",
        f"{GUIDE}：修改、废止、失效的文件应明确标注。",
    ),
    "W-S14": E(
        "查看首页是否发布了上一年度的政府网站工作年度报表。",
        lambda t: f"每年 {t.deadline_month} 月 {t.deadline_day} 日后首页仍找不到上年度报表的，扣分。",
        f"{GUIDE}：每年 1 月 31 日前在首页显著位置发布上一年度网站工作年度报表。",
    ),
    "W-S15": E(
        "检查外部链接指向的网站是否已变质（如域名过期后变成赌博、色情等网站）。",
        lambda t: "外部链接指向的网站内容已变质的，每个扣分。",
        f"{INDICATORS}扣分指标“功能设计—可用性”。",
    ),
    "W-S16": E(
        "查看首页是否提供适老化或无障碍浏览入口。",
        lambda t: f"首页找不到{_words(t.entrance_words, 4)}入口的作提示，不扣分。",
        "工业和信息化部《互联网应用适老化及无障碍改造专项行动方案》及《互联网网站适老化通用设计规范》。",
    ),
    "N-V1": E(
        "查看政务新媒体账号最近一次发布的日期。",
        lambda t: (
            f"超过 {_months(t.max_days)}（{t.max_days} 天）没有新发布即单项否决；数据源无法访问的账号列为“无法核实”，不判定。"
        ),
        f"{INDICATORS}政务新媒体单项否决指标“内容不更新”；{NEWMEDIA}。",
    ),
    "N-V3": E(
        "在政务新媒体发布的内容中查找严重表述错误、敏感内容、错别字和个人信息泄露。",
        lambda t: "严重表述错误和敏感内容单项否决，其他问题扣分。",
        f"{INDICATORS}政务新媒体单项否决指标“安全”；{NEWMEDIA}。",
    ),
    "N-S1": E(
        "找出长期不发布的“僵尸”账号。",
        lambda t: (
            f"超过 {_months(t.cleanup_days)}未发布的列入清理整合名单，超过 {_months(t.zombie_days)}未发布的认定为僵尸号，扣分。"
        ),
        f"{NEWMEDIA}：对长期不更新的账号进行清理整合。",
    ),
    "N-S2": E(
        "逐个访问政务新媒体文章中的链接，找出打不开的。",
        lambda t: (
            f"返回 HTTP {t.broken_statuses_from} 及以上错误的每个扣分；被拦截（HTTP {_words(t.ignore_statuses)}）的不算。"
        ),
        f"{INDICATORS}政务新媒体扣分指标“功能无法使用”。",
    ),
    "N-S3": E(
        "检查同一单位在同一平台是否重复开设账号，账号是否认证、是否已报送。",
        lambda t: f"同一单位在同一平台超过 {t.max_per_platform} 个账号，或账号未认证、未报送的，扣分。",
        f"{NEWMEDIA}：原则上一个单位在同一平台只开设一个账号。",
    ),
    "A-1": E(
        "核对年度报告表三（收到和处理政府信息公开申请情况）的收支是否平衡。",
        lambda t: "本年新收加上年结转，应等于办理结果总计加结转下年度；不相等即扣分。",
        ANNUAL + "。",
    ),
    "A-2": E("核对年度报告表三“办理结果”的总计与各分项之和。", lambda t: "总计与分项之和不符即扣分。", ANNUAL + "。"),
    "A-3": E(
        "核对年度报告表三总计列与各类申请人列之和。", lambda t: "总计列与各类申请人之和不符即扣分。", ANNUAL + "。"
    ),
    "A-4": E(
        "核对年度报告表四（行政复议、行政诉讼情况）的总计与分项之和。",
        lambda t: "总计与分项之和不符即扣分。",
        ANNUAL + "。",
    ),
    "A-5": E(
        "核对本年报告的“上年结转”与上一年度报告的“结转下年度”是否一致。", lambda t: "两者不一致即扣分。", ANNUAL + "。"
    ),
    "A-6": E(
        "核对年度报告正文中的数字与表格、合计是否一致。", lambda t: "正文数字与合计或表格不符即扣分。", ANNUAL + "。"
    ),
    "A-7": E(
        "检查年度报告是否使用 2021 年起施行的新格式。",
        lambda t: f"{t.first_year} 年度起仍使用旧格式的扣分。",
        ANNUAL + "。",
    ),
    "A-8": E(
        "检查年度报告是否按时发布、是否与上一年度报告雷同。",
        lambda t: (
            f"部门报告在 {_md(t.department_deadline)}后、政府报告在 "
            f"{_md(t.government_deadline)}后发布，或与上年报告相似度超过 "
            f"{t.max_similarity:.0%} 的，扣分。"
        ),
        "《中华人民共和国政府信息公开条例》第五十条；" + ANNUAL + "。",
    ),
    "A-9": E(
        "核对本年报告的现行有效规范性文件件数与上年是否衔接。", lambda t: "不衔接的作提示，不扣分。", ANNUAL + "。"
    ),
}


def settings(rule: Rule, thresholds: Any = None) -> str:
    """The rule's settings in effect, listed from its thresholds dataclass (the same listing as the generated
    ``## Thresholds`` of its documentation): what a rule without its Chinese sentence shows."""
    t = thresholds if thresholds is not None else rule.default_thresholds()
    parts = []
    for f in threshold_fields(rule.thresholds):
        value = getattr(t, f.name, f.default)
        shown = "、".join(str(x) for x in value) if isinstance(value, (tuple, list)) else str(value)
        parts.append(f"{f.name} = {shown}" + ("" if value == f.default else f"（默认 {f.default}）"))
    return "可调阈值：" + "；".join(parts) + "。" if parts else "该规则没有可调的阈值。"


def explain(rule: Rule, thresholds: Any = None) -> dict[str, str]:
    """{"checks", "threshold", "basis"} for a rule, in Chinese; thresholds default to the rule's own."""
    e = EXPLAIN.get(rule.id)
    t = thresholds if thresholds is not None else rule.default_thresholds()
    if e is None:  # a new rule without its Chinese sentence yet: its settings, from its dataclass
        return {"checks": rule.title, "threshold": settings(rule, t), "basis": INDICATORS}
    try:
        threshold = e.threshold(t)
    except (AttributeError, TypeError, ValueError):
        threshold = settings(rule, t)
    return {"checks": e.checks, "threshold": threshold, "basis": e.basis}
