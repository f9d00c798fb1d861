"""Evidence screenshots: a page as a visitor sees it, with the problem outlined.

Real Chromium (/usr/bin/chromium) through Playwright. A shot records what was
seen; it judges nothing. The highlight is one of:

- ``link``: every element whose href/src resolves to ``target`` (a broken link
  on its source page);
- ``item``: the list entry (li/tr) holding a link to ``target`` (the newest
  item of a stale column);
- ``list``: the column's list (an empty column).

Crawled pages are untrusted: JavaScript runs in a throw-away browser context
with no downloads and a short timeout, and the page is never allowed to
navigate the context elsewhere (only the asked URL is loaded).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
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


@dataclass(frozen=True)
class Shot:
    key: int
    page_url: str
    png: bytes | None
    found: int  # elements outlined
    error: str | None = None


def take_shots(requests: list[ShotRequest], *, timeout_ms: int = 15000) -> list[Shot]:
    return list(iter_shots(requests, timeout_ms=timeout_ms))


def iter_shots(requests: Iterable[ShotRequest], *, timeout_ms: int = 15000) -> Iterator[Shot]:
    """One browser; each shot is yielded as soon as it is taken (the caller keeps it at once), and the next
    request is asked for only then, so a caller can pace requests (per host) as the shots complete."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            for req in requests:
                context = browser.new_context(viewport=VIEWPORT, accept_downloads=False, locale="zh-CN")
                page = context.new_page()
                page.set_default_timeout(timeout_ms)
                try:
                    page.goto(req.page_url, wait_until="domcontentloaded", timeout=timeout_ms)
                    try:  # images from slow or dead hosts must not hold every shot for the full timeout
                        page.wait_for_load_state("load", timeout=LOAD_WAIT_MS)
                    except PlaywrightError:
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
