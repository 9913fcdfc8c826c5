"""The pieces of the admin page: workers, teams, finding a family by number or reference,
erasing a record, and the retention review. No case content: a family appears by its number,
its council reference and its team, never its name.

Every change goes through db.admin or db.subject_access (validated, audited, one
transaction). After a change, `done` keeps a message (and a one-time password, shown once)
for the next run and reruns, so the tables show the change.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import confirm
from components.forms import SeenVersion, pick, pick_many, show_problem
from components.i18n import N_, _
from components.ui import plain, rerun_with_notice, show_notice, table
from db import admin, settings, subject_access
from db.i18n import LANGUAGES, TERMS, speaking, term
from db.rules.access import Actor
from db.settings import RETENTION_YEARS
from db.store.models import Role

ROLE_WORDS = {
    Role.practitioner: N_("Practitioner"),
    Role.manager: N_("Manager"),
    Role.admin: N_("Admin"),
}
NOTICE, ONE_TIME_PASSWORD = "admin_notice", "admin_one_time_password"
FOUND = "admin_sar_family"
EMAIL_HELP = N_(
    "The email they sign in with through your organisation's single sign-on (any case). "
    "Leave it empty if they log in with a password only."
)


def single_sign_on_only() -> bool:
    """With single sign-on only, nobody logs in with a password: none is handed out."""
    return settings.GOLDEN_THREAD_LOGIN == "oidc"


def done(message: str, password_for: tuple[str, str] | None = None) -> None:
    if password_for:
        st.session_state[ONE_TIME_PASSWORD] = password_for
    rerun_with_notice(NOTICE, message)


def notices() -> None:
    """The message of the change just made, and a new one-time password, once."""
    show_notice(NOTICE)
    one_time = st.session_state.pop(ONE_TIME_PASSWORD, None)
    if one_time:
        # In a box over the page, so it is seen wherever the admin clicked (the page's top may
        # be out of view), and it stays until they say they have it.
        st.dialog(_("One-time password"), dismissible=False)(_one_time_password)(*one_time)


def _one_time_password(who: str, password: str) -> None:
    st.warning(
        plain(
            _(
                "One-time password for {who}. Give it to them privately; it is shown only"
                " this once. They'll choose their own at their next login.",
                who=who,
            )
        )
    )
    st.code(password, language=None)
    if st.button(_("I have given it to them, or written it down safely"), type="primary"):
        st.rerun()


# --- workers ---------------------------------------------------------------------------------


def workers_table(workers: pd.DataFrame) -> None:
    table(
        workers.drop(columns="worker_id").assign(roles=workers["roles"].map(_role_words)),
        {
            "name": _("Name"),
            "username": _("Username"),
            "email": _("Work email"),
            "roles": _("Roles"),
            "teams": _("Teams"),
            "active": st.column_config.CheckboxColumn(_("Can log in")),
        },
    )


def add_worker(actor: Actor, team_names: dict[int, str]) -> None:
    with st.expander(_("Add a worker")):
        with st.form("admin_add_worker", clear_on_submit=False):
            name = st.text_input(_("Name"), key="admin_new_name")
            username = st.text_input(
                _("Username"),
                key="admin_new_username",
                help=_("Lower-case letters and digits, no spaces."),
            )
            email = st.text_input(_("Work email"), key="admin_new_email", help=_(EMAIL_HELP))
            roles, teams, leads = _roles_and_teams(team_names, "admin_new")
            add = st.form_submit_button(_("Add worker"), type="primary")
    if add:
        with show_problem():
            _id, password = admin.add_worker(
                actor,
                name=name,
                username=username,
                roles=roles,
                team_ids=teams,
                led_team_ids=leads,
                email=email,
            )
            if single_sign_on_only():
                done(
                    _("{name} has been added. They sign in with single sign-on.", name=name.strip())
                )
            done(
                _("{name} has been added.", name=name.strip()), (username.strip().lower(), password)
            )


def _role_words(codes: str) -> str:
    """ "manager, practitioner" as the form says them: "Manager, Practitioner"."""
    return ", ".join(
        _(ROLE_WORDS[Role(code)]) if Role(code) in ROLE_WORDS else code
        for code in codes.split(", ")
        if code
    )


def _roles_and_teams(
    team_names: dict[int, str], key: str, details: dict | None = None
) -> tuple[list[Role], list[int], list[int]]:
    """A worker's roles, the teams they work in and the teams they lead; filled from
    `details` when changing a worker."""
    roles = st.multiselect(
        _("Roles"),
        list(ROLE_WORDS),
        default=details["roles"] if details else None,
        format_func=lambda role: _(ROLE_WORDS[role]),
        key=f"{key}_roles",
    )
    led = details["led_team_ids"] if details else []
    member = [t for t in details["team_ids"] if t not in led] if details else []
    teams = pick_many(_("Teams they work in"), team_names, default=member, key=f"{key}_teams")
    leads = pick_many(_("Teams they lead (managers)"), team_names, default=led, key=f"{key}_leads")
    return roles, teams, leads


def choose_worker(workers: pd.DataFrame) -> int | None:
    labels = {
        row.worker_id: f"{row.name} ({row.username})"
        + ("" if row.active else " — " + _("can't log in"))
        for row in workers.itertuples()
    }
    return pick(_("Change a worker"), labels, placeholder=_("Choose a worker"), key="admin_worker")


def edit_worker(actor: Actor, details: dict, team_names: dict[int, str]) -> None:
    """Name, roles and teams; stopping (or allowing) logins; a new one-time password."""
    worker_id = details["worker_id"]
    # Another admin's save in between is a conflict, not silently undone.
    seen = SeenVersion(f"admin_worker_{worker_id}", details["version"])
    with st.form(f"admin_edit_{worker_id}"):
        # Keyed by the version seen, so what was typed stays on screen when another admin's
        # save changes the values drawn here (an unkeyed widget would be redrawn with theirs).
        name = st.text_input(_("Name"), value=details["name"], key=seen.key("name"))
        email = st.text_input(
            _("Work email"), value=details["email"], key=seen.key("email"), help=_(EMAIL_HELP)
        )
        roles, team_ids, leads = _roles_and_teams(team_names, seen.prefix, details)
        save = st.form_submit_button(_("Save changes"), type="primary")
    if save:
        with show_problem():
            admin.update_worker(
                actor,
                worker_id,
                seen_version=seen.version,
                name=name,
                roles=roles,
                team_ids=team_ids,
                led_team_ids=leads,
                email=email,
            )
            seen.forget()
            done(_("Changes saved."))

    _logging_in(actor, details)


def _logging_in(actor: Actor, details: dict) -> None:
    """Stopping (or allowing) their logins and a new one-time password. Stopping and a new
    password end their sessions on every device at once — perhaps in the middle of a family
    meeting —, so each says what will happen and waits for a yes; allowing again is one click."""
    worker_id, name = details["worker_id"], details["name"]
    stop, reset = f"admin_stop_{worker_id}", f"admin_reset_{worker_id}"
    columns = st.columns(2)
    if details["active"]:
        if columns[0].button(_("Stop this worker logging in"), key="admin_disable"):
            confirm.forget(reset)
            confirm.ask(
                stop,
                _(
                    "{name} will be logged out on every device at once and won't be able to log"
                    " in until an admin lets them again. The families they work with stay with"
                    " them until their manager hands each one over.",
                    name=name,
                ),
                lambda: _stop_logging_in(actor, worker_id, name),
            )
    elif columns[0].button(_("Let this worker log in again"), key="admin_enable"):
        with show_problem():
            admin.set_active(actor, worker_id, True)
            done(_("{name} can log in again.", name=name))
    if not single_sign_on_only() and columns[1].button(
        _("Reset their password"), key="admin_reset"
    ):
        confirm.forget(stop)
        confirm.ask(
            reset,
            _(
                "{name}'s password will stop working and they will be logged out on every"
                " device at once. You'll be shown a new one-time password to give them.",
                name=name,
            ),
            lambda: _reset_password(actor, details),
        )
    confirm.confirmation(stop, yes=_("Yes, stop them logging in"))
    confirm.confirmation(reset, yes=_("Yes, reset their password"))


def _stop_logging_in(actor: Actor, worker_id: int, name: str) -> None:
    admin.set_active(actor, worker_id, False)
    done(_("{name} can no longer log in; their sessions have ended.", name=name))


def _reset_password(actor: Actor, details: dict) -> None:
    password = admin.reset_password(actor, details["worker_id"])
    done(
        _("{name}'s password has been reset and their sessions have ended.", name=details["name"]),
        (details["username"], password),
    )


def handover_table(handover: pd.DataFrame) -> None:
    """A leaving worker's families, by number and reference, for their manager to hand over."""
    st.markdown(_("**Families to hand over** (if this worker is leaving)"))
    if handover.empty:
        st.caption(_("This worker isn't working with any families now."))
        return
    st.caption(_("Their manager hands each family over from its page."))
    table(
        handover,
        {
            "family_id": _("Family number"),
            "council_reference": _("Council reference"),
            "team": _("Team"),
            "role": _("Their part"),
            "since": _("Since"),
        },
    )


# --- teams -----------------------------------------------------------------------------------


def teams_table(teams: pd.DataFrame) -> None:
    table(
        teams.drop(columns="team_id"),
        {
            "team": _("Team"),
            "community": _("Community"),
            "time_zone": _("Time zone"),
            "open_families": _("Families we work with"),
        },
    )


def add_team(actor: Actor) -> None:
    with st.expander(_("Add a team")):
        with st.form("admin_add_team"):
            name = st.text_input(_("Team name"), key="admin_team_name")
            community = st.text_input(_("Community it serves"), key="admin_team_community")
            zone = st.text_input(_("Time zone"), value="Europe/London", key="admin_team_zone")
            add = st.form_submit_button(_("Add team"), type="primary")
    if add:
        with show_problem():
            admin.add_team(actor, name=name, community=community, time_zone=zone)
            done(_("{name} has been added.", name=name.strip()))


# --- a team's own words ----------------------------------------------------------------------


def choose_team_for_words(team_names: dict[int, str]) -> tuple[int, str] | None:
    """The team and language whose own words the admin is setting."""
    st.subheader(_("The team's own words"))
    st.write(
        _(
            "A team can say its own words for a few of ours, on the family meeting screen and the "
            "family's copy: “hui” or “family group conference” for a family meeting, “key "
            "worker” for worker, “family plan” for plan. Leave a box empty to use ours."
        )
    )
    if not team_names:
        return None
    columns = st.columns(2)
    team_id = columns[0].selectbox(
        _("Team"), list(team_names), format_func=team_names.__getitem__, key="admin_terms_team"
    )
    language = columns[1].selectbox(
        _("Language"),
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key="admin_terms_language",
    )
    return team_id, language


def team_words(actor: Actor, team_id: int, language: str, terms: pd.DataFrame) -> None:
    """One box a term, each saved under the version seen when it was drawn (SeenVersion), so
    two admins can't overwrite each other's words unseen, and words looked at again after
    another language are drawn afresh rather than refused."""
    chosen = terms[terms["language"] == language].set_index("term")
    key = f"admin_terms_{team_id}_{language}"
    seen = {
        t: SeenVersion(f"{key}_{t}", int(chosen.at[t, "version"]) if t in chosen.index else 0)
        for t in TERMS
    }
    with speaking(language):
        ours = {t: term(t) for t in TERMS}
    with st.form(key):
        typed = {
            t: st.text_input(
                _("Instead of “{ours}”", ours=ours[t]),
                value=str(chosen.at[t, "words"]) if t in chosen.index else "",
                placeholder=ours[t],
                key=seen[t].key("words"),
            )
            for t in TERMS
        }
        save = st.form_submit_button(_("Save the team's words"), type="primary")
    if save:
        with show_problem():
            for t, words in typed.items():
                before = str(chosen.at[t, "words"]) if t in chosen.index else ""
                if words.strip() != before:
                    admin.set_team_term(
                        actor,
                        team_id=team_id,
                        term=t,
                        language=language,
                        words=words,
                        seen_version=seen[t].version,
                    )
                    seen[t].forget()  # saved: a refusal of a later word can't undo this one
            done(_("The team's words have been saved."))


# --- a family's records ----------------------------------------------------------------------


def find_family(actor: Actor) -> dict | None:
    """The family an admin is answering a request about, found by number or council
    reference and kept for the next runs; None until one is found."""
    st.write(
        _(
            "When a family asks for a copy of everything we hold about them, or asks us to "
            "erase their record. Find the family by its number or the council's reference."
        )
    )
    with st.form("admin_find_family"):
        columns = st.columns(2)
        number = columns[0].text_input(_("Family number"), key="admin_sar_number")
        reference = columns[1].text_input(_("Council reference"), key="admin_sar_reference")
        find = st.form_submit_button(_("Find"))
    if find:
        if number.strip() and not (number.strip().isascii() and number.strip().isdigit()):
            st.error(_("A family number is digits only, for example 1042."))
        else:
            found = subject_access.find_family(
                actor,
                family_id=int(number) if number.strip() else None,
                council_reference=reference,
            )
            st.session_state[FOUND] = found
            if found is None:
                st.info(_("No family matches that. Check the number or the reference."))
    return st.session_state.get(FOUND)


def family_found(found: dict) -> None:
    reference = found["council_reference"] or _("no council reference")
    line = _(
        "Family number {number} · {reference} · {team}",
        number=found["family_id"],
        reference=reference,
        team=found["team"],
    )
    if found["erased_at"]:
        line = _("{family} — already erased", family=line)
    st.markdown(plain(line))


def erase_form(actor: Actor, found: dict) -> None:
    if found["erased_at"]:
        return
    with st.expander(_("Erase this family's record")):
        st.write(
            _(
                "Erasing replaces every name and every word recorded about the family, keeping "
                "only dates and numbers so the team's figures stay right. It cannot be undone. "
                "Please don't put names in the reason."
            )
        )
        with st.form("admin_erase"):
            reason = st.text_area(_("Why is this record being erased?"), key="admin_erase_reason")
            typed = st.text_input(
                _("Type the family's name, as it is on their request, to confirm"),
                key="admin_erase_confirm",
            )
            sure = st.checkbox(_("I understand this cannot be undone"), key="admin_erase_sure")
            erase = st.form_submit_button(_("Erase the record"))
    if erase:
        if not sure:
            st.error(_("Please tick the box to confirm you understand."))
            return
        with show_problem():
            subject_access.erase_family(
                actor, found["family_id"], reason=reason, confirm_known_as=typed
            )
            st.session_state.pop(FOUND, None)
            done(_("The record has been erased."))


def retention_table(report: pd.DataFrame) -> None:
    st.write(
        _(
            "Families we stopped working with more than {years} years ago. Nothing "
            "is deleted automatically: review each one and erase it if it should go.",
            years=RETENTION_YEARS,
        )
    )
    table(
        report,
        {
            "family_id": _("Family number"),
            "team": _("Team"),
            "council_reference": _("Council reference"),
            "closed_on": _("Closed on"),
            "years_closed": _("Years since"),
        },
        dates=("closed_on",),
        when_empty=_("No records are past the retention period."),
    )
