"""W-S7 domain-not-gov: 网站域名不规范

## What it does
Reads the host of the site's home URL and flags it when it is a bare IP
address (IP-only access), or a name that does not end in one of the allowed
government suffixes (.gov.cn, or the Chinese suffix .政务, also in its
punycode form .xn--zfr164b).

Loopback and local hosts (localhost, 127.0.0.1, ::1 by default) are exempt:
they are where the bundled demo and the tests serve a site, no member of the
public can reach them, and no inspector would judge their name. A real site
configured by IP address is flagged like any other.

## Why is this bad?
《政府网站发展指引》 requires English domains ending in .gov.cn (portal
www.□□□.gov.cn, departments under the government's domain); national notices
cite sites on .com domains (S35), and IP-only access is criticised (S21).

## Example
http://www.example-county.com/: flagged, not under .gov.cn.
http://10.12.0.8/: flagged, IP-only. http://www.sx.gov.cn/ and http://127.0.0.1:8080/: not flagged.

## Thresholds

## Source
G3, S21, S35, S38 (spec/inspection-rules.md W-S7)
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date
from typing import Iterator
from urllib.parse import urlsplit

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule


@dataclass(frozen=True)
class Thresholds:
    allowed_suffixes: tuple[str, ...] = (".gov.cn", ".政务", ".xn--zfr164b")  # government domain suffixes
    exempt_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")  # hosts never judged (local tests)


RULE = Rule(
    id="W-S7",
    name="domain-not-gov",
    title="网站域名不规范",
    severity=Severity.DEDUCTION,
    source="G3, S21, S35, S38",
    thresholds=Thresholds,
    category="网站域名不规范",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    host = (urlsplit(site.home_url).hostname or "").lower().rstrip(".")
    if not host or host in t.exempt_hosts:
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        if ip.is_loopback and any(h in t.exempt_hosts for h in ("127.0.0.1", "::1")):
            return
        yield RULE.finding(
            subject=host,
            url=site.home_url,
            evidence=f"网站以 IP 地址 {host} 访问，没有使用 .gov.cn 政府网站域名",
            facts={"host": host, "ip_only": True, "allowed_suffixes": list(t.allowed_suffixes)},
        )
        return
    if any(host.endswith(s) for s in t.allowed_suffixes):
        return
    yield RULE.finding(
        subject=host,
        url=site.home_url,
        evidence=f"网站域名 {host} 不以 {' 或 '.join(t.allowed_suffixes[:2])} 结尾",
        facts={"host": host, "ip_only": False, "allowed_suffixes": list(t.allowed_suffixes)},
    )
