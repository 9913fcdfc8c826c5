"""login sessions that can be ended one by one; login attempts with a source and an outcome

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:40:00

An idle logout was undone by reloading: the re-login cookie still stood. Each login now has a
row (loginsession) whose id the cookie carries, signed; ending it (idle, too long, ended
elsewhere, logout) refuses that cookie without signing the worker out on other devices.

Login attempts record where they came from (so failures from one place pause that place, not
the account for everyone) and an outcome: "checking" takes a slot before the password check,
which runs outside any database lock. The old attempts table held only a 15-minute lockout
window of throttling data (the audit keeps every login and failed login), so it is recreated
rather than converted.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OUTCOMES = ("checking", "succeeded", "failed", "paused")


def _attempts_table(*columns: sa.Column) -> None:
    op.create_table(
        "loginattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loginattempt")),
    )
    with op.batch_alter_table("loginattempt", schema=None) as batch_op:
        batch_op.create_index("ix_loginattempt_username_at", ["username", "at"], unique=False)


def _drop_attempts_table() -> None:
    with op.batch_alter_table("loginattempt", schema=None) as batch_op:
        batch_op.drop_index("ix_loginattempt_username_at")
    op.drop_table("loginattempt")


def upgrade() -> None:
    _drop_attempts_table()
    _attempts_table(
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", db.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                *OUTCOMES,
                name="loginoutcome_value",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
    )
    op.create_table(
        "loginsession",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("started_at", db.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", db.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_loginsession_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loginsession")),
    )
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loginsession_worker_id"), ["worker_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loginsession_worker_id"))
    op.drop_table("loginsession")
    _drop_attempts_table()
    _attempts_table(
        sa.Column("at", db.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
    )
