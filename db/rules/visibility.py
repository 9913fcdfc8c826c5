"""Who will see what: staff, the household at home, or the whole network at a conference."""

from __future__ import annotations

from sqlmodel import Session, col, select

from db.store.ids import stored_ids
from db.store.models import Person, Visibility

# --- who is looking: staff, or a family-facing screen ------------------------------------


class Audience:
    """Who will see the output. Family-facing audiences never see private items, nor anything
    of a person marked 'must not see the plan'."""

    STAFF = "staff"
    HOUSEHOLD = "household"  # the family at home: shared with the household or everyone
    EVERYONE = "everyone"  # the whole network at a conference

    VISIBLE = {
        STAFF: (Visibility.everyone, Visibility.family, Visibility.private),
        HOUSEHOLD: (Visibility.everyone, Visibility.family),
        EVERYONE: (Visibility.everyone,),
    }

    @classmethod
    def check(cls, audience: str) -> str:
        if audience not in cls.VISIBLE:
            raise ValueError(f"Unknown audience {audience!r}")
        return audience


def hidden_people(session: Session, family_id: int, audience: str) -> set[int]:
    if audience == Audience.STAFF:
        return set()
    return stored_ids(
        session.exec(
            select(col(Person.id)).where(
                col(Person.family_id) == family_id, col(Person.must_not_see_plan)
            )
        ).all()
    )
