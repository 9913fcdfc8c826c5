"""a login session remembers when it was last used

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 19:10:00

An idle session ended only while its tab was open (the tab's timer ends it). A tab closed while
idle left a re-login cookie that brought the login back for up to 10 hours without a password.
The login session now holds when it was last used, so the cookie is refused once the session has
been idle longer than the idle logout allows. Existing sessions count from their start.
"""

import sqlalchemy as sa
from alembic import op

from db.store.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_active_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.drop_column("last_active_at")
