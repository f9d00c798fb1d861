"""`monitor schedule` as it runs in production: a real subprocess, real crawls of the demo portal.

One daemon session covers: jobs run and are recorded (status, job_runs), a locked site is skipped,
SIGKILL mid-crawl then restart re-runs the crawl with the job store intact, notifications go out once
per state change, SIGTERM mid-crawl stops cleanly with the run marked interrupted.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.config import dump_yaml
from monitor.ops.locks import DbLock, pid_alive
from monitor.store import Probe, Store, utcnow
from tests.conftest import ROOT, run_monitor
from tests.daemon_helpers import HttpReceiver


def wait_for(what: str, predicate, timeout: float = 40, every: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = predicate()
        if got:
            return got
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class DaemonProc:
    def __init__(self, cfg: Path, cwd: Path, n: int):
        self.err = open(cwd / f"daemon{n}.err", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "-c", str(cfg), "schedule"],
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"},
            stdout=subprocess.DEVNULL,
            stderr=self.err,
        )

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.err.close()


@pytest.fixture
def daemons():
    started: list[DaemonProc] = []
    yield started
    for d in started:
        d.stop()


class CountingPages(dict):
    """The demo's page table, counting lookups (one per request) and pacing them a little,
    so a crawl is observably in progress for a second or two."""

    requests = 0

    def get(self, key, default=None):
        type(self).requests += 1
        time.sleep(0.05)
        return super().get(key, default)


def q(db: Path, sql: str, *args):
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def running_after(db: Path, after: int):
    """A demo crawl newer than ``after`` that is fetching pages right now (Scrapy's reactor is up)."""

    def probe():
        rows = q(db, "SELECT id FROM crawl_runs WHERE site='demo' AND status='running' AND id > ?", after)
        if not rows:
            probe.seen = None
            return None
        if probe.seen is None or probe.seen[0] != rows[0][0]:
            probe.seen = (rows[0][0], CountingPages.requests)
            return None
        return rows[0][0] if CountingPages.requests >= probe.seen[1] + 3 else None

    probe.seen = None
    return probe


def test_daemon_runs_locks_survives_kill_and_stops_cleanly(tmp_path, demo_server, daemons):
    receiver = HttpReceiver()
    db = tmp_path / "monitor.db"
    log_file = tmp_path / "log" / "monitor.log"
    cfg = tmp_path / "sites.yaml"
    demo_server.site.pages = CountingPages(demo_server.site.pages)
    limits = {
        "delay_seconds": 0,
        "concurrency_per_host": 2,
        "max_pages": 30,
        "check_external": False,
        "allow_private_network": True,
    }
    cfg.write_text(
        dump_yaml(
            {
                "organisation": {"name": "示例县人民政府办公室"},
                "units": [{"name": "示例县人民政府办公室", "notify": [receiver.url("unit")]}],
                "sites": [
                    {
                        "key": "demo",
                        "name": "示例门户",
                        "home": demo_server.home,
                        "unit": "示例县人民政府办公室",
                        "limits": limits,
                    },
                    {
                        "key": "other",
                        "name": "另一网站",
                        "home": demo_server.home,
                        "unit": "示例县人民政府办公室",
                        "limits": limits,
                    },
                ],
                "storage": {"url": f"sqlite:///{db}", "notices_dir": str(tmp_path / "notices")},
                "schedule": {
                    "crawl": "every 2s",
                    # no real probes: the test's two failed probes are the site's whole history (the default
                    # probe at :00 and :30 would record the site up and a recovery would be told as well)
                    "probe": "off",
                    "notify": "every 1s",
                    "notice": "off",
                    "recheck": "off",
                    "log_file": str(log_file),
                    "stop_timeout_seconds": 30,
                },
                "notify": {"down_after_failures": 2, "events": ["site_down"]},
            }
        ),
        encoding="utf-8",
    )

    store = Store(f"sqlite:///{db}")
    # Someone else is crawling "other": the daemon must refuse to crawl it at the same time.
    holder = DbLock(store, "crawl:other", ttl=600, owner="test-holder", heartbeat=False)
    assert holder.acquire()
    # Two failed probes of "demo": confirmed down (N = 2), to be told exactly once.
    with store.session() as s:
        for _ in range(2):
            s.add(Probe(site="demo", at=utcnow(), url=demo_server.home, ok=False, error_kind="refused"))

    daemons.append(DaemonProc(cfg, tmp_path, 1))

    # --- jobs run and are recorded
    first = wait_for(
        "a finished crawl job",
        lambda: q(db, "SELECT run_id FROM job_runs WHERE job_id='crawl:demo' AND outcome='ok'"),
        timeout=45,
    )
    run_id = first[0][0]
    assert q(db, "SELECT status FROM crawl_runs WHERE id=?", run_id) == [("finished",)]
    assert q(db, "SELECT count(*) FROM checks WHERE site='demo' AND run_id=?", run_id)[0][0] == 1
    skipped = wait_for(
        "the locked site skipped",
        lambda: q(db, "SELECT error FROM job_runs WHERE job_id='crawl:other' AND outcome='skipped'"),
    )
    assert "正被其他进程抓取" in skipped[0][0] and "test-holder" in skipped[0][0]
    assert q(db, "SELECT count(*) FROM crawl_runs WHERE site='other'")[0][0] == 0

    # the two failed probes: "down" told exactly once, though notify runs every second (a fast crawl may be done
    # before the fifth run: wait for it)
    wait_for(
        "five notify runs",
        lambda: q(db, "SELECT count(*) FROM job_runs WHERE job_id='notify' AND outcome='ok'")[0][0] >= 5,
    )
    assert len(receiver.bodies("unit")) == 1 and "无法访问" in receiver.bodies("unit")[0]

    # --- SIGKILL mid-crawl: the child stops with its parent, the job store keeps the jobs, restart re-runs
    killed_run = wait_for("a crawl in progress", running_after(db, run_id), every=0.05)
    child = wait_for("the crawl child pid", lambda: q(db, "SELECT child_pid FROM locks WHERE name='crawl:demo'"))
    child_pid = child[0][0]
    daemons[0].proc.send_signal(signal.SIGKILL)
    daemons[0].proc.wait()
    wait_for("the orphaned crawl to stop", lambda: not pid_alive(child_pid), timeout=20)
    stored = {r[0] for r in q(db, "SELECT id FROM apscheduler_jobs")}
    assert {"crawl:demo", "crawl:other", "notify"} <= stored

    # the site comes back up while the daemon is down: the next daemon says so, once
    with store.session() as s:
        s.add(Probe(site="demo", at=utcnow(), url=demo_server.home, ok=True, status=200))
    daemons.append(DaemonProc(cfg, tmp_path, 2))
    # --- while the re-run crawls: status, and notifications
    status = run_monitor("-c", str(cfg), "status", "--format", "json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    jobs = {j["job"]: j for j in json.loads(status.stdout)["jobs"]}
    assert jobs["crawl:demo"]["next_run"] and jobs["notify"]["outcome"] == "ok"
    assert jobs["crawl:other"]["outcome"] == "skipped" and "test-holder" in jobs["crawl:other"]["error"]
    table = run_monitor("-c", str(cfg), "status", cwd=tmp_path, env={"COLUMNS": "200"})
    assert "定时任务状态" in table.stdout and "全站抓取" in table.stdout and "已跳过" in table.stdout

    # --- back up: told once by the new daemon, however many notify runs follow
    wait_for("the recovery message", lambda: len(receiver.bodies("unit")) >= 2)
    n_notify = q(db, "SELECT count(*) FROM job_runs WHERE job_id='notify'")[0][0]
    wait_for(
        "two more notify runs",
        lambda: q(db, "SELECT count(*) FROM job_runs WHERE job_id='notify'")[0][0] >= n_notify + 2,
    )
    assert len(receiver.bodies("unit")) == 2 and "已恢复访问" in receiver.bodies("unit")[1]

    rerun = wait_for(
        "a crawl job done after the restart",
        lambda: q(
            db, "SELECT run_id FROM job_runs WHERE job_id='crawl:demo' AND outcome='ok' AND run_id > ?", killed_run
        ),
        timeout=45,
    )
    assert q(db, "SELECT status FROM crawl_runs WHERE id=?", rerun[0][0]) == [("finished",)]
    # the killed crawl's run is resumed by the restarted daemon's crawl (monitor/crawl/resume.py), then finished
    assert q(db, "SELECT status FROM crawl_runs WHERE id=?", killed_run) == [("finished",)]
    reaped = q(db, "SELECT outcome, error FROM job_runs WHERE job_id='crawl:demo' AND error LIKE '%意外退出%'")
    assert reaped and reaped[0][0] == "interrupted"

    # --- SIGTERM mid-crawl: Scrapy closes, the run is interrupted, the lock released, the daemon exits 0
    last = rerun[-1][0]
    stopped_run = wait_for("a crawl under way", running_after(db, last), timeout=30, every=0.05)
    daemons[1].proc.send_signal(signal.SIGTERM)
    assert daemons[1].proc.wait(timeout=40) == 0
    status_row = q(db, "SELECT status, error FROM crawl_runs WHERE id=?", stopped_run)[0]
    assert status_row[0] == "interrupted"
    job = q(db, "SELECT outcome, error FROM job_runs WHERE run_id=? ", stopped_run)
    assert job and job[0][0] == "interrupted" and "重新抓取" in job[0][1]
    assert q(db, "SELECT name FROM locks") == [("crawl:other",)]  # ours released; the test's still held
    assert q(db, "SELECT count(*) FROM job_runs WHERE finished_at IS NULL")[0][0] == 0
    assert len(receiver.bodies("unit")) == 2

    # --- the log: one JSON object per line, with run ids
    lines = [json.loads(x) for x in log_file.read_text(encoding="utf-8").splitlines()]
    assert all({"time", "level", "event", "job", "run_id", "site", "message"} <= set(x) for x in lines)
    events = [x["event"] for x in lines]
    assert "crawl.resume" in events and events[-1] == "daemon.stopped"
    assert any(x["event"] == "job.ok" and x["job"] == "crawl:demo" and x["run_id"] == run_id for x in lines)
    receiver.close()
