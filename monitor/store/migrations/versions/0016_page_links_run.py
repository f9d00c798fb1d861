"""pages.links_run: a page carried over unchanged keeps its links in the run that stored them

Revision ID: 0016_page_links_run
Revises: 0015_revisit_verified_at
Create Date: 2026-11-30 21:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0016_page_links_run"
down_revision = "0015_revisit_verified_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable, no default: existing pages hold their links in their own run, as before
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("links_run", sa.Integer(), nullable=True))


def downgrade() -> None:
    # pages that borrowed their links would lose them: give each run its own copy first
    op.execute(
        "INSERT INTO links (run_id, source_url, target_url, anchor_text, tag, attr, on_home, is_external, "
        "fragment, hidden, hiding) "
        "SELECT p.run_id, l.source_url, l.target_url, l.anchor_text, l.tag, l.attr, l.on_home, l.is_external, "
        "l.fragment, l.hidden, l.hiding FROM pages p JOIN links l ON l.run_id = p.links_run AND l.source_url = p.url "
        "WHERE p.links_run IS NOT NULL ORDER BY p.id, l.id"
    )
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("links_run")
