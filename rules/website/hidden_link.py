"""W-V9b hidden-link: 暗链（页面中隐藏的、指向赌博色情等网站的外部链接）

## What it does
Reads the links the crawler found inside elements the page hides from its
readers (inline ``display:none``, ``visibility:hidden``, zero font size, a box
pushed off-screen, the ``hidden`` attribute; LinkFacts.hidden/hiding) and
reports a hidden link to another site only when it is suspicious:

- **wording** (a 暗链, counted as a veto): its anchor text carries a W-V9 word
  or a gambling/porn/lottery word (``anchor_words``), its host is named like a
  gambling, lottery or porn site (``host_words``), or the crawl fetched its
  target and the page title carries a W-V9 word (the W-S15 facts);
- **black-hat hiding** (a candidate, 待人工确认, not counted until an auditor
  confirms it): a hidden block holding links to ``block_domains`` or more
  unrelated sites, keyword-stuffed anchor texts, or a block pushed off-screen
  or shrunk to font-size 0 around a link to an unrelated site.

Never reported: links to the site's own domain or its sibling subdomains
(same registrable domain), links in blocks a reader opens (drop-down menus,
login pop-ups, share and social widgets: the spider records the block's
class/id word or its script handler), a single hidden link without any
pattern (a CMS credit such as "Produced By 大汉网络", the 找错 service link,
a statistics counter), and widget or social hosts (``widget_domains``)
unless their text carries a word. One finding per target, with every page
that hides it.

## Why is this bad?
A 暗链 (hidden link planted by an intruder to sell search ranking to gambling
or porn sites) is a security incident and a single-veto item (V1: 暗链, 挂马,
篡改); monitoring services list it beside 挂马 and 篡改 (P1, P4). A false one
costs the office its credibility, so only evidence is counted.

## Example
``<div style="display:none"><a href="http://casino.example/">澳门赌场</a></div>``:
a 暗链. ``<div style="position:absolute;left:-9999px">`` around links to five
unknown sites: a candidate. A ``display:none`` login pop-up with 忘记密码, a
bShare 分享到 panel, a hidden ``www.xx.gov.cn`` drop-down: nothing.

## Thresholds
Only inline styles are read.

## Source
S4, S29, P1, P4 (spec/inspection-rules.md W-V9: 暗链); issue 18 (benign hidden links)
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Iterator

from monitor.model import HiddenLink, LinkFacts, Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._unsafe import host_of, under, unsafe_terms


@dataclass(frozen=True)
class Thresholds:
    # government and national media: a hidden link there is reported only for a W-V9 word
    trusted_domains: tuple[str, ...] = (
        "gov.cn",
        "政务",
        "gov",
        "xinhuanet.com",
        "news.cn",
        "people.com.cn",
        "cctv.com",
        "12377.cn",
        "conac.cn",
        "cyberpolice.cn",
    )
    # gambling, porn, lottery words of an anchor text
    anchor_words: tuple[str, ...] = (
        "赌场",
        "赌博",
        "博彩",
        "娱乐城",
        "百家乐",
        "老虎机",
        "真人娱乐",
        "真人视讯",
        "彩票",
        "时时彩",
        "六合彩",
        "北京赛车",
        "pk10",
        "快三",
        "体育投注",
        "投注",
        "下注",
        "棋牌",
        "捕鱼",
        "葡京",
        "威尼斯人",
        "金沙",
        "彩金",
        "开户送",
        "色情",
        "成人",
        "黄色",
        "av",
        "激情",
        "裸聊",
        "约炮",
        "援交",
        "一夜情",
        "伟哥",
        "代孕",
        "办证",
        "代开发票",
        "私服",
        "外挂",
        "网赚",
    )
    # host name parts of gambling, lottery, porn sites
    host_words: tuple[str, ...] = (
        "casino",
        "bocai",
        "caipiao",
        "lottery",
        "baijiale",
        "bjl",
        "yulecheng",
        "duchang",
        "xinpujing",
        "xpj",
        "amxpj",
        "pujing",
        "bet",
        "bet365",
        "betting",
        "poker",
        "slot",
        "slots",
        "sportsbook",
        "vns",
        "weinisi",
        "porn",
        "sex",
        "xxx",
        "jav",
        "hentai",
        "av",
        "seqing",
        "huangse",
        "chengren",
        "pk10",
        "ssc",
        "lhc",
    )
    # share, social and statistics hosts: reported only for a word
    widget_domains: tuple[str, ...] = (
        "bshare.cn",
        "jiathis.com",
        "baidu.com",
        "qq.com",
        "weibo.com",
        "weibo.cn",
        "sina.com.cn",
        "twitter.com",
        "x.com",
        "facebook.com",
        "youtube.com",
        "linkedin.com",
        "instagram.com",
        "douyin.com",
        "toutiao.com",
        "cnzz.com",
        "51.la",
        "umeng.com",
        "hanweb.com",
        "trs.com.cn",
        "kaipuyun.cn",
        "ucap.com.cn",
    )
    block_domains: int = 3  # unrelated sites in one hidden block that make it a black-hat block (candidate)


RULE = Rule(
    id="W-V9b",
    name="hidden-link",
    title="暗链",
    severity=Severity.VETO,
    source="S4, S29, P1, P4",
    thresholds=Thresholds,
    category="安全、泄密事故等严重问题",
)

_STUFF_SPLIT = re.compile(r"[\s,，、|｜/;；_·]+")
_SENTENCE = re.compile(r"[。！？：“”「」《》]")
_REPEAT = re.compile(r"([\w\u4e00-\u9fff]{2,6}).*?\1.*?\1", re.S)


@lru_cache(maxsize=1)
def _extract() -> Any:
    import tldextract

    # the bundled public-suffix snapshot: a rule never fetches
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def registrable(host: str) -> str:
    """www.xx.gov.cn → xx.gov.cn, news.sina.com.cn → sina.com.cn; an IP or a bare name stays as it is."""
    if not host:
        return ""
    parts = _extract()(host)
    return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else host


def host_words(host: str, t: Thresholds) -> list[str]:
    tokens = [tok for tok in re.split(r"[.\-\d_]+", host.lower()) if tok]
    hits = [w for w in t.host_words if w in tokens or (len(w) >= 5 and any(w in tok for tok in tokens))]
    return list(dict.fromkeys(hits))


def anchor_words(text: str, t: Thresholds) -> list[str]:
    low = text.lower()
    out = []
    for w in t.anchor_words:
        if w.isascii():
            if re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low):
                out.append(w)
        elif w in text:
            out.append(w)
    return out


def stuffed(text: str) -> bool:
    """A keyword-stuffed anchor: many short keywords run together, or one keyword three times."""
    text = text.strip()
    if len(text) < 12 or _SENTENCE.search(text):
        return False
    parts = [p for p in _STUFF_SPLIT.split(text) if p]
    if len(parts) >= 5 and sum(map(len, parts)) / len(parts) <= 6:
        return True
    return bool(_REPEAT.search(text))


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    own: str | None = None  # the site's registrable domain, worked out at the first hidden link (most sites have none)
    by_target: dict[str, list[LinkFacts]] = defaultdict(list)
    blocks: dict[tuple[str, int], set[str]] = defaultdict(set)  # (page, hidden block) → unrelated domains
    for link in site.links:
        if not (link.hidden and link.is_external and link.tag == "a"):
            continue
        if own is None:
            own = registrable(host_of(site.home_url))
        host = host_of(link.target_url)
        domain = registrable(host)
        if not host or domain == own:
            continue  # the site's own subdomains: a menu or a sister channel, not another site
        by_target[link.target_url].append(link)
        info = HiddenLink.decode(link.hiding)
        if (
            info is not None
            and not info.ui
            and not under(host, t.trusted_domains)
            and not under(host, t.widget_domains)
        ):
            blocks[(link.source_url, info.block)].add(domain)
    titles = {p.url: p.title for p in site.pages if p.is_external and p.title and (p.status or 0) < 400}

    for target, links in by_target.items():
        host = host_of(target)
        texts = list(dict.fromkeys(link.anchor_text for link in links if link.anchor_text))
        joined = " ".join(texts)
        trusted = under(host, t.trusted_domains)
        words = unsafe_terms(site, joined)
        if not trusted:
            words = list(dict.fromkeys(words + anchor_words(joined, t)))
            words = [w for w in words if not any(w != o and w in o for o in words)]  # 葡京 inside 澳门新葡京
        by_host = [] if trusted else host_words(host, t)
        title = titles.get(target) or ""
        by_title = unsafe_terms(site, title)
        patterns: list[str] = []
        if not trusted and not under(host, t.widget_domains):
            for link in links:
                info = HiddenLink.decode(link.hiding) or HiddenLink("display", -1)
                if info.ui:
                    continue  # a menu, pop-up or widget a reader opens
                crowd = blocks.get((link.source_url, info.block), set())
                if len(crowd) >= t.block_domains:
                    patterns.append(f"同一隐藏区块内有 {len(crowd)} 个不相关网站的链接")
                if info.how in ("offscreen", "font0") or (info.how == "indent" and not info.on_link):
                    patterns.append(
                        {
                            "offscreen": "用定位移出屏幕外隐藏",
                            "font0": "用 0 号字隐藏",
                            "indent": "用缩进移出屏幕外隐藏",
                        }[info.how]
                    )
                if link.anchor_text and stuffed(link.anchor_text):
                    patterns.append("链接文字堆砌关键词")
            patterns = list(dict.fromkeys(patterns))
        if not (words or by_host or by_title or patterns):
            continue
        confirmed = bool(words or by_host or by_title)
        sources = sorted({link.source_url for link in links})
        anchors = texts[:5]
        why = []
        if words:
            why.append(f"链接文字含“{'、'.join(words)}”")
        if by_host:
            why.append(f"域名 {host} 含“{'、'.join(by_host)}”")
        if by_title:
            why.append(f"该网站标题为“{title[:60]}”，含“{'、'.join(by_title)}”")
        why += patterns
        shown = f"（链接文字“{anchors[0][:60]}”）" if anchors else ""
        more = f"等 {len(sources)} 个页面" if len(sources) > 1 else ""
        verdict = "为暗链" if confirmed else "疑似暗链（待人工确认）"
        key = hashlib.sha256(
            "\x1f".join([host, *sorted(words), *sorted(by_host), *sorted(by_title), *sorted(patterns)]).encode()
        ).hexdigest()
        yield RULE.finding(
            subject=target,
            url=sources[0],
            source_url=sources[0],
            evidence=f"页面 {sources[0]}{more}中有读者看不到的链接指向 {target}{shown}，{'，'.join(why)}，{verdict}",
            facts={
                "target": target,
                "host": host,
                "sources": sources[:20],
                "source_count": len(sources),
                "anchors": anchors,
                "words": words,
                "host_words": by_host,
                "title_words": by_title,
                "title": title[:200] or None,
                "patterns": patterns,
                "needs_confirmation": not confirmed,
                "candidate": not confirmed,
                "evidence_key": key,
                "suggestion": "删除被植入的暗链，排查网站安全（篡改、挂马）并修补漏洞"
                if confirmed
                else "核实这些隐藏链接是否为被植入的暗链；确认后删除并排查网站安全，不是暗链请标为“不成立”",
            },
        )
