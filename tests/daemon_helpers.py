"""Small real receivers for notification tests: an SMTP server (aiosmtpd) and an HTTP server that records bodies."""

from __future__ import annotations

import json

from tests.loopback import LoopbackServer
from tests.loopback import refused_port as free_port  # a port to start a receiver on

__all__ = ["HttpReceiver", "SmtpReceiver", "free_port"]


class HttpReceiver:
    """POSTs to any path are recorded as (path, parsed JSON body)."""

    def __init__(self) -> None:
        self.got: list[tuple[str, dict]] = []
        self.server = LoopbackServer(self._receive)
        self.port = self.server.port

    def _receive(self, path: str, server: LoopbackServer) -> tuple[int, dict[str, str], bytes]:
        if server.request.method == "POST":
            body = server.request.body
            try:
                data = json.loads(body)
            except ValueError:
                data = {"raw": body.decode("utf-8", "replace")}
            self.got.append((path, data))
            return 200, {}, b""
        return 501, {}, b""

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def bodies(self, path: str) -> list[str]:
        return [f"{d.get('title', '')}\n{d.get('message', '')}" for p, d in self.got if p == "/" + path.lstrip("/")]

    def close(self) -> None:
        self.server.close()


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
