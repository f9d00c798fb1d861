"""search_checks: the home page's site search as the crawl saw it (W-S10)

Revision ID: 0013_search_checks
Revises: 0012_column_parents
Create Date: 2026-11-27 01:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0013_search_checks"
down_revision = "0012_column_parents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("action", sa.Text(), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=True),
        sa.Column("field", sa.String(length=100), nullable=True),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("expected_url", sa.Text(), nullable=True),
        sa.Column("result_url", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error_kind", sa.String(length=20), nullable=True),
        sa.Column("found", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("search_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_checks_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_checks_run_id"))
    op.drop_table("search_checks")
