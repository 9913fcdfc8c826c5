"""A family's story in one chronological list, for staff: meetings, conversations, goals set
and scored, plan changes, worker changes, status changes, practical help and staff notes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import col, select

from db.i18n import N_, Nn_, Words, words_column
from db.rules.access import Actor, family_read
from db.store.clock import local_day
from db.store.models import (
    Conversation,
    ConversationItem,
    FamilyStatusChange,
    Goal,
    GoalScore,
    Meeting,
    Note,
    PlanStep,
    PracticalHelp,
    ScoreRound,
    Team,
    Worker,
    WorkerOffer,
    WorkerRelationship,
)
from db.store.query import of_family
from db.words import (
    END_REASON,
    FAMILY_STATUS,
    HELP_KIND,
    MEETING_KIND,
    MEETING_STATUS,
    NOTE_KIND,
    RELATIONSHIP_ROLE,
)

# The kinds of entry, as the screen names them (through `_()`); each entry's words are Words,
# said in the reader's language on screen.
KINDS = [
    N_("Meetings"),
    N_("Conversations"),
    N_("Goals and scores"),
    N_("Plan"),
    N_("Workers"),
    N_("Where things are"),
    N_("Practical help"),
    N_("Staff notes"),
]
COLUMNS = ["on", "kind", "what", "record_type", "record_id"]


def _with_counts(model: type[Any], link: Any, family_id: int, *counted: Any) -> Any:
    """The family's records of one kind, each with how many items point to it through `link`
    and meet `counted` (a record with no such items is left out)."""
    items = link.class_
    return (
        select(model, func.count(col(items.id)))
        .join(items, col(link) == model.id)
        .where(col(model.family_id) == family_id, *counted)
        .group_by(col(model.id))
    )


def _meeting_words(m: Meeting, local: pd.Timestamp) -> Words:
    kind, status = MEETING_KIND[m.kind], MEETING_STATUS[m.status].small()
    if m.summary:
        return N_(
            "{kind} ({status}) at {time} — {summary}",
            kind=kind,
            status=status,
            time=f"{local:%H:%M}",
            summary=m.summary,
        )
    return N_("{kind} ({status}) at {time}", kind=kind, status=status, time=f"{local:%H:%M}")


def _help_words(h: PracticalHelp) -> Words:
    if h.who_from:
        return N_(
            "{kind}: {what} (from {who})", kind=HELP_KIND[h.kind], what=h.what, who=h.who_from
        )
    return N_("{kind}: {what}", kind=HELP_KIND[h.kind], what=h.what)


def _note_words(n: Note) -> Words:
    if n.shared_with:
        return N_(
            "{kind}: {words} — shared with {whom}",
            kind=NOTE_KIND[n.kind],
            words=n.words,
            whom=n.shared_with,
        )
    return N_("{kind}: {words}", kind=NOTE_KIND[n.kind], words=n.words)


# Records that are one entry each on the day they carry: (kind, model, the day's field, the
# entry's words, record type).
_DATED_RECORDS: list[tuple[str, type[Any], str, Callable[[Any], Words], str]] = [
    (
        "Where things are",
        FamilyStatusChange,
        "changed_on",
        lambda change: FAMILY_STATUS[change.status],
        "family_status",
    ),
    ("Practical help", PracticalHelp, "given_on", _help_words, "practical_help"),
    ("Staff notes", Note, "written_on", _note_words, "note"),
]


def timeline(actor: Actor, family_id: int, kinds: list[Words] | None = None) -> pd.DataFrame:
    wanted = set(kinds or KINDS)
    rows: list[tuple] = []
    with family_read(actor, family_id) as (session, family):
        zone = session.get_one(Team, family.team_id).time_zone

        def add(kind: str, on: date, what: Words, record_type: str = "", record_id=None) -> None:
            rows.append((on, kind, what, record_type, record_id))

        def add_record(kind: str, row, on: date, what: Words, record_type: str, named: str) -> None:
            """A record's entry; a withdrawn record stays in the story, with when and why it was
            withdrawn (`named` says which record it was)."""
            add(kind, on, what, record_type, row.id)
            if row.withdrawn_at is not None:
                add(
                    kind,
                    local_day(row.withdrawn_at, zone),
                    N_(
                        "Withdrawn, recorded by mistake ({reason}): {what}",
                        reason=row.withdrawn_reason,
                        what=named,
                    ),
                    record_type,
                    row.id,
                )

        if "Meetings" in wanted:
            for m in session.exec(of_family(Meeting, family_id)):
                local = pd.Timestamp(m.starts_at).tz_convert(zone)
                named = MEETING_KIND[m.kind]
                add_record("Meetings", m, local.date(), _meeting_words(m, local), "meeting", named)
        if "Conversations" in wanted:
            said = _with_counts(
                Conversation,
                ConversationItem.conversation_id,
                family_id,
                col(ConversationItem.withdrawn_at).is_(None),  # withdrawn: never said
            )
            for c, items in session.exec(said):
                add(
                    "Conversations",
                    c.held_on,
                    Nn_(
                        "What's going well, what's hard: {n} thing said",
                        "What's going well, what's hard: {n} things said",
                        items,
                    ),
                    "conversation",
                    c.id,
                )
        if "Goals and scores" in wanted:
            for g in session.exec(of_family(Goal, family_id)):
                set_words = N_("Goal set: {goal}", goal=g.wording)
                add_record("Goals and scores", g, g.set_on, set_words, "goal", g.wording)
            for r, count in session.exec(_with_counts(ScoreRound, GoalScore.round_id, family_id)):
                scores = N_("Scores given: {count}", count=count)
                add("Goals and scores", r.scored_on, scores, "score_round", r.id)
        if "Plan" in wanted:
            for s in session.exec(of_family(PlanStep, family_id)):
                agreed = N_("Plan step agreed: {what}", what=s.what)
                add_record("Plan", s, s.agreed_on, agreed, "plan_step", s.what)
                if s.done_on:
                    done = N_("Plan step done: {what}", what=s.what)
                    add("Plan", s.done_on, done, "plan_step", s.id)
        if "Workers" in wanted:
            for link, name in session.exec(
                select(WorkerRelationship, col(Worker.name))
                .join(Worker)
                .where(col(WorkerRelationship.family_id) == family_id)
            ):
                role = RELATIONSHIP_ROLE[link.role].small()
                add(
                    "Workers",
                    link.started_on,
                    N_("{name} started as {role} (the family chose them)", name=name, role=role)
                    if link.chosen_by_family
                    else N_("{name} started as {role}", name=name, role=role),
                    "worker_relationship",
                    link.id,
                )
                if link.ended_on:
                    add(
                        "Workers",
                        link.ended_on,
                        N_(
                            "{name} stopped working with the family: {why}",
                            name=name,
                            why=END_REASON[link.end_reason].small(),
                        )
                        if link.end_reason
                        else N_("{name} stopped working with the family", name=name),
                        "worker_relationship",
                        link.id,
                    )
            met: dict[date, list[str]] = {}
            for offered_on, name in session.exec(
                select(col(WorkerOffer.offered_on), col(Worker.name))
                .join(Worker, col(Worker.id) == WorkerOffer.worker_id)
                .where(col(WorkerOffer.family_id) == family_id)
                .order_by(col(Worker.name))
            ):
                met.setdefault(offered_on, []).append(name)
            for offered_on, names in met.items():
                add(
                    "Workers",
                    offered_on,
                    N_("The family met {names} to choose a worker", names=", ".join(names)),
                    "worker_offer",
                    None,
                )
        for kind, model, on, what, record_type in _DATED_RECORDS:
            if kind in wanted:
                for row in session.exec(of_family(model, family_id)):
                    add(kind, getattr(row, on), what(row), record_type, row.id)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["what"] = words_column((row[2] for row in rows), frame.index)
    return frame.sort_values(["on", "kind"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
