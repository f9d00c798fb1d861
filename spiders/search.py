"""The site search on a home page (站内搜索, W-S10): finding its form and reading its result page.

The spider looks for a search form on the home page, searches for the title of
an item the home page lists, and records whether the first result page links
that item. It records facts only: W-S10 judges them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector

# names search boxes of Chinese CMSs use (TRS searchword, 拓尔思/开普 keyword, q, wd …)
_FIELD_NAMES = (
    "q",
    "query",
    "keyword",
    "keywords",
    "searchword",
    "searchkey",
    "kw",
    "wd",
    "word",
    "key",
    "search",
    "sw",
    "text",
    "title",
    "content",
    "searchtext",
    "qt",
)
_SEARCHY = re.compile(r"search|sousuo|jsearch|query|find|sskj|\bss\b", re.I)
_CUE_WORDS = ("搜索", "检索", "关键字", "关键词", "查询")
_TEXT_INPUT = ".//input[not(@type) or @type='text' or @type='search']"


@dataclass(frozen=True)
class SearchForm:
    action: str  # absolute URL the form submits to
    method: str  # get | post
    field: str  # the name of the text box
    params: dict[str, str] = field(default_factory=dict)  # the form's hidden inputs


def _cues(node: Selector) -> str:
    attrs = " ".join(
        node.attrib.get(a, "") for a in ("id", "class", "name", "placeholder", "value", "title", "action", "onsubmit")
    )
    return attrs


def search_form(sel: Selector, page_url: str) -> SearchForm | None:
    """The first form that looks like a site search: a text box, and search wording in the form's attributes,
    the box's name or placeholder, or its submit button."""
    for form in sel.xpath("//form")[:30]:
        boxes = [b for b in form.xpath(_TEXT_INPUT) if b.attrib.get("name")]
        if not boxes:
            continue
        buttons = " ".join(
            form.xpath(
                ".//button//text() | .//input[@type='submit' or @type='image']/@value"
                " | .//input[@type='submit' or @type='image']/@alt"
            ).getall()
        )
        named = [b for b in boxes if b.attrib["name"].strip().lower() in _FIELD_NAMES]
        hay = _cues(form) + " " + " ".join(_cues(b) for b in boxes) + " " + buttons
        if not (named or _SEARCHY.search(hay) or any(w in hay for w in _CUE_WORDS)):
            continue
        box = (named or boxes)[0]
        params = {}
        for hidden in form.xpath(".//input[@type='hidden'][@name]")[:20]:
            params[hidden.attrib["name"]] = hidden.attrib.get("value", "")
        method = (form.attrib.get("method") or "get").strip().lower()
        action = urljoin(page_url, (form.attrib.get("action") or "").strip() or page_url)
        return SearchForm(
            action=action, method="post" if method == "post" else "get", field=box.attrib["name"].strip(), params=params
        )
    return None


def search_box_only(sel: Selector) -> bool:
    """A search box with no form to submit (a script builds the query): present, but not testable here."""
    for box in sel.xpath("//input[not(@type) or @type='text' or @type='search']")[:50]:
        hay = _cues(box)
        if _SEARCHY.search(hay) or any(w in hay for w in _CUE_WORDS):
            return True
    return False


_QUERY_TRIM = re.compile(r"[【】\[\]（）()《》“”\"'、，,。：:！!？?\s]+")


def search_query(title: str, limit: int = 30) -> str:
    """What an inspector types for a published title: its words without brackets and punctuation."""
    return " ".join(p for p in _QUERY_TRIM.split(title) if p)[:limit].strip()


def result_links_to(sel: Selector, result_url: str, expected_url: str, title: str, canonical) -> bool:
    """Whether the result page links the expected item: by its URL, or by a link whose text holds the title."""
    want = canonical(expected_url)
    for a in sel.xpath("//a[@href]")[:2000]:
        href = a.attrib["href"].strip()
        if href and not href.lower().startswith(("javascript:", "#")) and canonical(urljoin(result_url, href)) == want:
            return True
        text = "".join(a.xpath(".//text()").getall())
        terms = title.split()
        if terms and sum(map(len, terms)) >= 4 and all(t in text for t in terms):
            return True
    return False
