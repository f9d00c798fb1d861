"""list pages record the parent column their breadcrumb links to

Revision ID: 0012_column_parents
Revises: 0011_hidden_links
Create Date: 2026-11-27 01:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0012_column_parents"
down_revision = "0011_hidden_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("list_pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("list_pages", schema=None) as batch_op:
        batch_op.drop_column("parent_url")
