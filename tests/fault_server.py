"""A small hostile web site on 127.0.0.1 for the fault suite: every page is one fault a real site shows.

Routes are plain functions of the path on ``tests.loopback``'s server; an answer may also be ``RESET`` (the
connection closed with a TCP RST), and a body may be a gzip bomb or text in another charset (``X-Encode-As``).
"""

from __future__ import annotations

import gzip

from tests.loopback import RESET, serve

__all__ = ["RESET", "gzip_bomb", "html", "serve_faults"]


def html(title: str, body: str, *, head: str = "", charset: str = "utf-8") -> str:
    return (
        f"<!doctype html><html><head><meta charset='{charset}'><title>{title}</title>{head}</head>"
        f"<body>{body}</body></html>"
    )


_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """16 MB of zeros in about 16 KB: a page that explodes when decoded (limits stay far below it)."""
    global _BOMB
    if _BOMB is None:
        _BOMB = gzip.compress(b"\0" * (16 << 20), compresslevel=6)
    return _BOMB


serve_faults = serve  # a route may answer RESET, or a body in another charset (X-Encode-As)
