"""Workers and teams, requests about a family's records, and the retention review. Admins only.

Every change goes through db.admin or db.subject_access: validated, audited, one transaction.
"""

import streamlit as st

from components import family_copy
from components.auth import guard
from components.ui import plain
from db import admin, subject_access
from db.rules.access import NotAllowed
from db.rules.validation import Invalid
from db.settings import RETENTION_YEARS
from db.store.models import Role

actor = guard(Role.admin)

ROLE_WORDS = {Role.practitioner: "Practitioner", Role.manager: "Manager", Role.admin: "Admin"}

st.title("Workers and teams")
notice = st.session_state.pop("admin_notice", None)
if notice:
    st.success(plain(notice))
one_time = st.session_state.pop("admin_one_time_password", None)
if one_time:
    who, password = one_time
    st.warning(
        plain(
            f"One-time password for {who}. Give it to them privately; it is shown "
            f"only this once. They'll choose their own at their next login."
        )
    )
    st.code(password, language=None)

workers, teams = admin.workers_and_teams(actor)
team_names = dict(zip(teams["team_id"], teams["team"]))
workers_tab, teams_tab, requests_tab, retention_tab = st.tabs(
    ["Workers", "Teams", "A family's records", "Keeping records"]
)


def done(message: str, password_for: tuple[str, str] | None = None) -> None:
    st.session_state["admin_notice"] = message
    if password_for:
        st.session_state["admin_one_time_password"] = password_for
    st.rerun()


with workers_tab:
    st.dataframe(
        workers.drop(columns="worker_id"),
        hide_index=True,
        width="stretch",
        column_config={
            "name": "Name",
            "username": "Username",
            "roles": "Roles",
            "teams": "Teams",
            "active": st.column_config.CheckboxColumn("Can log in"),
        },
    )

    with st.expander("Add a worker"):
        with st.form("admin_add_worker", clear_on_submit=False):
            new_name = st.text_input("Name", key="admin_new_name")
            new_username = st.text_input(
                "Username",
                key="admin_new_username",
                help="Lower-case letters and digits, no spaces.",
            )
            new_roles = st.multiselect(
                "Roles", list(ROLE_WORDS), format_func=ROLE_WORDS.__getitem__, key="admin_new_roles"
            )
            new_teams = st.multiselect(
                "Teams they work in",
                list(team_names),
                format_func=team_names.__getitem__,
                key="admin_new_teams",
            )
            new_leads = st.multiselect(
                "Teams they lead (managers)",
                list(team_names),
                format_func=team_names.__getitem__,
                key="admin_new_leads",
            )
            add = st.form_submit_button("Add worker", type="primary")
        if add:
            try:
                _id, password = admin.add_worker(
                    actor,
                    name=new_name,
                    username=new_username,
                    roles=new_roles,
                    team_ids=new_teams,
                    led_team_ids=new_leads,
                )
            except Invalid as problem:
                st.error(str(problem))
            else:
                done(
                    f"{new_name.strip()} has been added.", (new_username.strip().lower(), password)
                )

    labels = {
        row.worker_id: f"{row.name} ({row.username})" + ("" if row.active else " — can't log in")
        for row in workers.itertuples()
    }
    chosen = st.selectbox(
        "Change a worker",
        list(labels),
        format_func=labels.__getitem__,
        index=None,
        placeholder="Choose a worker",
        key="admin_worker",
    )
    if chosen is not None:
        details = admin.worker_details(actor, chosen)
        with st.form(f"admin_edit_{chosen}"):
            name = st.text_input("Name", value=details["name"])
            roles = st.multiselect(
                "Roles",
                list(ROLE_WORDS),
                default=details["roles"],
                format_func=ROLE_WORDS.__getitem__,
            )
            member = [t for t in details["team_ids"] if t not in details["led_team_ids"]]
            team_ids = st.multiselect(
                "Teams they work in",
                list(team_names),
                default=member,
                format_func=team_names.__getitem__,
            )
            leads = st.multiselect(
                "Teams they lead (managers)",
                list(team_names),
                default=details["led_team_ids"],
                format_func=team_names.__getitem__,
            )
            save = st.form_submit_button("Save changes", type="primary")
        if save:
            try:
                admin.update_worker(
                    actor, chosen, name=name, roles=roles, team_ids=team_ids, led_team_ids=leads
                )
            except Invalid as problem:
                st.error(str(problem))
            else:
                done("Changes saved.")

        columns = st.columns(2)
        if details["active"]:
            if columns[0].button("Stop this worker logging in", key="admin_disable"):
                try:
                    admin.set_active(actor, chosen, False)
                except Invalid as problem:
                    st.error(str(problem))
                else:
                    done(f"{details['name']} can no longer log in; their sessions have ended.")
        elif columns[0].button("Let this worker log in again", key="admin_enable"):
            admin.set_active(actor, chosen, True)
            done(f"{details['name']} can log in again.")
        if columns[1].button("Reset their password", key="admin_reset"):
            password = admin.reset_password(actor, chosen)
            done(
                f"{details['name']}'s password has been reset and their sessions have ended.",
                (details["username"], password),
            )

        st.markdown("**Families to hand over** (if this worker is leaving)")
        handover = admin.handover(actor, chosen)
        if handover.empty:
            st.caption("This worker isn't working with any families now.")
        else:
            st.dataframe(
                handover,
                hide_index=True,
                width="stretch",
                column_config={
                    "family_id": "Family number",
                    "family": "Family",
                    "team": "Team",
                    "role": "Their part",
                    "since": "Since",
                },
            )

with teams_tab:
    st.dataframe(
        teams.drop(columns="team_id"),
        hide_index=True,
        width="stretch",
        column_config={
            "team": "Team",
            "community": "Community",
            "time_zone": "Time zone",
            "open_families": "Families we work with",
        },
    )
    with st.expander("Add a team"):
        with st.form("admin_add_team"):
            team_name = st.text_input("Team name", key="admin_team_name")
            community = st.text_input("Community it serves", key="admin_team_community")
            zone = st.text_input("Time zone", value="Europe/London", key="admin_team_zone")
            add_team = st.form_submit_button("Add team", type="primary")
        if add_team:
            try:
                admin.add_team(actor, name=team_name, community=community, time_zone=zone)
            except Invalid as problem:
                st.error(str(problem))
            else:
                done(f"{team_name.strip()} has been added.")

with requests_tab:
    st.write(
        "When a family asks for a copy of everything we hold about them, or asks us to "
        "erase their record. Find the family by its number or the council's reference."
    )
    with st.form("admin_find_family"):
        columns = st.columns(2)
        number = columns[0].text_input("Family number", key="admin_sar_number")
        reference = columns[1].text_input("Council reference", key="admin_sar_reference")
        find = st.form_submit_button("Find")
    if find:
        if number.strip() and not number.strip().isdigit():
            st.error("A family number is digits only, for example 1042.")
        else:
            found = subject_access.find_family(
                actor,
                family_id=int(number) if number.strip() else None,
                council_reference=reference,
            )
            st.session_state["admin_sar_family"] = found
            st.session_state.pop("admin_sar_export", None)
            if found is None:
                st.info("No family matches that. Check the number or the reference.")
    found = st.session_state.get("admin_sar_family")
    if found:
        st.markdown(
            plain(
                f"{found['known_as']} — family number {found['family_id']}, "
                f"{found['team']}" + (" — already erased" if found["erased_at"] else "")
            )
        )
        if st.button("Prepare a copy of everything we hold (JSON)", key="admin_sar_prepare"):
            try:
                st.session_state["admin_sar_export"] = (
                    found["family_id"],
                    subject_access.export_family(actor, found["family_id"]),
                )
            except NotAllowed:
                st.warning("This isn't available to you.")
        prepared = st.session_state.get("admin_sar_export")
        if prepared and prepared[0] == found["family_id"]:
            st.download_button(
                "Download the copy",
                prepared[1],
                file_name=f"family-{found['family_id']}-copy.json",
                mime="application/json",
                key="admin_sar_download",
            )
            st.download_button(
                "Download a printable draft to check before sending",
                family_copy.render_everything(prepared[1]),
                file_name=f"family-{found['family_id']}-copy.html",
                mime="text/html",
                key="admin_sar_download_html",
            )
        if not found["erased_at"]:
            with st.expander("Erase this family's record"):
                st.write(
                    "Erasing replaces every name and every word recorded about the family, "
                    "keeping only dates and numbers so the team's figures stay right. It "
                    "cannot be undone. Please don't put names in the reason."
                )
                with st.form("admin_erase"):
                    reason = st.text_area(
                        "Why is this record being erased?", key="admin_erase_reason"
                    )
                    typed = st.text_input(
                        "Type the family's name to confirm", key="admin_erase_confirm"
                    )
                    sure = st.checkbox("I understand this cannot be undone", key="admin_erase_sure")
                    erase = st.form_submit_button("Erase the record")
                if erase:
                    if not sure:
                        st.error("Please tick the box to confirm you understand.")
                    else:
                        try:
                            subject_access.erase_family(
                                actor, found["family_id"], reason=reason, confirm_known_as=typed
                            )
                        except Invalid as problem:
                            st.error(str(problem))
                        else:
                            st.session_state.pop("admin_sar_family", None)
                            st.session_state.pop("admin_sar_export", None)
                            done("The record has been erased.")

with retention_tab:
    st.write(
        f"Families we stopped working with more than {RETENTION_YEARS} years ago. Nothing "
        f"is deleted automatically: review each one and erase it if it should go."
    )
    report = subject_access.retention_report(actor)
    if report.empty:
        st.caption("No records are past the retention period.")
    else:
        st.dataframe(
            report,
            hide_index=True,
            width="stretch",
            column_config={
                "family_id": "Family number",
                "team": "Team",
                "council_reference": "Council reference",
                "closed_on": "Closed on",
                "years_closed": "Years since",
            },
        )
