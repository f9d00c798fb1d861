"""Cheap re-checks: an unchanged page is not parsed again, its facts are carried over; a changed one is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import DEMO_DAY, findings_json, run_links_sql, run_monitor


def write_config(
    tmp_path: Path, home: str, *, delay: float = 0, concurrency: int = 8, db: str | None = None, revisit_days: int = 7
) -> Path:
    cfg = tmp_path / "sites.yaml"
    url = db or "sqlite:///" + str(tmp_path / "m.db")
    notices = tmp_path / "out"
    cfg.write_text(
        f"""
organisation: {{name: 示例县人民政府办公室}}
units: [{{name: 县政府办}}]
sites:
  - key: portal
    name: 示例县人民政府门户网站
    home: {home}
    unit: 县政府办
    limits: {{delay_seconds: {delay}, concurrency_per_host: {concurrency}, allow_private_network: true,
              revisit_days: {revisit_days}}}
storage: {{url: "{url}", notices_dir: "{notices}"}}
""",
        encoding="utf-8",
    )
    return cfg


def crawl_and_check(cfg: Path, tmp_path: Path, *crawl_args: str) -> None:
    for cmd in ("crawl", "check"):
        out = run_monitor(
            "-c", str(cfg), cmd, "--as-of", DEMO_DAY.isoformat(), *(crawl_args if cmd == "crawl" else ()), cwd=tmp_path
        )
        assert out.returncode == 0, out.stderr


def facts(con: sqlite3.Connection, run_id: int) -> dict[str, object]:
    """A run's facts, without what legitimately differs between runs (ids, fetch times)."""
    q = {
        "pages": "select url, status, title, text, content_hash, pub_date, meta, footer from pages where run_id=?",
        "links": run_links_sql("l.source_url, l.target_url, l.anchor_text, l.tag, l.on_home, l.is_external"),
        "columns": "select url, name, kind, item_count, list_pages from columns where run_id=?",
        "items": "select column_url, url, title, date, date_text from column_items where run_id=?",
    }
    return {k: sorted(map(repr, con.execute(sql, (run_id,) * sql.count("?")).fetchall())) for k, sql in q.items()}


def test_unchanged_recrawl_reuses_pages_and_a_changed_article_is_parsed(tmp_path, demo_server):
    cfg = write_config(tmp_path, demo_server.home)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    crawl_and_check(cfg, tmp_path)
    first = findings_json(db, tmp_path)
    assert first  # the planted problems

    crawl_and_check(cfg, tmp_path)  # nothing changed on the site
    con = sqlite3.connect(tmp_path / "m.db")
    runs = con.execute("select id, status, pages, pages_parsed, pages_reused from crawl_runs order by id").fetchall()
    (r1, s1, n1, parsed1, reused1), (r2, s2, n2, parsed2, reused2) = runs
    assert s1 == s2 == "finished" and n1 == n2 and reused1 == 0 and parsed1 == n1
    # re-parsed: only what has no validators (the 404s and the unreachable site); the rest came back 304
    assert reused2 >= n2 - 5 and parsed2 <= 5, runs
    assert facts(con, r2) == facts(con, r1)
    second = findings_json(db, tmp_path)
    assert [(f["rule"], f["url"], f["evidence"]) for f in second] == [
        (f["rule"], f["url"], f["evidence"]) for f in first
    ]

    # one article changes: on a full re-crawl (every URL requested, none carried over by the revisit
    # policy) that page, and only among the site's readable pages, is parsed again
    article = next(p for p in demo_server.site.pages if p.startswith("/xwzx/bmdt/2"))
    ctype, body = demo_server.site.pages[article]
    demo_server.site.pages[article] = (ctype, body.replace("会议要求".encode(), "会议再次要求".encode()))
    crawl_and_check(cfg, tmp_path, "--full")
    r3, parsed3, reused3 = con.execute(
        "select id, pages_parsed, pages_reused from crawl_runs order by id desc limit 1"
    ).fetchone()
    fresh = con.execute(
        "select url, text from pages where run_id=? and reused is null and status=200", (r3,)
    ).fetchall()
    assert [u for u, _ in fresh] == [demo_server.base + article]
    assert "会议再次要求" in fresh[0][1]
    assert parsed3 == parsed2 + 1 and reused3 == reused2 - 1
    con.close()


def test_unchanged_recrawl_copies_facts_on_postgresql(tmp_path, demo_server, pg_url):
    """The copy is SQL (INSERT … SELECT): the same on PostgreSQL."""
    import psycopg

    cfg = write_config(tmp_path, demo_server.home, db=pg_url)
    for _ in range(2):
        out = run_monitor("-c", str(cfg), "crawl", "--as-of", DEMO_DAY.isoformat(), cwd=tmp_path)
        assert out.returncode == 0, out.stderr
    with psycopg.connect(pg_url) as con:
        (n1, r1), (n2, r2) = con.execute("select pages, pages_reused from crawl_runs order by id").fetchall()
        assert n1 == n2 and r1 == 0 and r2 >= n2 - 5
        runs = [r for (r,) in con.execute("select id from crawl_runs order by id")]
        counts = [
            con.execute(f"select count(*) from ({run_links_sql('l.id', mark='%s')}) as x", (run, run)).fetchone()[0]
            for run in runs
        ]
        assert counts[0] == counts[1] > 1000
        # the carried pages' links are read where the first run stored them, not copied
        stored = dict(
            con.execute(
                "select run_id, sum(json_array_length(links::json)) from pages where links is not null group by run_id"
            ).fetchall()
        )
        assert stored[runs[0]] == counts[0] and stored.get(runs[1], 0) < counts[0] / 10
        items = con.execute(
            "select run_id, count(*), max(date) from column_items group by run_id order by run_id"
        ).fetchall()
        assert items[0][1:] == items[1][1:] and items[0][1] > 100
