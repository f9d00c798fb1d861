"""The store: migrations match the models on SQLite and PostgreSQL, and batches are all-or-nothing."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from monitor.store import Base, BatchWriter, CrawlRun, Page, Store, utcnow


def _diff(store: Store):
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def test_migrations_build_exactly_the_models_sqlite(sqlite_url):
    store = Store(sqlite_url)
    assert _diff(store) == []
    Store(sqlite_url)  # opening again is a no-op upgrade


def test_a_store_at_the_head_opens_without_alembic_and_any_other_is_upgraded(sqlite_url, monkeypatch):
    from alembic import command
    from alembic.script import ScriptDirectory

    from monitor.store.db import _alembic_config, migrations_head

    # the head read from the scripts' lines is Alembic's own head
    assert [migrations_head()] == ScriptDirectory.from_config(_alembic_config(sqlite_url)).get_heads()
    store = Store(sqlite_url)
    real = command.upgrade
    calls = []
    monkeypatch.setattr(command, "upgrade", lambda cfg, rev: calls.append(rev) or real(cfg, rev))
    Store(sqlite_url)
    assert calls == []  # at the head: Alembic is not run
    from monitor.store import db

    # scripts newer than the database (here: a head the database has not seen): Alembic runs
    monkeypatch.setattr(db, "migrations_head", lambda: "0099_newer_than_the_database")
    Store(sqlite_url)
    assert calls == ["head"]
    monkeypatch.setattr(db, "migrations_head", lambda: None)  # scripts that do not read plainly: Alembic decides
    Store(sqlite_url)
    assert calls == ["head", "head"]
    assert _diff(store) == []


def test_migrations_build_exactly_the_models_postgresql(pg_url):
    store = Store(pg_url)
    assert _diff(store) == []
    store.close()


def test_a_failed_batch_leaves_earlier_batches_and_runs_intact(sqlite_url):
    store = Store(sqlite_url)
    run = store.start_run("s")
    w = BatchWriter(store, run, batch_size=2)
    w.add("page", {"url": "http://s/1", "fetched_at": utcnow()})
    w.add("page", {"url": "http://s/2", "fetched_at": utcnow()})  # flushed: batch of 2
    w.add("page", {"url": "http://s/3", "fetched_at": utcnow()})
    with pytest.raises(IntegrityError):  # NOT NULL: this batch fails as a whole
        w.add("page", {"url": None, "fetched_at": utcnow()})
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Page)) == 2
        assert s.get(CrawlRun, run).status == "running"
    # a new run of the same site marks the unfinished one interrupted, never deletes it
    store.start_run("s")
    with store.session() as s:
        assert [r.status for r in s.scalars(select(CrawlRun).order_by(CrawlRun.id))] == ["interrupted", "running"]


def test_add_rows_buffers_what_add_buffers_row_by_row():
    class NoStore:  # the batch size is never reached: nothing is written
        pass

    items = [
        {"column_url": "http://s/l/", "url": "http://s/a", "title": "甲", "date_text": "2026-11-20"},
        {"column_url": "http://s/l/", "url": "http://s/b", "title": None},
        {"column_url": "http://s/l/", "url": "http://s/c", "date_source": "list"},
        {"column_url": "http://s/l/", "url": "http://s/d", "title": "丁", "date_text": None},
    ]
    one, many = BatchWriter(NoStore(), 7, batch_size=100), BatchWriter(NoStore(), 7, batch_size=100)  # type: ignore[arg-type]
    for item in items:
        one.add("column_item", item)
    many.add_rows("column_item", items)
    assert many.buffers == one.buffers
    assert (many.pending, many.counts) == (one.pending, one.counts) == (4, {**one.counts, "column_item": 4})
    rows = many.buffers["column_item"]
    assert rows[1]["title"] == "" and rows[3]["date_text"] == "" and rows[2]["date"] is None
    assert all(row["run_id"] == 7 for row in rows)
    assert items[1]["title"] is None  # the rows given are not changed
