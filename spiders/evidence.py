"""Evidence screenshots: a page as a visitor sees it, with the problem outlined.

Real Chromium (/usr/bin/chromium) through Playwright. A shot records what was
seen; it judges nothing. The highlight is one of:

- ``link``: every element whose href/src resolves to ``target`` (a broken link
  on its source page);
- ``item``: the list entry (li/tr) holding a link to ``target`` (the newest
  item of a stale column);
- ``list``: the column's list (an empty column).

Crawled pages are untrusted: JavaScript runs in a throw-away browser context
with no downloads and a short timeout, in a sandboxed Chromium that has no
network of its own; only the page and resources of its own origin are fetched
(through ``spiders.chromium.Gate``), never a loopback or private address other
than the configured site's, and the page may not navigate elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from spiders.chromium import CHROMIUM, CONTEXT_OPTIONS, Gate, launch_options, route_sync, same_origin
from spiders.netguard import NetPolicy

VIEWPORT = {"width": 1280, "height": 900}
LOAD_WAIT_MS = 3000  # after the document is parsed, how long to wait for its images before the shot

_OUTLINE_JS = """
([mode, target]) => {
  const norm = u => { try { const x = new URL(u, document.baseURI); x.hash = ''; return x.href; } catch (e) { return ''; } };
  const want = norm(target);
  let els = [];
  if (mode === 'link' || mode === 'item') {
    for (const el of document.querySelectorAll('[href],[src]')) {
      const u = norm(el.getAttribute('href') || el.getAttribute('src'));
      if (u === want) els.push(mode === 'item' ? (el.closest('li,tr') || el) : el);
    }
  } else {
    const el = document.querySelector('ul.list, .list, table.list, .main, main, body');
    if (el) els.push(el);
  }
  for (const el of els) {
    el.style.outline = '4px solid #ff0000';
    el.style.outlineOffset = '2px';
    el.style.backgroundColor = 'rgba(255, 230, 0, 0.35)';
  }
  if (els.length) els[0].scrollIntoView({block: 'center'});
  return els.length;
}
"""


@dataclass(frozen=True)
class ShotRequest:
    key: int  # the caller's id (a finding id)
    page_url: str
    mode: str  # link | item | list
    target: str = ""
    scope: frozenset[str] = frozenset()  # host:port pairs of the configured site (may be private addresses)
    allow_private: bool = False  # the site's limits.allow_private_network


@dataclass(frozen=True)
class Shot:
    key: int
    page_url: str
    png: bytes | None
    found: int  # elements outlined
    error: str | None = None


def take_shots(requests: list[ShotRequest], *, timeout_ms: int = 15000, executable: str = CHROMIUM) -> list[Shot]:
    return list(iter_shots(requests, timeout_ms=timeout_ms, executable=executable))


def iter_shots(
    requests: Iterable[ShotRequest], *, timeout_ms: int = 15000, executable: str = CHROMIUM
) -> Iterator[Shot]:
    """One browser; each shot is yielded as soon as it is taken (the caller keeps it at once), and the next
    request is asked for only then, so a caller can pace requests (per host) as the shots complete."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_options(executable))
        try:
            for req in requests:
                policy = NetPolicy(scope=frozenset(req.scope), allow_private=req.allow_private)
                if policy.check(req.page_url) is not None:
                    yield Shot(
                        req.key, req.page_url, None, 0, error="页面地址是内网或本机地址，不在本网站范围内，未截图"
                    )
                    continue
                origin = same_origin(req.page_url)
                gate = Gate(req.page_url, policy, lambda url, _rtype, origin=origin: origin(url))
                context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", **CONTEXT_OPTIONS)
                context.route("**", lambda route, request, gate=gate: route_sync(gate, route, request))
                page = context.new_page()
                page.set_default_timeout(timeout_ms)
                try:
                    page.goto(req.page_url, wait_until="commit", timeout=timeout_ms)
                    # a page that tries to navigate away (refused: it stays) may stop its own loading, and its
                    # load events may then never come; images from slow hosts must not hold every shot either
                    for state, wait in (("domcontentloaded", min(timeout_ms, 5000)), ("load", LOAD_WAIT_MS)):
                        try:
                            page.wait_for_load_state(state, timeout=wait)
                        except PlaywrightTimeout:
                            pass
                    found = page.evaluate(_OUTLINE_JS, [req.mode, req.target])
                    page.wait_for_timeout(100)
                    shot = Shot(req.key, req.page_url, page.screenshot(type="png"), int(found or 0))
                except PlaywrightError as exc:
                    shot = Shot(req.key, req.page_url, None, 0, error=str(exc).splitlines()[0][:300])
                finally:
                    context.close()
                yield shot
        finally:
            browser.close()
