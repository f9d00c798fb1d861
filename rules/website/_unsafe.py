"""The W-V9 lexicon (gambling, porn, violence …) for site rules that judge link texts and page titles."""

from __future__ import annotations

from urllib.parse import urlsplit

from monitor.model import SiteFacts
from rules import thresholds_for
from rules.content.unsafe_content import find_unsafe


def unsafe_terms(site: SiteFacts, text: str) -> list[str]:
    """The W-V9 words in ``text``, with the deployment's W-V9 additions (sites.yaml thresholds) applied."""
    if not text:
        return []
    t = thresholds_for("W-V9", site.thresholds)
    return list(dict.fromkeys(term.word for term, _, _ in find_unsafe(text, t)))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def under(host: str, domains: tuple[str, ...]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one."""
    return any(host == d or host.endswith("." + d) for d in domains)
