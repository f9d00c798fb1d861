"""The store's fast paths on PostgreSQL: the hot inserts store what the ORM stored, and ``stream_rows`` reads
back what a plain select reads (through a server-side cursor there)."""

from __future__ import annotations

from tests.unit.test_store_inserts import _same_as_orm, streamed_links


def test_core_inserts_store_what_the_orm_stored_postgresql(pg_url):
    _same_as_orm(pg_url)


def test_stream_rows_postgresql(pg_url):
    streamed_links(pg_url)
