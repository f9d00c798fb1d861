"""The newest probe that measured a property of the home host (W-S8 IPv6, W-S9 HTTPS)."""

from __future__ import annotations

from monitor.model import ProbeFacts, SiteFacts


def measured(site: SiteFacts, attr: str) -> tuple[list[ProbeFacts], ProbeFacts | None]:
    """Probes that measured ``attr`` (None means not measured), and the newest of them."""
    done = [p for p in site.probes if getattr(p, attr) is not None]
    return done, (max(done, key=lambda p: p.at) if done else None)
