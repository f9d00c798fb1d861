"""Mailbox list pages (县长信箱, 咨询留言, 网上咨询…): one row per message, with its dates and status.

Pure helpers over a parsel ``Selector``. Two layouts are read:

- a table whose header names the columns (标题 | 留言时间 | 回复时间 | 状态);
- list entries (``li``, ``tr`` or ``div`` holding one link) with labelled dates
  (留言时间：2026-08-15 回复时间：2026-08-20) or a status word (未回复, 办理中…).

A row without a readable 留言/提问 date is not a message row and is skipped.
Nothing here judges whether a message waited too long (W-V7 does).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin

from parsel import Selector

from monitor.model import MessageFacts
from spiders.dates import parse_date

# Words in a list page's ColumnName/ColumnType or name that make it worth reading as a mailbox.
MAILBOX_WORDS = ("信箱", "留言", "咨询", "来信", "诉求", "问政", "投诉")

_ASKED_HEAD = (
    "留言时间",
    "提问时间",
    "来信时间",
    "咨询时间",
    "留言日期",
    "提问日期",
    "来信日期",
    "提交时间",
    "发布时间",
)
_ANSWER_HEAD = ("回复时间", "答复时间", "办结时间", "回复日期", "答复日期", "办结日期", "处理时间")
_STATUS_HEAD = ("状态", "办理状态", "回复状态", "处理状态")
_TITLE_HEAD = ("标题", "主题", "信件标题", "留言标题", "内容")
_ASKED_LABEL = re.compile(r"(?:留言|提问|来信|咨询|提交)(?:时间|日期)\s*[:：]\s*([0-9年月日\-/. :]{6,24})")
_ANSWER_LABEL = re.compile(r"(?:回复|答复|办结|处理)(?:时间|日期)\s*[:：]\s*([0-9年月日\-/. :]{6,24})")
# Status words, longest first so 未回复 is not read as 回复.
PENDING_WORDS = ("未回复", "未答复", "待回复", "待答复", "未办结", "办理中", "处理中", "正在办理", "未处理", "受理中")
DONE_WORDS = ("已回复", "已答复", "已办结", "已处理", "办结", "已反馈")


def _text(node) -> str:
    return " ".join(t.strip() for t in node.xpath(".//text()").getall() if t.strip())


def status_word(text: str) -> str:
    for w in PENDING_WORDS + DONE_WORDS:
        if w in text:
            return w
    return ""


def _header_map(cells: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, c in enumerate(cells):
        c = c.replace(" ", "")
        for key, words in (
            ("asked", _ASKED_HEAD),
            ("answered", _ANSWER_HEAD),
            ("status", _STATUS_HEAD),
            ("title", _TITLE_HEAD),
        ):
            if key not in out and any(w in c for w in words):
                out[key] = i
                break
    return out


def _from_tables(sel: Selector, base: dict, page_url: str, today: date | None) -> list[MessageFacts]:
    rows: list[MessageFacts] = []
    for table in sel.xpath("//table"):
        trs = table.xpath(".//tr")
        if not trs:
            continue
        head = _header_map([_text(c) for c in trs[0].xpath("./th|./td")])
        if "asked" not in head:
            continue
        for tr in trs[1:]:
            cells = tr.xpath("./td|./th")
            texts = [_text(c) for c in cells]
            if len(texts) <= head["asked"]:
                continue
            asked_text = texts[head["asked"]]
            asked = parse_date(asked_text, today=today)
            if asked is None:
                continue
            answered_text = texts[head["answered"]] if "answered" in head and len(texts) > head["answered"] else ""
            status = status_word(texts[head["status"]]) if "status" in head and len(texts) > head["status"] else ""
            link = tr.xpath(".//a[@href]")
            href = link[0].attrib.get("href", "").strip() if link else ""
            title = ((link[0].attrib.get("title") or _text(link[0])) if link else texts[head.get("title", 0)]).strip()
            rows.append(
                MessageFacts(
                    **base,
                    page_url=page_url,
                    url=urljoin(page_url, href) if href else None,
                    title=title[:500],
                    asked=asked,
                    answered=parse_date(answered_text, today=today),
                    status=status,
                    asked_text=asked_text[:100],
                    answered_text=answered_text[:100],
                )
            )
    return rows


def _from_entries(sel: Selector, base: dict, page_url: str, today: date | None) -> list[MessageFacts]:
    rows: list[MessageFacts] = []
    for entry in sel.xpath("//li[.//a[@href]] | //div[.//a[@href]][not(.//div)][not(.//li)]"):
        links = entry.xpath(".//a[@href]")
        if len(links) != 1:
            continue
        text = _text(entry)
        m_asked = _ASKED_LABEL.search(text)
        if not m_asked:
            continue
        asked = parse_date(m_asked.group(1), today=today)
        if asked is None:
            continue
        m_ans = _ANSWER_LABEL.search(text)
        href = links[0].attrib.get("href", "").strip()
        rows.append(
            MessageFacts(
                **base,
                page_url=page_url,
                url=urljoin(page_url, href) if href else None,
                title=(links[0].attrib.get("title") or _text(links[0])).strip()[:500],
                asked=asked,
                answered=parse_date(m_ans.group(1), today=today) if m_ans else None,
                status=status_word(text),
                asked_text=m_asked.group(1).strip()[:100],
                answered_text=m_ans.group(1).strip()[:100] if m_ans else "",
            )
        )
    return rows


def mailbox_rows(
    sel: Selector, page_url: str, *, column_url: str, column_name: str = "", today: date | None = None
) -> list[MessageFacts]:
    """Every message row of a mailbox list page, tables first; a URL listed twice is kept once."""
    base = {"column_url": column_url, "column_name": column_name}
    found = _from_tables(sel, base, page_url, today) or _from_entries(sel, base, page_url, today)
    seen: set[str] = set()
    out = []
    for r in found:
        key = r.url or f"{r.title}|{r.asked}"
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out


def looks_like_mailbox(name: str | None, column_type: str | None, words: tuple[str, ...] = MAILBOX_WORDS) -> bool:
    """A list page worth reading as a mailbox, by its ColumnName/ColumnType."""
    text = f"{name or ''} {column_type or ''}"
    return any(w in text for w in words)
