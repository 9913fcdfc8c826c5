"""A new family asks for help (its own page), and the family meets the team and chooses a
worker (on the family's page). Staff screens only."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from babel.lists import format_list

from components import confirm
from components.forms import day_so_far, pick, pick_many, show_problem
from components.i18n import _, current, said
from components.ui import friendly_date, plain
from db import intake
from db.families import FamilySummary
from db.i18n import BABEL_LOCALES
from db.intake import MemberIn, NewFamilyIn
from db.rules.access import Actor
from db.rules.validation import Invalid, date_window, max_chars
from db.store.clock import today_in
from db.store.models import FamilyStatus, Relationship
from db.words import FAMILY_STATUS, RELATIONSHIP

# Rows for people on the form; more people (and professionals) are added on the family's page.
MEMBER_ROWS = 6
FORM_KEY = "new_family"
# The checked family waiting for "Is this one of these families?".
CHECKED = "new_family_checked"


# --- a new family asks for help -----------------------------------------------------------


def new_family_form(actor: Actor, teams: pd.DataFrame) -> None:
    """One form; a save first looks for a family the worker's teams may already know."""
    team_names = dict(zip(teams["team_id"], teams["team"]))
    # The team is chosen in the same form, so the widest bounds of the worker's teams are
    # offered here and the save checks the chosen team's own day.
    team_days = [today_in(zone) for zone in teams["time_zone"]]
    with st.form(FORM_KEY):
        known_as = st.text_input(
            _("The name the family chose to be known by"),
            max_chars=max_chars(NewFamilyIn, "known_as"),
            placeholder=_("For example: The Okafor family"),
            key="new_family_name",
        )
        left, right = st.columns(2)
        team_id = left.selectbox(
            _("Team"),
            list(team_names),
            format_func=team_names.__getitem__,
            index=0 if len(team_names) == 1 else None,
            placeholder=_("Choose the team"),
            key="new_family_team",
        )
        # Any date a record may carry: a date typed past a box's own limit is only marked red
        # and the box's earlier day is saved, so the store judges it and says what is wrong.
        earliest, latest = date_window(max(team_days))
        first_came_on = right.date_input(
            _("When they first asked for help"),
            value=min(team_days),
            min_value=earliest,
            max_value=latest,
            format="DD/MM/YYYY",
            key="new_family_first_came",
        )
        how_they_came = left.text_input(
            _("How they came to us"),
            max_chars=max_chars(NewFamilyIn, "how_they_came"),
            placeholder=_("For example: their school suggested us; they asked themselves"),
            key="new_family_how",
        )
        council_reference = right.text_input(
            _("Reference in the council's own system (if there is one)"),
            max_chars=max_chars(NewFamilyIn, "council_reference"),
            key="new_family_reference",
        )
        st.markdown(_("**The people in the family**"))
        st.caption(
            _(
                "At least one person. Leave spare rows empty; add more people, and professionals, "
                "on the family's page."
            )
        )
        rows = _member_rows()
        submitted = st.form_submit_button(_("Save the family"), type="primary")
    if submitted:
        st.session_state.pop(CHECKED, None)
        with show_problem():
            if team_id is None:
                raise Invalid(_("Please choose the family's team."))
            family = NewFamilyIn(
                known_as=known_as,
                team_id=team_id,
                first_came_on=first_came_on,
                how_they_came=how_they_came,
                council_reference=council_reference,
                members=_members(rows),
            )
            if intake.possible_matches(actor, family).empty:
                _save(actor, family)
            else:
                st.session_state[CHECKED] = family
    if CHECKED in st.session_state:
        _is_this_one_of_them(actor, st.session_state[CHECKED])


def _member_rows() -> list[dict]:
    widths = [3, 2, 2, 2]
    for column, heading in zip(
        st.columns(widths),
        [
            _("Name"),
            _("Who they are"),
            _("Year of birth (for children)"),
            _("Lives with the family"),
        ],
    ):
        column.caption(heading)
    relationships = [r.value for r in Relationship if r != Relationship.professional]
    rows = []
    for number in range(1, MEMBER_ROWS + 1):
        columns = st.columns(widths, vertical_alignment="center")
        prefix = f"new_family_member{number}"
        rows.append(
            {
                "name": columns[0].text_input(
                    _("Name of person {number}", number=number),
                    max_chars=max_chars(MemberIn, "name"),
                    label_visibility="collapsed",
                    key=f"{prefix}_name",
                ),
                "relationship": columns[1].selectbox(
                    _("Who person {number} is to the family", number=number),
                    relationships,
                    format_func=lambda r: _(RELATIONSHIP[Relationship(r)]),
                    index=None,
                    placeholder=_("Who they are"),
                    label_visibility="collapsed",
                    key=f"{prefix}_relationship",
                ),
                # No box limits: a year outside them stopped the form being sent at all (the
                # last message stayed on screen); the store names the year that is wrong.
                "birth_year": columns[2].number_input(
                    _("Year of birth of person {number} (for children)", number=number),
                    value=None,
                    step=1,
                    placeholder=_("Year"),
                    label_visibility="collapsed",
                    key=f"{prefix}_year",
                ),
                "in_household": columns[3].checkbox(
                    _("Person {number} lives with the family", number=number),
                    value=True,
                    label_visibility="collapsed",
                    key=f"{prefix}_home",
                ),
            }
        )
    return rows


def _members(rows: list[dict]) -> list[MemberIn]:
    """The rows someone filled in, each checked, with which row a problem is on."""
    members = []
    for number, row in enumerate(rows, start=1):
        if not (row["name"].strip() or row["relationship"] or row["birth_year"] is not None):
            continue
        try:
            members.append(MemberIn(**row))
        except Invalid as problem:
            message = said(problem)
            raise Invalid(
                _(
                    "Person {number}: {problem}",
                    number=number,
                    problem=message[:1].lower() + message[1:],
                )
            ) from None
    return members


def _is_this_one_of_them(actor: Actor, family: NewFamilyIn) -> None:
    matches = intake.possible_matches(actor, family)
    if matches.empty:  # gone since the check (an erasure): the next save goes straight on
        st.session_state.pop(CHECKED, None)
        return
    with st.container(border=True):
        st.subheader(_("Is this one of these families?"))
        st.write(
            _(
                "Your teams may already know this family. Open one to check, or go on and add"
                " {name} as a new family.",
                name=plain(family.known_as),
            )
        )
        for match in matches.itertuples():
            st.page_link(
                "pages/family.py",
                label=plain(
                    _(
                        "{family} ({team}, {status}, first came to us {day}): {why}",
                        family=match.family,
                        team=match.team,
                        status=_(match.status).lower(),
                        day=friendly_date(match.first_came_on),
                        why=said(match.why),
                    )
                ),
                icon=":material/family_restroom:",
                query_params={"family": match.family_id},
            )
        left, right = st.columns(2)
        add_anyway = left.button(_("No, add a new family"), type="primary", key="new_family_anyway")
        if right.button(_("Go back to the form"), key="new_family_back"):
            st.session_state.pop(CHECKED, None)
            st.rerun()
    if add_anyway:
        with show_problem():
            _save(actor, family)


def _save(actor: Actor, family: NewFamilyIn) -> None:
    family_id = intake.add_family(actor, family)
    st.session_state.pop(CHECKED, None)
    st.switch_page("pages/family.py", query_params={"family": str(family_id)})


# --- the family meets the team and chooses a worker ---------------------------------------


def choose_worker_form(actor: Actor, summary: FamilySummary, team: pd.DataFrame) -> None:
    """Who the family met and who they chose: no one is chosen until the worker says so and
    confirms the sentence saying what will happen."""
    family_id = summary.id
    today = today_in(summary.time_zone)
    names = dict(zip(team["worker_id"], team["name"]))
    key = f"choose_{family_id}"
    with st.form(key):
        st.markdown(_("**The family meets the team and chooses a worker**"))
        offered = pick_many(
            _("Workers the family met"),
            names,
            placeholder=_("Choose one or more"),
            key=f"choose_offered_{family_id}",
        )
        chosen = pick(
            _("Who the family chose"),
            names,
            placeholder=_("Choose the worker they chose"),
            key=f"choose_worker_{family_id}",
        )
        on = day_so_far(_("When they chose"), today=today, key=f"choose_on_{family_id}")
        submitted = st.form_submit_button(_("Save"))
    confirm.on_save(
        key,
        submitted,
        needs={_("Please choose the worker the family chose."): chosen},
        sentence=lambda: _choice_sentence(
            summary, [names[w] for w in dict.fromkeys([*offered, chosen])], names[chosen], on, today
        ),
        change=lambda: intake.choose_worker(
            actor,
            family_id=family_id,
            choice={"offered": offered or [chosen], "chosen": chosen, "on": on},
        ),
    )
    confirm.confirmation(
        key,
        yes=_("Yes, {name} is their worker", name=names[chosen])
        if chosen in names
        else _("Yes, they are their worker"),
    )


def _choice_sentence(
    summary: FamilySummary, met: list[str], chosen: str, on: date, today: date
) -> str:
    values = {"family": summary.known_as, "met": listed(met), "chosen": chosen}
    if summary.status == FamilyStatus.waiting:
        return _(
            "{family} met {met} and chose {chosen}: {chosen} becomes their main worker {when},"
            " and they move to {status}.",
            when=when(on, today),
            status=_(FAMILY_STATUS[FamilyStatus.working_together]),
            **values,
        )
    return _(
        "{family} met {met} and chose {chosen}: {chosen} becomes their main worker {when}.",
        when=when(on, today),
        **values,
    )


def when(on: date, today: date) -> str:
    """When a change takes effect, in words (`today` is the family's team's today)."""
    return _("from today") if on == today else _("from {day}", day=friendly_date(on))


def listed(names: list[str]) -> str:
    """Amira; Amira and Jo; Amira, Jo and Sam."""
    return format_list(names, locale=BABEL_LOCALES[current()])


def offers_made(actor: Actor, family_id: int) -> None:
    """Who the family met each time they chose a worker."""
    frame = intake.offers(actor, family_id)
    for offered_on, group in frame.groupby("offered_on", sort=False):
        chosen = group.loc[group["chosen"], "worker"].tolist()
        st.caption(
            plain(
                _(
                    "On {day} the family met {workers} and chose {chosen}.",
                    day=friendly_date(offered_on),
                    workers=listed(group["worker"].tolist()),
                    chosen=chosen[0],
                )
                if chosen
                else _(
                    "On {day} the family met {workers}.",
                    day=friendly_date(offered_on),
                    workers=listed(group["worker"].tolist()),
                )
            )
        )
