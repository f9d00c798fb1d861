"""The revisit policy of re-crawls (monitor.crawl.revisit): leaves verified on a rotation, the rest every crawl.

A re-crawl fetches the home page, list pages, pages with open findings, broken and new URLs; dated articles,
attachments, images and external links not due are carried over with their facts and links. The findings
must be those a full re-crawl gives, and each leaf must still be verified at least once per revisit_days.
"""

from __future__ import annotations

import math
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import ConfigError, dump_yaml, parse_config
from monitor.crawl.revisit import choose, crawl_interval
from tests.conftest import DEMO_DAY, run_monitor
from tests.local_http import serve
from tests.revisit_site import RevisitSite, article_path, external_route

WEEK = timedelta(days=7)


@pytest.mark.parametrize("step", [timedelta(days=1), timedelta(hours=8), timedelta(days=3)])
def test_rotation_verifies_each_leaf_within_revisit_days_and_spreads_the_load(step):
    t0 = datetime(2026, 11, 1)
    verified = {f"http://x.gov.cn/a{i}.html": t0 for i in range(200)}  # the first crawl verified all at once
    starts, now, per_crawl = [t0], t0, []
    for _ in range(int(30 * timedelta(days=1) / step)):
        now += step
        due = choose(verified.items(), now=now, interval=crawl_interval(starts, now, WEEK), window=WEEK)
        per_crawl.append(len(due))
        for url in due:
            assert now - verified[url] <= WEEK, url  # never later than revisit_days
            verified[url] = now
        starts.append(now)
        assert all(now - v < WEEK for v in verified.values())  # nobody is left overdue
    share = math.ceil(len(verified) * step / WEEK)
    assert max(per_crawl) <= share + math.ceil(share * 0.35), per_crawl  # no crawl does much more than its share
    assert min(per_crawl) >= share * 0.6, per_crawl


def test_crawl_interval_is_the_median_gap_of_recent_crawls_bounded_by_the_window():
    t = datetime(2026, 11, 1)
    days = [t + timedelta(days=d) for d in (0, 1, 2, 3, 3.01)]  # daily, and a manual crawl right after one
    assert crawl_interval(days, t + timedelta(days=4), WEEK) == timedelta(days=1)
    assert crawl_interval([t], t + timedelta(days=30), WEEK) == WEEK
    assert crawl_interval([], t, WEEK) == WEEK


def test_revisit_days_is_validated_and_overridable_per_site():
    site = {"key": "a", "name": "甲", "home": "http://a.gov.cn/", "unit": "单位"}
    data = {
        "organisation": {"name": "县政府办"},
        "units": [{"name": "单位"}],
        "sites": [site, {**site, "key": "b", "limits": {"revisit_days": 3}}],
    }
    config = parse_config(data)
    assert [s.limits.revisit_days for s in config.sites] == [7, 3]
    with pytest.raises(ConfigError, match="revisit_days"):
        parse_config({**data, "sites": [{**site, "limits": {"revisit_days": -1}}]})


# ------------------------------------------------------------ real crawls on loopback


def _config(tmp: Path, home: str, db: Path) -> str:
    path = tmp / "sites.yaml"
    path.write_text(
        dump_yaml(
            {
                "organisation": {"name": "测试县人民政府办公室"},
                "units": [{"name": "测试单位"}],
                "sites": [
                    {
                        "key": "s",
                        "name": "示例县人民政府网站",
                        "home": home,
                        "unit": "测试单位",
                        "limits": {"delay_seconds": 0, "concurrency_per_host": 8, "allow_private_network": True},
                    }
                ],
                "storage": {"url": f"sqlite:///{db}", "notices_dir": str(tmp / "out")},
            }
        ),
        encoding="utf-8",
    )
    return str(path)


def _crawl(cfg: str, tmp: Path, *extra: str) -> str:
    out = run_monitor("-c", cfg, "crawl", "--as-of", DEMO_DAY.isoformat(), *extra, cwd=tmp)
    assert out.returncode in (0, 1), out.stderr
    return out.stderr


def _age(db: Path, days: int) -> None:
    """Time passes: every stored time moves ``days`` into the past (the next crawl runs ``days`` later)."""
    con = sqlite3.connect(db)
    shift = f"-{days} days"
    con.execute(
        "update pages set fetched_at = datetime(fetched_at, ?), verified_at = datetime(verified_at, ?)", (shift, shift)
    )
    con.execute(
        "update crawl_runs set started_at = datetime(started_at, ?), finished_at = datetime(finished_at, ?)",
        (shift, shift),
    )
    con.commit()
    con.close()


def _leaves(con: sqlite3.Connection, run: int) -> dict[str, str]:
    """Dated articles, the image and external links of a run: URL -> when last verified."""
    return dict(
        con.execute(
            "select url, verified_at from pages where run_id=? and status=200 "
            "and (url like '%/202611/%' or text is null or is_external)",
            (run,),
        )
    )


def test_unchanged_recrawl_sends_a_quarter_of_the_requests_and_a_week_of_crawls_verifies_every_leaf(tmp_path):
    with serve(external_route) as ext:
        site = RevisitSite(ext.base, news=60)
        with serve(site.route) as srv:
            db = tmp_path / "m.db"
            cfg = _config(tmp_path, srv.url("/"), db)

            def requests() -> int:  # counted by the servers
                return sum(srv.hits.values()) + sum(ext.hits.values())

            _crawl(cfg, tmp_path)
            first = requests()
            _age(db, 1)  # a daily crawl: a seventh of the leaves is due
            out = _crawl(cfg, tmp_path)
            second = requests() - first
            _age(db, 6)  # a week after the first crawl
            _crawl(cfg, tmp_path)
    con = sqlite3.connect(db)
    (r1, n1), (r2, n2), (r3, n3) = con.execute("select id, pages from crawl_runs order by id").fetchall()
    carried2 = con.execute("select pages_carried from crawl_runs where id=?", (r2,)).fetchone()[0]
    leaves1, leaves2, leaves3 = _leaves(con, r1), _leaves(con, r2), _leaves(con, r3)
    con.close()
    assert n1 == n2 == n3 and len(leaves1) >= 60
    assert second <= 0.25 * first, (second, first)
    # the rotation's share (a seventh) was verified, the other leaves carried over with their old time
    verified2 = [u for u in leaves2 if leaves2[u] > leaves1[u]]
    assert len(verified2) == math.ceil(len(leaves1) / 7), verified2
    assert carried2 == len(leaves1) - len(verified2)
    assert f"{carried2} 个未到复核时间、沿用上次结果未重新请求" in out and "每 7 天复核一次" in out, out
    # a week on, every leaf has been verified since the first crawl
    assert all(leaves3[u] > leaves1[u] for u in leaves1)


def _findings(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    rows = sorted(con.execute("select rule, url, source_url, evidence, status from findings where verdict='finding'"))
    con.close()
    return rows


def _columns(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    run = con.execute("select max(id) from crawl_runs").fetchone()[0]
    rows = sorted(con.execute("select url, name, kind, item_count from columns where run_id=?", (run,)))
    rows += sorted(con.execute("select column_url, url, date from column_items where run_id=?", (run,)))
    con.close()
    return rows


def test_a_changed_site_gives_the_same_findings_as_a_full_recrawl(tmp_path):
    from monitor.check.checking import check_sites
    from monitor.config import load_config
    from monitor.store import Store

    def check(cfg: str) -> None:
        config = load_config(cfg)
        check_sites(Store(config.storage.url), config, as_of=DEMO_DAY)

    with serve(external_route) as ext:
        site = RevisitSite(ext.base)
        broken_then_fixed, removed = article_path("xwdt", 3), site.notices[2]
        relinked, citing = article_path("xwdt", 4), article_path("xwdt", 10)
        site.extra = {
            broken_then_fixed: "<a href='/files/old.pdf'>附件</a>",
            relinked: "<a href='/gone.html'>旧链接</a>",
            citing: f"<a href='{removed[0]}'>相关阅读</a>",
        }
        site.files = {"/files/old.pdf": None}
        site.build()
        with serve(site.route) as srv:
            a, b = tmp_path / "a", tmp_path / "b"
            a.mkdir()
            cfg_a = _config(a, srv.url("/"), a / "m.db")
            _crawl(cfg_a, a)
            check(cfg_a)
            assert {(r[0], r[1].removeprefix(srv.base)) for r in _findings(a / "m.db")} >= {
                ("W-S1", "/files/old.pdf"),
                ("W-S1", "/gone.html"),
            }
            shutil.copytree(a, b)
            cfg_b = _config(b, srv.url("/"), b / "m.db")

            # the site changes: new articles (one with a broken internal and a dead external link), a fixed
            # document, a link corrected in place, a notice taken off its list and deleted
            site.news[:0] = [
                (article_path("xwdt", 90), "新闻第90条", "2026-11-25"),
                (article_path("xwdt", 91), "新闻第91条", "2026-11-25"),
            ]
            site.notices = [n for n in site.notices if n != removed]
            site.notices.insert(0, (article_path("tzgg", 190), "通知公告第190号", "2026-11-25"))
            site.extra[article_path("xwdt", 91)] = (
                f"<a href='/missing.html'>坏链</a><a href='{ext.base}/dead.html'>外</a>"
            )
            site.extra[relinked] = "<a href='/xwdt/'>新链接</a>"
            site.files = {"/files/old.pdf": "%PDF-1.4 恢复", removed[0]: None}
            site.build()

            out_a = _crawl(cfg_a, a)  # the revisit policy
            out_b = _crawl(cfg_b, b, "--full")
    check(cfg_a)
    check(cfg_b)
    assert "沿用上次结果未重新请求" in out_a and "沿用上次结果未重新请求" not in out_b, (out_a, out_b)
    con = sqlite3.connect(a / "m.db")
    carried = con.execute("select pages_carried from crawl_runs order by id desc limit 1").fetchone()[0]
    con.close()
    assert carried >= 30  # most articles were not fetched again
    found = _findings(a / "m.db")
    assert found == _findings(b / "m.db")
    assert _columns(a / "m.db") == _columns(b / "m.db")
    by_url = {(r[0], r[1].removeprefix(srv.base), r[4]) for r in found}
    assert {
        ("W-S1", "/missing.html", "待整改"),
        ("W-S1", removed[0], "待整改"),
        ("W-S1", "/files/old.pdf", "待复核"),
        ("W-S1", "/gone.html", "待复核"),
    } <= by_url, by_url
