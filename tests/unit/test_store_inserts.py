"""The crawl's hot inserts (Core ``INSERT`` executemany, ``monitor.store.insert_rows``) store exactly what the ORM
bulk insert they replaced stored: every column, NULLs and JSON ``null`` alike, and the models' defaults where a
row says None. Compared column by column with the type the database gives each value, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select, text

from monitor.crawl.runner import _Writer
from monitor.store import (
    ColumnItem,
    ListPage,
    Message,
    Page,
    ReportDocument,
    SearchCheck,
    Store,
    encode_links,
    run_page_links,
    utcnow,
)

NOW = utcnow()
ROWS = {
    "page": [
        {
            "url": "http://s/",
            "status": 200,
            "fetched_at": NOW,
            "meta": {"ColumnName": "要闻"},
            "anchors": ["a"],
            "is_home": True,
            "title": "首页",
            "links": encode_links([{"target_url": "http://s/x", "anchor_text": "链接", "hidden": True, "hiding": "h"}]),
        },
        {
            "url": "http://s/x",
            "status": None,
            "fetched_at": NOW,
            "error_kind": "dns",
            "depth": None,
            "is_external": None,
            "meta": None,
            "redirect_chain": None,
            "pub_date": date(2026, 11, 20),
        },
    ],
    "list_page": [
        {
            "page_url": "http://s/l/",
            "column_url": "http://s/l/",
            "role": None,
            "name": None,
            "column_type": "news",
            "empty": None,
            "items": [],
            "level": None,
            "parent_url": None,
            "how": None,
            "evidence": None,
        },
        {
            "page_url": "http://s/m/",
            "column_url": "http://s/m/",
            "role": "column",
            "name": "通知",
            "column_type": "notice",
            "empty": True,
            "items": [{"url": "http://s/a", "date": "2026-11-20"}],
            "level": 2,
            "parent_url": "http://s/",
            "how": "meta",
            "evidence": {"how": "meta"},
        },
    ],
    "message": [
        {
            "column_url": "http://s/hd/",
            "column_name": None,
            "page_url": "http://s/hd/",
            "url": "http://s/1",
            "title": None,
            "asked": date(2026, 11, 1),
            "asked_text": None,
            "answered": None,
            "answered_text": None,
            "status": None,
        }
    ],
    "search_check": [
        {
            "page_url": "http://s/",
            "kind": "form",
            "action": "http://s/search",
            "method": "get",
            "field": "q",
            "query": None,
            "expected_url": None,
        }
    ],
    "report_document": [{"url": "http://s/nb.html", "title": None, "published": None, "body": "<p>年报</p>"}],
}
MODELS = {
    "page": Page,
    "list_page": ListPage,
    "message": Message,
    "search_check": SearchCheck,
    "report_document": ReportDocument,
}


def _stored(store: Store, run_id: int) -> dict[str, list[tuple]]:
    out = {}
    with store.engine.connect() as conn:
        pg = conn.dialect.name == "postgresql"
        for kind, model in MODELS.items():
            table = model.__table__
            cols = [c.key for c in table.columns if c.key != "id"]
            kinds = ", ".join(
                (f'pg_typeof("{c}")::text' if pg else f'typeof("{c}")') + (f', "{c}"::text' if pg else f', "{c}"')
                for c in cols
            )
            rows = conn.execute(
                text(f'SELECT {kinds} FROM "{table.name}" WHERE run_id = :r ORDER BY id'), {"r": run_id}
            ).all()
            out[kind] = [tuple(r) for r in rows]
    return out


def _same_as_orm(url: str) -> dict[str, list[tuple]]:
    """Asserts the Core rows equal the ORM's, column by column, and returns the Core run's rows."""
    store = Store(url)
    runs = [store.start_run("orm"), store.start_run("core")]
    writers = [_Writer(store, run, None) for run in runs]
    writers[0]._fill = {k: [] for k in writers[0]._fill}  # the rows as the ORM insert was given them
    for w in writers:
        for kind, rows in ROWS.items():
            for row in rows:
                w.add(kind, dict(row))
    orm, core = writers

    def by_orm(s) -> None:  # the ORM bulk insert the writers used before
        for kind, rows in orm.buffers.items():
            if rows:
                s.execute(insert(orm.TABLES[kind]), rows)

    store.write(by_orm)
    core.flush()
    before, after = _stored(store, runs[0]), _stored(store, runs[1])
    for kind in MODELS:
        assert len(after[kind]) == len(ROWS[kind]), kind
        assert [r[2:] for r in after[kind]] == [r[2:] for r in before[kind]], kind  # run_id aside
    with store.session() as s:  # the defaults a None fell back to, and a JSON document read back
        assert s.scalars(select(Message.title).where(Message.run_id == runs[1])).all() == [""]
        assert s.scalars(select(Page.links).where(Page.run_id == runs[1]).order_by(Page.id)).all() == [
            '[["http://s/x","链接","a","href",false,false,null,true,"h"]]',
            None,
        ]
        assert s.scalars(select(ListPage.evidence).where(ListPage.run_id == runs[1]).order_by(ListPage.id)).all()[
            1
        ] == {"how": "meta"}
    store.close()
    return after


def test_core_inserts_store_what_the_orm_stored_sqlite(sqlite_url):
    from monitor.store import db

    db._SQLITE_INSERTS.clear()
    _same_as_orm(sqlite_url)
    # the rows went through the statement compiled once per table (the driver-level path), not the plain one
    assert {table.name for (table, _), plan in db._SQLITE_INSERTS.items() if plan} == {
        m.__table__.name for m in MODELS.values()
    }


def test_rows_with_other_columns_are_inserted_too(sqlite_url):
    from monitor.store.db import insert_rows

    store = Store(sqlite_url)
    run = store.start_run("s")
    base = {"run_id": run, "column_url": "http://s/l/"}
    batches = [
        [{**base, "url": "http://s/a", "title": "甲"}, {**base, "url": "http://s/b", "title": "乙"}],
        [{**base, "url": "http://s/c", "date_text": "今天"}, {**base, "url": "http://s/d", "date_text": "昨天"}],
    ]
    for batch in batches:  # rows without the columns that have defaults: the plain path fills those in
        store.write(lambda s, batch=batch: insert_rows(s, ColumnItem, batch))
    with store.session() as s:
        got = s.execute(
            select(ColumnItem.url, ColumnItem.title, ColumnItem.date_text)
            .where(ColumnItem.run_id == run)
            .order_by(ColumnItem.id)
        ).all()
    assert [tuple(r) for r in got] == [
        ("http://s/a", "甲", ""),
        ("http://s/b", "乙", ""),
        ("http://s/c", "", "今天"),
        ("http://s/d", "", "昨天"),
    ]


def test_column_items_keep_their_order_and_dates(sqlite_url):
    store = Store(sqlite_url)
    run = store.start_run("s")
    w = _Writer(store, run, None)
    w.add("column_item", {"column_url": "http://s/l/", "url": "http://s/a", "title": None, "date": date(2026, 1, 2)})
    w.add("column_item", {"column_url": "http://s/l/", "url": "http://s/b", "title": "乙", "date": None})
    w.flush()
    with store.session() as s:
        got = s.execute(
            select(ColumnItem.url, ColumnItem.title, ColumnItem.date, ColumnItem.date_text)
            .where(ColumnItem.run_id == run)
            .order_by(ColumnItem.id)
        ).all()
    assert [tuple(r) for r in got] == [("http://s/a", "", date(2026, 1, 2), ""), ("http://s/b", "乙", None, "")]


def streamed_links(url: str) -> list[tuple]:
    """``run_page_links`` (through ``stream_rows``, a batch at a time) reads back each page's links as they were
    given, in page order: a run's own pages, and a page a later run carried over, through ``links_page``.
    Returns the first run's links as (source, LINK_FIELDS …) tuples."""
    store = Store(url)
    run = store.start_run("s")
    links = [
        {
            "source_url": f"http://s/{i // 3}",
            "target_url": f"http://s/t{i}",
            "anchor_text": "链接" if i % 2 else None,
            "tag": "img" if i == 4 else "a",
            "attr": "src" if i == 4 else "href",
            "on_home": i % 3 == 0,
            "is_external": i == 5,
            "fragment": "top" if i == 1 else None,
            "hidden": i == 2,
            "hiding": "display|0||0" if i == 2 else None,
        }
        for i in range(7)
    ]
    now = utcnow()

    def page(run_id: int, url: str, *, final: str | None = None, links_page: int | None = None) -> dict:
        mine = [link for link in links if link["source_url"] == (final or url)]
        return {
            "run_id": run_id,
            "url": url,
            "final_url": final,
            "fetched_at": now,
            "links": encode_links(mine) if links_page is None else None,
            "links_page": links_page,
        }

    # http://s/r redirects to http://s/2: its links are stored under the URL they were found on
    store.insert_rows(Page, [page(run, "http://s/0"), page(run, "http://s/none"), page(run, "http://s/1")])
    store.insert_rows(Page, [page(run, "http://s/r", final="http://s/2")])
    later = store.start_run("s")
    with store.session() as s:
        ids = dict(s.execute(select(Page.url, Page.id).where(Page.run_id == run)).all())
    store.insert_rows(Page, [page(later, "http://s/1", links_page=ids["http://s/1"]), page(later, "http://s/0")])
    with store.session() as s:
        first = [(source, *e) for source, entries in run_page_links(s, run, batch=2) for e in entries]
        second = [(source, *e) for source, entries in run_page_links(s, later, batch=1) for e in entries]
    expected = [
        (
            link["source_url"],
            link["target_url"],
            link["anchor_text"] or "",
            link["tag"],
            link["attr"],
            link["on_home"],
            link["is_external"],
            link["fragment"],
            *((True, link["hiding"]) if link["hidden"] else ()),
        )
        for link in links
    ]
    assert first == expected
    assert second == expected[3:6] + expected[:3]  # page order of the later run: the carried page first
    assert first[2][8:] == (True, "display|0||0") and first[1][7] == "top" and first[0][2] == ""
    assert first[4][3:5] == ("img", "src") and first[6][0] == "http://s/2"
    store.close()
    return first


def test_stream_rows_sqlite(sqlite_url):
    streamed_links(sqlite_url)


def test_the_tests_read_links_in_the_stores_field_order():
    from monitor.store import LINK_FIELDS
    from tests.conftest import _LINK_FIELDS

    assert _LINK_FIELDS == LINK_FIELDS


def test_stream_rows_refuses_columns_it_cannot_convert(sqlite_url):
    from monitor.store import stream_rows

    store = Store(sqlite_url)
    with store.session() as s, pytest.raises(ValueError, match="pub_date"):
        next(stream_rows(s, select(Page.url, Page.pub_date)))
    store.close()
