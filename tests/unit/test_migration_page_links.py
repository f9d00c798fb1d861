"""Migration 0017: a store whose links are one row each (0016) keeps every link a reader could reach, now stored
with its page, and a downgrade gives the rows back. Run on SQLite and, when it is there, PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from monitor.store import Store, run_page_links

COLS = "run_id, source_url, target_url, anchor_text, tag, attr, on_home, is_external, fragment, hidden, hiding"
T0 = "2026-11-20 08:00:00"


def _to(url: str, revision: str, *, down: bool = False) -> None:
    from alembic import command

    from monitor.store.db import _alembic_config

    (command.downgrade if down else command.upgrade)(_alembic_config(url), revision)


def _seed(url: str) -> None:
    """Two runs as 0016 stored them: the first with its own link rows (one page redirected, one source with no
    page row), the second carrying /a.html over through links_run and fetching / afresh."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for run in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO crawl_runs (id, site, kind, started_at, status, pages) VALUES (:r, 's', 'site', :t, 'finished', 3)"
                ),
                {"r": run, "t": T0},
            )
        pages = [
            (1, 1, "http://s/", None, None),
            (2, 1, "http://s/a.html", None, None),
            (3, 1, "http://s/old", "http://s/new", None),  # redirected: its links are found on /new
            (4, 2, "http://s/", None, None),
            (5, 2, "http://s/a.html", None, 1),  # carried over: its links are run 1's
        ]
        conn.execute(
            text(
                "INSERT INTO pages (id, run_id, url, final_url, links_run, depth, is_home, is_external, fetched_at) "
                "VALUES (:i, :r, :u, :f, :l, 0, false, false, :t)"
            ),
            [{"i": i, "r": r, "u": u, "f": f, "l": lr, "t": T0} for i, r, u, f, lr in pages],
        )
        links = [
            (1, "http://s/", "http://s/a.html", "甲", "a", "href", True, False, None, None, None),
            (1, "http://s/a.html", "http://s/b.html", "", "a", "href", False, False, "top", None, None),
            (1, "http://s/", "http://x/", "外", "a", "href", True, True, None, True, "display|0||0"),
            (1, "http://s/a.html", "http://s/p.css", "", "link", "href", False, False, None, None, None),
            (1, "http://s/new", "http://s/c.html", "丙", "a", "href", False, False, None, None, None),
            (1, "http://s/gone", "http://s/d.html", "", "a", "href", False, False, None, None, None),  # no page
            (2, "http://s/", "http://s/a.html", "甲", "a", "href", True, False, None, None, None),
        ]
        keys = COLS.split(", ")
        conn.execute(
            text(f"INSERT INTO links ({COLS}) VALUES ({', '.join(':' + k for k in keys)})"),
            [dict(zip(keys, row)) for row in links],
        )
    engine.dispose()


def _links(url: str, run: int) -> list[tuple]:
    store = Store(url)
    try:
        with store.session() as s:
            return [(source, *e) for source, entries in run_page_links(s, run) for e in entries]
    finally:
        store.close()


def _rows(url: str) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [
            tuple(bool(v) if k in ("on_home", "is_external") else v for k, v in zip(COLS.split(", "), r))
            for r in conn.execute(text(f"SELECT {COLS} FROM links ORDER BY run_id, source_url, target_url"))
        ]
        carried = conn.execute(text("SELECT links_run FROM pages WHERE id = 5")).scalar()
    engine.dispose()
    return [r[:9] + ((bool(r[9]), r[10]) if r[9] else (None, None)) for r in rows] + [("carried", carried)]


def _migrates(url: str) -> None:
    _to(url, "0016_page_links_run")
    _seed(url)
    _to(url, "head")
    a = ("http://s/a.html", "http://s/b.html", "", "a", "href", False, False, "top")
    css = ("http://s/a.html", "http://s/p.css", "", "link", "href", False, False, None)
    home = [
        ("http://s/", "http://s/a.html", "甲", "a", "href", True, False, None),
        ("http://s/", "http://x/", "外", "a", "href", True, True, None, True, "display|0||0"),
    ]
    assert _links(url, 1) == [*home, a, css, ("http://s/new", "http://s/c.html", "丙", "a", "href", False, False, None)]
    # run 2: its own home page, and the carried page's links read where run 1 stored them
    assert _links(url, 2) == [home[0], a, css]
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, links_page FROM pages WHERE run_id = 2")).all())
        assert (
            json.loads(conn.execute(text("SELECT links FROM pages WHERE id = 3")).scalar())[0][0] == "http://s/c.html"
        )
    engine.dispose()
    assert stored == {4: None, 5: 2}
    # back to 0016: the rows again (all but the one that belonged to no page), the carried page pointing at run 1
    _to(url, "0016_page_links_run", down=True)
    assert _rows(url) == [
        (1, "http://s/", "http://s/a.html", "甲", "a", "href", True, False, None, None, None),
        (1, "http://s/", "http://x/", "外", "a", "href", True, True, None, True, "display|0||0"),
        (1, "http://s/a.html", "http://s/b.html", "", "a", "href", False, False, "top", None, None),
        (1, "http://s/a.html", "http://s/p.css", "", "link", "href", False, False, None, None, None),
        (1, "http://s/new", "http://s/c.html", "丙", "a", "href", False, False, None, None, None),
        (2, "http://s/", "http://s/a.html", "甲", "a", "href", True, False, None, None, None),
        ("carried", 1),
    ]


def test_links_move_into_their_pages_and_back_sqlite(sqlite_url):
    _migrates(sqlite_url)


def test_links_move_into_their_pages_and_back_postgresql(pg_url):
    _migrates(pg_url)
