"""A finding's facts (检查记录) as staff read them: Chinese labels in a stable order, plain values.

The facts are what the rule measured (JSON, stable for exports); here each key gets a label, booleans read
是/否, and the referring pages of a link are listed one a line with their link text.
"""

from __future__ import annotations

from typing import Any

from monitor.model import error_label

LABELS = {
    "target": "链接目标",
    "final_url": "跳转后地址",
    "status": "HTTP 状态",
    "error_kind": "错误类型",
    "reason": "原因",
    "attempts": "尝试次数",
    "soft_404": "页面提示",
    "external": "外部链接",
    "on_home": "首页上有此链接",
    "parent_count": "引用页面数",
    "parents": "所在页面（链接文字）",
    "anchor_text": "链接文字",
    "anchors": "链接文字",
    "anchor": "链接文字",
    "fragment": "页内锚点",
    "column": "栏目",
    "column_url": "栏目地址",
    "column_type": "栏目类型",
    "kind": "类别",
    "newest_date": "最新信息日期",
    "newest_title": "最新信息标题",
    "newest_url": "最新信息地址",
    "newest_pinned": "最新信息为置顶",
    "age_days": "已过天数",
    "period_days": "应更新周期（天）",
    "stale_count": "未更新栏目数",
    "empty_count": "空白栏目数",
    "veto_count": "单项否决阈值（个）",
    "count": "数量",
    "checked": "检查数量",
    "examples": "示例",
    "items": "条目数",
    "list_page": "列表页",
    "list_pages": "列表页",
    "asked": "留言日期",
    "asked_text": "留言时间（原文）",
    "answered": "答复日期",
    "answered_text": "答复时间（原文）",
    "waited_days": "等待天数",
    "max_wait_days": "答复时限（天）",
    "title": "标题",
    "name": "名称",
    "word": "词语",
    "sentence": "所在句子",
    "suggestion": "建议改为",
    "line": "所在行",
    "offset": "位置",
    "occurrences": "出现次数",
    "masked": "脱敏后号码",
    "problem": "问题",
    "part": "部分",
    "part_label": "部分",
    "indicator": "指标",
    "level": "等级",
    "platform": "平台",
    "account": "账号",
    "post_title": "文章标题",
    "post_url": "文章地址",
    "last_known_post": "最近一次发布",
    "published": "发布日期",
    "max_days": "更新时限（天）",
    "cleanup_days": "清理时限（天）",
    "zombie_days": "僵尸号认定（天）",
    "max_per_platform": "每平台账号上限",
    "peers": "同平台账号",
    "content_rule": "内容规则",
    "content_title": "内容标题",
    "footer_code": "页脚标识码",
    "codes_seen": "见到的标识码",
    "page_class": "页面类型",
    "doc_number": "文号",
    "repealed_by": "废止文件地址",
    "repealed_by_title": "废止文件标题",
    "needs_confirmation": "需人工确认",
    "lexicon_source": "词表来源",
    "lexicon_version": "词表版本",
    "text_kind": "文本类型",
    "where": "位置",
    "since": "起始日期",
    "end": "截止日期",
    "detail": "详情",
    "outcome": "结果",
    "quantity": "数量",
    "table_value": "表格数值",
    "text_value": "正文数值",
    "url": "地址",
    "source_url": "所在页面",
    "page_url": "页面地址",
    "host": "主机",
    "expected": "应为",
    "difference": "差额",
    "sum": "合计",
    "total": "总计",
    "year": "年度",
    "similarity": "相似度",
    "deadline": "期限",
    "date": "日期",
    "days_late": "逾期天数",
    "original_url": "原文地址",
    "original_date": "原文日期",
    "query": "搜索词",
    "expected_url": "应搜到的地址",
    "result_url": "搜索结果页",
    "found": "找到",
    "share": "比例",
    "probes": "探测次数",
    "failures": "失败次数",
    "per_day": "每天探测次数",
    "veto_share": "否决比例",
    "warn_share": "提示比例",
    "missing": "缺少",
    "tag": "标签",
    "term": "词语",
    "words": "关键词",
    "verified": "已认证",
    "registered": "已报送",
    "threshold": "阈值",
    "body_chars": "正文字数",
    "copies": "副本数",
    "failed_probes": "失败的探测",
    "failures_by_reason": "失败原因分布",
    "markers": "标记",
    "interaction_columns": "互动栏目",
    "special_channels": "专门渠道",
}
_ORDER = {k: n for n, k in enumerate(LABELS)}


def plain(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return "\n".join(plain(v) for v in value) if value else "—"
    if isinstance(value, dict):
        return "；".join(f"{LABELS.get(k, k)}：{plain(v)}" for k, v in value.items())
    return str(value)


def _parents(value: list) -> str:
    lines = []
    for p in value:
        if isinstance(p, dict):
            text = (p.get("anchor_text") or "").strip()
            lines.append(
                f"{p.get('source_url', '')}"
                + (f"（“{text}”）" if text else "")
                + ("（首页）" if p.get("on_home") else "")
            )
        else:
            lines.append(plain(p))
    return "\n".join(lines)


def labelled(facts: dict | None) -> list[tuple[str, str]]:
    """[(中文标签, 值)] in a reading order: known fields first, the rest after under their own names."""
    rows = []
    for k, v in sorted((facts or {}).items(), key=lambda kv: (_ORDER.get(kv[0], len(_ORDER)), kv[0])):
        if v in (None, "", [], {}):
            continue
        if k == "parents" and isinstance(v, list):
            text = _parents(v)
        elif k == "error_kind" and isinstance(v, str):
            text = error_label(v)  # the stored kind ("dns") as staff read it (域名无法解析)
        else:
            text = plain(v)
        rows.append((LABELS.get(k, k), text))
    return rows
