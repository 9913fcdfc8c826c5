"""a records request needs a second person's approval before a copy can be prepared

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:30:00

"Prepare a copy" let an admin, alone, take any family's full record (keeping-safe details
included) while the README said admins see no case content. An admin now records the request
(who asked, when, which family); a manager who leads the family's team, not the asker, approves
or refuses it; only an approved request can be prepared, once (db.subject_access).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STATUSES = ("asked", "approved", "refused", "prepared")


def upgrade() -> None:
    op.create_table(
        "recordsrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("asked_by_whom", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", db.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *STATUSES,
                name="recordsrequeststatus_value",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", db.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refused_because", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("prepared_by", sa.Integer(), nullable=True),
        sa.Column("prepared_at", db.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'asked') = (decided_by IS NULL)",
            name=op.f("ck_recordsrequest_decided_unless_asked"),
        ),
        sa.CheckConstraint(
            "decided_by IS NULL OR decided_by <> recorded_by",
            name=op.f("ck_recordsrequest_second_person"),
        ),
        sa.CheckConstraint(
            "length(trim(asked_by_whom)) > 0",
            name=op.f("ck_recordsrequest_asked_by_whom_not_blank"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["worker.id"], name=op.f("fk_recordsrequest_decided_by_worker")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_recordsrequest_family_id_family")
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by"], ["worker.id"], name=op.f("fk_recordsrequest_prepared_by_worker")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["worker.id"], name=op.f("fk_recordsrequest_recorded_by_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordsrequest")),
    )
    with op.batch_alter_table("recordsrequest", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recordsrequest_family_status", ["family_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("recordsrequest", schema=None) as batch_op:
        batch_op.drop_index("ix_recordsrequest_family_status")
    op.drop_table("recordsrequest")
