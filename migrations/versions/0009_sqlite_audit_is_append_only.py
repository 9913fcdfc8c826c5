"""the audit is append-only on SQLite too, as PostgreSQL's trigger makes it there

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:00:00

PostgreSQL has refused UPDATE, DELETE and TRUNCATE on the audit since the baseline. An embedded
SQLite database had only the promise that no code path changes an audit row; these triggers
make the database refuse it, so the promise can be tested by trying.
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TRIGGERS = {
    "auditevent_no_update": "UPDATE",
    "auditevent_no_delete": "DELETE",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, operation in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {operation} ON auditevent "
            f"BEGIN SELECT RAISE(ABORT, 'The audit record is append-only: "
            f"{operation} is not allowed'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
