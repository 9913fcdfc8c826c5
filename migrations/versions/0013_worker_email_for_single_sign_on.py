"""a worker's work email, which single sign-on matches

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:45:00

A council signs its workers in through its own identity provider (OpenID Connect). The person
the provider vouches for is matched to a worker by their verified email, whatever its case: the
email is stored lower-case (checked), so its unique constraint holds case-insensitively and each
email belongs to at most one worker. Workers without single sign-on have none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_worker_email"), ["email"])
        batch_op.create_check_constraint(op.f("ck_worker_email_lower_case"), "email = lower(email)")


def downgrade() -> None:
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_worker_email_lower_case"), type_="check")
        batch_op.drop_constraint(op.f("uq_worker_email"), type_="unique")
        batch_op.drop_column("email")
