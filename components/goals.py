"""Goals on the Family page: each goal's chart and sentence, adding and editing a goal, and a
quick round of scores during a meeting."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from components import charts
from components.forms import (
    SeenVersion,
    day_so_far,
    form_prefix,
    pick,
    redraw_after_save,
    save_button,
    saved,
    show_problem,
    text_boxes,
    withdraw_form,
)
from components.i18n import N_, _, current, said, use
from components.spec_cache import spec_cache
from components.ui import plain
from db import goals as goal_store
from db import metrics
from db.goals import GoalIn, ScoreIn
from db.i18n import SOURCE_LANGUAGE, chart_time_locale
from db.rules import visibility
from db.rules.access import Actor
from db.rules.validation import Invalid, max_chars
from db.store.models import GoalStatus, Visibility
from db.words import GOAL_STATUS, VISIBILITY, WHOLE_FAMILY, WORKER_VIEW


@spec_cache(max_entries=2000)
def goal_spec(
    family_id: int,
    data_version: int,
    goal_id: int,
    audience: str,
    _scores: pd.DataFrame,
    _meeting_days: pd.DataFrame,
    language: str = SOURCE_LANGUAGE,
) -> dict:
    """A chart spec, cached by family, data version, goal, audience and language (the data
    those determine is passed unhashed): building an Altair chart costs ~40 ms, a cached spec
    ~3 ms."""
    staff = audience == visibility.Audience.STAFF
    points = charts.goal_points(_scores[_scores["goal_id"] == goal_id], staff=staff)
    colours = charts.scorer_colours(_scores)
    # A family-facing audience: the family meeting screen, read from across the room.
    spec = charts.goal_chart(
        points, _meeting_days, staff=staff, colours=colours, large=not staff
    ).to_dict()
    if time_locale := chart_time_locale(language):  # month names in the family's language
        spec.setdefault("config", {})["locale"] = {"time": time_locale}
    return spec


@spec_cache(max_entries=500)
def overview_spec(
    family_id: int,
    data_version: int,
    audience: str,
    language: str,
    _goals: pd.DataFrame,
    _scores: pd.DataFrame,
) -> dict:
    """One panel a goal; cached by language too, as the chart's words are drawn in it."""
    points = _scores.assign(
        goal=_scores["goal_id"].map(_panel_titles(_goals)),
        scored_on=pd.to_datetime(_scores["scored_on"]),
    )
    return charts.overview_chart(
        points[["goal", "scored_on", "score", "scorer", "is_worker_view", "at_home"]],
        colours=charts.scorer_colours(_scores),
    ).to_dict()


def _panel_titles(goals: pd.DataFrame) -> dict[int, str]:
    """Each goal's words, told apart where two goals share them: by whose goal it is, then by
    their order."""
    titles: dict[int, str] = {}
    for goal in goals.itertuples():
        title = str(goal.wording)
        if (goals["wording"] == goal.wording).sum() > 1 and goal.whose != WHOLE_FAMILY:
            title = f"{title} ({goal.whose})"
        while title in titles.values():
            title = f"{title} ·"
        titles[goal.goal_id] = title
    return titles


def goals_in_language(data: goal_store.GoalData) -> goal_store.GoalData:
    """The goals with the store's words (a worker's view as a scorer, goal states) in the
    language of the run: the store caches them once, in English, for every language."""
    if current() == SOURCE_LANGUAGE:
        return data
    return replace(data, scores=scores_in_language(data.scores))


def scores_in_language(scores: pd.DataFrame) -> pd.DataFrame:
    """Scores with a worker's view named as such in the language of the run."""
    if current() == SOURCE_LANGUAGE:
        return scores
    english = f" ({WORKER_VIEW})"
    return scores.assign(
        scorer=[
            name[: -len(english)] + f" ({_(WORKER_VIEW)})" if name.endswith(english) else name
            for name in scores["scorer"]
        ]
    )


def goal_cards(
    family_id: int,
    data: goal_store.GoalData,
    *,
    today: date,
    audience: str = visibility.Audience.STAFF,
) -> None:
    """One card a goal; `today` is the family's team's today (progress is counted to it)."""
    staff = audience == visibility.Audience.STAFF
    if data.goals.empty:
        st.info(_("No goals yet. Goals are set by the family, in their own words."))
        return
    data = goals_in_language(data)
    progress = metrics.progress(data.scores, today)
    for goal in data.goals.itertuples():
        scores = data.scores[data.scores["goal_id"] == goal.goal_id]
        with st.container(border=True):
            st.markdown(f"### {plain(goal.wording)}")  # under the screen's "Our goals" (h2)
            status = _(GOAL_STATUS[GoalStatus(goal.status)])
            whose_words = _(WHOLE_FAMILY) if goal.whose == WHOLE_FAMILY else goal.whose
            zero = _("0 means: {words}", words=goal.zero_means or "—")
            ten = _("10 means: {words}", words=goal.ten_means or "—")
            st.caption(plain(f"{whose_words} · {status} · {zero} · {ten}"))
            if goal.status_reason:
                st.caption(plain(goal.status_reason))
            if scores.empty:
                st.write(_("Not scored yet."))
            else:
                st.vega_lite_chart(
                    goal_spec(
                        family_id,
                        data.data_version,
                        goal.goal_id,
                        audience,
                        data.scores,
                        data.meeting_days,
                        current(),
                    ),
                    width="stretch",
                )
            whose = "" if goal.whose == WHOLE_FAMILY else goal.whose
            st.write(plain(metrics.goal_sentence(whose=whose, wording=goal.wording, points=scores)))
            if staff:
                _real_change_note(progress[progress["goal_id"] == goal.goal_id])


def _real_change_note(rows: pd.DataFrame) -> None:
    moved = rows[rows["real_change"] & ~rows["is_worker_view"].astype(bool)]
    for row in moved.itertuples():
        way = "up" if row.change > 0 else "down"
        st.caption(
            plain(
                _(
                    "◆ Real change for {scorer}: {way} {points} points ({first_score} → "
                    "{latest_score}).",
                    scorer=row.scorer,
                    way=way,
                    points=abs(row.change),
                    first_score=row.first_score,
                    latest_score=row.latest_score,
                )
            )
        )


def overview(family_id: int, data: goal_store.GoalData, audience: str) -> None:
    if data.scores.empty:
        st.caption(_("No scores yet."))
        return
    st.vega_lite_chart(
        overview_spec(family_id, data.data_version, audience, current(), data.goals, data.scores),
        width="stretch",
    )


def _people_options(people: pd.DataFrame) -> dict:
    family = people[people["relationship_code"] != "professional"]
    return {None: _(WHOLE_FAMILY), **dict(zip(family["person_id"], family["name"]))}


def _goal_fields(
    prefix: str, people: pd.DataFrame, current: dict | None = None, everyone: str = ""
) -> dict:
    """What the form holds; GoalIn checks it when it is saved. `everyone`: the words for the
    whole network, where a screen says them in the team's own words."""
    current = current or {}
    shown = {v.value: _(VISIBILITY[v]) for v in Visibility}
    if everyone:
        shown[Visibility.everyone.value] = everyone
    options = _people_options(people)
    whose = st.selectbox(
        _("Whose goal is it?"),
        list(options),
        format_func=options.__getitem__,
        index=list(options).index(current.get("person_id"))
        if current.get("person_id") in options
        else 0,
        key=f"{prefix}_whose",
    )
    words = text_boxes(
        GoalIn,
        {
            "wording": _("The goal, in their own words"),
            "zero_means": _("What 0 means to them"),
            "ten_means": _("What 10 means to them"),
        },
        prefix=prefix,
        current=current,
    )
    visibility_values = [v.value for v in Visibility]
    visibility = st.radio(
        _("Who can see it (agreed with them)"),
        visibility_values,
        format_func=shown.__getitem__,
        index=visibility_values.index(current.get("visibility", "family")),
        key=f"{prefix}_visibility",
        horizontal=True,
    )
    return dict(person_id=whose, **words, visibility=visibility)


def add_goal_form(
    actor: Actor,
    family_id: int,
    people: pd.DataFrame,
    shared_with: str = Visibility.family.value,
    everyone: str = "",
) -> None:
    """Comes back empty after a save, so a second click can't store the goal twice; a refused
    save keeps everything typed. `shared_with`: who sees it unless they choose otherwise;
    `everyone`: as for _goal_fields."""
    with st.form("goal_add"):
        st.markdown(_("**Add a goal**"))
        goal = _goal_fields(
            form_prefix("goal_add"), people, {"visibility": shared_with}, everyone=everyone
        )
        save = save_button(_("Save goal"), type="primary")
    if save.clicked:
        with redraw_after_save(save.problem_place, form="goal_add", notice=_("Goal saved.")):
            goal_store.add_goal(actor, family_id=family_id, goal=GoalIn(**goal))


def edit_goal_form(actor: Actor, goal: pd.Series, people: pd.DataFrame) -> None:
    prefix = f"goal_edit_{goal['goal_id']}"
    seen = SeenVersion(prefix, goal["version"])
    with st.form(prefix):
        fields = _goal_fields(seen.prefix, people, goal.to_dict())
        statuses = [s.value for s in GoalStatus]
        status = st.radio(
            _("How it's going"),
            statuses,
            format_func=lambda s: _(GOAL_STATUS[GoalStatus(s)]),
            index=statuses.index(goal["status"]),
            key=seen.key("status"),
            horizontal=True,
        )
        reason = st.text_input(
            _("If it's put to one side: why, in their words"),
            value=goal["status_reason"],
            key=seen.key("reason"),
        )
        save = save_button(_("Save changes"))
    if save.clicked:
        with seen.saving(save.problem_place, notice=_("Goal updated.")):
            goal_store.update_goal(
                actor,
                goal_id=int(goal["goal_id"]),
                seen_version=seen.version,
                goal=GoalIn(**fields),
                status=status,
                status_reason=reason,
            )


WORKER_VIEW_CHOICE = "worker"


@st.fragment
def score_round_form(actor: Actor, family_id: int, today: date, language: str) -> None:
    """A fragment, so entering scores reruns only this part of the page. Its own reruns skip
    app.py, which sets the worker's language: it speaks the page's `language` again."""
    use(language)
    score_round(actor, family_id, today)


def score_round(
    actor: Actor,
    family_id: int,
    today: date,
    goals_and_scorers: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> None:
    """A round of scores for one person at a time: the person is chosen first, then one box
    per goal being worked on (their own goals first). Each save is one round in one
    transaction; its token makes a double submit store once. `goals_and_scorers`: the goals
    being worked on and who may score them, when the screen has read them already (the family
    meeting screen: only its goals and the people who may be in its room)."""
    goals, scorers = goals_and_scorers or goal_store.active_goals_and_scorers(actor, family_id)
    if goals.empty:
        st.info(_("There are no goals being worked on to score."))
        return
    choices = {
        **{f"p{pid}": name for pid, name in zip(scorers["person_id"], scorers["name"])},
        WORKER_VIEW_CHOICE: _("My own view as their worker (the family can see it)"),
    }
    whose = pick(
        _("Whose scores are you recording?"),
        choices,
        placeholder=_("Choose one person: you'll score each goal with them"),
        key=f"score_round_whose_{family_id}",
    )
    if whose is None:
        st.caption(_("Score one person at a time, then choose the next person."))
        return
    form = f"score_round_{family_id}_{whose}"
    token_key = f"{form}_token"
    token = st.session_state.setdefault(token_key, secrets.token_hex(16))
    person_id = None if whose == WORKER_VIEW_CHOICE else int(whose[1:])
    scorer = _("Your view") if person_id is None else _("{name}'s score", name=choices[whose])
    # The box's label escapes only the name: a label is also what a screen reader says.
    label = _("Your view") if person_id is None else _("{name}'s score", name=plain(choices[whose]))
    who = {"worker_id": actor.worker_id} if person_id is None else {"person_id": person_id}
    # Their own goals first, then the family's and everyone else's.
    ordered = goals.assign(own=goals["person_id"] == person_id).sort_values(
        "own", ascending=False, kind="stable"
    )
    prefix = form_prefix(form)
    with st.form(form):
        scored_on = day_so_far(_("Day of the scores"), today=today, key=f"{prefix}_day")
        entries: list[tuple[object, object, str]] = []
        for goal in ordered.itertuples():
            st.markdown(f"**{plain(goal.wording)}** · {plain(goal.whose)}")
            st.caption(plain(f"0: {goal.zero_means or '—'} · 10: {goal.ten_means or '—'}"))
            columns = st.columns([1, 2])
            # No min/max on the box: Streamlit turns a value outside them into "no score",
            # which silently dropped a 11 from the round. The check on save names the box.
            score = columns[0].number_input(
                label, step=1, value=None, key=f"{prefix}_score_{goal.goal_id}"
            )
            comment = columns[1].text_input(
                _("Comment (optional)"),
                max_chars=max_chars(ScoreIn, "comment"),
                key=f"{prefix}_comment_{goal.goal_id}",
            )
            entries.append((goal, score, comment))
        save = save_button(_("Save scores"), type="primary")
    if save.clicked:
        with show_problem(save.problem_place):
            scores = [
                _checked_score(goal, who, score, comment, scorer)
                for goal, score, comment in entries
                if score is not None
            ]
            _round_id, new = goal_store.record_scores(
                actor, family_id=family_id, token=token, scored_on=scored_on, scores=scores
            )
            st.session_state.pop(token_key, None)
            saved(form)
            st.toast(_("Scores saved.") if new else _("Those scores were already saved."))
            st.rerun(scope="app")


def _checked_score(goal, who: dict, score, comment: str, scorer: str) -> ScoreIn:
    """One score, checked; a problem names the goal and whose score it is, so the message
    next to Save says which box to change."""
    try:
        return ScoreIn(goal_id=goal.goal_id, score=score, comment=comment, **who)
    except Invalid as problem:
        raise Invalid(
            _(
                "{scorer} for “{goal}”: {problem}",
                scorer=scorer,
                goal=goal.wording,
                problem=said(problem),
            )
        ) from None


GOAL_ACTIONS = [N_("Record a round of scores"), N_("Add a goal"), N_("Change a goal")]


def staff_goals(
    actor: Actor, family_id: int, data: goal_store.GoalData, people: pd.DataFrame, today: date
) -> None:
    """The Goals section for workers: one overview chart of every goal, a sentence for each,
    a closer look at one goal, and a form only when asked for (forms cost on every rerun).
    `today` is the family's team's today."""
    action = st.segmented_control(
        _("What would you like to do?"),
        GOAL_ACTIONS,
        format_func=_,
        key="goals_action",
        label_visibility="collapsed",
    )
    if action == "Record a round of scores":
        score_round_form(actor, family_id, today, current())
    elif action == "Add a goal":
        add_goal_form(actor, family_id, people)
    elif action == "Change a goal":
        _change_a_goal(actor, data, people)
    if data.goals.empty:
        st.info(_("No goals yet. Goals are set by the family, in their own words."))
        return
    data = goals_in_language(data)
    overview(family_id, data, visibility.Audience.STAFF)
    progress = metrics.progress(data.scores, today)
    for goal in data.goals.itertuples():
        scores = data.scores[data.scores["goal_id"] == goal.goal_id]
        whose = "" if goal.whose == WHOLE_FAMILY else goal.whose
        status = _(GOAL_STATUS[GoalStatus(goal.status)])
        st.markdown(f"**{plain(goal.wording)}** · {plain(goal.whose)} · {status}")
        st.write(plain(metrics.goal_sentence(whose=whose, wording=goal.wording, points=scores)))
        _real_change_note(progress[progress["goal_id"] == goal.goal_id])
    _closer_look(family_id, data)


def _closer_look(family_id: int, data: goal_store.GoalData) -> None:
    scored = data.goals[data.goals["goal_id"].isin(data.scores["goal_id"])]
    if scored.empty:
        return
    labels = dict(zip(scored["goal_id"], scored["wording"]))
    chosen = pick(
        _("Look closer at a goal"),
        labels,
        placeholder=_("Choose a goal to see who scored what, and when"),
        key=f"goal_closer_{family_id}",
    )
    if chosen is None:
        return
    goal = scored.set_index("goal_id").loc[chosen]
    st.caption(
        plain(
            _(
                "0 means: {zero} · 10 means: {ten}",
                zero=goal["zero_means"] or "—",
                ten=goal["ten_means"] or "—",
            )
        )
    )
    st.vega_lite_chart(
        goal_spec(
            family_id,
            data.data_version,
            int(chosen),
            visibility.Audience.STAFF,
            data.scores,
            data.meeting_days,
            language=current(),
        ),
        width="stretch",
    )


def _change_a_goal(actor: Actor, data: goal_store.GoalData, people: pd.DataFrame) -> None:
    if data.goals.empty:
        st.info(_("There are no goals to change yet."))
        return
    labels = dict(zip(data.goals["goal_id"], data.goals["wording"]))
    chosen = st.selectbox(
        _("Which goal?"), list(labels), format_func=labels.__getitem__, key="goal_change_pick"
    )
    edit_goal_form(actor, data.goals.set_index("goal_id", drop=False).loc[chosen], people)
    withdraw_form(actor, record_type="goal", record_id=int(chosen), what=_("this goal"))
