"""a catch-up on the plan knows the family group conference that booked it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 20:40:00

A conference withdrawn as recorded by mistake (on the wrong family, say) left the catch-up it
had booked on that family's screen as "Next time we meet". The catch-up now names the
conference it follows, so it goes with it. Catch-ups booked before this carry no link.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follows_meeting_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_follows_meeting_id_meeting"),
            "meeting",
            ["follows_meeting_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_meeting_follows_meeting_id_meeting"), type_="foreignkey"
        )
        batch_op.drop_column("follows_meeting_id")
