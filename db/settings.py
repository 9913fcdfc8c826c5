"""Every definition the screens and reports share, in one place.

Each value can be overridden with an environment variable of the same name, so a team can
tune them without touching code.
"""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


DEFAULT_SQLITE_PATH = ROOT / "data" / "golden_thread.db"
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_SQLITE_PATH}"
DEFAULT_TIME_ZONE = "Europe/London"

# A move of at least this many points in a family member's own scores is a real change
# (the Goal Based Outcomes reliable-change figure: 3 points on whole-number scores).
REAL_CHANGE_POINTS = _number("REAL_CHANGE_POINTS", 2.45)

# "Outside 9–5": starts before DAY_STARTS or from DAY_ENDS local time, or at a weekend.
DAY_STARTS = time(9, 0)
DAY_ENDS = time(17, 0)

# The huddle looks back to the last huddle held, or this many days when there was none.
HUDDLE_FALLBACK_DAYS = 7

# Sessions: idle and absolute limits (minutes). Conference mode and the wall view are exempt
# from the idle limit so a two-hour family group conference is never thrown out.
IDLE_MINUTES = _number("IDLE_MINUTES", 30)
# Minutes before an idle logout when a warning with an "I'm still here" button appears, so text
# typed into a form that hasn't been saved yet is never lost to the timeout.
IDLE_WARNING_MINUTES = _number("IDLE_WARNING_MINUTES", 5)
ABSOLUTE_HOURS = _number("ABSOLUTE_HOURS", 10)

# Failed logins: this many failures inside the window pause the username for the pause.
LOCKOUT_FAILURES = int(_number("LOCKOUT_FAILURES", 5))
LOCKOUT_WINDOW_MINUTES = _number("LOCKOUT_WINDOW_MINUTES", 15)
LOCKOUT_PAUSE_MINUTES = _number("LOCKOUT_PAUSE_MINUTES", 15)

# A gentle reminder when an agreement has not been checked with the family for this long.
AGREEMENT_CHECK_DAYS = int(_number("AGREEMENT_CHECK_DAYS", 180))

# Records of families closed longer than this are listed for a retention review (never deleted
# automatically).
RETENTION_YEARS = int(_number("RETENTION_YEARS", 6))

# A demo database older than this is rebuilt so the demo always looks alive.
DEMO_MAX_AGE_DAYS = 7

DEMO_PASSWORD = "golden-thread-demo"
MIN_COOKIE_KEY_LENGTH = 32
COOKIE_NAME = "golden_thread_session"

# Text limits keep a pasted essay from landing in a one-line field.
SHORT_TEXT = 200
LONG_TEXT = 5000
