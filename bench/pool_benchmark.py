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

Measured 2026-11-30 on the 2-core development machine while 8 developers ran their tests on it (load average
15-20), at the small scale (`--sites 20 --scale 0.5 --accounts 100`: 2,440 pages):
  1 worker : crawl+check 965 s (2.5 pages/s), feeds 11.3 s (8.9 accounts/s), peak 396 MB per worker
  2 workers: crawl+check 504 s (4.8 pages/s), feeds  7.7 s (13.0 accounts/s), peak 395 MB per worker
  speed-up 1.91x for crawl+check (1.46x for 100 accounts: too few to hide the batch start-up)
And at the full site size with fewer sites (`--sites 10 --scale 1.4 --accounts 200`: 3,000 pages, load 6-11):
  1 worker : crawl+check 367 s (8.2 pages/s), feeds 17.9 s (11.2 accounts/s), peak 411 MB per worker
  2 workers: crawl+check 229 s (13.1 pages/s), feeds 12.5 s (16.0 accounts/s), peak 410 MB per worker
  speed-up 1.61x: below the 1.8x target here (the page server and other developers' tests share the two
  cores; 10 sites split 5/5 leave a tail where one worker idles); the 1.91x above had 20 sites.
Peak memory is a worker's whole tree (Celery worker, task process, crawl child).

Written extrapolation to 3,000 sites x ~300 pages + 20,000 accounts a day, from those figures: a page costs
~0.41 worker-seconds (crawl, store, check and the crawl child's start-up, on that loaded machine), an account
~0.15. 900,000 pages = ~103 worker-hours, 20,000 accounts = ~0.8 worker-hours; in a 12-hour night window
that is ~9 worker processes at the loaded rate, i.e. 5 two-core machines; on machines of their own (the
figures above were taken with ~8x more runnable processes than cores) expect 2-3 two-core machines. Politeness
sets a floor of its own: at the default 0.5 s between requests to a host a 300-page site takes >= 150 s,
3,000 sites >= 125 crawl-hours, so ~11 crawls must run at once through the window: give each machine
`--concurrency` 6-8 (crawls mostly wait) and ~400 MB of memory per task process. Sites sharing one host are
paced together across the pool: a portal host with 25 department sites x 300 pages needs >= 1 hour.
Full scale (only on a quiet machine): `PYTHONPATH=. .venv/bin/python bench/pool_benchmark.py`.
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
