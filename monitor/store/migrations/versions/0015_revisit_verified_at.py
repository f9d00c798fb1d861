"""pages.verified_at and crawl_runs.pages_carried: the revisit policy (re-crawls verify leaves on a rotation)

Revision ID: 0015_revisit_verified_at
Revises: 0014_security_session_version
Create Date: 2026-11-30 16:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0015_revisit_verified_at"
down_revision = "0014_security_session_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable, no default: older rows read as verified when fetched (COALESCE(verified_at, fetched_at))
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages_carried", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("pages_carried")
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("verified_at")
