"""Benchmark: the dashboard's findings list over 100,000 findings.

Not a test. Fills a temporary SQLite store with N findings (32 units, 60 sites
and accounts, every rule, every status, 18 months of first-seen dates), starts
the real dashboard (uvicorn on 127.0.0.1, port 0), signs in over HTTP and
times the findings list page: first pages, deep keyset pages and filtered
views (also as a unit user). Prints median and p95 per view and overall.
Target: under 300 ms per page.

    /work/main/.venv/bin/python bench/dashboard_benchmark.py [--findings 100000] [--repeat 7] [--db PATH]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import uvicorn
from sqlalchemy import func, select

from monitor.config import parse_config
from monitor.model import FindingStatus
from monitor.store import Finding, Store, utcnow
from monitor.web import create_app
from monitor.web.auth import create_user
from rules import all_rules

TODAY = date(2026, 11, 26)
DEPARTMENTS = [
    "发展和改革局",
    "教育体育局",
    "科技和工业信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
]
UNITS = (
    [f"示例县{d}" for d in DEPARTMENTS]
    + [f"示例县{b}分局" for b in ("税务", "气象", "烟草")]
    + [f"示例县{t}镇人民政府" for t in ("城关", "东山", "西河", "南岭", "北坪")]
    + ["示例县城南街道办事处"]
)
STATUSES = [
    (s.value, w)
    for s, w in (
        (FindingStatus.OPEN, 20),
        (FindingStatus.NOTIFIED, 20),
        (FindingStatus.FIXED, 35),
        (FindingStatus.OVERDUE, 8),
        (FindingStatus.RECHECK, 5),
        (FindingStatus.REOPENED, 3),
        (FindingStatus.WONTFIX, 2),
        (FindingStatus.SUBMITTED, 7),
    )
]
PASSWORD = "bench-password-1"


def fill(store: Store, n: int, seed: int = 1) -> list[dict]:
    rnd = random.Random(seed)
    rules = [(e.rule.id, e.rule.severity.value) for e in all_rules()]
    sites = []
    for i, unit in enumerate(UNITS):
        sites.append({"key": f"site{i:02d}", "name": f"{unit}网站", "unit": unit})
        if i % 2 == 0:
            sites.append({"key": f"acct{i:02d}", "name": f"{unit}微信公众号", "unit": unit})
    statuses, weights = zip(*STATUSES)
    start = TODAY - timedelta(days=540)
    now = utcnow()
    batch = []
    for i in range(n):
        site = rnd.choice(sites)
        rule, severity = rnd.choice(rules)
        status = rnd.choices(statuses, weights)[0]
        first = start + timedelta(days=int(540 * (i / n)) + rnd.randint(0, 3))
        first = min(first, TODAY)
        batch.append(
            {
                "fingerprint": f"{i:064x}",
                "rule": rule,
                "severity": severity,
                "verdict": "finding",
                "site": site["key"],
                "unit": site["unit"],
                "url": f"http://{site['key']}.example.gov.cn/a/{i}.html",
                "source_url": None,
                "subject": f"http://{site['key']}.example.gov.cn/a/{i}.html",
                "evidence": f"链接无法访问（HTTP 404），见于第 {i % 97} 页",
                "facts": {"status": 404, "n": i},
                "first_seen": first,
                "last_seen": min(TODAY, first + timedelta(days=rnd.randint(0, 60))),
                "occurrences": 1,
                "absent_checks": 0,
                "status": status,
                "deadline": first + timedelta(days=40) if status != FindingStatus.OPEN.value else None,
                "fixed_on": first + timedelta(days=rnd.randint(5, 60)) if status == FindingStatus.FIXED.value else None,
                "updated_at": now,
            }
        )
        if len(batch) == 5000:
            store.insert_rows(Finding, batch)
            batch = []
    store.insert_rows(Finding, batch)
    return sites


def serve(app):
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"


def signed_in(base: str, username: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=30, follow_redirects=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.url.path == "/", "sign-in failed"
    return c


def timed(c: httpx.Client, url: str) -> float:
    t = time.perf_counter()
    r = c.get(url)
    elapsed = (time.perf_counter() - t) * 1000
    if r.status_code != 200:
        raise SystemExit(f"{url}: HTTP {r.status_code}")
    return elapsed


def p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--db", help="SQLite file to use (default: a temporary one)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="dashboard-bench-")
    db = args.db or str(Path(tmp) / "bench.db")
    store = Store(f"sqlite:///{db}")
    with store.session() as s:
        have = s.scalar(select(func.count()).select_from(Finding))
    t = time.perf_counter()
    if not have:
        fill(store, args.findings)
        create_user(store, "auditor", PASSWORD, "auditor")
        create_user(store, "unit", PASSWORD, "unit", UNITS[1])
        print(f"已写入 {args.findings} 个问题，用时 {time.perf_counter() - t:.1f} 秒（{db}）")
    with store.session() as s:
        total = s.scalar(select(func.count()).select_from(Finding))
        max_id = s.scalar(select(func.max(Finding.id)))
    config = parse_config(
        {
            "organisation": {"name": "示例县人民政府办公室"},
            "units": [{"name": u} for u in UNITS],
            "storage": {"url": f"sqlite:///{db}", "notices_dir": str(Path(tmp) / "notices")},
        },
        source="bench",
    )
    app = create_app(store, config, secret_key="b" * 48, today=lambda: TODAY)
    server, thread, base = serve(app)
    auditor, unit = signed_in(base, "auditor"), signed_in(base, "unit")
    month = f"{TODAY - timedelta(days=200):%Y-%m}"
    views = [
        ("第一页", auditor, "/findings"),
        ("中间页（keyset）", auditor, f"/findings?before={max_id // 2}"),
        ("深页（倒数）", auditor, "/findings?before=120"),
        ("上一页（after）", auditor, f"/findings?after={max_id // 3}"),
        ("按单位", auditor, f"/findings?unit={UNITS[5]}"),
        ("按单位·深页", auditor, f"/findings?unit={UNITS[5]}&before=3000"),
        ("未整改", auditor, "/findings?status=open"),
        ("逾期·深页", auditor, "/findings?status=逾期&before=2000"),
        ("按规则", auditor, "/findings?rule=W-S1"),
        ("单项否决", auditor, "/findings?severity=否决"),
        ("按月份", auditor, f"/findings?month={month}"),
        ("单位+状态+月份", auditor, f"/findings?unit={UNITS[3]}&status=open&month={month}"),
        ("网站+严重程度", auditor, "/findings?site=site07&severity=扣分"),
        ("单位账号·第一页", unit, "/findings"),
        ("单位账号·深页", unit, "/findings?before=500"),
    ]
    for _, c, url in views:  # warm up
        timed(c, url)
    print(f"\n问题清单页响应时间（{total} 个问题，每个视图 {args.repeat} 次，毫秒）")
    print(f"{'视图':<16}{'中位数':>8}{'p95':>8}")
    everything: list[float] = []
    for name, c, url in views:
        values = [timed(c, url) for _ in range(args.repeat)]
        everything += values
        print(f"{name:<16}{statistics.median(values):>8.1f}{p95(values):>8.1f}")
    print(f"{'全部':<16}{statistics.median(everything):>8.1f}{p95(everything):>8.1f}")
    overview = [timed(auditor, "/") for _ in range(3)]
    print(f"\n（参考）总览页中位数 {statistics.median(overview):.1f} 毫秒；目标：问题清单每页 < 300 毫秒")
    server.should_exit = True
    thread.join(10)


if __name__ == "__main__":
    main()
