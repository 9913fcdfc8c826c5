"""the family's own language, a worker's own language, and a team's own words

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 19:00:00

The family meeting screen and the family copy speak the family's preferred language, whatever
the worker's; a worker's screens speak the worker's; and a team can say "hui", "key worker" or "family plan" instead of our words.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("family", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "preferred_language", sa.String(length=8), nullable=False, server_default="en"
            )
        )
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
    op.create_table(
        "teamterm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("words", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(trim(words)) > 0", name=op.f("ck_teamterm_words_not_blank")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_teamterm_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teamterm")),
        sa.UniqueConstraint(
            "team_id", "term", "language", name=op.f("uq_teamterm_team_id_term_language")
        ),
    )


def downgrade() -> None:
    op.drop_table("teamterm")
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("family", schema=None) as batch_op:
        batch_op.drop_column("preferred_language")
