"""notice_issues, notice_files: issuing a notice is recorded apart from drafting it; per-unit files

Revision ID: 0014_usability_notice_issues
Revises: 0014_columns_recognition
Create Date: 2026-11-30 13:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_usability_notice_issues"
down_revision = "0014_scaleout_job_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice_issues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_issues_month"), ["month"], unique=False)
    op.create_table(
        "notice_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["issue_id"], ["notice_issues.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_files_issue_id"), ["issue_id"], unique=False)
        batch_op.create_index("ix_notice_files_path", ["path"], unique=False)


def downgrade() -> None:
    op.drop_table("notice_files")
    op.drop_table("notice_issues")
