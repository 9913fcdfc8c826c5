"""the family's own space: invitations, family logins, messages; plan steps carry the family's
own word

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:50:00

A family member (parent, carer, or a young person who agreed) gets a login of their own, bound
to one family and one person, from a one-time invitation code whose hash alone is stored. They
score their goals at home, tick off plan steps or add a step they took themselves, and send
their worker a few words. A login is a worker-table account with the new role family_member,
so the role's checked values gain it.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD_ROLES = ("practitioner", "manager", "admin")
NEW_ROLES = OLD_ROLES + ("family_member",)


def _when(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, db.store.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("workerrole", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_workerrole_role_value"), type_="check")
        batch_op.create_check_constraint(
            "role_value", "role IN ('" + "', '".join(NEW_ROLES) + "')"
        )
    op.create_table(
        "familyinvitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("young_person", sa.Boolean(), nullable=False),
        sa.Column("child_agreed", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        _when("created_at", False),
        _when("expires_at", False),
        _when("used_at", True),
        _when("withdrawn_at", True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["worker.id"], name=op.f("fk_familyinvitation_created_by_worker")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_familyinvitation_family_id_family")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_familyinvitation_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_familyinvitation")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_familyinvitation_code_hash")),
    )
    with op.batch_alter_table("familyinvitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_familyinvitation_family_id"), ["family_id"], unique=False
        )
    op.create_table(
        "familylogin",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("young_person", sa.Boolean(), nullable=False),
        sa.Column("child_agreed", sa.Boolean(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        _when("started_at", False),
        _when("last_used_at", True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        _when("ended_at", True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "NOT (young_person AND NOT child_agreed)", name=op.f("ck_familylogin_agreed")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_familylogin_family_id_family")
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["familyinvitation.id"],
            name=op.f("fk_familylogin_invitation_id_familyinvitation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_familylogin_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_familylogin_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_familylogin")),
    )
    with op.batch_alter_table("familylogin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_familylogin_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_familylogin_person_id"), ["person_id"], unique=False)
    op.create_table(
        "familymessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("words", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        _when("sent_at", False),
        sa.CheckConstraint("length(trim(words)) > 0", name=op.f("ck_familymessage_words_not_blank")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["family.id"], name=op.f("fk_familymessage_family_id_family")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_familymessage_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_familymessage")),
    )
    with op.batch_alter_table("familymessage", schema=None) as batch_op:
        batch_op.create_index(
            "ix_familymessage_family_sent", ["family_id", "sent_at"], unique=False
        )
    with op.batch_alter_table("planstep", schema=None) as batch_op:
        batch_op.add_column(sa.Column("done_by_person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("added_by_person_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_planstep_done_by_person_id_person"), "person", ["done_by_person_id"], ["id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_planstep_added_by_person_id_person"), "person", ["added_by_person_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("planstep", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_planstep_added_by_person_id_person"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_planstep_done_by_person_id_person"), type_="foreignkey")
        batch_op.drop_column("added_by_person_id")
        batch_op.drop_column("done_by_person_id")
    with op.batch_alter_table("familymessage", schema=None) as batch_op:
        batch_op.drop_index("ix_familymessage_family_sent")
    op.drop_table("familymessage")
    with op.batch_alter_table("familylogin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_familylogin_person_id"))
        batch_op.drop_index(batch_op.f("ix_familylogin_family_id"))
    op.drop_table("familylogin")
    with op.batch_alter_table("familyinvitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_familyinvitation_family_id"))
    op.drop_table("familyinvitation")
    op.execute("DELETE FROM workerrole WHERE role = 'family_member'")
    with op.batch_alter_table("workerrole", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_workerrole_role_value"), type_="check")
        batch_op.create_check_constraint(
            "role_value", "role IN ('" + "', '".join(OLD_ROLES) + "')"
        )
