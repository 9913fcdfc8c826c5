"""A family's story in one chronological list, for staff: meetings, conversations, goals set
and scored, plan changes, worker changes, status changes, practical help and staff notes."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlmodel import col, select

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

KINDS = [
    "Meetings",
    "Conversations",
    "Goals and scores",
    "Plan",
    "Workers",
    "Where things are",
    "Practical help",
    "Staff notes",
]
COLUMNS = ["on", "kind", "what", "record_type", "record_id"]


def timeline(actor: Actor, family_id: int, kinds: list[str] | None = None) -> pd.DataFrame:
    wanted = set(kinds or KINDS)
    rows: list[tuple] = []
    with family_read(actor, family_id) as (session, family):
        zone = session.get_one(Team, family.team_id).time_zone

        def add(kind: str, on: date, what: str, record_type: str = "", record_id=None) -> None:
            rows.append((on, kind, what, record_type, record_id))

        def add_withdrawal(kind: str, row, what: str, record_type: str) -> None:
            """A withdrawn record stays in the story, with when and why it was withdrawn."""
            if row.withdrawn_at is not None:
                add(
                    kind,
                    local_day(row.withdrawn_at, zone),
                    f"Withdrawn, recorded by mistake ({row.withdrawn_reason}): {what}",
                    record_type,
                    row.id,
                )

        if "Meetings" in wanted:
            for m in session.exec(of_family(Meeting, family_id)):
                local = pd.Timestamp(m.starts_at).tz_convert(zone)
                add(
                    "Meetings",
                    local.date(),
                    f"{MEETING_KIND[m.kind]} ({MEETING_STATUS[m.status].lower()}) "
                    f"at {local:%H:%M}" + (f" — {m.summary}" if m.summary else ""),
                    "meeting",
                    m.id,
                )
                add_withdrawal("Meetings", m, MEETING_KIND[m.kind], "meeting")
        if "Conversations" in wanted:
            for c, items in session.exec(
                select(Conversation, func.count(col(ConversationItem.id)))
                .join(ConversationItem, col(ConversationItem.conversation_id) == Conversation.id)
                .where(col(Conversation.family_id) == family_id)
                .group_by(col(Conversation.id))
            ):
                add(
                    "Conversations",
                    c.held_on,
                    f"What's going well, what's hard: {items} things said",
                    "conversation",
                    c.id,
                )
        if "Goals and scores" in wanted:
            for g in session.exec(of_family(Goal, family_id)):
                add("Goals and scores", g.set_on, f"Goal set: {g.wording}", "goal", g.id)
                add_withdrawal("Goals and scores", g, g.wording, "goal")
            for r, count in session.exec(
                select(ScoreRound, func.count(col(GoalScore.id)))
                .join(GoalScore, col(GoalScore.round_id) == ScoreRound.id)
                .where(col(ScoreRound.family_id) == family_id)
                .group_by(col(ScoreRound.id))
            ):
                add("Goals and scores", r.scored_on, f"Scores given: {count}", "score_round", r.id)
        if "Plan" in wanted:
            for s in session.exec(of_family(PlanStep, family_id)):
                add("Plan", s.agreed_on, f"Plan step agreed: {s.what}", "plan_step", s.id)
                add_withdrawal("Plan", s, s.what, "plan_step")
                if s.done_on:
                    add("Plan", s.done_on, f"Plan step done: {s.what}", "plan_step", s.id)
        if "Workers" in wanted:
            for link, name in session.exec(
                select(WorkerRelationship, col(Worker.name))
                .join(Worker)
                .where(col(WorkerRelationship.family_id) == family_id)
            ):
                chosen = " (the family chose them)" if link.chosen_by_family else ""
                add(
                    "Workers",
                    link.started_on,
                    f"{name} started as {RELATIONSHIP_ROLE[link.role].lower()}{chosen}",
                    "worker_relationship",
                    link.id,
                )
                if link.ended_on:
                    why = f": {END_REASON[link.end_reason].lower()}" if link.end_reason else ""
                    add(
                        "Workers",
                        link.ended_on,
                        f"{name} stopped working with the family{why}",
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
                    f"The family met {', '.join(names)} to choose a worker",
                    "worker_offer",
                    None,
                )
        if "Where things are" in wanted:
            for change in session.exec(of_family(FamilyStatusChange, family_id)):
                add(
                    "Where things are",
                    change.changed_on,
                    FAMILY_STATUS[change.status],
                    "family_status",
                    change.id,
                )
        if "Practical help" in wanted:
            for h in session.exec(of_family(PracticalHelp, family_id)):
                add(
                    "Practical help",
                    h.given_on,
                    f"{HELP_KIND[h.kind]}: {h.what}"
                    + (f" (from {h.who_from})" if h.who_from else ""),
                    "practical_help",
                    h.id,
                )
        if "Staff notes" in wanted:
            for n in session.exec(of_family(Note, family_id)):
                extra = f" — shared with {n.shared_with}" if n.shared_with else ""
                add(
                    "Staff notes",
                    n.written_on,
                    f"{NOTE_KIND[n.kind]}: {n.words}{extra}",
                    "note",
                    n.id,
                )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["on", "kind"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
