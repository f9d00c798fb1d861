"""The feeds tests' server (routes on ``tests.loopback``): corpus files (read-only) and small generated answers.

Routes are keyed by path + query (``/api/container/getIndex?containerid=…``), each answering with a
status, a content type and bytes; tests change them between fetches (snap0 → snap1).
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CORPUS, require_shared
from tests.loopback import LoopbackServer

FEEDS = CORPUS / "feeds"


class FeedServer:
    """Routes by path and query; anything else is a Chinese 404 page."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes, dict[str, str]]] = {}
        self.server = LoopbackServer(self._answer, protocol="HTTP/1.1")
        self.base = self.server.base
        self.hits = self.server.paths  # path + query of every request, in order

    def _answer(self, path: str, _server: LoopbackServer) -> tuple[int, dict[str, str], bytes]:
        status, ctype, body, headers = self.routes.get(
            path, (404, "text/html; charset=utf-8", "<html><body>404 页面不存在</body></html>".encode(), {})
        )
        return status, {"Content-Type": ctype, **headers}, body

    def route(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        ctype: str = "application/xml",
        headers: dict[str, str] | None = None,
    ) -> str:
        self.routes[path] = (status, ctype, body.encode("utf-8") if isinstance(body, str) else body, headers or {})
        return self.base + path

    def corpus(self, path: str, name: str, *, ctype: str | None = None) -> str:
        """Serve a corpus file byte for byte (like http.server: no charset in the header)."""
        require_shared()
        data = (FEEDS / name).read_bytes()
        return self.route(
            path, data, ctype=ctype or ("application/json" if name.endswith(".json") else "application/xml")
        )

    def close(self) -> None:
        self.server.close()


def rss(title: str, items: list[dict], *, encoding: str = "utf-8") -> bytes:
    """A small RSS 2.0 feed: items with title, link, description (HTML) and pubDate."""
    from xml.sax.saxutils import escape

    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        "<link>http://127.0.0.1/</link><description>test</description>"
    ]
    for it in items:
        parts.append(
            f"<item><title>{escape(it['title'])}</title><link>{escape(it['link'])}</link>"
            f"<guid>{escape(it.get('guid', it['link']))}</guid>"
            f"<description>{escape(it.get('html', ''))}</description>"
            f"<pubDate>{escape(it['date'])}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode(encoding)


def write_config(
    path: Path, accounts: list[dict], *, db: Path, units: list[str] | None = None, sites: str = ""
) -> Path:
    from monitor.config import dump_yaml

    units = units or sorted({a["unit"] for a in accounts})
    data = {
        "organisation": {"name": "示例县人民政府办公室", "doc_number": "示政办函〔2021〕"},
        "units": [{"name": u} for u in units],
        "accounts": accounts,
        "storage": {"url": f"sqlite:///{db}", "notices_dir": str(path.parent / "out")},
    }
    path.write_text(dump_yaml(data) + sites, encoding="utf-8")
    return path
