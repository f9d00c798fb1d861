"""A dead site, a killed crawl: clear messages, nothing stored is lost, one bad site never stops the others."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from monitor.demo.server import dead_address
from monitor.demo.site import PORTAL_PLANTED
from tests.conftest import DEMO_DAY, ROOT, findings_json, run_monitor


def _config(tmp_path: Path, sites: list[tuple[str, str, str]], *, delay: float = 0, concurrency: int = 8) -> Path:
    lines = ["organisation: {name: 示例县人民政府办公室}", "units: [{name: 县政府办}]", "sites:"]
    for key, name, home in sites:
        lines += [
            f"  - key: {key}",
            f"    name: {name}",
            f"    home: {home}",
            "    unit: 县政府办",
            f"    limits: {{delay_seconds: {delay}, concurrency_per_host: {concurrency}, timeout_seconds: 5, allow_private_network: true}}",
        ]
    lines.append(f'storage: {{url: "sqlite:///{tmp_path / "m.db"}", notices_dir: "{tmp_path / "out"}"}}')
    p = tmp_path / "sites.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_a_dead_site_is_named_and_the_others_are_crawled(tmp_path, demo_server):
    dead = dead_address() + "/"
    cfg = _config(
        tmp_path, [("dead", "已关停的部门网站", dead), ("portal", "示例县人民政府门户网站", demo_server.home)]
    )
    out = run_monitor("-c", str(cfg), "crawl", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
    assert out.returncode == 3, out.stderr
    assert "已关停的部门网站" in out.stderr and "连接被拒绝" in out.stderr and "Traceback" not in out.stderr
    con = sqlite3.connect(tmp_path / "m.db")
    runs = dict(con.execute("select site, status from crawl_runs").fetchall())
    assert runs == {"dead": "finished", "portal": "finished"}
    (dead_home_error,) = con.execute(
        "select error_kind from pages p join crawl_runs r on r.id = p.run_id where r.site='dead' and p.is_home"
    ).fetchone()
    assert dead_home_error == "refused"
    portal_pages = con.execute(
        "select count(*) from pages p join crawl_runs r on r.id = p.run_id where r.site='portal'"
    ).fetchone()[0]
    assert portal_pages > 200
    # the dead site's home page is a fact W-V2 cannot judge: unverified, not a finding
    out = run_monitor("-c", str(cfg), "check", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    rows = findings_json(f"sqlite:///{tmp_path / 'm.db'}", tmp_path, "--site", "dead")
    assert rows == []


def test_a_killed_crawl_leaves_earlier_runs_and_findings_intact(tmp_path, demo_server):
    cfg = _config(tmp_path, [("portal", "示例县人民政府门户网站", demo_server.home)])
    assert run_monitor("-c", str(cfg), "crawl", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path).returncode == 0
    assert run_monitor("-c", str(cfg), "check", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path).returncode == 0
    db = f"sqlite:///{tmp_path / 'm.db'}"
    before = findings_json(db, tmp_path)
    assert len(before) == len(PORTAL_PLANTED)

    slow = _config(tmp_path, [("portal", "示例县人民政府门户网站", demo_server.home)], delay=0.1, concurrency=1)
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(slow), "crawl"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    con = sqlite3.connect(tmp_path / "m.db", timeout=30)
    deadline = time.time() + 60
    while time.time() < deadline:  # kill it once the second run has stored some pages
        n = con.execute("select count(*) from pages where run_id = (select max(id) from crawl_runs)").fetchone()[0]
        if con.execute("select count(*) from crawl_runs").fetchone()[0] == 2 and n >= 20:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    runs = con.execute("select id, status, pages from crawl_runs order by id").fetchall()
    assert runs[0][1] == "finished" and runs[0][2] > 200
    assert runs[1][1] == "running"  # killed: never marked finished
    first_run_pages = con.execute("select count(*) from pages where run_id = ?", (runs[0][0],)).fetchone()[0]
    assert first_run_pages == runs[0][2]
    # checks judge the latest *finished* crawl: the killed one changes nothing
    assert run_monitor("-c", str(cfg), "check", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path).returncode == 0
    after = findings_json(db, tmp_path)
    assert [(f["id"], f["rule"], f["url"], f["status"]) for f in after] == [
        (f["id"], f["rule"], f["url"], f["status"]) for f in before
    ]
