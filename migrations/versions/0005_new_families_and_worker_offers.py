"""a new family asks for help: how they came to us, and the workers they were offered

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:40:00

Families can now be added from the screens (issue 19.3). `family.how_they_came` keeps how they
came to us in a worker's words. `workeroffer` records the workers a family met when they chose
theirs, one row per worker; the one they chose points at the relationship it began, so the
continuity figures can ask how often families had a choice, not only tick "chosen by family".
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("family", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "how_they_came",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )
    op.create_table(
        "workeroffer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("chosen", sa.Boolean(), nullable=False),
        sa.Column("relationship_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", db.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "chosen = (relationship_id IS NOT NULL)",
            name=op.f("ck_workeroffer_chosen_starts_relationship"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_workeroffer_family_id_family")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_workeroffer_worker_id_worker")
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["workerrelationship.id"],
            name=op.f("fk_workeroffer_relationship_id_workerrelationship"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["worker.id"], name=op.f("fk_workeroffer_recorded_by_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workeroffer")),
    )
    with op.batch_alter_table("workeroffer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workeroffer_family_offered", ["family_id", "offered_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_workeroffer_worker_id"), ["worker_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workeroffer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workeroffer_worker_id"))
        batch_op.drop_index("ix_workeroffer_family_offered")
    op.drop_table("workeroffer")
    with op.batch_alter_table("family", schema=None) as batch_op:
        batch_op.drop_column("how_they_came")
