"""index status changes by status and date (the retention review on a large council)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:00:00

Found by the benchmark (bench/, BENCHMARKS.md): the admin page's retention review asks for
families whose closure is older than RETENTION_YEARS. Starting from the closures older than the
cutoff (status = 'closed' AND changed_on < cutoff) needs this index; with it the query touches
only those rows (0-30 ms on 25,000 families) instead of every closed family (~290 ms).
The matching model change, in db/models.py FamilyStatusChange.__table_args__:
    Index("ix_familystatuschange_status_on", "status", "changed_on")
"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('familystatuschange', schema=None) as batch_op:
        batch_op.create_index('ix_familystatuschange_status_on', ['status', 'changed_on'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('familystatuschange', schema=None) as batch_op:
        batch_op.drop_index('ix_familystatuschange_status_on')
