"""Who is using Golden Thread, and whether they still may. One module per job:

- `cookie`: the signed re-login cookie (username, login session id and issue time).
- `session`: this tab's login, the check every run makes, and ending it.
- `login_form`: the form, and what a successful login starts.
- `sign_in`: what app.py runs first: back in from the cookie, or the form; and logging out.
- `guard`: the first line of every page, with the cold-start hand-over to app.py.
- `deep_links`: a page asked for before logging in opens after it.
- `idle_watch`: the timer that warns before an idle logout, and the screens exempt from it.
- `password_check`: asking for the password again (leaving the family meeting screen).
- `shared_screen`: the family meeting screen, the login's only page while it is open.

Whether a login or a session stands is decided in db.auth; these modules only carry it
through Streamlit.
"""

from components.auth import shared_screen
from components.auth.deep_links import return_to_where_they_were_going
from components.auth.guard import guard, mark_run_by_the_app
from components.auth.idle_watch import clear_idle_exemption
from components.auth.session import current_actor
from components.auth.sign_in import log_out, sign_in

__all__ = [
    "clear_idle_exemption",
    "current_actor",
    "guard",
    "log_out",
    "mark_run_by_the_app",
    "return_to_where_they_were_going",
    "shared_screen",
    "sign_in",
]
