"""Launching Chromium for untrusted pages, and the one gate every browser request goes through.

Both users of the browser (list pages rendered during a crawl, ``monitor.crawl.browser``; evidence
screenshots, ``spiders.evidence``) run a stranger's JavaScript. Three layers keep it in:

1. **The sandbox stays on.** Chromium will not sandbox itself as root, so as root we start it
   through ``chromium-as-user.sh`` as an unprivileged user (``MONITOR_BROWSER_USER``, default
   ``nobody``) with the sandbox on, instead of passing ``--no-sandbox``. Not root: started directly,
   sandbox on.
2. **Every request is routed through us** (Playwright ``context.route``): we fetch it ourselves,
   one redirect hop at a time, checking each hop against the caller's origin rule and the
   ``NetPolicy`` (no loopback/private addresses but the configured site's own), then hand the
   answer to the page. Navigation away from the page is refused.
3. **Chromium cannot reach anything on its own.** It is launched with a proxy that does not exist
   and a host resolver that resolves nothing, so whatever escapes the route (the follow-up of a
   redirect, a WebSocket, a request the route does not see) fails instead of reaching the network.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin, urlsplit

from spiders.netguard import NetPolicy

CHROMIUM = "/usr/bin/chromium"
WRAPPER = str(Path(__file__).with_name("chromium-as-user.sh"))
BASE_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # layer 3: no route of its own to any network (see the module docstring)
    "--proxy-server=http://blackhole.invalid:1",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
]
MAX_HOPS = 5
MAX_REQUESTS_PER_PAGE = 300  # a page that asks for more gets the rest refused
CONTEXT_OPTIONS = {"service_workers": "block", "accept_downloads": False}


def launch_options(executable: str = CHROMIUM) -> dict:
    """Playwright ``launch`` options: headless, sandboxed, cut off from the network."""
    # Playwright passes --no-sandbox unless told otherwise
    opts: dict = {"headless": True, "chromium_sandbox": True, "args": list(BASE_ARGS)}
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        opts["executable_path"] = WRAPPER
        opts["env"] = {
            **os.environ,
            "MONITOR_CHROMIUM_REAL": executable,
            "MONITOR_BROWSER_USER": os.environ.get("MONITOR_BROWSER_USER", "nobody"),
        }
    else:
        opts["executable_path"] = executable
    return opts


def _strip(url: str) -> str:
    return url.split("#", 1)[0]


def same_origin(page_url: str) -> Callable[[str], bool]:
    parts = urlsplit(page_url)
    origin = (parts.scheme, parts.hostname, parts.port)

    def allow(url: str) -> bool:
        p = urlsplit(url)
        return (p.scheme, p.hostname, p.port) == origin

    return allow


class Gate:
    """The route handler's decisions for one page: ``allow(url, resource_type)`` says what the caller's
    scope admits; the gate adds the network policy, the hop-by-hop redirects, the navigation rule
    and a request budget."""

    def __init__(self, page_url: str, policy: NetPolicy, allow: Callable[[str, str], bool]):
        self.page_url = _strip(page_url)
        self.policy = policy
        self.allow = allow
        self.count = 0
        self.refused: list[str] = []

    def first_check(self, request) -> str:
        """``ok``, ``refuse`` (the request fails) or ``stay`` (a navigation away: cancelled as ERR_ABORTED,
        which keeps the page as it is; any other error would replace it with an error page)."""
        self.count += 1
        if self.count > MAX_REQUESTS_PER_PAGE:
            return "refuse"
        try:
            top = request.is_navigation_request() and request.frame.parent_frame is None
        except Exception:
            top = False
        if top and _strip(request.url) != self.page_url:
            return "stay"  # the page may not take the browser elsewhere
        return "ok"

    def hop_ok(self, url: str, resource_type: str) -> bool:
        return self.allow(url, resource_type) and self.policy.refuse(url) is None

    def note(self, url: str) -> None:
        if len(self.refused) < 50:
            self.refused.append(url[:300])


async def route_async(gate: Gate, route, request) -> None:
    url, rtype = request.url, request.resource_type
    first = gate.first_check(request)
    if first != "ok":
        gate.note(url)
        await route.abort("aborted" if first == "stay" else "blockedbyclient")
        return
    try:
        for _ in range(MAX_HOPS + 1):
            if not gate.hop_ok(url, rtype) or await gate.policy.acheck(url) is not None:
                gate.note(url)
                await route.abort("blockedbyclient")
                return
            resp = await route.fetch(url=url, max_redirects=0)
            location = resp.headers.get("location")
            if 300 <= resp.status < 400 and location:
                url = urljoin(url, location)
                continue
            await route.fulfill(response=resp)
            return
        await route.abort("failed")
    except Exception:
        try:
            await route.abort("failed")
        except Exception:
            pass


def route_sync(gate: Gate, route, request) -> None:
    url, rtype = request.url, request.resource_type
    first = gate.first_check(request)
    if first != "ok":
        gate.note(url)
        route.abort("aborted" if first == "stay" else "blockedbyclient")
        return
    try:
        for _ in range(MAX_HOPS + 1):
            if not gate.hop_ok(url, rtype) or gate.policy.check(url) is not None:
                gate.note(url)
                route.abort("blockedbyclient")
                return
            resp = route.fetch(url=url, max_redirects=0)
            location = resp.headers.get("location")
            if 300 <= resp.status < 400 and location:
                url = urljoin(url, location)
                continue
            route.fulfill(response=resp)
            return
        route.abort("failed")
    except Exception:
        try:
            route.abort("failed")
        except Exception:
            pass
