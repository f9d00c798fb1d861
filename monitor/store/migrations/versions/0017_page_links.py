"""pages.links: a page's links stored with the page, one JSON array per page, instead of one links row per link

Revision ID: 0017_page_links
Revises: 0016_page_links_run
Create Date: 2026-12-01 04:30:00

Every run's link rows move into the page they were found on (the first page row of the run whose final URL,
or URL, is the link's source); a page a re-crawl carried over points at the row that holds its links
(pages.links_page) instead of at its run (pages.links_run). Then the links table goes.
"""

import itertools
import json
import logging
import operator

from alembic import op
import sqlalchemy as sa


revision = "0017_page_links"
down_revision = "0016_page_links_run"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# the order of a stored link's fields (monitor.store.LINK_FIELDS); kept here so the migration stays as written
FIELDS = ("target_url", "anchor_text", "tag", "attr", "on_home", "is_external", "fragment", "hidden", "hiding")
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _entry(target, anchor, tag, attr, on_home, external, fragment, hidden, hiding) -> list:
    entry = [target, anchor or "", tag or "a", attr or "href", bool(on_home), bool(external), fragment]
    return entry + [True, hiding] if hidden else entry


def upgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("links", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("links_page", sa.Integer(), nullable=True))
    conn = op.get_bind()
    runs = [r for (r,) in conn.execute(sa.text("SELECT DISTINCT run_id FROM links ORDER BY run_id"))]
    lost = 0
    for run in runs:
        pages = conn.execute(
            sa.text("SELECT id, url, final_url FROM pages WHERE run_id = :r ORDER BY id"), {"r": run}
        ).all()
        # a source's page: the first whose final URL it is, else the first whose URL it is
        holder: dict[str, int] = {}
        for page_id, url, final in pages:
            holder.setdefault(final or url, page_id)
        for page_id, url, _final in pages:
            holder.setdefault(url, page_id)
        updates: list[dict] = []
        rows = conn.execute(
            sa.text(
                "SELECT source_url, target_url, anchor_text, tag, attr, on_home, is_external, fragment, hidden, "
                "hiding FROM links WHERE run_id = :r ORDER BY source_url, id"
            ),
            {"r": run},
        )
        for source, group in itertools.groupby(rows, key=operator.itemgetter(0)):
            entries = [_entry(*row[1:]) for row in group]
            page_id = holder.get(source)
            if page_id is None:
                lost += len(entries)  # links of no stored page: no reader ever reached them
            else:
                updates.append({"i": page_id, "l": _encode(entries)})
        for i in range(0, len(updates), 1000):
            conn.execute(sa.text("UPDATE pages SET links = :l WHERE id = :i"), updates[i : i + 1000])
    if lost:
        log.warning("0017: %d link rows belonged to no stored page and were not kept", lost)
    # a carried page read the links of its run links_run whose source is its URL: now the row holding them
    conn.execute(
        sa.text(
            "UPDATE pages SET links_page = (SELECT min(h.id) FROM pages h WHERE h.run_id = pages.links_run "
            "AND coalesce(h.final_url, h.url) = pages.url AND h.links IS NOT NULL) WHERE links_run IS NOT NULL"
        )
    )
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("links_run")
    op.drop_table("links")  # with its indexes


def downgrade() -> None:
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("target_url", sa.Text(), nullable=False),
        sa.Column("anchor_text", sa.Text(), nullable=False),
        sa.Column("tag", sa.String(length=20), nullable=False),
        sa.Column("attr", sa.String(length=20), nullable=False),
        sa.Column("on_home", sa.Boolean(), nullable=False),
        sa.Column("is_external", sa.Boolean(), nullable=False),
        sa.Column("fragment", sa.Text(), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=True),
        sa.Column("hiding", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index("ix_links_run_id", ["run_id"], unique=False)
        batch_op.create_index("ix_links_run_source", ["run_id", "source_url"], unique=False)
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("links_run", sa.Integer(), nullable=True))
    conn = op.get_bind()
    links = sa.table(
        "links",
        *(sa.column(c) for c in ("run_id", "source_url", *FIELDS[:4])),
        *(sa.column(c, sa.Boolean()) for c in ("on_home", "is_external")),
        sa.column("fragment"),
        sa.column("hidden", sa.Boolean()),
        sa.column("hiding"),
    )
    rows: list[dict] = []
    for run, source, stored in conn.execute(
        sa.text("SELECT run_id, coalesce(final_url, url), links FROM pages WHERE links IS NOT NULL ORDER BY id")
    ):
        for entry in json.loads(stored):
            entry = entry + [None] * (len(FIELDS) - len(entry))
            rows.append({"run_id": run, "source_url": source, **dict(zip(FIELDS, entry))})
        if len(rows) >= 5000:
            conn.execute(links.insert(), rows)
            rows = []
    if rows:
        conn.execute(links.insert(), rows)
    conn.execute(
        sa.text(
            "UPDATE pages SET links_run = (SELECT h.run_id FROM pages h WHERE h.id = pages.links_page) "
            "WHERE links_page IS NOT NULL"
        )
    )
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("links_page")
        batch_op.drop_column("links")
