"""Small real receivers for notification tests: an SMTP server (aiosmtpd) and an HTTP server that records bodies."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class HttpReceiver:
    """POSTs to any path are recorded as (path, parsed JSON body)."""

    def __init__(self):
        self.got: list[tuple[str, dict]] = []
        rec = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    data = json.loads(body)
                except ValueError:
                    data = {"raw": body.decode("utf-8", "replace")}
                rec.got.append((self.path, data))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def bodies(self, path: str) -> list[str]:
        return [f"{d.get('title', '')}\n{d.get('message', '')}" for p, d in self.got if p == "/" + path.lstrip("/")]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[str] = []
        rec = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import email
                from email import policy

                msg = email.message_from_bytes(envelope.content, policy=policy.default)
                part = msg.get_body(preferencelist=("plain",))
                rec.messages.append(f"{msg['Subject']}\n{part.get_content() if part else ''}")
                return "250 OK"

        # aiosmtpd's readiness check connects to the given port, so it cannot be 0: take a free one
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def url(self, to: str = "ops@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=monitor@example.org&to={to}&mode=insecure"

    def close(self):
        self.controller.stop()
