"""columns record how they were recognised (meta, structure, navigation) and where item dates came from

Revision ID: 0014_columns_recognition
Revises: 0014_accusations_dismissed
Create Date: 2026-11-30 13:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_columns_recognition"
down_revision = "0014_accusations_dismissed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("list_pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("how", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("evidence", sa.JSON(), nullable=True))
    with op.batch_alter_table("columns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("how", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("evidence", sa.JSON(), nullable=True))
    with op.batch_alter_table("column_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_source", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("column_items", schema=None) as batch_op:
        batch_op.drop_column("date_source")
    with op.batch_alter_table("columns", schema=None) as batch_op:
        batch_op.drop_column("evidence")
        batch_op.drop_column("how")
    with op.batch_alter_table("list_pages", schema=None) as batch_op:
        batch_op.drop_column("evidence")
        batch_op.drop_column("how")
