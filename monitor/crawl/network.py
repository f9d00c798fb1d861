"""Is it the sites or our own network? A crawl whose external links almost all fail the same way, or whose
reference site cannot be reached, says more about the machine than about the sites.

Computed once per run from the run's own facts (the external link checks and the reference fetches) and kept
in ``crawl_runs.network``; the crawl summary and ``monitor status`` show it, and W-S1 then reports the failed
external links as unverified instead of broken: nobody is accused for a server without DNS or a proxy down.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from monitor.model import ErrorKind, error_label

# failures that a broken local network produces for every host alike
NETWORK_KINDS = (ErrorKind.DNS, ErrorKind.REFUSED, ErrorKind.TIMEOUT, ErrorKind.RESET, ErrorKind.TLS, ErrorKind.OTHER)


def assess(
    external: list[tuple[str, str | None, int | None]],
    reference: list[tuple[str, str | None]],
    *,
    share: float = 0.8,
    min_hosts: int = 5,
) -> str | None:
    """A Chinese sentence when the local network looks broken, else None.

    ``external``: (url, error_kind, status) of the run's external link checks; ``reference``: (url, error_kind)
    of the configured reference sites (error_kind None: it answered)."""
    for url, kind in reference:
        if kind:
            return (
                f"本机网络异常：参照网站 {url} 无法访问（{error_label(kind)}），"
                f"外部链接的失败不能归咎于被检查网站，已标为无法核实"
            )
    hosts: dict[str, str | None] = {}
    for url, kind, status in external:
        host = (urlsplit(url).hostname or "").lower()
        if not host:
            continue
        ok = kind is None and status is not None
        # a host counts as failing only if every URL on it failed (one answer proves the host reachable)
        if ok:
            hosts[host] = None
        elif host not in hosts:
            hosts[host] = kind
    if len(hosts) < min_hosts:
        return None
    failing = Counter(kind for kind in hosts.values() if kind in NETWORK_KINDS)
    if not failing:
        return None
    kind, n = failing.most_common(1)[0]
    if n / len(hosts) < share:
        return None
    return (
        f"本机网络异常：{len(hosts)} 个外部网站中有 {n} 个{error_label(kind)}，"
        f"多为本机网络（DNS、代理或出口）故障，外部链接的失败已标为无法核实，不作为问题"
    )
