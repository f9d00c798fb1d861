"""Why a fetch failed: one short, stable kind per failure, and the one Chinese label staff read for it.

Spiders store the kind (``pages.error_kind``, ``probes.error_kind``, ``search_checks.error_kind``, the feeds'
link checks); rules judge it; notices, the dashboard and the command line show :func:`error_label`. The values
are the strings already in the database, so adding a kind never needs a migration, and every label is written
here once. How an exception becomes a kind is the spiders' business (``spiders.errors``).
"""

from __future__ import annotations

import enum

__all__ = ["ErrorKind", "error_label"]


class ErrorKind(enum.StrEnum):
    """A failed request's reason, as stored (a fact, not a verdict); ``str(kind)`` is the stored value."""

    DNS = "dns"  # the host name did not resolve
    REFUSED = "refused"  # nothing listens on the port
    TIMEOUT = "timeout"  # no (complete) answer in time
    RESET = "reset"  # the connection dropped mid-answer
    TLS = "tls"  # handshake or certificate failure
    REDIRECTS = "redirects"  # too many redirects, or a loop
    TOO_LARGE = "too_large"  # the answer passed the size limit and was cancelled
    BLOCKED = "blocked"  # the address is this machine or the intranet: never requested (spiders.netguard)
    OUT_OF_SCOPE = "out_of_scope"  # outside the site's crawl scope: never requested
    OFFSITE = "offsite"  # a re-check followed a redirect to another site and stopped there
    HTTP = "http"  # a probe got an answer, but an HTTP error status (the status is stored beside it)
    OTHER = "other"  # any other network failure

    @property
    def label(self) -> str:
        """The Chinese words for this kind, as a notice, the dashboard or the command line shows them."""
        return _LABELS[self]


_LABELS: dict[ErrorKind, str] = {
    ErrorKind.DNS: "域名无法解析",
    ErrorKind.REFUSED: "连接被拒绝",
    ErrorKind.TIMEOUT: "请求超时",
    ErrorKind.RESET: "连接被重置",
    ErrorKind.TLS: "TLS/证书错误",
    ErrorKind.REDIRECTS: "重定向过多或循环",
    ErrorKind.TOO_LARGE: "内容超过大小上限",
    ErrorKind.BLOCKED: "指向本机或内网地址，未访问",
    ErrorKind.OUT_OF_SCOPE: "超出检查范围，未访问",
    ErrorKind.OFFSITE: "重定向到其他网站",
    ErrorKind.HTTP: "HTTP 错误",
    ErrorKind.OTHER: "网络错误",
}
# a redirect failure whose detail says it came back to a page already visited (spiders.site)
_LOOP = "重定向循环"


def error_label(kind: str | None, detail: str | None = None) -> str:
    """The label of a stored kind; ``None`` reads as OTHER, an unknown string (an older row) as itself.

    ``detail`` refines where the kind alone says less than the fact: a redirect loop is named a loop."""
    if kind is None:
        return ErrorKind.OTHER.label
    try:
        known = ErrorKind(kind)
    except ValueError:
        return kind
    if known is ErrorKind.REDIRECTS and detail and "loop" in detail.lower():
        return _LOOP
    return known.label
