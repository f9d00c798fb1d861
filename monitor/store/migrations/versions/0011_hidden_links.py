"""links hidden by the page (暗链, W-V9b)

Revision ID: 0011_hidden_links
Revises: 0003_scale
Create Date: 2026-11-27 01:25:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0011_hidden_links"
down_revision = "0003_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_column("hidden")
