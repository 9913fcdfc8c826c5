"""Login, the session check and the guard every page calls first.

streamlit-authenticator keeps the re-login cookie (a signed JWT) and its cookie component;
the form is our own so failed attempts can pause a username for a while, and unknown usernames
cost the same as wrong passwords. Whether a session still stands is decided in db.auth.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import FrameType

import streamlit as st
import streamlit_authenticator as stauth
from streamlit.errors import StreamlitAPIException

from components.config import cookie_key
from db import auth
from db.rules.access import Actor, load_actor
from db.settings import ABSOLUTE_HOURS, COOKIE_NAME, IDLE_MINUTES
from db.store.clock import utcnow
from db.store.engine import read_session
from db.store.models import Role

COOKIE_DAYS = ABSOLUTE_HOURS / 24
_LIBRARY_KEYS = ("authentication_status", "username", "name", "roles", "email")
# Our own session keys: never stashed as "typed" values.
_OWN_KEYS = {
    *_LIBRARY_KEYS,
    "logout",
    "auth_at",
    "last_active_at",
    "actor",
    "idle_exempt",
    "must_change_password",
    "signed_out_because",
    "_authenticator",
    "_typed_stash",
    "families_viewed",
    "init",
}
# How often an open screen checks whether its session still stands (seconds).
WATCH_SECONDS = max(15, min(60, int(IDLE_MINUTES * 60 / 4)))


def _authenticator() -> stauth.Authenticate:
    # One per run: its cookie component has a fixed key.
    return stauth.Authenticate(
        {"usernames": {}},
        COOKIE_NAME,
        cookie_key(),
        COOKIE_DAYS,
        auto_hash=False,
        login_sleep_time=0,
    )


def _start_session(actor: Actor, authenticated_at: datetime) -> None:
    stash = st.session_state.pop("_typed_stash", None)
    if stash and stash.get("username") == actor.username:
        # Same worker, same browser tab: put back what they had typed before the timeout.
        for key, value in stash["values"].items():
            try:
                st.session_state[key] = value
            except Exception:
                pass
    st.session_state.update(
        {
            "authentication_status": True,
            "username": actor.username,
            "name": actor.name,
            "roles": sorted(actor.roles),
            "logout": None,
            "auth_at": authenticated_at,
            "last_active_at": utcnow(),
        }
    )


def _widget_values() -> dict:
    """What the worker had typed or chosen in keyed widgets, so a timeout loses none of it.

    Buttons, file uploads and other widgets whose value cannot be set back are left out; so is
    text typed inside a form that was never submitted (it never reached the server).
    """
    state = st.session_state
    kept = {}
    try:  # Streamlit's own record of which key belongs to which kind of widget
        from streamlit.runtime.state.session_state_proxy import get_session_state

        internal = get_session_state()._state
        metadata = internal._new_widget_state.widget_metadata
        key_to_id = internal._key_id_mapper
    except Exception:  # a later Streamlit: keep nothing rather than break the login
        return {}
    for key in list(state.keys()):
        if not isinstance(key, str) or key in _OWN_KEYS or key.startswith(("_", "FormSubmitter")):
            continue
        widget_id = key_to_id.get_id_from_key(key)
        if widget_id is None:
            continue  # not a widget: the page's own state stays where it is anyway
        meta = metadata.get(widget_id)
        kind = getattr(meta, "value_type", None)
        if (
            kind is None
            or "trigger" in kind
            or kind in ("chat_input_value", "file_uploader_state_value")
        ):
            continue
        try:
            value = state[key]
        except Exception:
            continue
        if _settable(value):
            kept[key] = value
    return kept


def _settable(value) -> bool:
    """Plain values a widget accepts back through st.session_state (not editor or selection
    states, which Streamlit refuses to have set)."""
    from datetime import date, time

    plain = (str, int, float, bool, date, time, type(None))
    if isinstance(value, plain):
        return True
    return isinstance(value, (list, tuple)) and all(isinstance(v, plain) for v in value)


def _end_session(message: str = "") -> None:
    username = st.session_state.get("username")
    if username and message and message != "You've logged out.":
        st.session_state["_typed_stash"] = {"username": username, "values": _widget_values()}
    for key in (
        *_LIBRARY_KEYS,
        "auth_at",
        "last_active_at",
        "actor",
        "must_change_password",
        "families_viewed",
        "conference",
        "huddle_team",
        "huddle_week",
        "huddle_wall",
        "after_login",
    ):
        st.session_state.pop(key, None)
    st.session_state["logout"] = True
    if message:
        st.session_state["signed_out_because"] = message


def current_actor() -> Actor | None:
    """The logged-in worker if their session still stands; None otherwise. Reads the database
    every run, so logout elsewhere, a password change or a disabled account take effect now."""
    if not st.session_state.get("authentication_status") or not st.session_state.get("username"):
        return None
    now = utcnow()
    st.session_state.setdefault("auth_at", now)
    st.session_state.setdefault("last_active_at", now)
    valid_after = auth.sessions_valid_after(st.session_state["username"])
    problem = (
        "Your account is not active. Please ask your admin."
        if valid_after is None
        else auth.session_problem(
            authenticated_at=st.session_state["auth_at"],
            last_active_at=st.session_state["last_active_at"],
            sessions_valid_after=valid_after,
            now=now,
            idle_exempt=st.session_state.get("idle_exempt", False),
        )
    )
    if problem:
        _end_session(problem)
        return None
    st.session_state["last_active_at"] = now
    with read_session() as session:
        actor = load_actor(session, st.session_state["username"])
    # From the database, not only from the login form: a session restored from the cookie
    # (e.g. after a reload) must not skip a password change that is due.
    st.session_state["must_change_password"] = bool(actor and actor.must_change_password)
    return actor


def _restore_from_cookie(authenticator: stauth.Authenticate) -> None:
    """A returning browser with a valid cookie logs in again, unless its sessions were ended."""
    if not isinstance(st.context.cookies.get(COOKIE_NAME), str):
        return  # no cookie (under AppTest the cookie jar is a stand-in object)
    token = authenticator.cookie_controller.get_cookie()
    if not token or not isinstance(token.get("username"), str):
        return
    issued_at = datetime.fromtimestamp(token["exp_date"], timezone.utc) - timedelta(
        days=COOKIE_DAYS
    )
    valid_after = auth.sessions_valid_after(token["username"])
    if valid_after is None or issued_at < valid_after:
        authenticator.cookie_controller.delete_cookie()
        return
    with read_session() as session:
        actor = load_actor(session, token["username"])
    if actor is not None:
        _start_session(actor, issued_at)


def sign_in() -> Actor | None:
    """Run by app.py: restores a session from the cookie or shows the login form."""
    authenticator = _authenticator()
    st.session_state.setdefault("logout", None)
    if not st.session_state.get("authentication_status") and not st.session_state.get("logout"):
        _restore_from_cookie(authenticator)
    actor = current_actor()
    if actor is None:
        _login_form(authenticator)
        return None
    if st.session_state.pop("cookie_pending", False):
        authenticator.cookie_controller.set_cookie()
    st.session_state["_authenticator"] = authenticator
    return actor


def _login_form(authenticator: stauth.Authenticate) -> None:
    from components.ui import demo_marker

    st.title("Golden Thread")
    demo_marker()
    reason = st.session_state.pop("signed_out_because", "")
    if reason:
        st.info(reason)
    with st.form("login_form"):
        st.header("Log in")
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Log in", type="primary")
    if not submitted:
        return
    result = auth.check_login(username, password)
    if result.actor is None:
        st.error(result.message)
        return
    _start_session(result.actor, utcnow())
    st.session_state["must_change_password"] = result.must_change_password
    st.session_state["logout"] = None
    # The cookie is written by a component in the browser: a rerun straight after it can
    # drop it, so it is set on the next, ordinary run.
    st.session_state["cookie_pending"] = True
    st.rerun()


def log_out(actor: Actor) -> None:
    """Ends this worker's sessions on every device and forgets this browser's cookie."""
    auth.end_sessions(actor)
    authenticator = st.session_state.pop("_authenticator", None)
    if authenticator is not None:
        authenticator.cookie_controller.delete_cookie()
    _end_session("You've logged out.")
    st.session_state.pop("idle_exempt", None)


def guard(*roles: Role, allow_password_change: bool = False) -> Actor:
    """First line of every page: draws nothing of the page unless a valid session holds one of
    the roles. Pages are served directly on a fresh server, so they cannot rely on app.py."""
    actor = current_actor()
    if actor is None and _served_without_navigation():
        _hand_over_to_the_app()
    if actor is None:
        st.info("Please log in to see this page.")
        st.stop()
    if roles and not any(actor.has(role) for role in roles):
        st.warning("This page isn't available to you.")
        st.stop()
    if st.session_state.get("must_change_password") and not allow_password_change:
        st.warning("Please choose a new password before going on (Your account page).")
        st.stop()
    _watch_session()
    return actor


APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"


def _calling_files() -> list[Path]:
    frame: FrameType | None = sys._getframe(1)
    files: list[Path] = []
    while frame is not None:
        files.append(Path(frame.f_code.co_filename))
        frame = frame.f_back
    return files


def _served_without_navigation() -> bool:
    """True when this page runs without app.py: on a freshly started server Streamlit serves
    files in pages/ directly (an old-style multipage app) until app.py has run once."""
    return all(path.name != "app.py" or path.resolve() != APP_SCRIPT for path in _calling_files())


def _hand_over_to_the_app() -> None:
    """Remembers where the person was going and lets app.py show the login and the proper
    navigation; app.py brings them back here afterwards."""
    page = next((path for path in _calling_files() if path.parent.name == "pages"), None)
    if page is not None:
        st.session_state["after_login"] = {
            "page": f"pages/{page.name}",
            "query": dict(st.query_params),
        }
    try:
        st.switch_page("app.py")
    except StreamlitAPIException:
        pass  # no app to hand over to (a page run on its own): the guard below still holds


def return_to_where_they_were_going(actor: Actor) -> None:
    """After login, a deep link that arrived before the navigation existed lands on its page
    (if the worker's roles include it)."""
    from components.pages import PAGES

    target = st.session_state.pop("after_login", None)
    allowed = {path for path, _t, _i, _u, roles in PAGES if any(actor.has(r) for r in roles)}
    if target and target["page"] in allowed and not st.session_state.get("must_change_password"):
        st.switch_page(target["page"], query_params=target["query"] or None)


def session_has_lapsed() -> bool:
    """Whether the session would be refused now (idle, too old, or ended elsewhere), without
    counting this check as activity."""
    username = st.session_state.get("username")
    if not st.session_state.get("authentication_status") or not username:
        return False
    valid_after = auth.sessions_valid_after(username)
    if valid_after is None:
        return True
    now = utcnow()
    return (
        auth.session_problem(
            authenticated_at=st.session_state.get("auth_at", now),
            last_active_at=st.session_state.get("last_active_at", now),
            sessions_valid_after=valid_after,
            now=now,
            idle_exempt=st.session_state.get("idle_exempt", False),
        )
        is not None
    )


@st.fragment(run_every=WATCH_SECONDS)
def _watch_session() -> None:
    """Nothing reruns while a screen sits idle, so this small timer does: when the session has
    lapsed it reruns the whole app, whose session check shows the login form. Conference mode
    and the huddle's wall view set st.session_state["idle_exempt"] while they are shown."""
    if session_has_lapsed():
        st.rerun(scope="app")
    left = auth.idle_minutes_left(
        last_active_at=st.session_state.get("last_active_at", utcnow()),
        now=utcnow(),
        idle_exempt=st.session_state.get("idle_exempt", False),
    )
    if left is None:
        return
    # Typing into a form sends nothing until it is saved, so the server can't tell someone
    # is busy: ask, rather than throw away what they are writing.
    st.warning(
        f"You'll be logged out in about {max(1, round(left))} minute"
        f"{'s' if round(left) > 1 else ''} as nothing has been saved or clicked for a "
        f"while. Anything you're typing stays if you carry on.",
        icon=":material/timer:",
    )
    if st.button("I'm still here", key="still_here", type="primary"):
        st.session_state["last_active_at"] = utcnow()
        st.rerun(scope="fragment")


def clear_idle_exemption() -> None:
    """Run by app.py after the session check on every full run: a screen that wants to be
    exempt (conference, wall view) sets idle_exempt again while it is drawn, so leaving it
    clears the exemption without that screen having to notice."""
    st.session_state.pop("idle_exempt", None)
