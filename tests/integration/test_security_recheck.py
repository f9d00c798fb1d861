"""Security suite: `recheck` keeps the crawler's limits and scope (issue 14 item 8).

A re-check reads at most the site's max_page_bytes of a page, and a broken link that now redirects
to another site is not counted as fixed.
"""

from __future__ import annotations

import yaml

from tests.conftest import DEMO_DAY, run_monitor
from tests.local_http import page
from tests.loopback import LoopbackServer, serve


def _site(state: dict, other_base: str) -> LoopbackServer:
    def huge():
        yield b"<html><body>"
        chunk = b"<p>" + b"x" * 1020 + b"</p>"
        for _ in range(200 * 1024):  # 200 MB, written as long as the reader reads
            yield chunk
            state["sent"] += len(chunk)

    def route(path: str, _srv: LoopbackServer):
        if path == "/" and state["mode"] == "huge":
            return 200, {}, huge()
        if path == "/":
            return 200, {}, page("首页", "<a href='/gone.html'>失效</a>")
        if path == "/gone.html" and state["mode"] == "huge":
            return 302, {"Location": other_base + "/landing"}, b""
        return 404, {}, page("页面不存在", "404")

    return LoopbackServer(route)


def test_recheck_reads_bounded_and_does_not_count_an_offsite_redirect_as_fixed(tmp_path):
    state = {"mode": "normal", "sent": 0}
    with serve(lambda p, s: (200, {}, page("别的网站", "欢迎"))) as other:
        srv = _site(state, other.base)
        try:
            home = f"http://127.0.0.1:{srv.port}/"
            cfg = tmp_path / "sites.yaml"
            cfg.write_text(
                yaml.safe_dump(
                    {
                        "organisation": {"name": "县政府办"},
                        "units": [{"name": "县政府办"}],
                        "sites": [
                            {
                                "key": "s",
                                "name": "测试站",
                                "home": home,
                                "unit": "县政府办",
                                "limits": {
                                    "delay_seconds": 0,
                                    "allow_private_network": True,
                                    "max_page_bytes": 1024 * 1024,
                                },
                            }
                        ],
                        "storage": {"url": f"sqlite:///{tmp_path / 'r.db'}"},
                    },
                    allow_unicode=True,
                ),
                encoding="utf-8",
            )
            for cmd in ("crawl", "check"):
                out = run_monitor("-c", str(cfg), cmd, "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
                assert out.returncode == 0, out.stderr
            state["mode"] = "huge"
            out = run_monitor("-c", str(cfg), "recheck", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
            assert out.returncode == 0, out.stderr
        finally:
            srv.close()
    assert "复查 1 个问题：仍存在 0 个，未再发现 0 个" in out.stdout, out.stdout
    assert "重定向到其他网站" in out.stdout
    assert dict(other.hits) == {}  # the redirect to the other site was not followed
    assert state["sent"] < 20 * 1024 * 1024, state["sent"]  # 1 MB allowed, not the 200 MB served
