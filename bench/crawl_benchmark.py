"""Crawl benchmark: our crawl+check against LinkChecker on the same 20,000-page loopback site.

    PYTHONPATH=. .venv/bin/python bench/crawl_benchmark.py [--pages 20000] [--concurrency 16]

The demo portal at a large scale is served from its own process (so the server does not share the
crawler's interpreter); each contender runs as a child process and is measured with os.wait4 (wall
time, CPU time, peak RSS). LinkChecker (`pip install -e .[bench]`) runs internal-only, 20 threads, with
its per-host rate limit lifted (maxrequestspersecond in a config file; the bench server sends the
`LinkChecker` header that lets LinkChecker go above 10 requests per second). Then our crawl runs
again on the unchanged site: the re-crawl ratio is the first crawl's cost over the second's.

Targets: throughput >= 1.5x LinkChecker's, peak memory <= 400 MB, unchanged re-crawl >= 5x cheaper.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 26)


def serve(scale: float) -> None:
    """Child process: serve the demo portal at ``scale`` and print its home URL; stop when stdin closes."""
    from monitor.demo import server as demo_server

    make = demo_server._handler

    def handler(lookup):
        base = make(lookup)

        class Unthrottled(base):
            def end_headers(self):
                self.send_header("LinkChecker", "benchmark")  # lets LinkChecker exceed 10 requests/s
                super().end_headers()

        return Unthrottled

    demo_server._handler = handler
    with demo_server.serve_demo(TODAY, scale=scale) as demo:
        print(demo.home, len(demo.site.pages), flush=True)
        sys.stdin.read()


@dataclass
class Cost:
    wall: float
    cpu: float
    peak_mb: float
    out: str = ""


def measure(cmd: list[str], *, env: dict | None = None, cwd: Path | None = None) -> Cost:
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - start
        out.seek(0)
        text = out.read()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[:4]} failed ({proc.returncode}):\n{text[-3000:]}")
    return Cost(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def scale_for(pages: int) -> float:
    from monitor.demo.site import DemoSite

    per_scale = len(DemoSite(TODAY, scale=10).pages) / 10
    return round(pages / per_scale, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--no-linkchecker", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--serve", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve)
        return

    work = Path(tempfile.mkdtemp(prefix="crawlbench-"))
    os.chmod(work, 0o755)  # LinkChecker drops root privileges to nobody and must read its config
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    scale = scale_for(args.pages)
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(scale)], env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        home, n = server.stdout.readline().split()
        print(f"site: {home} scale={scale}, {n} URLs on the site")
        db = work / "bench.db"
        cfg = work / "sites.yaml"
        cfg.write_text(f"""
organisation: {{name: 基准测试}}
units: [{{name: 基准}}]
sites:
  - key: bench
    name: 基准站点
    home: {home}
    unit: 基准
    limits: {{delay_seconds: 0, concurrency_per_host: {args.concurrency}, max_pages: 1000000, max_depth: 100000,
              max_requests: 10000000, max_external_checks: 1000000, max_external_per_page: 10000,
              allow_private_network: true}}
storage: {{url: "sqlite:///{db}", notices_dir: "{work / 'out'}"}}
""", encoding="utf-8")
        monitor = [sys.executable, "-m", "monitor", "-c", str(cfg)]

        crawl1 = measure(monitor + ["crawl", "--as-of", TODAY.isoformat()], env=env, cwd=work)
        check1 = measure(monitor + ["check", "--as-of", TODAY.isoformat()], env=env, cwd=work)
        crawl2 = measure(monitor + ["crawl", "--as-of", TODAY.isoformat()], env=env, cwd=work)
        check2 = measure(monitor + ["check", "--as-of", TODAY.isoformat()], env=env, cwd=work)
        con = sqlite3.connect(db)
        runs = con.execute("select pages, pages_parsed, pages_reused from crawl_runs order by id").fetchall()
        findings = con.execute("select count(*) from findings").fetchone()[0]
        con.close()
        pages = runs[0][0]
        ours = Cost(crawl1.wall + check1.wall, crawl1.cpu + check1.cpu, max(crawl1.peak_mb, check1.peak_mb))
        again = Cost(crawl2.wall + check2.wall, crawl2.cpu + check2.cpu, max(crawl2.peak_mb, check2.peak_mb))
        print(f"monitor crawl  : {pages} pages, {crawl1.wall:.1f} s wall, {crawl1.cpu:.1f} s CPU, "
              f"peak {crawl1.peak_mb:.0f} MB, {pages / crawl1.wall:.0f} pages/s")
        print(f"monitor check  : {check1.wall:.1f} s wall, {check1.cpu:.1f} s CPU, peak {check1.peak_mb:.0f} MB, "
              f"{findings} findings")
        print(f"crawl+check    : {ours.wall:.1f} s wall, {pages / ours.wall:.0f} pages/s, peak {ours.peak_mb:.0f} MB")
        print(f"re-crawl       : {runs[1][0]} pages ({runs[1][2]} reused, {runs[1][1]} parsed), "
              f"{crawl2.wall:.1f} s wall, {crawl2.cpu:.1f} s CPU, peak {crawl2.peak_mb:.0f} MB; "
              f"with check {again.wall:.1f} s")
        print(f"re-crawl ratio : crawl {crawl1.wall / crawl2.wall:.1f}x cheaper by wall time, "
              f"{crawl1.cpu / crawl2.cpu:.1f}x by CPU; crawl+check {ours.wall / again.wall:.1f}x by wall time")

        if not args.no_linkchecker:
            exe = shutil.which("linkchecker", path=str(Path(sys.executable).parent)) or shutil.which("linkchecker")
            if exe is None:
                raise SystemExit("linkchecker not installed: pip install -e .[bench]")
            lc_cfg = work / "linkcheckerrc"
            lc_cfg.write_text("[checking]\nthreads=20\nmaxrequestspersecond=100000\nrecursionlevel=-1\n"
                              "[filtering]\ncheckextern=0\n[output]\nwarnings=0\nstatus=0\n", encoding="utf-8")
            os.chmod(lc_cfg, 0o644)
            lc = measure([exe, "--config", str(lc_cfg), "--no-warnings", "-t", "20", "--no-status", home],
                         env=env, cwd=work)
            m = re.search(r"(\d+) links? in (\d+) URLs? checked", lc.out)
            urls = int(m.group(2)) if m else 0
            print(f"LinkChecker    : {urls} URLs, {lc.wall:.1f} s wall, {lc.cpu:.1f} s CPU, peak {lc.peak_mb:.0f} MB, "
                  f"{urls / lc.wall:.0f} URLs/s")
            print(f"ratios         : throughput {(pages / ours.wall) / (urls / lc.wall):.2f}x LinkChecker's "
                  f"(crawl alone {(pages / crawl1.wall) / (urls / lc.wall):.2f}x), "
                  f"memory {ours.peak_mb / lc.peak_mb:.2f}x, wall time {lc.wall / ours.wall:.2f}x shorter")
    finally:
        server.stdin.close()
        server.wait(10)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work directory: {work}")


if __name__ == "__main__":
    main()
