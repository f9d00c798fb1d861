"""how a hidden link is hidden (W-V9b), the evidence of a 不成立 (误报) finding, a run's network state

Revision ID: 0014_accusations_dismissed
Revises: 0013_search_checks
Create Date: 2026-11-30 12:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_accusations_dismissed"
down_revision = "0013_search_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hiding", sa.String(length=200), nullable=True))
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dismissed_key", sa.String(length=64), nullable=True))
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("network", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("network")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("dismissed_key")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_column("hiding")
