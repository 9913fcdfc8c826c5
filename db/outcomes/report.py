"""What changed for families over a period, for the teams a manager leads: the rows read in
SQL for those teams only (a team holds a few hundred families, whatever the size of the
council), the figures computed from them, and the two audited exports (the figures as a CSV
and the printable board report).

Permission is checked by `check_teams` on every call, outside any cache; the rows and the
figures are cached like the continuity report: keyed by database, each team's
Team.data_version (any write about a family of the team makes a new key) and the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pandas as pd
from sqlalchemy import String, case, cast, func, literal, type_coerce
from sqlmodel import col, select

from db.i18n import N_, Words, words_column
from db.outcomes.definitions import DEFINITIONS, WHOSE_DEFINITIONS, quarter_part, quarters
from db.outcomes.figures import (
    GOAL_COLUMNS,
    HOME_COLUMNS,
    SCORE_COLUMNS,
    by_quarter,
    figures_table,
    outcome_figures,
)
from db.rules import audit
from db.rules.access import Actor, refused, require_led_team
from db.rules.validation import Invalid, checked
from db.store.engine import database_url, read_session, write_session
from db.store.models import Family, Goal, GoalScore, Person, Relationship, ScoreRound, Team
from db.store.query import select_columns

WHAT = "team_outcomes"


@dataclass(frozen=True)
class TeamRows:
    """The rows every outcome figure of some teams is computed from. Treat as read-only."""

    goals: pd.DataFrame  # figures.GOAL_COLUMNS
    scores: pd.DataFrame  # figures.SCORE_COLUMNS
    home_rounds: pd.DataFrame  # figures.HOME_COLUMNS
    families: pd.DataFrame  # family_id, family, team_id, team
    team_names: tuple[str, ...] = ()  # alphabetical, every team (with families or not)


@dataclass(frozen=True)
class OutcomesReport:
    team_ids: tuple[int, ...]
    team_names: tuple[str, ...]
    start: date
    end: date
    figures: pd.DataFrame  # figures.FIGURE_COLUMNS
    behind: pd.DataFrame  # figures.BEHIND_COLUMNS
    quarterly: pd.DataFrame  # figures.by_quarter
    families: pd.DataFrame  # family_id, family, team_id, team
    definitions: dict[str, str] = field(default_factory=lambda: dict(DEFINITIONS))
    whose_definitions: dict[str, str] = field(default_factory=lambda: dict(WHOSE_DEFINITIONS))
    data_versions: tuple[tuple[int, int], ...] = ()


def check_teams(actor: Actor, team_ids: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """Refuses (audited once) unless the actor is a manager who leads every one of the teams;
    returns each team's (id, Team.data_version), the key of any cache of their figures."""
    wanted = tuple(sorted(set(int(team_id) for team_id in team_ids)))
    if not wanted:
        raise refused(actor, what=WHAT)
    for team_id in wanted:
        require_led_team(actor, team_id, what=WHAT)
    with read_session() as session:
        rows = dict(
            session.exec(
                select(col(Team.id), col(Team.data_version)).where(col(Team.id).in_(wanted))
            ).all()
        )
    missing = [team_id for team_id in wanted if team_id not in rows]
    if missing:
        raise refused(actor, what=WHAT, record_id=missing[0])
    return tuple((team_id, rows[team_id]) for team_id in wanted)


def read_rows(team_ids: tuple[int, ...]) -> TeamRows:
    """The teams' rows: goals not withdrawn, of families not erased, their scores and the
    families' rounds given at home. No permission check: call check_teams first."""
    with read_session() as session:
        names = session.exec(select(col(Team.name)).where(col(Team.id).in_(team_ids))).all()
        families = pd.DataFrame(
            session.exec(
                select(col(Family.id), col(Family.known_as), col(Family.team_id), col(Team.name))
                .join(Team, col(Team.id) == Family.team_id)
                .where(col(Family.team_id).in_(team_ids), col(Family.erased_at).is_(None))
            ).all(),
            columns=["family_id", "family", "team_id", "team"],
        )
        in_scope = (
            select(col(Family.id))
            .where(col(Family.team_id).in_(team_ids), col(Family.erased_at).is_(None))
            .scalar_subquery()
        )
        goals = pd.DataFrame(
            session.exec(
                select(col(Goal.id), col(Goal.family_id), col(Goal.status), col(Goal.set_on)).where(
                    col(Goal.family_id).in_(in_scope), col(Goal.withdrawn_at).is_(None)
                )
            ).all(),
            columns=GOAL_COLUMNS,
        )
        # Driven from the families' rounds (indexed by family), so a team's scores are found
        # without looking at the rest of the council's. Whose score it is is worked out in
        # SQL, and the day comes as text (read into datetimes at once below): converting
        # tens of thousands of rows one by one would cost seconds on a large council.
        relationship = type_coerce(col(Person.relationship), String)
        whose = case(
            (col(GoalScore.worker_id).is_not(None), literal("worker")),
            (relationship == Relationship.child.value, literal("child")),
            (relationship == Relationship.professional.value, literal(None, String)),
            else_=literal("family"),
        )
        scorer_key = func.coalesce(col(GoalScore.person_id), -col(GoalScore.worker_id))
        scores = pd.DataFrame.from_records(
            [
                tuple(row)  # plain tuples: pandas probes a Row's attributes one by one
                for row in session.connection().execute(
                    select_columns(
                        col(GoalScore.id),
                        col(GoalScore.goal_id),
                        col(ScoreRound.family_id),
                        whose,
                        scorer_key,
                        cast(col(GoalScore.scored_on), String),
                        col(GoalScore.score),
                    )
                    .select_from(ScoreRound)
                    .join(GoalScore, col(GoalScore.round_id) == ScoreRound.id)
                    .join(Goal, col(Goal.id) == GoalScore.goal_id)
                    .join(Person, col(Person.id) == GoalScore.person_id, isouter=True)
                    .where(
                        col(ScoreRound.family_id).in_(in_scope), col(Goal.withdrawn_at).is_(None)
                    )
                )
            ],
            columns=SCORE_COLUMNS,
        )
        # A round given at home counts while it holds a score of a goal still counted: a
        # goal withdrawn as recorded by mistake takes its home scores out of every figure.
        home = pd.DataFrame(
            session.exec(
                select(col(ScoreRound.family_id), col(ScoreRound.scored_on))
                .where(
                    col(ScoreRound.family_id).in_(in_scope),
                    col(ScoreRound.at_home),
                    select(col(GoalScore.id))
                    .join(Goal, col(Goal.id) == GoalScore.goal_id)
                    .where(
                        col(GoalScore.round_id) == ScoreRound.id, col(Goal.withdrawn_at).is_(None)
                    )
                    .exists(),
                )
                .distinct()
            ).all(),
            columns=HOME_COLUMNS,
        )
    goals["status"] = goals["status"].map(lambda v: getattr(v, "value", v))
    scores = scores[scores["whose"].notna()].reset_index(drop=True)
    # Days as datetimes once, here, rather than on every period and quarter.
    goals["set_on"] = pd.to_datetime(goals["set_on"])
    scores["scored_on"] = pd.to_datetime(scores["scored_on"], format="%Y-%m-%d")
    home["scored_on"] = pd.to_datetime(home["scored_on"])
    return TeamRows(goals, scores, home, families, tuple(sorted(names)))


@lru_cache(maxsize=16)
def _rows_cached(database: str, versions: tuple[tuple[int, int], ...]) -> TeamRows:
    return read_rows(tuple(team_id for team_id, _version in versions))


@lru_cache(maxsize=64)
def _report_cached(
    database: str, versions: tuple[tuple[int, int], ...], start: date, end: date
) -> OutcomesReport:
    rows = _rows_cached(database, versions)
    found = outcome_figures(rows.goals, rows.scores, rows.home_rounds, start=start, end=end)
    team_ids = tuple(team_id for team_id, _version in versions)
    return OutcomesReport(
        team_ids=team_ids,
        team_names=rows.team_names,
        start=start,
        end=end,
        figures=found.figures,
        behind=found.behind,
        quarterly=by_quarter(rows.goals, rows.scores, rows.home_rounds, start=start, end=end),
        families=rows.families,
        data_versions=versions,
    )


def _period(start_on: date, end_on: date) -> None:
    if start_on > end_on:
        raise Invalid(N_("The period's first day must come before its last day."))
    if len(quarters(start_on, end_on)) > 40:
        raise Invalid(N_("Please choose a period of at most ten years."))


def outcomes_report(
    actor: Actor, team_ids: tuple[int, ...], *, start_on: date, end_on: date
) -> OutcomesReport:
    """Every outcome figure of the teams (all led by the actor) for the period. Checked on
    every call (refusals audited), then served from the cache: treat it as read-only."""
    versions = check_teams(actor, team_ids)
    _period(start_on, end_on)
    return _report_cached(database_url(), versions, start_on, end_on)


def families_behind(report: OutcomesReport, figure: str, whose: str = "") -> pd.DataFrame:
    """The families behind one figure (the drill-down), alphabetical: family_id, family, team,
    goals (how many of the family's goals the figure counts; blank where it counts rounds)."""
    found = report.behind[(report.behind["figure"] == figure) & (report.behind["whose"] == whose)]
    counted = (
        found.groupby("family_id")["goal_id"].count().rename("goals").reset_index()
        if not found.empty
        else pd.DataFrame(columns=["family_id", "goals"])
    )
    named = counted.merge(report.families, on="family_id", how="left")
    if figure == "at_home":
        named["goals"] = None
    columns = ["family_id", "family", "team", "goals"]
    return named.sort_values(["family", "family_id"])[columns].reset_index(drop=True)


def _audit_export(session, actor: Actor, versions, *, record_type: str, fields) -> None:
    for team_id, _version in versions:
        audit.record(
            session,
            actor,
            audit.Action.EXPORT,
            record_type=record_type,
            record_id=team_id,
            fields=fields,
        )


def _quarter_of(rows: pd.DataFrame) -> Words:
    """The quarter a part of the figures is for, by its months and any days it was cut to."""
    return quarter_part(
        pd.Timestamp(rows["quarter_start"].iloc[0]).date(),
        pd.Timestamp(rows["quarter_end"].iloc[0]).date(),
    )


@checked
def export_figures(
    actor: Actor, team_ids: tuple[int, ...], *, start_on: date, end_on: date
) -> pd.DataFrame:
    """The figures (and each quarter's) as one table for a CSV, small numbers hidden; the
    export is audited, one row per team, with the columns' names and never a value."""
    report = outcomes_report(actor, team_ids, start_on=start_on, end_on=end_on)
    whole = figures_table(report.figures, exported=True)
    period = N_("{start} to {end}", start=report.start, end=report.end)
    whole.insert(0, N_("Period"), words_column([period] * len(whole), whole.index))
    parts = [whole]
    for _name, rows in report.quarterly.groupby("quarter", sort=False):
        table = figures_table(rows, exported=True)
        quarter = _quarter_of(rows)
        table.insert(0, "Period", words_column([quarter] * len(table), table.index))
        parts.append(table)
    table = pd.concat(parts, ignore_index=True)
    with write_session() as session:
        _audit_export(
            session,
            actor,
            report.data_versions,
            record_type="outcomes_figures",
            fields=table.columns,
        )
    return table


@checked
def board_report(
    actor: Actor, team_ids: tuple[int, ...], *, start_on: date, end_on: date
) -> OutcomesReport:
    """The report for the printable board copy (drawn by components.board_report, small
    numbers hidden there); making it is audited, one row per team."""
    report = outcomes_report(actor, team_ids, start_on=start_on, end_on=end_on)
    with write_session() as session:
        _audit_export(
            session,
            actor,
            report.data_versions,
            record_type="outcomes_board_report",
            fields=("figures",),
        )
    return report
