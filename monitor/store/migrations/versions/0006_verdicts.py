"""link verdict facts: soft-404 wording, page anchors, attempts, attachments; link fragments

Revision ID: 0003_verdicts
Revises: 0002
Create Date: 2026-11-27 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0003_verdicts"
down_revision = "0003_daemon"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_found_text", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("anchors", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attachment", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("text_error", sa.Text(), nullable=True))

    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fragment", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_column("fragment")

    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("text_error")
        batch_op.drop_column("attachment")
        batch_op.drop_column("attempts")
        batch_op.drop_column("anchors")
        batch_op.drop_column("not_found_text")
