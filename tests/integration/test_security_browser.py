"""Security suite, browser side (issue 14 item 1): the evidence browser cannot be steered.

A page that fetches and navigates to a canary server on another local port, and loads resources
from it, is screenshotted: the canary receives no request, and Chromium runs with its sandbox on.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from spiders.chromium import CHROMIUM, launch_options
from spiders.evidence import ShotRequest, take_shots
from tests.conftest import need_service
from tests.hostile_site import canary_route
from tests.local_http import page, serve

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _chromium():
    if not os.access(CHROMIUM, os.X_OK):
        need_service(f"Chromium not installed at {CHROMIUM}")


def _steering_site(canary_base: str):
    def route(path, srv):
        if path == "/":
            body = (
                "<a href='/gone.html'>失效链接</a><img src='/logo.png'>"
                f"<img src='{canary_base}/img.png'><iframe src='{canary_base}/frame'></iframe>"
                f"<link rel='stylesheet' href='{canary_base}/s.css'>"
                "<img src='/hop.png'>"  # same origin, but redirected to the canary
                f"<script>fetch('{canary_base}/fetch').catch(()=>0);"
                f"new WebSocket('ws://{canary_base.split('//')[1]}/ws');"
                f"navigator.sendBeacon('{canary_base}/beacon', 'x');"
                f"setTimeout(() => {{ location.href = '{canary_base}/navigated'; }}, 10);</script>"
            )
            return 200, {}, page("首页", body)
        if path == "/hop.png":
            return 302, {"Location": f"{canary_base}/redirected.png"}, ""
        if path == "/logo.png":
            return (
                200,
                {"Content-Type": "image/svg+xml"},
                "<svg xmlns='http://www.w3.org/2000/svg' width='9' height='9'/>",
            )
        return 404, {}, page("无", "")

    return route


def test_evidence_shot_of_a_steering_page_never_reaches_the_canary(tmp_path):
    with serve(canary_route) as canary, serve(_steering_site(canary.base)) as site:
        scope = frozenset({f"127.0.0.1:{site.port}"})
        shots = take_shots(
            [ShotRequest(1, site.url("/"), "link", site.url("/gone.html"), scope=scope)], timeout_ms=10000
        )
        own = dict(site.hits)
    assert dict(canary.hits) == {}, f"the canary was reached: {dict(canary.hits)}"
    assert shots[0].png and shots[0].png.startswith(b"\x89PNG") and shots[0].found == 1
    assert own.get("/logo.png") == 1  # same-origin resources still load


def test_evidence_of_a_private_address_outside_the_site_is_refused(tmp_path):
    with serve(canary_route) as canary:
        shots = take_shots([ShotRequest(1, canary.url("/"), "list", scope=frozenset({"www.example.gov.cn:80"}))])
    assert shots[0].png is None and "内网" in shots[0].error
    assert dict(canary.hits) == {}


def _procs() -> dict[int, tuple[int, int, bytes, str]]:
    """pid -> (ppid, uid, argv, user namespace) of every process we can read."""
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            argv = (d / "cmdline").read_bytes().replace(b"\0", b" ")  # Chromium rewrites its children's titles
            status = dict(l.split(":", 1) for l in (d / "status").read_text().splitlines() if ":" in l)
            ns = os.readlink(d / "ns" / "user")
        except OSError:
            continue
        out[int(d.name)] = (int(status["PPid"]), int(status["Uid"].split()[0]), argv, ns)
    return out


def test_chromium_runs_sandboxed_and_unprivileged():
    opts = launch_options()
    assert "--no-sandbox" not in opts["args"]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(**opts)
        try:
            browser.new_page().set_content("<p>x</p>")
            procs = _procs()
        finally:
            browser.close()
    roots = [
        pid
        for pid, (_, _, argv, _) in procs.items()
        if b"blackhole.invalid" in argv and b"--type=" not in argv and argv.startswith(b"/usr/lib/chromium/")
    ]
    assert len(roots) == 1, roots
    family, todo = set(roots), list(roots)
    while todo:
        parent = todo.pop()
        for pid, (ppid, *_rest) in procs.items():
            if ppid == parent and pid not in family:
                family.add(pid)
                todo.append(pid)
    renderers = [pid for pid in family if b"--type=renderer" in procs[pid][2]]
    assert renderers, "no renderer process"
    assert all(b"--no-sandbox" not in procs[pid][2] for pid in family)
    if os.geteuid() == 0:
        assert all(procs[pid][1] != 0 for pid in family)  # as root, the browser runs as an unprivileged user
    # the sandbox: renderers live in a user namespace of their own
    assert all(procs[pid][3] != procs[roots[0]][3] for pid in renderers)
