"""users.session_version: signing out or a new password revokes every session cookie of the user

Revision ID: 0014_security_session_version
Revises: 0014_usability_notice_issues
Create Date: 2026-11-30 13:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_security_session_version"
down_revision = "0014_usability_notice_issues"  # the other branches' 0014s came first; one chain, one head
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
