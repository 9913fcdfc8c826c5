"""keeping-safe details carry a version, so a save from a form drawn earlier can't overwrite

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:35:00

Two browsers on "Working together": a save from the form drawn first silently replaced the other
worker's never-show text. The version seen when the form was drawn is now checked on save
(db.rules.validation.save_versioned), as every other edit does.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("keepingsafe", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("keepingsafe", schema=None) as batch_op:
        batch_op.drop_column("version")
