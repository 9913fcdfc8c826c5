"""The family's own space on a phone (their goals and scores, their plan, a few words for their
worker), taking up an invitation, and what the team sees of it: who has a login, the invite
form, messages, and the huddle's "heard from families" section.

Phone first: one column, big tap targets (48 px), nothing wider than the screen.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from components import charts, goals
from components.forms import field_key, redraw_after_save, save_button, saved, show_problem
from components.i18n import N_, _, current, said, speak_as_family, use_terms
from components.spec_cache import spec_cache
from components.ui import (
    friendly_date,
    local_time,
    one_at_a_time,
    page_title,
    plain,
    rerun_with_notice,
    show_notice,
    stop_with,
)
from db import family_space, metrics
from db.family_space import OwnSpace
from db.i18n import chart_time_locale
from db.rules.access import Actor, NotAllowed
from db.rules.validation import Invalid
from db.settings import INVITATION_DAYS
from db.store.models import Relationship

# Big, thumb-sized buttons and pills; type a little larger; nothing wider than the phone.
PHONE_STYLE = """
<style>
.stMainBlockContainer { max-width: 40rem; padding-left: 1rem; padding-right: 1rem; }
.stApp button { min-height: 48px; min-width: 48px; font-size: 1.05rem; }
.stApp [data-testid="stPills"] button,
.stApp [data-testid="stButtonGroup"] button { min-height: 52px; min-width: 52px;
  font-size: 1.25rem; }
.stApp p, .stApp li { font-size: 1.1rem; line-height: 1.5; }
.stApp h2 { font-size: 1.6rem; }
/* The chosen section or score, focused or not, a shade darker than the theme's brown on its
   pale fill: read outdoors on a phone. */
.stApp [data-testid="stButtonGroup"] button[data-focused="true"] *,
.stApp [data-testid="stButtonGroup"] button[data-selected="true"] * { color: #5c3b00; }
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stSidebarCollapseButton"] { display: none; }
.stApp [data-testid="stTextInputRootElement"] { height: auto; min-height: 48px; }
.stApp [data-testid="stTextInputRootElement"] input { min-height: 46px; }
/* Streamlit's own hints, in English whatever the family's language and about keys a phone
   hasn't got ("Press Ctrl+Enter to submit form"), and the headings' link icons: a tab stop
   each that says "Link to heading". */
[data-testid="InputInstructions"], [data-testid="stHeaderActionElements"] { display: none; }
/* The idle warning stays in view, over whatever they are typing lower down the page. */
.stApp .st-key-idle_warning { position: fixed; top: 0.5rem; left: 0.5rem; right: 0.5rem;
  width: auto; max-width: 39rem; margin: 0 auto; box-sizing: border-box; z-index: 1000001;
  padding: 0.75rem;
  background: #fffdf8; border-radius: 0.5rem; box-shadow: 0 2px 12px rgba(26, 18, 10, 0.3); }
</style>
"""
# A young person's version: larger type and bigger faces to tap.
YOUNG_STYLE = """
<style>
.stApp p, .stApp li, .stApp label { font-size: 1.3rem; }
.stApp [data-testid="stButtonGroup"] button { min-height: 60px; min-width: 60px;
  font-size: 1.45rem; }
</style>
"""
FACES = ["😣", "😟", "😟", "🙁", "🙁", "😐", "🙂", "🙂", "😊", "😊", "😄"]
SECTIONS = [N_("Our goals"), N_("Our plan"), N_("Tell my worker")]


# --- logged out: taking up an invitation ---------------------------------------------------


def accept_invitation(code: str) -> None:
    """Drawn instead of the login form when the address carries ?invite=…"""
    st.html(PHONE_STYLE)
    page_title(_("Your family's space"))
    st.title(_("Your family's space"))
    first_name = family_space.invitation_first_name(code)
    if first_name is None:
        st.info(said(family_space.INVITATION_NOT_USABLE))
        if st.button(_("Go to the login page"), key="invite_to_login"):
            st.query_params.clear()
            st.rerun()
        return
    st.write(
        plain(
            _(
                "Hello {first_name}. Your worker has invited you to see your family's plan and "
                "goals on your phone, and to score your goals at home.",
                first_name=first_name,
            )
        )
    )
    st.write(_("Choose a username and a password. You will use them to log in here."))
    with st.form("accept_invitation"):
        username = st.text_input(_("Username"), autocomplete="username")
        password = st.text_input(
            _("Password (at least 12 characters: a few words you'll remember is good)"),
            type="password",
            autocomplete="new-password",
        )
        again = st.text_input(_("The same password again"), type="password")
        submitted = st.form_submit_button(_("Make my login"), type="primary", width="stretch")
    if not submitted:
        return
    if password != again:
        st.error(_("The two passwords aren't the same. Please type them again."))
        return
    try:
        family_space.accept_invitation(code, username=username, password=password)
    except Invalid as problem:
        st.error(plain(said(problem)))
        return
    st.query_params.clear()
    st.session_state["signed_out_because"] = N_(  # said in the login form's language
        "Your login is ready. Log in with the username and password you chose."
    )
    st.rerun()


# --- the family member's space ---------------------------------------------------------------


def own_space(actor: Actor) -> None:
    st.html(PHONE_STYLE)
    try:
        space = family_space.own_space(actor)
    except NotAllowed:
        stop_with(
            st.warning,
            _("Your family's space isn't available just now. Please talk to your worker."),
        )
    speak_as_family(space.language)  # their language, right to left if so
    use_terms(space.terms)  # their team's own words, via term()
    page_title(_("Your family's space"))
    if space.young_person:
        st.html(YOUNG_STYLE)
    st.title(plain(_("Hello, {name}", name=space.person_name.split()[0])))
    st.caption(plain(space.family))
    section = one_at_a_time(_("Show"), SECTIONS, words=_, key="space_section")
    if section == SECTIONS[0]:
        _goals(actor, space)
    elif section == SECTIONS[1]:
        _plan(actor, space)
    else:
        _tell_my_worker(actor)
    st.divider()
    if st.button(_("Log out"), key="space_log_out", icon=":material/logout:", width="stretch"):
        from components.auth import log_out

        log_out(actor)
        st.rerun()


def _score_words(score: int, young: bool) -> str:
    return f"{FACES[score]} {score}" if young else str(score)


def _goals(actor: Actor, space: OwnSpace) -> None:
    if space.goals.empty:
        st.info(_("You have no goals here yet. You set them with your worker, in your own words."))
    for goal in space.goals.itertuples():
        goal_id = int(goal.goal_id)
        with st.container(border=True):
            st.header(plain(goal.wording))  # under "Hello, …" (h1): headings in order
            st.caption(plain(_("For: {whose}", whose=_(goal.whose))))
            st.write(
                plain(
                    _(
                        "0 means: {zero}. 10 means: {ten}.",
                        zero=goal.zero_means or _("it is as hard as it gets"),
                        ten=goal.ten_means or _("it is just how we want it"),
                    )
                )
            )
            today = space.my_scores_today.get(goal_id)
            label = (
                _("How is it today? Tap a face.")
                if space.young_person
                else _("Your score for today")
            )
            st.text_input(
                _("What made the difference? (you can leave this out)"),
                value=space.my_words_today.get(goal_id, ""),
                key=f"space_comment_{goal_id}",
                max_chars=500,
                on_change=_save_today,
                args=(actor, goal_id),
            )
            st.pills(
                label,
                list(range(11)),
                default=today,
                format_func=lambda n: _score_words(n, space.young_person),
                key=f"space_score_{goal_id}",
                on_change=_save_score,
                args=(actor, goal_id, today),
            )
            if today is not None:
                st.success(plain(_("Saved: your score today is {today}. Thank you.", today=today)))
            feedback = st.session_state.pop(f"space_score_problem_{goal_id}", None)
            if feedback:
                st.error(plain(feedback))
            if (space.scores["goal_id"] == goal_id).any():
                chart = _home_goal_chart(
                    space.family_id,
                    space.data_version,
                    actor.person_id,
                    goal_id,
                    current(),
                    _scores=space.scores,
                    _goal=goal,
                )
                st.vega_lite_chart(chart["spec"], width="stretch")
                # The chart in words, for anyone who can't see it or tell its colours apart.
                st.write(plain(chart["words"]))


@spec_cache(max_entries=2000)
def _home_goal_chart(
    family_id: int,
    data_version: int,
    person_id: int | None,
    goal_id: int,
    language: str,
    _scores: pd.DataFrame,
    _goal,
) -> dict:
    """A goal's chart as this family member sees it ("spec") and the same in a sentence
    ("words"), cached by family, data version, person (what is private to them differs), goal
    and language: the data those determine is passed unhashed. Building the chart costs ~40 ms
    a goal, drawing a kept spec ~3 ms."""
    theirs = _scores[_scores["goal_id"] == goal_id]
    whose = "" if str(_goal.whose) == str(family_space.ALL_OF_US) else _goal.whose
    words = metrics.goal_sentence(
        whose=whose, wording=_goal.wording, points=goals.scores_in_language(theirs)
    )
    points = charts.goal_points(theirs, staff=False)
    chart = charts.goal_chart(
        points,
        pd.DataFrame(columns=["on"]),
        staff=False,
        colours=charts.scorer_colours(_scores),
        height=200,
    )
    spec = chart.to_dict()
    if time_locale := chart_time_locale(language):  # month names in the family's language
        spec.setdefault("config", {})["locale"] = {"time": time_locale}
    return {"spec": spec, "words": words}


def _save_score(actor: Actor, goal_id: int, saved_today: int | None) -> None:
    key = f"space_score_{goal_id}"
    if st.session_state.get(key) is None:
        # A second tap on the chosen score (a double tap, on a phone) unchooses it: the score
        # already given stays chosen, so the buttons always show what was saved.
        st.session_state[key] = saved_today
        return
    _save_today(actor, goal_id)


def _save_today(actor: Actor, goal_id: int) -> None:
    """Today's score for the goal with the words beside it, whichever came first: words typed
    before the tap wait for it, words typed after it go with the score already given."""
    score = st.session_state.get(f"space_score_{goal_id}")
    if score is None:
        return
    comment = st.session_state.get(f"space_comment_{goal_id}", "")
    try:
        family_space.score_at_home(actor, goal_id=goal_id, score=score, comment=comment)
    except (Invalid, NotAllowed) as problem:
        st.session_state[f"space_score_problem_{goal_id}"] = said(problem)


def _plan(actor: Actor, space: OwnSpace) -> None:
    if space.next_meeting is not None:
        meeting = space.next_meeting
        when = local_time(meeting.starts_at, space.time_zone)
        kind = _(meeting.kind).lower()
        st.info(
            plain(
                _(
                    "Next time we meet: {when} ({kind}, {place}).",
                    when=when,
                    kind=kind,
                    place=meeting.place,
                )
                if meeting.place
                else _("Next time we meet: {when} ({kind}).", when=when, kind=kind)
            ),
            icon=":material/event:",
        )
    if space.last_met_on is not None and not space.agreed_last_time.empty:
        st.header(plain(_("What we agreed on {day}", day=friendly_date(space.last_met_on))))
        for step in space.agreed_last_time.itertuples():
            st.write(plain(f"• {step.what}" + (f" ({step.who})" if step.who else "")))
    st.header(_("Our plan"))
    if space.plan.empty:
        st.write(_("There is nothing in your plan yet."))
    for step in space.plan.itertuples():
        with st.container(border=True):
            st.write(plain(step.what))
            details = []
            if step.who:
                details.append(_("Who: {who}", who=step.who))
            if step.by_when is not None and pd.notna(step.by_when):
                details.append(_("By: {day}", day=friendly_date(step.by_when)))
            if details:
                st.caption(plain(" · ".join(details)))
            if step.done_on is not None and pd.notna(step.done_on):
                st.write(plain(_("✓ Done on {day}", day=friendly_date(step.done_on))))
                if step.ticked_by_me and st.button(
                    _("Take the tick off"), key=f"space_untick_{step.step_id}", width="stretch"
                ):
                    _tick(actor, step, done=False)
            elif st.button(
                _("I did this"), key=f"space_tick_{step.step_id}", type="primary", width="stretch"
            ):
                _tick(actor, step, done=True)
    form = "space_own_step"
    with st.form(form):
        what = st.text_area(
            _("Something I did for our plan"), height=90, key=field_key(form, "what")
        )
        save = save_button(_("Add it"), type="primary", width="stretch")
    if save.clicked:
        with redraw_after_save(save.problem_place, form=form):
            family_space.add_own_step(actor, what=what)
    if space.going_well:
        st.header(_("What's going well"))
        for words in space.going_well:
            st.write(plain(f"• {words}"))
    if space.hard:
        st.header(_("What's hard"))
        for words in space.hard:
            st.write(plain(f"• {words}"))
    if not space.children_views.empty:
        st.header(_("What the children told us"))
        for view in space.children_views.itertuples():
            st.write(plain(f"{view.who}: “{view.words}”"))


def _tick(actor: Actor, step, *, done: bool) -> None:
    try:
        family_space.tick_step(
            actor, step_id=int(step.step_id), seen_version=int(step.version), done=done
        )
    except Exception as problem:  # Conflict, Invalid, NotAllowed: said kindly
        st.error(plain(said(problem)))
    else:
        st.rerun()


# Kept over the rerun after a message is sent, so the family sees it went.
SENT = "space_message_sent"


def _tell_my_worker(actor: Actor) -> None:
    st.write(_("Is there something your worker should know? It goes to them straight away."))
    show_notice(SENT)
    form = "space_message"
    with st.form(form):
        words = st.text_area(
            _("Your message"),
            height=120,
            placeholder=_("Can we move Thursday?"),
            key=field_key(form, "words"),
        )
        send = save_button(_("Send to my worker"), type="primary", width="stretch")
    if send.clicked:
        with show_problem(send.problem_place):
            family_space.send_message(actor, words=words)
            saved(form)
            rerun_with_notice(SENT, _("Sent. Your worker will see it on your family's page."))


# --- what the team sees ----------------------------------------------------------------------


def logins_and_invitations(actor: Actor, family_id: int, people: pd.DataFrame) -> None:
    """On the Family page (Working together): who has a login to the family's own space,
    pausing or ending one, and inviting someone."""
    st.header(_("The family's own space"))
    data = family_space.family_logins(actor, family_id)
    if data.logins.empty:
        st.caption(_("Nobody in this family has a login to their own space yet."))
    for login in data.logins.itertuples():
        used = local_time(login.last_used_at) if pd.notna(login.last_used_at) else _("not yet")
        with st.container(border=True):
            about = " " + _("(young person)") if login.young_person else ""
            st.write(
                plain(
                    _(
                        "{person}{about} · username {username}",
                        person=login.person,
                        about=about,
                        username=login.username,
                    )
                )
            )
            st.caption(plain(_("{state} · last used: {used}", state=_(login.state), used=used)))
            if login.ended:
                continue
            columns = st.columns(2)
            paused = bool(login.paused)
            if columns[0].button(
                _("Let them log in again") if paused else _("Pause now"),
                key=f"login_pause_{login.login_id}",
            ):
                family_space.pause_family_login(
                    actor, family_id=family_id, login_id=int(login.login_id), paused=not paused
                )
                st.rerun()
            if columns[1].button(_("End this login"), key=f"login_end_{login.login_id}"):
                family_space.end_family_login(
                    actor, family_id=family_id, login_id=int(login.login_id)
                )
                st.rerun()
    for invitation in data.invitations.itertuples():
        st.caption(
            plain(
                _(
                    "Invitation for {person} waiting, until {when}.",
                    person=invitation.person,
                    when=local_time(invitation.expires_at),
                )
            )
        )
    shown = st.session_state.pop("invitation_code", None)
    if shown:
        link = f"{_base_address()}/?invite={shown['code']}"
        st.success(
            plain(
                _(
                    "Here is {name}'s invitation. Copy it into a text message or print it: it"
                    " is shown only now, works once, and runs out in {days} days.",
                    name=shown["name"],
                    days=INVITATION_DAYS,
                )
            )
        )
        st.code(link, language=None, wrap_lines=True)
    family = people[
        (people["relationship_code"] != Relationship.professional.value)
        & ~people["must_not_see_plan"].astype(bool)
        & ~people["must_not_invite"].astype(bool)
    ]
    if family.empty:
        return
    with st.expander(_("Invite someone to the family's space"), icon=":material/key:"):
        with st.form("invite_family_member"):
            choices = dict(zip(family["person_id"], family["name"]))
            person_id = st.selectbox(_("Who"), list(choices), format_func=choices.__getitem__)
            young = st.checkbox(_("This is a young person"))
            agreed = st.checkbox(_("The young person told me they want this"))
            invite = st.form_submit_button(_("Make an invitation"), type="primary")
        if invite and person_id is not None:
            try:
                code = family_space.invite_family_member(
                    actor,
                    family_id=family_id,
                    person_id=int(person_id),
                    young_person=young,
                    child_agreed=agreed,
                )
            except Invalid as problem:
                st.error(plain(said(problem)))
            else:
                st.session_state["invitation_code"] = {"code": code, "name": choices[person_id]}
                st.rerun()


def _base_address() -> str:
    """This server's address as the browser sees it (the family opens the same one)."""
    url = st.context.url
    if isinstance(url, str) and url.startswith("http"):
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"
    return ""


def messages(actor: Actor, family_id: int, time_zone: str) -> None:
    """What the family told their worker through their space."""
    frame = family_space.family_messages(actor, family_id, limit=5)
    if frame.empty:
        return
    with st.container(border=True):
        st.markdown(_("**From the family's own space**"))
        for message in frame.itertuples():
            st.write(plain(f"{message.person} ({local_time(message.sent_at, time_zone)}): "))
            st.write(plain(f"“{message.words}”"))


def heard_from_families(actor: Actor, team_id: int, since: datetime, until: datetime) -> None:
    """The huddle's section: families who scored at home or told us through their space."""
    frame = family_space.heard_from_families(actor, team_id, since=since, until=until)
    st.subheader(_("Families who scored at home or told us through their space"))
    if frame.empty:
        st.caption(_("Nobody this week."))
        return
    for row in frame.itertuples():
        st.write(plain(f"{row.family}: {said(row.why.small())}."))
        for words in row.messages:
            st.caption(plain(f"“{words}”"))


def space_use(actor: Actor, team_id: int) -> None:
    """For managers: how many of the team's families use their own space (the whole team,
    never per worker)."""
    use = family_space.space_use(actor, team_id)
    st.subheader(_("Families using their own space"))
    st.write(
        _(
            "{with_a_login} of {families} families have a login to their own space; {used_lately}"
            " used it in the last four weeks.",
            with_a_login=use.with_a_login,
            families=use.families,
            used_lately=use.used_lately,
        )
    )
