"""Benchmark: evidence screenshots per minute on the demo portal (target ≥ 60/min).

Not a test. Serves the demo portal on 127.0.0.1, crawls and checks it through the real CLI (its own
process), then adds --shots findings on distinct demo pages (a link on each to outline, as a county's month of dead links
has) and screenshots them all in one run, once with one browser and once with several (each host within
its limits.concurrency_per_host). Prints screenshots per minute for both.

    .venv/bin/python bench/evidence_benchmark.py [--shots 60] [--browsers 4]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import load_config  # noqa: E402
from monitor.demo.server import serve_demo  # noqa: E402
from monitor.crawl.evidence import take_evidence  # noqa: E402
from monitor.store import Store  # noqa: E402

DAY = date(2026, 11, 26)


def run(*args: str, cwd: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    if out.returncode not in (0, 1, 3):
        sys.exit(f"{args[2] if len(args) > 2 else args}: {out.stderr[-2000:]}")


def add_link_findings(store, n: int) -> int:
    """n more findings like W-S1 on distinct demo pages (a link on each page to outline), so that one run
    has many pages to shoot, as a real county's month has."""
    import json

    from sqlalchemy import func, select

    from monitor.store import Finding, Page, utcnow

    with store.session() as s:
        pages = s.execute(
            select(func.coalesce(Page.final_url, Page.url), Page.links).where(Page.links.is_not(None)).limit(n * 20)
        ).all()
        links = [(source, json.loads(stored)[0][0]) for source, stored in pages]  # the first link on each page
        seen, added = set(), 0
        for source, target in links:
            if source in seen:
                continue
            seen.add(source)
            s.add(
                Finding(
                    fingerprint=f"bench-{added}",
                    rule="W-S1",
                    severity="扣分",
                    site="portal",
                    unit="示例县人民政府办公室",
                    url=target,
                    source_url=source,
                    subject=f"bench-{added}",
                    evidence="基准测试",
                    facts={},
                    first_seen=DAY,
                    last_seen=DAY,
                    status="待整改",
                    updated_at=utcnow(),
                )
            )
            added += 1
            if added >= n:
                break
    return added


def rate(store, cfg, out: Path, *, browsers: int) -> tuple[int, float, int]:
    start = time.monotonic()
    r = take_evidence(store, cfg, as_of=DAY, out_dir=out, refresh=True, browsers=browsers)
    return r.taken, time.monotonic() - start, len(r.failed or [])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shots", type=int, default=60)
    ap.add_argument("--browsers", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serve_demo(DAY) as demo:
        work = Path(tmp)
        cfg_path = work / "sites.yaml"
        cfg_path.write_text(
            f"""
organisation: {{name: 示例县人民政府办公室}}
units: [{{name: 示例县人民政府办公室}}]
sites:
  - key: portal
    name: 示例县人民政府门户网站
    home: {demo.home}
    unit: 示例县人民政府办公室
    limits: {{delay_seconds: 0, concurrency_per_host: 8, allow_private_network: true}}
storage: {{url: "sqlite:///{work / "b.db"}", notices_dir: "{work / "out"}"}}
""",
            encoding="utf-8",
        )
        run("-c", str(cfg_path), "crawl", "--as-of", DAY.isoformat(), cwd=work)
        run("-c", str(cfg_path), "check", "--as-of", DAY.isoformat(), cwd=work)
        cfg = load_config(cfg_path)
        store = Store(cfg.storage.url)
        first = take_evidence(store, cfg, as_of=DAY, out_dir=work / "out")
        print(
            f"demo: {first.taken} findings can be shot, {len(first.skipped)} cannot ({len(first.failed or [])} failed)"
        )
        added = add_link_findings(store, args.shots)
        print(f"plus {added} findings on distinct demo pages, {first.taken + added} screenshots a run")
        for n in (1, args.browsers):
            taken, secs, failed = rate(store, cfg, work / "out", browsers=n)
            print(
                f"{n} browser(s): {taken} screenshots in {secs:.1f} s = {taken / secs * 60:.0f} per minute"
                + (f" ({failed} failed)" if failed else "")
            )
        store.close()


if __name__ == "__main__":
    main()
