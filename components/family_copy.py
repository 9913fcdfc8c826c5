"""Printable copies, rendered with Jinja2 (templates/, autoescaped: no value is ever HTML).

- `render`: the family copy, a clean A4-friendly page of the plan, the goals with their score
  lines and the children's views, for the audience chosen at the family meeting.
- `render_everything`: a draft of "a copy of everything we hold about you", from the records
  request's JSON, in plain words (names of fields, Yes/No, words for stored codes, dates, the
  names of people and workers instead of numbers), for a worker to check before it is sent.
"""

from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy import Boolean, Date, Table
from sqlalchemy import Enum as SAEnum
from sqlmodel import SQLModel

from components.charts import scorer_colours
from components.goals import goals_in_language
from db import i18n
from db.conference import ConferenceView
from db.metrics import goal_sentences
from db.settings import DEFAULT_TIME_ZONE
from db.store.types import UTCDateTime
from db.words import MEETING_KIND, WHOLE_FAMILY, WORDS_BY_ENUM

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# Every word of ours in a template goes through the one `_()`, in the language of the run, and
# the few a team says its own way through `term()`.
def _translated(message: str, /, **values: object) -> Markup:
    """`_()` for a template: our words kept as written (an apostrophe stays one), everything
    placed in them escaped like any other value."""
    ours = html.escape(i18n._(message), quote=False).replace('"', "&#34;")
    return Markup(ours).format(**values)


TEMPLATES.globals.update(_=_translated, term=i18n.term)


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _long_date(value) -> str:
    """A date as the family's language writes it ('3 Rhagfyr 2026')."""
    return "" if value is None or pd.isna(value) else i18n.long_date(pd.Timestamp(value).date())


# --- the family copy ---------------------------------------------------------------------


def _score_lines(
    points: pd.DataFrame, colours: dict[str, str], width: int = 440, height: int = 120
) -> dict | None:
    """One goal's score lines as coordinates for a small SVG (0 at the bottom, 10 at the top)."""
    if points.empty:
        return None
    days = pd.to_datetime(points["scored_on"])
    first, last = days.min(), days.max()
    span = max((last - first).days, 1)
    pad = 12
    lines = []
    for scorer, group in (
        points.assign(day=days).sort_values(["day", "score_id"]).groupby("scorer", sort=False)
    ):
        dots = [
            (
                f"{pad + (width - 2 * pad) * (d - first).days / span:.1f}",
                f"{height - pad - (height - 2 * pad) * s / 10:.1f}",
            )
            for d, s in zip(group["day"], group["score"])
        ]
        lines.append(
            {
                "scorer": scorer,
                "colour": colours[scorer],
                "dashed": bool(group["is_worker_view"].iloc[0]),
                "dots": dots,
                "points": [f"{x},{y}" for x, y in dots],
            }
        )
    return {"width": width, "height": height, "lines": lines}


def _goals(view: ConferenceView) -> list[dict]:
    goals = []
    colours = scorer_colours(view.goals.scores)
    for goal in view.goals.goals.itertuples():
        points = view.goals.scores[view.goals.scores["goal_id"] == goal.goal_id]
        whose = "" if goal.whose == WHOLE_FAMILY else goal.whose
        goals.append(
            {
                "wording": goal.wording,
                "whose": i18n._(WHOLE_FAMILY) if not whose else _text(goal.whose),
                "zero_means": _text(goal.zero_means),
                "ten_means": _text(goal.ten_means),
                "chart": _score_lines(points, colours),
                "sentences": goal_sentences(whose=whose, wording=goal.wording, points=points),
            }
        )
    return goals


def render(view: ConferenceView) -> str:
    """The family copy in the language of the run (the family's, on the family meeting
    screen), laid out right to left for a right-to-left language."""
    view = in_language(view)
    return TEMPLATES.get_template("family_copy.html").render(
        language=i18n.current(),
        direction=i18n.direction(),
        family_name=view.family_name,
        made_on=_long_date(view.made_on),
        plan=[
            {
                "what": _text(step.what),
                "who": _text(step.who),
                "by_when": _long_date(step.by_when),
                "how_we_will_know": _text(step.how_we_will_know),
                "done": pd.notna(step.done_on),
            }
            for step in view.plan.itertuples()
        ],
        goals=_goals(view),
        going_well=[
            {"words": _text(r.words), "said_by": _text(r.said_by)}
            for r in view.going_well.itertuples()
        ],
        child_views=[
            {"child": _text(r.child), "words": _text(r.words)}
            for r in view.child_views.itertuples()
        ],
        **_after_the_plan(view),
    )


def _after_the_plan(view: ConferenceView) -> dict:
    """What happens if the plan doesn't work, when we'll look at it again, and how to reach
    the family's worker: in the family's words."""
    next_meeting = None
    if view.next_meeting is not None:
        when = pd.Timestamp(view.next_meeting).tz_convert(view.time_zone or "Europe/London")
        next_meeting = i18n.date_and_time(when.to_pydatetime())
    return {
        "if_plan_does_not_work": _text(view.follow_up.if_plan_does_not_work),
        "look_again_on": _long_date(view.follow_up.look_again_on),
        "workers": _text(view.workers),
        "team_name": _text(view.team_name),
        "next_meeting": next_meeting,
    }


def in_language(view: ConferenceView) -> ConferenceView:
    """The view with the store's own words (a worker's view as a scorer) in the language of
    the run; the store keeps them in English, cached for every language."""
    if i18n.current() == i18n.SOURCE_LANGUAGE:
        return view
    return replace(view, goals=goals_in_language(view.goals))


# --- a copy of everything we hold: the draft ---------------------------------------------

# Plain names for the kinds of record; anything unlisted is shown by its table name.
RECORD_NAMES = {
    "family": "The family",
    "familystatuschange": "Where things were, over time",
    "person": "People in the family's world",
    "agreement": "What the family agreed to",
    "workerrelationship": "Workers who worked with the family",
    "meeting": "Meetings",
    "meetingperson": "Who was invited and who came",
    "childview": "The children's views",
    "conversation": "Conversations",
    "conversationitem": "What was said",
    "goal": "Goals",
    "scoreround": "Rounds of scores",
    "goalscore": "Scores",
    "planstep": "The family's plan",
    "practicalhelp": "Practical help",
    "huddlefamily": "Team huddles that talked about the family",
    "recordsrequest": "Requests for a copy of the records",
    "familyinvitation": "Invitations to the family's own space",
    "familylogin": "Logins to the family's own space",
}
# Held back for a worker to review before anything is sent: details that keep someone safe,
# staff notes (they may be about other people), what one family member wrote to their worker
# from their own space (the copy may be for another member), and what someone asked to keep
# private (rows marked private, and every row under one: a private goal's scores).
HELD_BACK_TABLES = {
    "keepingsafe": "Keeping-safe details",
    "note": "Staff notes",
    "familymessage": "Messages from a family member to their worker",
}
# What an empty field means where it means something.
EMPTY_MEANS = {("goal", "person_id"): WHOLE_FAMILY}
# Bookkeeping, not anything about the family.
NOT_SHOWN = {
    "id",
    "version",
    "data_version",
    "is_demo",
    "token",
    "code_hash",
    "family_id",
    "team_id",
}

# Names of fields in plain words; (table, field) where one table means something else.
FIELD_NAMES = {
    "known_as": "Name the family chose",
    "first_came_on": "When the family first came to us",
    "rhythm": "How often we agreed to meet",
    "council_reference": "The council's reference",
    "status": "Where things are",
    "erased_at": "Erased on",
    "changed_on": "From",
    "recorded_by": "Written down by",
    "recorded_at": "Written down on",
    "name": "Name",
    "relationship": "Who they are to the family",
    "organisation": "Organisation",
    "birth_year": "Year born",
    "in_household": "Lives in the household",
    "how_they_help": "How they help",
    "language": "Language",
    "needs_interpreter": "Needs an interpreter",
    "must_not_invite": "Not to be invited",
    "must_not_see_plan": "Not to see the plan",
    "what": "What",
    "with_whom": "Shared with",
    "agreed_on": "Agreed on",
    "last_checked_on": "Last checked on",
    "worker_id": "Worker",
    "role": "Their part",
    "started_on": "From",
    "ended_on": "Until",
    "chosen_by_family": "Chosen by the family",
    "end_reason": "Why it ended",
    "kind": "What kind",
    "starts_at": "When",
    "place": "Where",
    "summary": "What we talked about",
    "written_together": "Written together with the family",
    "coordinator": "Coordinator",
    "preparation_visits": "Visits to prepare",
    "private_family_time": "Private family time",
    "if_plan_does_not_work": "If the plan doesn't work",
    "look_again_on": "When we'll look at the plan again",
    "meeting_id": "Meeting",
    "person_id": "Who",
    "invited": "Invited",
    "came": "Came",
    "words": "In their words",
    "visibility": "Who can see this",
    "held_on": "On",
    "conversation_id": "Conversation",
    "column": "What it is about",
    "said_by_person_id": "Said by",
    "wording": "The goal, in their words",
    "zero_means": "What 0 means",
    "ten_means": "What 10 means",
    "status_reason": "Why",
    "set_on": "Set on",
    "scored_on": "Scored on",
    "goal_id": "Goal",
    "score": "Score",
    "comment": "Comment",
    "who": "Who",
    "by_when": "By when",
    "how_we_will_know": "How we'll know",
    "done_on": "Done on",
    "given_on": "Given on",
    "who_from": "Who from",
    "action": "What was agreed",
    "action_worker_id": "Who will do it",
    "action_by": "By when",
    "asked_by_whom": "Who asked",
    "asked_on": "Asked on",
    "decided_by": "Decided by",
    "decided_at": "Decided on",
    "refused_because": "Why it was turned down",
    "prepared_by": "Prepared by",
    "prepared_at": "Prepared on",
    ("childview", "person_id"): "Child",
    ("goal", "person_id"): "Whose goal",
    ("goalscore", "person_id"): "Scored by",
    ("goalscore", "worker_id"): "Scored by (worker)",
    ("meetingperson", "worker_id"): "Worker",
    ("familystatuschange", "status"): "Where things were",
    ("goal", "status"): "Where the goal is",
    ("recordsrequest", "status"): "Where the request is",
    ("meeting", "status"): "What happened",
    ("meeting", "kind"): "What kind of meeting",
    ("practicalhelp", "kind"): "What kind of help",
    ("practicalhelp", "what"): "What was given",
    ("planstep", "what"): "What will happen",
    ("agreement", "what"): "What was agreed",
}


def field_name(table: str, column: str) -> str:
    return (
        FIELD_NAMES.get((table, column))
        or FIELD_NAMES.get(column)
        or (column.replace("_", " ").capitalize())
    )


def _labels(records: dict, workers: dict, time_zone: str) -> dict[str, dict[int, str]]:
    """What a stored reference to another record is called in the draft: a person or worker
    by name, a meeting or conversation by its kind and day, a goal by its wording."""
    meetings = {
        row["id"]: f"{MEETING_KIND.get(row.get('kind'), 'Meeting')} on "
        + _long_date(_local(row.get("starts_at"), time_zone))
        for row in records.get("meeting", [])
    }
    return {
        "worker": {int(key): name for key, name in workers.items()},
        "person": {row["id"]: row.get("name", "") for row in records.get("person", [])},
        "meeting": meetings,
        "goal": {row["id"]: row.get("wording", "") for row in records.get("goal", [])},
        "conversation": {
            row["id"]: f"Conversation on {_long_date(row.get('held_on'))}"
            for row in records.get("conversation", [])
        },
    }


def _local(value, time_zone: str):
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment.astimezone(ZoneInfo(time_zone)) if moment.tzinfo else moment


def _linked_table(table: Table | None, column: str) -> str | None:
    if table is None or column not in table.c:
        return None
    return next((key.column.table.name for key in table.c[column].foreign_keys), None)


def _readable(table: Table | None, column: str, value, labels: dict, time_zone: str) -> str:
    """One stored value as a family would read it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    linked = _linked_table(table, column)
    if linked is not None:
        return labels.get(linked, {}).get(value, "")
    kind = table.c[column].type if table is not None and column in table.c else None
    if isinstance(kind, SAEnum) and kind.enum_class in WORDS_BY_ENUM:
        return WORDS_BY_ENUM[kind.enum_class].get(value, str(value))
    if isinstance(kind, UTCDateTime):
        return f"{_local(value, time_zone):%-d %B %Y, %H:%M}"
    if isinstance(kind, Date) or (kind is None and _looks_like_a_date(value)):
        return _long_date(value)
    if isinstance(kind, Boolean):
        return "Yes" if value else "No"
    return str(value)


def _looks_like_a_date(value) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _shown_columns(table: Table | None, rows: list[dict], labels: dict) -> list[str]:
    """Every field but bookkeeping and references to records the draft can't name."""
    columns = [c for c in rows[0] if c not in NOT_SHOWN]
    return [
        c
        for c in columns
        if _linked_table(table, c) in labels
        or (_linked_table(table, c) is None and not c.endswith("_id"))
    ]


def _not_private(records: dict) -> dict[str, list[dict]]:
    """The records without the rows marked private and every row that points at one (a
    private goal's scores), however deep: nothing shown may name or quote a private row."""
    dropped = {
        name: {place for place, row in enumerate(rows) if row.get("visibility") == "private"}
        for name, rows in records.items()
    }
    while True:
        private_ids = {
            name: {rows[place].get("id") for place in dropped[name]} - {None}
            for name, rows in records.items()
        }
        more = {
            (name, place)
            for name, rows in records.items()
            for place, row in enumerate(rows)
            if place not in dropped[name]
            and any(
                row.get(column) in private_ids.get(linked, ())
                for column in row
                if (linked := _linked_table(SQLModel.metadata.tables.get(name), column))
            )
        }
        if not more:
            break
        for name, place in more:
            dropped[name].add(place)
    return {
        name: [row for place, row in enumerate(rows) if place not in dropped[name]]
        for name, rows in records.items()
    }


def _sections(data: dict) -> list[dict]:
    records, time_zone = data.get("records", {}), data.get("time_zone", DEFAULT_TIME_ZONE)
    records = _not_private(records)
    labels = _labels(records, data.get("workers", {}), time_zone)
    sections = []
    for name, rows in records.items():
        rows = [_marked_if_withdrawn(r) for r in rows]
        if name in HELD_BACK_TABLES or not rows:
            continue
        table = SQLModel.metadata.tables.get(name)
        columns = _shown_columns(table, rows, labels)
        sections.append(
            {
                "title": RECORD_NAMES.get(name, name),
                "headings": [field_name(name, c) for c in columns],
                "rows": [
                    [
                        _readable(table, c, row.get(c), labels, time_zone)
                        or EMPTY_MEANS.get((name, c), "")
                        for c in columns
                    ]
                    for row in rows
                ],
            }
        )
    return sections


WITHDRAWN = ("withdrawn_at", "withdrawn_by", "withdrawn_reason")


def _marked_if_withdrawn(row: dict) -> dict:
    """A record withdrawn as recorded by mistake stays in the copy, saying so and why."""
    if not any(column in row for column in WITHDRAWN):
        return row
    marked = {k: v for k, v in row.items() if k not in WITHDRAWN}
    marked["withdrawn"] = (
        f"Withdrawn on {str(row['withdrawn_at'])[:10]}, recorded by mistake: "
        f"{row.get('withdrawn_reason') or ''}"
        if row.get("withdrawn_at")
        else ""
    )
    return marked


def render_everything(document: str) -> str:
    """A printable draft of 'a copy of everything we hold about you', from the records
    request's JSON: for a worker to check and redact before it goes to the family."""
    data = json.loads(document)
    records = data.get("records", {})
    return TEMPLATES.get_template("records_draft.html").render(
        language="en",
        direction="ltr",
        held_back=[
            f"{HELD_BACK_TABLES[t]} ({len(rows)})"
            for t, rows in records.items()
            if t in HELD_BACK_TABLES and rows
        ],
        made_on=_long_date(data.get("made_at", "")[:10] or None),
        team=data.get("team", ""),
        sections=_sections(data),
    )
