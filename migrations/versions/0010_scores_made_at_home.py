"""a sitting of scores can be the family's own, made at home

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 18:40:00

Families score themselves from their own phones, away from any meeting. Staff charts, the
weekly huddle and the service's outcome figures show those scores beside the ones given in
meetings, so each sitting records whether it was made at home.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scoreround", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("at_home", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("scoreround", schema=None) as batch_op:
        batch_op.drop_column("at_home")
