"""Every definition the screens and reports share, in one place.

Each value can be overridden with an environment variable of the same name (REAL_CHANGE_POINTS,
IDLE_MINUTES, ...), so a team can tune them without touching code; a value that isn't of the
right kind stops the app at start-up with the variable's name, instead of a crash later.
The module-level names (`from db.settings import IDLE_MINUTES`) are the same values.
"""

from __future__ import annotations

import sys
from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, frozen=True)

    DEFAULT_SQLITE_PATH: Path = ROOT / "data" / "golden_thread.db"
    DEFAULT_TIME_ZONE: str = "Europe/London"

    # A move of at least this many points in a family member's own scores is a real change
    # (the Goal Based Outcomes reliable-change figure: 3 points on whole-number scores).
    REAL_CHANGE_POINTS: float = 2.45

    # "Outside 9–5": starts before DAY_STARTS or from DAY_ENDS local time, or at a weekend.
    DAY_STARTS: time = time(9, 0)
    DAY_ENDS: time = time(17, 0)

    # The huddle looks back to the last huddle held, or this many days when there was none.
    HUDDLE_FALLBACK_DAYS: int = 7

    # Sessions: idle and absolute limits. Conference mode and the wall view are exempt from
    # the idle limit so a two-hour family group conference is never thrown out.
    IDLE_MINUTES: float = 30
    # Minutes before an idle logout when a warning with an "I'm still here" button appears, so
    # text typed into a form that hasn't been saved yet is never lost to the timeout.
    IDLE_WARNING_MINUTES: float = 5
    # How often an open screen checks whether its session still stands (seconds). Unset: a
    # quarter of IDLE_MINUTES, kept between 15 s and 60 s. The browser tests set a few
    # seconds so a short idle limit is noticed at once.
    IDLE_CHECK_SECONDS: float | None = None
    ABSOLUTE_HOURS: float = 10
    # A family member's phone is often shared or left about: their space logs out sooner.
    FAMILY_IDLE_MINUTES: float = 15
    # An invitation to the family's own space works once, for this many days.
    INVITATION_DAYS: int = 7

    # Failed logins: this many failures from one place inside the window pause the username
    # for that place for the pause. The username is paused for everyone only after
    # LOCKOUT_USERNAME_FAILURES inside the window, which takes several places together (one
    # place makes at most LOCKOUT_FAILURES checked attempts per pause), so nobody can pause
    # someone else's account at will from one computer.
    LOCKOUT_FAILURES: int = 5
    LOCKOUT_USERNAME_FAILURES: int = 20
    LOCKOUT_WINDOW_MINUTES: float = 15
    LOCKOUT_PAUSE_MINUTES: float = 15

    # A gentle reminder when an agreement has not been checked with the family for this long.
    AGREEMENT_CHECK_DAYS: int = 180

    # Records of families closed longer than this are listed for a retention review (never
    # deleted automatically).
    RETENTION_YEARS: int = 6

    # A demo database older than this is rebuilt so the demo always looks alive.
    DEMO_MAX_AGE_DAYS: int = 7

    # How workers log in: "password" (the demo and small teams), "oidc" (single sign-on through
    # the organisation's OpenID Connect provider, set up in .streamlit/secrets.toml [auth]; no
    # password form is shown) or "both".
    GOLDEN_THREAD_LOGIN: Literal["password", "oidc", "both"] = "password"
    # The provider's name under [auth] ([auth.microsoft] → "microsoft"); "" for the keys
    # written straight into [auth]. The sign-in button reads "Sign in with <OIDC_LABEL>".
    OIDC_PROVIDER: str = ""
    OIDC_LABEL: str = "your organisation's account"
    # A provider's word that someone is who they say is trusted for this long after it was
    # given (the identity token's `iat`); after that, only our own login session carries on.
    OIDC_FRESH_MINUTES: float = 10
    # Match only an email the provider says it has verified (`email_verified`). Turn off only
    # for a provider that never sends that claim and only issues the organisation's own emails.
    OIDC_REQUIRE_VERIFIED_EMAIL: bool = True
    # How long to wait for the provider's discovery document before saying it can't be reached.
    OIDC_TIMEOUT_SECONDS: float = 5

    DEMO_PASSWORD: str = "golden-thread-demo"
    # The bcrypt cost of new password hashes (each step doubles the work of a check). The tests
    # set 4, the lowest bcrypt allows, so the many logins they make stay quick.
    BCRYPT_ROUNDS: int = Field(default=12, ge=4, le=31)
    MIN_COOKIE_KEY_LENGTH: int = 32
    COOKIE_NAME: str = "golden_thread_session"

    # A second save of the same thing (same family, same kind, same words, same worker) this
    # soon after the first is a repeated click, and is refused kindly.
    REPEAT_WINDOW_MINUTES: float = 2

    # Text limits keep a pasted essay from landing in a one-line field.
    SHORT_TEXT: int = 200
    LONG_TEXT: int = 5000

    # The dates any record may carry: from EARLIEST_YEAR to the end of the year YEARS_AHEAD
    # from now (a meeting planned for 9999 is a slip of the keyboard).
    EARLIEST_YEAR: int = 1900
    YEARS_AHEAD: int = 5

    # The largest file the importer reads (a CSV or .xlsx of families), in megabytes: a
    # council's 25,000 families with their people, goals and scores fit well inside it.
    IMPORT_MAX_MB: float = 20


class SettingProblem(ValueError):
    """A setting in the environment isn't of the right kind; the message names each one."""


def _said_plainly(kind, value, trace) -> None:
    """At the command line (`make run` runs db.ops.prepare first), the sentence alone, not a
    stack trace. A Streamlit server shows the error on the page and carries on."""
    if issubclass(kind, SettingProblem):
        print(value, file=sys.stderr)
    else:
        sys.__excepthook__(kind, value, trace)


def _load() -> Settings:
    """The settings, or one line per setting that isn't of the right kind (naming it and what
    it should be), before anything else runs."""
    try:
        return Settings()
    except ValidationError as problem:
        lines = [
            f"{'.'.join(str(part) for part in error['loc'])} = {error['input']!r}: "
            f"{error['msg'][0].lower()}{error['msg'][1:]}."
            for error in problem.errors()
        ]
        sys.excepthook = _said_plainly
        raise SettingProblem(
            "Golden Thread can't start: a setting in the environment isn't of the right "
            "kind. Correct it or unset it (db/settings.py says what each one is):\n  "
            + "\n  ".join(lines)
        ) from None


settings = _load()

DEFAULT_SQLITE_PATH = settings.DEFAULT_SQLITE_PATH
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_SQLITE_PATH}"
DEFAULT_TIME_ZONE = settings.DEFAULT_TIME_ZONE
REAL_CHANGE_POINTS = settings.REAL_CHANGE_POINTS
DAY_STARTS = settings.DAY_STARTS
DAY_ENDS = settings.DAY_ENDS
HUDDLE_FALLBACK_DAYS = settings.HUDDLE_FALLBACK_DAYS
IDLE_MINUTES = settings.IDLE_MINUTES
IDLE_WARNING_MINUTES = settings.IDLE_WARNING_MINUTES
IDLE_CHECK_SECONDS = settings.IDLE_CHECK_SECONDS
ABSOLUTE_HOURS = settings.ABSOLUTE_HOURS
FAMILY_IDLE_MINUTES = settings.FAMILY_IDLE_MINUTES
INVITATION_DAYS = settings.INVITATION_DAYS
BCRYPT_ROUNDS = settings.BCRYPT_ROUNDS
LOCKOUT_FAILURES = settings.LOCKOUT_FAILURES
LOCKOUT_USERNAME_FAILURES = settings.LOCKOUT_USERNAME_FAILURES
LOCKOUT_WINDOW_MINUTES = settings.LOCKOUT_WINDOW_MINUTES
LOCKOUT_PAUSE_MINUTES = settings.LOCKOUT_PAUSE_MINUTES
AGREEMENT_CHECK_DAYS = settings.AGREEMENT_CHECK_DAYS
RETENTION_YEARS = settings.RETENTION_YEARS
DEMO_MAX_AGE_DAYS = settings.DEMO_MAX_AGE_DAYS
GOLDEN_THREAD_LOGIN = settings.GOLDEN_THREAD_LOGIN
OIDC_PROVIDER = settings.OIDC_PROVIDER
OIDC_LABEL = settings.OIDC_LABEL
OIDC_FRESH_MINUTES = settings.OIDC_FRESH_MINUTES
OIDC_REQUIRE_VERIFIED_EMAIL = settings.OIDC_REQUIRE_VERIFIED_EMAIL
OIDC_TIMEOUT_SECONDS = settings.OIDC_TIMEOUT_SECONDS
DEMO_PASSWORD = settings.DEMO_PASSWORD
MIN_COOKIE_KEY_LENGTH = settings.MIN_COOKIE_KEY_LENGTH
COOKIE_NAME = settings.COOKIE_NAME
REPEAT_WINDOW_MINUTES = settings.REPEAT_WINDOW_MINUTES
SHORT_TEXT = settings.SHORT_TEXT
LONG_TEXT = settings.LONG_TEXT
IMPORT_MAX_MB = settings.IMPORT_MAX_MB
