"""Every public write in db/, fed whatever a browser, a careless caller or an attacker could send:
text with NUL bytes and half emojis, huge or negative ids, floats, None, dates in year 1 or 9999,
lists where text belongs. Each call either stores something sane or is refused with the
project's own errors (Invalid, NotAllowed, Conflict) — never a crash — and afterwards no stored
row holds a NUL byte, a lone surrogate or a date outside the window.

The writes are found by introspection (public functions of db/ that open a write session:
write_session, or the family_write / own_family_write that open every write about a family), so
a new write is fuzzed without anyone remembering to add it here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

import bcrypt
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, DateTime, String, Text, select, text
from sqlmodel import Session, SQLModel

import db
from db.family_world import PersonIn
from db.goals import GoalIn, ScoreIn
from db.meetings import ChildViewIn, ItemIn, MeetingIn, PlanStepIn
from db.rules.access import NotAllowed, load_actor
from db.rules.validation import Conflict, Invalid, date_window
from db.store import models

ALLOWED = (Invalid, NotAllowed, Conflict)

# Writes left out, each with its reason.
SKIP = {
    "db.store.engine.audit_refusal": "audits a refusal db/ itself raised; it comes from code",
    "db.auth.end_session": "ends this browser's session: its arguments come from the session",
    "db.auth.start_session": "starts a session for the acting worker: nothing typed reaches it",
}
# Parameters left at their defaults: a clock tests inject, or what code (never a person) passes.
FIXED = {"now", "today"}
CODE_SUPPLIED = {
    "db.export.export_csv": {"frame": pd.DataFrame({"a": [1]}), "what": "continuity_families"}
}
EXAMPLES = 20
SLOW_EXAMPLES = 5  # writes that run bcrypt on every call


WRITE_OPENERS = {"write_session", "family_write", "own_family_write"}


def public_writes() -> list[Callable]:
    found = []
    for info in pkgutil.walk_packages(db.__path__, "db."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isfunction(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and name not in WRITE_OPENERS  # how writes open, not writes of their own
                and WRITE_OPENERS & set(inspect.unwrap(value).__code__.co_names)
                and f"{module.__name__}.{name}" not in SKIP
            ):
                found.append(value)
    return found


WRITES = public_writes()


# --- what gets sent --------------------------------------------------------------------------

awkward_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec=None, categories=["Cs", "Cc"]), max_size=5),
    st.sampled_from(["\x00", "ok\x00", "\ud83d", "Calm \udc00", " ", "", "x" * 6000]),
)
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    awkward_text,
    st.binary(max_size=5),
    st.dates(),
    st.lists(st.integers(), max_size=3),
    st.just(object()),
)
extreme_dates = st.one_of(
    st.dates(),
    st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31)]),
    st.dates(min_value=date.today() - timedelta(days=400), max_value=date.today()),
)
extreme_times = st.one_of(
    st.datetimes(timezones=st.just(timezone.utc)),
    st.just(datetime(9999, 12, 31, 23, 0, tzinfo=timezone.utc)),
    st.just(datetime(1, 1, 2, tzinfo=timezone.utc)),
    st.datetimes(
        min_value=datetime.now() - timedelta(days=60),
        max_value=datetime.now() + timedelta(days=60),
        timezones=st.just(timezone.utc),
    ),
    st.datetimes(),  # naive
)

ENUMS = {
    "kind": [*models.HelpKind, *models.NoteKind, *models.MeetingKind],
    "status": [*models.FamilyStatus, *models.MeetingStatus, *models.GoalStatus],
    "role": list(models.RelationshipRole),
    "reason": list(models.EndReason),
    "rhythm": list(models.Rhythm),
    "visibility": list(models.Visibility),
    "relationship": list(models.Relationship),
    "column": list(models.ConversationColumn),
    "audience": ["staff", "household", "everyone"],
}
# Which stored ids a parameter names (looked up in the database before fuzzing).
ID_KINDS = {
    "family_id": "family",
    "person_id": "person",
    "said_by_person_id": "person",
    "worker_id": "worker",
    "to_worker_id": "worker",
    "action_worker_id": "worker",
    "team_id": "team",
    "goal_id": "goal",
    "meeting_id": "meeting",
    "step_id": "planstep",
    "login_id": "worker",
    "invitation_id": "familyinvitation",
    "item_id": "conversationitem",
    "agreement_id": "agreement",
    "huddle_id": "huddle",
    "from_item_id": "conversationitem",
}


def known_ids(engine) -> dict[str, list[int]]:
    with engine.connect() as connection:
        return {
            table: [
                row[0]
                for row in connection.execute(text(f"SELECT id FROM {table} ORDER BY id LIMIT 8"))
            ]
            for table in set(ID_KINDS.values())
        }


def for_parameter(name: str, ids: dict[str, list[int]]) -> st.SearchStrategy:
    """A plausible value for this parameter most of the time, junk the rest."""
    if name in ID_KINDS:
        plausible = st.sampled_from(ids[ID_KINDS[name]] or [1])
    elif name in ("team_ids", "led_team_ids", "invited", "came", "workers"):
        pool = ids["team" if "team" in name else "worker" if name == "workers" else "person"]
        plausible = st.lists(st.sampled_from(pool or [1]), max_size=3).map(tuple)
    elif name in ENUMS:
        plausible = st.sampled_from([str(value) for value in ENUMS[name]])
    elif name == "roles":
        plausible = st.lists(st.sampled_from(["practitioner", "manager", "admin"]), max_size=3)
    elif name == "seen_version":
        plausible = st.integers(min_value=0, max_value=3)
    elif name == "starts_at":
        return extreme_times
    elif name in ("on", "action_by", "look_again_on", "by_when") or name.endswith("_on"):
        plausible = extreme_dates
    elif name in ("birth_year", "preparation_visits", "score"):
        plausible = st.integers(min_value=-5, max_value=3000)
    elif name == "time_zone":
        plausible = st.sampled_from(["Europe/London", "x" * 5000, "Europe", "../etc/passwd", "UTC"])
    elif name in (
        "active",
        "another",
        "done",
        "on_",
        "ok_to_leave_messages",
        "chosen_by_family",
        "written_together",
        "in_household",
        "needs_interpreter",
        "must_not_invite",
        "must_not_see_plan",
        "private_family_time",
    ):
        plausible = st.booleans()
    elif name == "texts":
        plausible = st.lists(awkward_text, max_size=3)
    elif name in INPUTS:
        return INPUTS[name](ids)
    else:
        plausible = awkward_text
    return st.one_of(plausible, plausible, junk)


def _fields(cls, ids, *, lazy: bool = False) -> st.SearchStrategy:
    names = [p for p in inspect.signature(cls).parameters if p not in ("args", "data")]
    if lazy:  # pydantic input models: built inside the call, so their refusal counts too
        names = list(cls.model_fields)
    return st.fixed_dictionaries({}, optional={n: for_parameter(n, ids) for n in names})


def _lazy(cls, ids) -> st.SearchStrategy:
    return st.one_of(_fields(cls, ids, lazy=True).map(lambda v: (cls, v)), junk)


def _dataclass(cls, ids, **overrides) -> st.SearchStrategy:
    def build(values):
        try:
            return cls(**values)
        except TypeError:  # a required field left out: send the junk as it is
            return values

    return st.one_of(_fields(cls, ids).map(lambda v: build({**v, **overrides})), junk)


def _many(strategy) -> st.SearchStrategy:
    return st.one_of(st.lists(strategy, max_size=3), junk)


INPUTS: dict[str, Callable[[dict], st.SearchStrategy]] = {
    "person": lambda ids: _dataclass(PersonIn, ids),
    "step": lambda ids: _dataclass(PlanStepIn, ids),
    "goal": lambda ids: _lazy(GoalIn, ids),
    "scores": lambda ids: _many(_lazy(ScoreIn, ids)),
    "items": lambda ids: _many(_dataclass(ItemIn, ids)),
    "plan_steps": lambda ids: _many(_dataclass(PlanStepIn, ids)),
    "child_views": lambda ids: _many(_dataclass(ChildViewIn, ids)),
    "meeting": lambda ids: _dataclass(MeetingIn, ids),
}


def built(value: Any) -> Any:
    """Input models held back as (class, fields) are made now, inside the call."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] in (GoalIn, ScoreIn):
        return value[0](**value[1])
    if isinstance(value, list):
        return [built(v) for v in value]
    return value


# --- what must never be stored ---------------------------------------------------------------


def bad_rows(engine) -> list[str]:
    earliest, latest = date_window()
    found = []
    with Session(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, (String, Text)):
                    for (value,) in session.execute(select(column).where(column.is_not(None))):
                        if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
                            found.append(f"{table.name}.{column.name}: {value!r}")
                elif (
                    isinstance(column.type, (Date, DateTime))
                    or "DateTime" in type(column.type).__name__
                ):
                    for (value,) in session.execute(select(column).where(column.is_not(None))):
                        day = value.date() if isinstance(value, datetime) else value
                        if not earliest <= day <= latest:
                            found.append(f"{table.name}.{column.name}: {value!r}")
    return found


# --- the test --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_db(templates, demo_template, tmp_path_factory):
    """One copy of the demo for every write: what one write stores, the next may trip on."""
    from tests.conftest import _database_from

    yield from _database_from(templates, demo_template, tmp_path_factory.mktemp("fuzz"))


@pytest.fixture
def quick_bcrypt(monkeypatch):
    fast = bcrypt.gensalt(4)
    monkeypatch.setattr(bcrypt, "gensalt", lambda *args, **kwargs: fast)


def test_the_fuzz_finds_every_write():
    names = {f"{w.__module__}.{w.__name__}" for w in WRITES}
    assert {"db.meetings.record_meeting", "db.admin.add_team", "db.auth.check_login"} <= names
    assert len(names) >= 35


@pytest.mark.parametrize("write", WRITES, ids=lambda w: f"{w.__module__}.{w.__name__}")
def test_a_write_refuses_bad_input_plainly_and_stores_nothing_bad(fuzz_db, quick_bcrypt, write):
    ids = known_ids(fuzz_db)
    with Session(fuzz_db) as session:
        # "family": the demo family member, so the family's own space is fuzzed past its door.
        names = ("practitioner", "manager", "admin", "family")
        actors = [load_actor(session, name) for name in names]
    qualified = f"{write.__module__}.{write.__name__}"
    fixed = CODE_SUPPLIED.get(qualified, {})
    parameters = {
        name: for_parameter(name, ids)
        for name in inspect.signature(write).parameters
        if name not in FIXED and name not in fixed and name != "actor"
    }
    if "actor" in inspect.signature(write).parameters:
        parameters["actor"] = st.sampled_from(actors)
    slow = write.__name__ in ("check_login", "change_password", "create_admin", "reset_password")

    @settings(
        max_examples=SLOW_EXAMPLES if slow else EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.fixed_dictionaries(parameters))
    def call(arguments):
        try:
            write(**fixed, **{name: built(value) for name, value in arguments.items()})
        except ALLOWED as refusal:
            assert str(refusal) and "Traceback" not in str(refusal)

    call()
    assert bad_rows(fuzz_db) == []


# --- what the fuzz found, pinned ---------------------------------------------------------------


def _practitioner_and_family(engine):
    with Session(engine) as session:
        actor = load_actor(session, "practitioner")
    with engine.connect() as connection:
        family_id = connection.execute(
            text("SELECT id FROM family WHERE team_id = :team ORDER BY id LIMIT 1"),
            {"team": min(actor.team_ids)},
        ).scalar_one()
    return actor, family_id


def test_a_meeting_planned_for_9999_is_refused_in_words(demo_db):
    from db.meetings import record_meeting

    actor, family_id = _practitioner_and_family(demo_db)
    meeting = MeetingIn("home_visit", "planned", datetime(9999, 12, 31, 10, tzinfo=timezone.utc))
    with pytest.raises(Invalid, match="^The meeting's date can't be later than"):
        record_meeting(actor, family_id=family_id, meeting=meeting)


def test_text_with_a_nul_byte_or_half_an_emoji_is_refused_in_words(demo_db):
    from db.family_world import add_person

    actor, family_id = _practitioner_and_family(demo_db)
    for name in ("Ma\x00rie", "Marie \ud83d"):
        with pytest.raises(Invalid, match="^The name has a (hidden|broken) character"):
            add_person(actor, family_id=family_id, person=PersonIn(name, "parent"))


@pytest.mark.parametrize("family_id", [10**20, -1, 0, "7", 7.0, True, None, [7]])
def test_an_id_that_could_never_be_ours_is_refused_like_a_missing_record(demo_db, family_id):
    from db.families import record_view

    actor, _family = _practitioner_and_family(demo_db)
    with pytest.raises(NotAllowed):
        record_view(actor, family_id)
