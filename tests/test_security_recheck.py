"""Security suite: `recheck` keeps the crawler's limits and scope (issue 14 item 8).

A re-check reads at most the site's max_page_bytes of a page, and a broken link that now redirects
to another site is not counted as fixed.
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

from tests.conftest import DEMO_DAY, run_monitor
from tests.local_http import page, serve


def _site(state: dict, other_base: str):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            if self.path == "/" and state["mode"] == "huge":
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                chunk = b"<p>" + b"x" * 1020 + b"</p>"
                try:
                    self.wfile.write(b"<html><body>")
                    for _ in range(200 * 1024):  # 200 MB, written as long as the reader reads
                        self.wfile.write(chunk)
                        state["sent"] += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            if self.path == "/":
                body = page("首页", "<a href='/gone.html'>失效</a>").encode()
                status, headers = 200, {}
            elif self.path == "/gone.html" and state["mode"] == "huge":
                status, headers, body = 302, {"Location": other_base + "/landing"}, b""
            else:
                status, headers, body = 404, {}, page("页面不存在", "404").encode()
            self.send_response(status)
            for k, v in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def test_recheck_reads_bounded_and_does_not_count_an_offsite_redirect_as_fixed(tmp_path):
    state = {"mode": "normal", "sent": 0}
    with serve(lambda p, s: (200, {}, page("别的网站", "欢迎"))) as other:
        srv = _site(state, other.base)
        try:
            home = f"http://127.0.0.1:{srv.server_address[1]}/"
            cfg = tmp_path / "sites.yaml"
            cfg.write_text(yaml.safe_dump({
                "organisation": {"name": "县政府办"}, "units": [{"name": "县政府办"}],
                "sites": [{"key": "s", "name": "测试站", "home": home, "unit": "县政府办",
                           "limits": {"delay_seconds": 0, "allow_private_network": True,
                                      "max_page_bytes": 1024 * 1024}}],
                "storage": {"url": f"sqlite:///{tmp_path / 'r.db'}"}}, allow_unicode=True), encoding="utf-8")
            for cmd in ("crawl", "check"):
                out = run_monitor("-c", str(cfg), cmd, "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
                assert out.returncode == 0, out.stderr
            state["mode"] = "huge"
            out = run_monitor("-c", str(cfg), "recheck", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
            assert out.returncode == 0, out.stderr
        finally:
            srv.shutdown()
            srv.server_close()
    assert "复查 1 个问题：仍存在 0 个，未再发现 0 个" in out.stdout, out.stdout
    assert "重定向到其他网站" in out.stdout
    assert dict(other.hits) == {}  # the redirect to the other site was not followed
    assert state["sent"] < 20 * 1024 * 1024, state["sent"]  # 1 MB allowed, not the 200 MB served
