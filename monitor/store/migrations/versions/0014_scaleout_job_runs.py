"""job_runs: the Celery task id and attempt of a job run on the worker pool

Revision ID: 0014_scaleout_job_runs
Revises: 0014_columns_recognition
Create Date: 2026-11-30 12:55:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_scaleout_job_runs"
down_revision = "0014_columns_recognition"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_runs") as batch:
        batch.add_column(sa.Column("task_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("attempt", sa.Integer(), nullable=True))
        batch.create_index("ix_job_runs_task_id", ["task_id"])


def downgrade() -> None:
    with op.batch_alter_table("job_runs") as batch:
        batch.drop_index("ix_job_runs_task_id")
        batch.drop_column("attempt")
        batch.drop_column("task_id")
