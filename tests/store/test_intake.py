"""A new family asks for help: adding the family in one transaction, the duplicate check (only
ever inside the worker's teams), and the family choosing their worker from those they met."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from db import intake
from db.rules.access import NotAllowed
from db.rules.validation import Invalid
from db.store.models import (
    AuditEvent,
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Person,
    Role,
    WorkerOffer,
    WorkerRelationship,
)
from db.timeline import timeline
from tests import factories

ASKED = date.today() - timedelta(days=10)


@pytest.fixture
def teams(empty_db):
    near = factories.team("Near team")
    far = factories.team("Far team")
    return {
        "engine": empty_db,
        "near": near,
        "far": far,
        "sam": factories.worker("sam", Role.practitioner, teams=(near,)),
        "jo": factories.worker("jo", Role.practitioner, teams=(near,)),
        "amira": factories.worker("amira", Role.practitioner, teams=(near,)),
        "far_worker": factories.worker("faraway", Role.practitioner, teams=(far,)),
    }


def _new_family(team_id: int, **changes) -> dict:
    values = {
        "known_as": "The Okafor family",
        "team_id": team_id,
        "first_came_on": ASKED,
        "how_they_came": "Their school suggested us",
        "council_reference": "CS-4242",
        "members": [
            {"name": "Grace", "relationship": "parent", "in_household": True},
            {"name": "Tobi", "relationship": "child", "birth_year": 2016},
            {"name": "Ada", "relationship": "child", "birth_year": 2019},
        ],
    }
    values.update(changes)
    return values


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_new_family_is_stored_waiting_with_its_people_status_row_and_audit(teams):
    family_id = intake.add_family(teams["sam"], _new_family(teams["near"]))
    with Session(teams["engine"]) as session:
        family = session.get(Family, family_id)
        assert (family.known_as, family.team_id, family.status) == (
            "The Okafor family",
            teams["near"],
            FamilyStatus.waiting,
        )
        assert family.how_they_came == "Their school suggested us"
        assert family.council_reference == "CS-4242" and family.first_came_on == ASKED
        history = session.exec(
            select(FamilyStatusChange).where(FamilyStatusChange.family_id == family_id)
        ).all()
        assert [(h.status, h.changed_on) for h in history] == [(FamilyStatus.waiting, ASKED)]
        people = session.exec(select(Person).where(Person.family_id == family_id)).all()
        assert {(p.name, p.relationship, p.birth_year) for p in people} == {
            ("Grace", "parent", None),
            ("Tobi", "child", 2016),
            ("Ada", "child", 2019),
        }
        created = session.exec(
            select(AuditEvent.record_type, AuditEvent.fields).where(
                AuditEvent.family_id == family_id, AuditEvent.action == "create"
            )
        ).all()
    assert sorted(kind for kind, _ in created) == ["family", "person", "person", "person"]
    assert all("Okafor" not in fields and "Tobi" not in fields for _, fields in created)


def test_nothing_is_stored_when_one_member_is_invalid(teams):
    before = (_count(teams["engine"], Family), _count(teams["engine"], Person))
    members = [
        {"name": "Grace", "relationship": "parent"},
        {"name": "Tobi", "relationship": "child", "birth_year": date.today().year + 1},
    ]
    with pytest.raises(Invalid, match="year of birth can't be in the future"):
        intake.add_family(teams["sam"], _new_family(teams["near"], members=members))
    with pytest.raises(Invalid, match="at least one person"):
        intake.add_family(teams["sam"], _new_family(teams["near"], members=[]))
    with pytest.raises(Invalid, match="who they are to the family"):
        intake.add_family(teams["sam"], _new_family(teams["near"], members=[{"name": "Grace"}]))
    assert (_count(teams["engine"], Family), _count(teams["engine"], Person)) == before


def test_a_family_cannot_be_added_to_a_team_the_worker_is_not_in(teams):
    with pytest.raises(NotAllowed):
        intake.add_family(teams["sam"], _new_family(teams["far"]))
    assert _count(teams["engine"], Family) == 0


def test_duplicate_check_finds_by_name_reference_and_childs_name(teams):
    known = factories.family(teams["near"], "The Okafor family")
    by_reference = factories.family(teams["near"], "Grace and the children")
    by_child = factories.family(teams["near"], "The Adeyemi household")
    with Session(teams["engine"]) as session:
        session.get(Family, by_reference).council_reference = "cs-4242 "
        session.commit()
    factories.person(by_child, "Tobi")
    factories.person(known, "Someone else")
    unrelated = factories.family(teams["near"], "The Smith family")
    factories.person(unrelated, "Tobi", relationship="parent")  # a parent, not a child

    matches = intake.possible_matches(
        teams["sam"], _new_family(teams["near"], known_as="the okafors")
    ).set_index("family_id")
    assert set(matches.index) == {known, by_reference, by_child}
    assert matches.loc[known, "why"] == "a similar name"
    assert matches.loc[by_reference, "why"] == "the same council reference"
    assert matches.loc[by_child, "why"] == "a child called Tobi"


def test_duplicate_check_never_looks_across_teams(teams):
    far_family = factories.family(teams["far"], "The Okafor family")
    with Session(teams["engine"]) as session:
        session.get(Family, far_family).council_reference = "CS-4242"
        session.commit()
    factories.person(far_family, "Tobi")
    assert intake.possible_matches(teams["sam"], _new_family(teams["near"])).empty
    far_sees = intake.possible_matches(teams["far_worker"], _new_family(teams["far"]))
    assert list(far_sees["family_id"]) == [far_family]


def test_the_family_chooses_one_of_the_workers_they_met(teams):
    family_id = intake.add_family(teams["sam"], _new_family(teams["near"]))
    sam, jo, amira = (teams[name].worker_id for name in ("sam", "jo", "amira"))
    on = date.today() - timedelta(days=2)
    relationship_id = intake.choose_worker(
        teams["sam"],
        family_id=family_id,
        choice={"offered": [jo, amira], "chosen": amira, "on": on},
    )
    with Session(teams["engine"]) as session:
        relationship = session.get(WorkerRelationship, relationship_id)
        assert (relationship.worker_id, relationship.role, relationship.started_on) == (
            amira,
            "lead",
            on,
        )
        assert relationship.chosen_by_family
        offers = session.exec(
            select(WorkerOffer.worker_id, WorkerOffer.chosen, WorkerOffer.relationship_id)
            .where(WorkerOffer.family_id == family_id)
            .order_by(WorkerOffer.worker_id)
        ).all()
        assert offers == sorted([(jo, False, None), (amira, True, relationship_id)])
        family = session.get(Family, family_id)
        assert family.status == FamilyStatus.working_together
        latest = session.exec(
            select(FamilyStatusChange)
            .where(FamilyStatusChange.family_id == family_id)
            .order_by(FamilyStatusChange.id.desc())
        ).first()
        assert (latest.status, latest.changed_on) == (FamilyStatus.working_together, on)
    assert sam not in {worker for worker, _, _ in offers}
    shown = intake.offers(teams["sam"], family_id)
    assert list(shown["worker"]) == ["Amira", "Jo"] and list(shown["chosen"]) == [True, False]
    story = timeline(teams["sam"], family_id, ["Workers"])["what"].tolist()
    assert "The family met Amira, Jo to choose a worker" in story
    assert "Amira started as main worker (the family chose them)" in story


def test_the_chosen_worker_counts_as_met_even_if_left_out_of_those_offered(teams):
    family_id = intake.add_family(teams["sam"], _new_family(teams["near"]))
    jo, amira = teams["jo"].worker_id, teams["amira"].worker_id
    intake.choose_worker(
        teams["sam"],
        family_id=family_id,
        choice={"offered": [jo], "chosen": amira, "on": date.today()},
    )
    with Session(teams["engine"]) as session:
        met = session.exec(
            select(WorkerOffer.worker_id).where(WorkerOffer.family_id == family_id)
        ).all()
    assert sorted(met) == sorted([jo, amira])


def test_a_choice_including_another_teams_worker_stores_nothing(teams):
    family_id = intake.add_family(teams["sam"], _new_family(teams["near"]))
    with pytest.raises(Invalid, match="workers of the family's team"):
        intake.choose_worker(
            teams["sam"],
            family_id=family_id,
            choice={
                "offered": [teams["jo"].worker_id, teams["far_worker"].worker_id],
                "chosen": teams["jo"].worker_id,
                "on": date.today(),
            },
        )
    assert _count(teams["engine"], WorkerOffer) == 0
    assert _count(teams["engine"], WorkerRelationship) == 0
    with Session(teams["engine"]) as session:
        assert session.get(Family, family_id).status == FamilyStatus.waiting


def test_a_family_with_a_main_worker_cannot_choose_again_and_nothing_is_stored(teams):
    family_id = intake.add_family(teams["sam"], _new_family(teams["near"]))
    jo, amira = teams["jo"].worker_id, teams["amira"].worker_id
    intake.choose_worker(
        teams["sam"], family_id=family_id, choice={"offered": [jo], "chosen": jo, "on": ASKED}
    )
    with pytest.raises(Invalid, match="already has a main worker"):
        intake.choose_worker(
            teams["sam"],
            family_id=family_id,
            choice={"offered": [amira], "chosen": amira, "on": date.today()},
        )
    assert _count(teams["engine"], WorkerOffer) == 1


def test_another_teams_worker_cannot_record_a_choice(teams):
    family_id = intake.add_family(teams["sam"], _new_family(teams["near"]))
    jo = teams["jo"].worker_id
    with pytest.raises(NotAllowed):
        intake.choose_worker(
            teams["far_worker"],
            family_id=family_id,
            choice={"offered": [jo], "chosen": jo, "on": date.today()},
        )
    assert _count(teams["engine"], WorkerOffer) == 0


def test_duplicate_check_finds_names_with_accents_and_any_apostrophe(teams):
    """SQLite's lower() knows only A-Z, and a phone types O’Brien with a curly apostrophe."""
    intake.add_family(
        teams["sam"],
        _new_family(
            teams["near"],
            known_as="The ÖZDEMİR-O’Brien family",
            council_reference="",
            members=[{"name": "ÉMILE", "relationship": "child", "birth_year": 2016}],
        ),
    )
    typed_again = _new_family(
        teams["near"],
        known_as="O'Brien",
        council_reference="",
        members=[{"name": "Grace", "relationship": "parent"}],
    )
    assert len(intake.possible_matches(teams["sam"], typed_again)) == 1
    by_child = _new_family(
        teams["near"],
        known_as="The Smith family",
        council_reference="",
        members=[{"name": "émile", "relationship": "child", "birth_year": 2016}],
    )
    assert len(intake.possible_matches(teams["sam"], by_child)) == 1


def test_many_similar_names_never_push_out_the_same_council_reference(teams):
    for n in range(25):
        factories.family(teams["near"], f"The Ali family {n}")
    factories.family(teams["near"], "The Zubair family", council_reference="CR-777")
    typed = _new_family(
        teams["near"],
        known_as="Ali",
        council_reference="cr-777",
        members=[{"name": "Grace", "relationship": "parent"}],
    )
    matches = intake.possible_matches(teams["sam"], typed)
    assert len(matches) == 20
    assert matches["family"].iloc[0] == "The Zubair family"
