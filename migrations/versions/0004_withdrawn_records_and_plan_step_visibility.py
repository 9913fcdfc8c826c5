"""goals, meetings, plan steps and conversation items can be withdrawn; plan steps say who may
see them

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 15:40:00

A second click on Save stored two identical goals and meetings, and nothing recorded by mistake
could be taken back. A withdrawn record leaves every view and count but stays in the record's
history (withdrawn_at / withdrawn_by / withdrawn_reason, audited). A debt-advice plan step
showed to the whole network on the conference screen: plan steps now carry a visibility like
goals. Existing steps become 'family' (the household), the careful choice: a worker can open a
step up to everyone.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WITHDRAWABLE = ("goal", "meeting", "planstep", "conversationitem")


def upgrade() -> None:
    for table in WITHDRAWABLE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("withdrawn_at", db.store.types.UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(sa.Column("withdrawn_by", sa.Integer(), nullable=True))
            batch_op.add_column(
                sa.Column(
                    "withdrawn_reason",
                    sqlmodel.sql.sqltypes.AutoString(length=300),
                    nullable=False,
                    server_default="",
                )
            )
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_withdrawn_by_worker"), "worker", ["withdrawn_by"], ["id"]
            )
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_withdrawn_with_reason"),
                "withdrawn_at IS NULL OR length(trim(withdrawn_reason)) > 0",
            )
    with op.batch_alter_table("planstep", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "visibility",
                sa.Enum(
                    "everyone",
                    "family",
                    "private",
                    name="visibility_value",
                    native_enum=False,
                    create_constraint=False,
                    length=40,
                ),
                nullable=False,
                server_default="family",
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_planstep_visibility_value"), "visibility IN ('everyone', 'family', 'private')"
        )


def downgrade() -> None:
    with op.batch_alter_table("planstep", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_planstep_visibility_value"), type_="check")
        batch_op.drop_column("visibility")
    for table in reversed(WITHDRAWABLE):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_withdrawn_with_reason"), type_="check")
            batch_op.drop_constraint(op.f(f"fk_{table}_withdrawn_by_worker"), type_="foreignkey")
            batch_op.drop_column("withdrawn_reason")
            batch_op.drop_column("withdrawn_by")
            batch_op.drop_column("withdrawn_at")
