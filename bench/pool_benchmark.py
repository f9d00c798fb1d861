"""Province-scale benchmark of the worker pool: generated sites and feed accounts on loopback, 1 worker vs 2.

    PYTHONPATH=. .venv/bin/python bench/pool_benchmark.py                     # full: 200 sites x ~300 pages + 1,000 accounts
    PYTHONPATH=. .venv/bin/python bench/pool_benchmark.py --sites 20 --accounts 100   # small, on a busy machine

Needs Redis (127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432, user postgres), as the tests do. Each site is a
demo portal (monitor/demo/site.py, ~300 URLs at --scale 1.4) on its own port, served from a separate
process; the accounts are RSS feeds on the first site's server. For each pool size a fresh database and
queue namespace are used; every site is queued for crawl+check and the accounts for fetching in batches
(what `monitor enqueue crawl` and `monitor enqueue feeds` do), and the pool runs until all is stored and checked.
Politeness is lifted (delay 0, 4 requests per host) so that the figures measure the pool, not the waits.

Printed per pool size: wall time, pages/s, accounts/s, peak memory per worker (its whole process tree:
the Celery worker, its task process and the crawl child), and the speed-up of 2 workers over 1.
At the end: the extrapolation to 3,000 sites + 20,000 accounts a day (workers and machines needed).

Full scale, measured 2026-11-30 (commit b6f902d) on the 2-core development machine, the benchmark and its
PostgreSQL/Redis at nice -10 while other developers' tests ran at nice 10 (load average 2-6):
  200 sites x 300 pages (60,000 pages) + 1,000 feed accounts
  1 worker : crawl+check 1665.3 s (36.0 pages/s), feeds 57.2 s (17.5 accounts/s), peak 427 MB per worker
  2 workers: crawl+check  921.7 s (65.1 pages/s), feeds 26.2 s (38.1 accounts/s), peak 427 MB per worker
  speed-up 1.81x for crawl+check, 2.18x for feeds, 1.82x in all; no job failed in either run.
Peak memory is a worker's whole tree (Celery worker, task process, crawl child).

Extrapolation to 3,000 sites x ~300 pages + 20,000 accounts a day, from those figures: a site costs ~9.2
worker-seconds (crawl, store, check and the crawl child's start-up), an account ~0.05. That is ~8 core-hours a
day, 0.7 cores over a 12-hour night window: CPU is not what limits a province. Politeness is: at the default
0.5 s between requests to a host a 300-page site takes >= 150 s, so 3,000 sites need ~10 crawls running at once
through the window; one two-core machine can hold them (`monitor worker --concurrency 16`, most of them waiting)
if it has memory for that many task processes (~430 MB each, so ~7 GB), or two machines with 8 each. Sites that
share one host are paced together across the pool: a portal host with 25 department sites x 300 pages needs
>= 1 hour whatever the pool size. Smaller runs for a busy machine: `--sites 20 --scale 0.5 --accounts 100`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("MONITOR_TEST_REDIS", "redis://127.0.0.1:6379/0")
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore", "MONITOR_CHROMIUM": "/nonexistent"}
PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total


def config_text(homes: list[str], feeds: list[str], *, db: str, ns: str, work: Path) -> str:
    sites = "\n".join(
        f'  - {{key: s{i}, name: 站点{i}, home: "{h}", unit: 基准, limits: {{delay_seconds: 0, '
        f"concurrency_per_host: 4, max_pages: 100000, allow_private_network: true}}}}"
        for i, h in enumerate(homes)
    )
    accounts = "\n".join(
        f'  - {{key: a{i}, platform: wechat, name: 账号{i}, unit: 基准, source: "{u}", '
        f"limits: {{delay_seconds: 0, check_links: false}}}}"
        for i, u in enumerate(feeds)
    )
    return f"""organisation: {{name: 基准测试}}
units: [{{name: 基准}}]
sites:
{sites}
accounts:
{accounts or "  []"}
storage: {{url: "{db}", notices_dir: "{work / "notices"}"}}
workers: {{broker: "{REDIS}", namespace: {ns}, feeds_batch: 50}}
"""


def run_pool(n_workers: int, homes: list[str], feeds: list[str], work: Path) -> dict:
    import psycopg
    from sqlalchemy import func, select

    from monitor.store import AccountFetch, Check, CrawlRun, JobRun, Store

    name = f"monitor_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(PG_ADMIN, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    db = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    cfg = work / f"pool{n_workers}.yaml"
    cfg.write_text(config_text(homes, feeds, db=db, ns=f"bench{uuid.uuid4().hex[:6]}", work=work), encoding="utf-8")
    monitor = [sys.executable, "-m", "monitor", "-c", str(cfg)]
    store = Store(db)  # the schema, before the workers start
    workers = [
        subprocess.Popen(
            monitor + ["worker", "--concurrency", "1", "--loglevel", "WARNING"],
            env=ENV,
            cwd=work,
            stdout=(work / f"worker{n_workers}-{i}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for i in range(n_workers)
    ]
    peaks = [0] * n_workers
    stop = threading.Event()

    def sample():
        while not stop.wait(0.5):
            for i, w in enumerate(workers):
                peaks[i] = max(peaks[i], tree_rss(w.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        time.sleep(3)  # let the workers connect; their start-up is not part of the measure

        def wait_for(done) -> float:
            t0 = time.monotonic()
            while True:
                with store.session() as s:
                    open_jobs = s.scalar(select(func.count(JobRun.id)).where(JobRun.finished_at.is_(None)))
                    if done(s) and not open_jobs:
                        return time.monotonic() - t0
                if any(w.poll() is not None for w in workers):
                    raise SystemExit(f"a worker exited; see {work}")
                time.sleep(0.5)

        from monitor.config import load_config
        from monitor.ops.workers import enqueue

        config = load_config(cfg)
        t0 = time.monotonic()
        for site in config.sites:
            enqueue(config, "crawl", site.key)
        crawl_wall = (
            time.monotonic()
            - t0
            + wait_for(lambda s: s.scalar(select(func.count(func.distinct(Check.site)))) >= len(homes))
        )
        feeds_wall = 0.0
        if feeds:
            t0 = time.monotonic()
            enqueue(config, "feeds")
            feeds_wall = (
                time.monotonic()
                - t0
                + wait_for(lambda s: s.scalar(select(func.count(func.distinct(AccountFetch.account)))) >= len(feeds))
            )
        with store.session() as s:
            pages = s.scalar(select(func.coalesce(func.sum(CrawlRun.pages), 0)))
            failed = s.scalar(select(func.count(JobRun.id)).where(JobRun.outcome != "ok"))
    finally:
        stop.set()
        for w in workers:
            try:
                os.killpg(w.pid, 9)
            except ProcessLookupError:
                pass
            w.wait()
        store.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return {
        "workers": n_workers,
        "crawl_wall": crawl_wall,
        "feeds_wall": feeds_wall,
        "pages": pages,
        "accounts": len(feeds),
        "failed_jobs": failed,
        "peak_mb": [round(p / 2**20) for p in peaks],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--scale", type=float, default=1.4, help="demo portal scale (1.4: ~300 URLs a site)")
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--pools", default="1,2", help="pool sizes to run, e.g. 1,2")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="poolbench-"))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor.demo.many",
            str(args.sites),
            "--scale",
            str(args.scale),
            "--own-hosts",
            "--accounts",
            str(args.accounts),
        ],
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    results = []
    try:
        info = json.loads(server.stdout.readline())
        print(f"{args.sites} sites (scale {args.scale}) and {args.accounts} feed accounts on loopback; work dir {work}")
        for n in (int(x) for x in args.pools.split(",")):
            r = run_pool(n, info["homes"], info["feeds"], work)
            results.append(r)
            print(
                f"{n} worker(s): crawl+check {r['crawl_wall']:.1f} s for {r['pages']} pages "
                f"({r['pages'] / r['crawl_wall']:.1f} pages/s); feeds {r['feeds_wall']:.1f} s for {r['accounts']} "
                f"accounts ({r['accounts'] / r['feeds_wall'] if r['feeds_wall'] else 0:.1f} accounts/s); "
                f"jobs not ok: {r['failed_jobs']}; peak memory per worker "
                f"{', '.join(f'{m} MB' for m in r['peak_mb'])}",
                flush=True,
            )
    finally:
        server.kill()
    if len(results) >= 2:
        one, two = results[0], results[1]
        total = [r["crawl_wall"] + r["feeds_wall"] for r in (one, two)]
        print(
            f"speed-up {two['workers']} workers over {one['workers']}: crawl+check "
            f"{one['crawl_wall'] / two['crawl_wall']:.2f}x, feeds "
            f"{one['feeds_wall'] / two['feeds_wall'] if two['feeds_wall'] else 0:.2f}x, all {total[0] / total[1]:.2f}x "
            f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, shared with the server)"
        )
    extrapolate(results[-1], args.sites)


def extrapolate(
    r: dict,
    sites: int,
    *,
    day_sites: int = 3000,
    day_accounts: int = 20000,
    window_h: float = 12,
    delay: float = 0.5,
    per_host: int = 2,
) -> None:
    """Workers and machines for a province's day, from the measured cost per site and per account."""
    site_ws = r["crawl_wall"] * r["workers"] / sites  # worker-seconds per site, CPU-bound here
    acct_ws = r["feeds_wall"] * r["workers"] / max(1, r["accounts"])
    pages = r["pages"] / sites
    cpu_h = (day_sites * site_ws + day_accounts * acct_ws) / 3600
    cores = cpu_h / window_h
    # politely (delay between starts, per host): a site's crawl takes at least pages x delay seconds, most of it
    # waiting, so a core can run several task processes (monitor worker --concurrency)
    polite_s = max(site_ws, pages * delay)
    procs = day_sites * polite_s / 3600 / window_h
    print(
        f"extrapolation to {day_sites:,} sites (~{pages:.0f} pages each) + {day_accounts:,} accounts a day, "
        f"in a {window_h:.0f}-hour night window:"
    )
    print(f"  measured cost: {site_ws:.1f} worker-seconds a site (crawl+check), {acct_ws:.2f} a feed account")
    print(
        f"  CPU: {cpu_h:.1f} core-hours -> {cores:.1f} cores -> {max(1, -(-cores // 2)):.0f} two-core machines "
        f"(one worker per machine, --concurrency = cores)"
    )
    print(
        f"  politeness ({delay} s between requests, {per_host} per host): >= {polite_s:.0f} s a site -> "
        f"{procs:.0f} task processes busy at once; at ~{max(1, polite_s / site_ws):.0f} waiting crawls per core "
        f"that is {procs / max(1, polite_s / site_ws):.1f} cores, so the CPU figure above decides; give each "
        f"two-core machine --concurrency {min(16, max(2, round(2 * polite_s / site_ws)))} and memory for that many "
        f"task processes (peak per worker process tree above)"
    )


if __name__ == "__main__":
    main()
