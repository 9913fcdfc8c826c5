"""a login remembers the family meeting screen it has open

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 18:30:00

The family meeting screen is shown with the family in the room, and only the worker's password
takes it back to the worker's pages. That lock lived in the browser tab's session, so a reload
(a new session, logged in again by the cookie) came back to the worker's pages without it. The
login session now holds which family's screen is open, for whom and in which language.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("screen_family_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("screen_audience", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("screen_language", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.drop_column("screen_language")
        batch_op.drop_column("screen_audience")
        batch_op.drop_column("screen_family_id")
