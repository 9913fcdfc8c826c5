"""people in the family's world and workers carry a version, so an edit from a form drawn
earlier can't overwrite

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:40:00

A person's details (their name, who they are, "must not be invited") can now be corrected on the
People screen. Two workers correcting the same person at once must not silently replace each
other's change: the version seen when the form was drawn is checked on save
(db.rules.validation.save_versioned), as every other edit does. The same holds for an admin's
edit of a worker: a form drawn before another admin removed a role no longer puts it back.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


TABLES = ("person", "worker")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default="1")
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
