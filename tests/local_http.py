"""Crawl-test helpers on top of ``tests.loopback``: the server itself, a page, a sites.yaml for loopback sites."""

from __future__ import annotations

from tests.loopback import RESET, LoopbackServer, Route, refused_port, serve

LocalServer = LoopbackServer  # the name the crawl tests know it by

__all__ = ["RESET", "LocalServer", "LoopbackServer", "Route", "page", "refused_port", "serve", "sites_yaml"]


def page(title: str, body: str) -> str:
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def sites_yaml(path, sites: list[dict], **limits) -> str:
    """A sites.yaml with the given sites (key, home) and shared limits; returns its path."""
    from monitor.config import dump_yaml

    data = {
        "organisation": {"name": "测试县人民政府办公室"},
        "units": [{"name": "测试单位"}],
        "sites": [
            {
                "key": s["key"],
                "name": s.get("name", s["key"]),
                "home": s["home"],
                "unit": "测试单位",
                # every test server runs on 127.0.0.1: loopback must be allowed explicitly
                "limits": {
                    "delay_seconds": 0,
                    "concurrency_per_host": 8,
                    "allow_private_network": True,
                    **limits,
                    **s.get("limits", {}),
                },
            }
            for s in sites
        ],
    }
    path.write_text(dump_yaml(data), encoding="utf-8")
    return str(path)
