"""The re-login cookie: a new tab or a reload logs the worker back in without the form.

It is our own HS256 JWT holding the username, the login session's id and the moment it was
issued (`sub`, `sid`, `iat`), valid for ABSOLUTE_HOURS (`exp`), signed with the app's cookie
key. The login session's id lets one session be ended (idle, too long) without signing the
worker out elsewhere; db.auth.resume_session decides whether it still stands. Anything that is
not such a token — another algorithm, "none", a bad signature, a missing claim — is no cookie.

The browser holds it through extra-streamlit-components' CookieManager (it is set from
JavaScript, so not HttpOnly); Streamlit itself only reads cookies, in `st.context.cookies`, a
snapshot taken when the tab connected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import import_module

import jwt
import streamlit as st

from components.config import cookie_key
from db.settings import ABSOLUTE_HOURS, COOKIE_NAME

ALGORITHM = "HS256"
LIFETIME = timedelta(hours=ABSOLUTE_HOURS)
_CLAIMS = ("sub", "sid", "iat", "exp")


@dataclass(frozen=True)
class CookieLogin:
    username: str
    session_id: str
    issued_at: datetime
    via: str = "password"  # or "oidc": how the worker proved who they are


def signed(login: CookieLogin, key: str) -> str:
    issued = login.issued_at.timestamp()
    claims = {
        "sub": login.username,
        "sid": login.session_id,
        "iat": issued,
        "exp": issued + LIFETIME.total_seconds(),
        "via": login.via,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read(token: object, key: str) -> CookieLogin | None:
    """What a cookie says, if it is one of ours, unexpired and untampered; None otherwise."""
    if not isinstance(token, str) or not token:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": list(_CLAIMS)})
    except jwt.PyJWTError:
        return None
    username, session_id, issued = claims["sub"], claims["sid"], claims["iat"]
    if not isinstance(session_id, str) or not isinstance(issued, (int, float)):
        return None
    via = "oidc" if claims.get("via") == "oidc" else "password"
    return CookieLogin(username, session_id, datetime.fromtimestamp(issued, timezone.utc), via)


def sent_by_the_browser() -> str | None:
    """The raw cookie this tab connected with (under AppTest the jar is a stand-in object)."""
    value = st.context.cookies.get(COOKIE_NAME)
    return value if isinstance(value, str) else None


# The library's component function. Its CookieManager class also mounts a "getAll" frame on
# every run, which sends the browser's cookies back and so reruns the script once it has
# loaded. We never use that list (Streamlit gives us the cookies in st.context.cookies), and on
# a fresh server that frame loads seconds after the login form: its rerun landed while a
# person was typing, and the login they then sent carried empty boxes ("don't match") or was
# cut short. So only the frames that write or delete are drawn, and only when needed.
_cookie_frame = import_module("extra_streamlit_components.CookieManager")._component_func
_HIDE_EMPTY_FRAMES = "<style>.element-container:has(iframe[height='0']) { display: none; }</style>"


class BrowserCookies:
    """Writes and deletes the cookie in the browser, through a frame drawn on the full runs
    that need it (one that is logged in, or one that must forget a cookie), so the frame
    stays mounted long enough for its JavaScript to act. Nothing is drawn on the login form
    of a browser with no cookie to forget: nothing reruns the form while someone types."""

    def write(self, login: CookieLogin) -> None:
        expires = login.issued_at + LIFETIME
        st.markdown(_HIDE_EMPTY_FRAMES, unsafe_allow_html=True)  # constant CSS, nobody's text
        _cookie_frame(
            method="set",
            cookie=COOKIE_NAME,
            value=signed(login, cookie_key()),
            options={"path": "/", "expires": expires.isoformat(), "sameSite": "strict"},
            key="cookie_write",
            default=False,
        )

    def forget(self) -> None:
        st.markdown(_HIDE_EMPTY_FRAMES, unsafe_allow_html=True)
        _cookie_frame(method="delete", cookie=COOKIE_NAME, key="cookie_forget", default=False)
