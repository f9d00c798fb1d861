"""The store's fast paths on PostgreSQL: the hot inserts store what the ORM stored, and ``stream_rows`` reads
back each page's links as stored (``run_page_links``, through a server-side cursor there)."""

from __future__ import annotations

from tests.unit.test_store_inserts import ROWS, _same_as_orm, streamed_links


def test_core_inserts_store_what_the_orm_stored_postgresql(pg_url):
    stored = _same_as_orm(pg_url)  # compares every column with the ORM's rows itself
    assert {kind: len(rows) for kind, rows in stored.items()} == {kind: len(rows) for kind, rows in ROWS.items()}


def test_stream_rows_postgresql(pg_url):
    streamed = streamed_links(pg_url)  # compares with the links given itself
    assert [r[1] for r in streamed] == [f"http://s/t{i}" for i in range(7)]
    assert streamed[2][8] is True  # the hidden link, read back from PostgreSQL
