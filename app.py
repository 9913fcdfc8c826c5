"""Golden Thread: login, session check, the page list for the worker's roles. Nothing else."""

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from components import auth, ui
from components.config import ConfigProblem, cookie_key, stop_with
from components.pages import pages_for, shared_screen_pages, stub_pages, with_home
from db import i18n
from db.families import worker_count
from db.store.engine import DatabaseUnavailable

st.set_page_config(page_title=ui.APP_NAME, page_icon="🧵", layout="wide")
ui.accessible_style()


def set_up_problem(words: str) -> None:
    """A set-up that must be fixed first: one sentence and nothing else. Without a page list
    of ours, Streamlit would list every file of pages/ in the sidebar ("app", "account",
    "admin"…) as links."""
    st.navigation(stub_pages(), position="hidden")
    stop_with(words)


try:
    cookie_key()
    if worker_count() == 0:
        set_up_problem(
            "No one can log in yet. Create the first admin with: "
            "python -m db.ops.admin create-admin"
        )
    actor = auth.sign_in()
except ConfigProblem as problem:
    set_up_problem(str(problem))
except (DatabaseUnavailable, SQLAlchemyError) as problem:
    # Often a moment's outage: the page list drawn before it stays, to carry on from.
    stop_with(ui.database_problem(problem))

if actor is None:
    # Deep links to protected pages land on the login form, then on the page after login.
    st.navigation(stub_pages(), position="hidden").run()
elif actor.is_family_member:
    # A family member's own space: their pages only, no staff sidebar or page list.
    navigation = st.navigation(with_home(pages_for(actor)), position="hidden")
    auth.return_to_where_they_were_going(actor)
    auth.mark_run_by_the_app()
    navigation.run()
elif (screen := auth.shared_screen.now_open()) is not None:
    # The family meeting screen is open with the family in the room: no sidebar, and every
    # address shows that screen until the worker's password takes it back.
    auth.mark_run_by_the_app()
    st.navigation(shared_screen_pages(screen.family_id), position="hidden").run()
else:
    i18n.use(actor.language)  # the worker's own screens speak the worker's language
    auth.clear_idle_exemption()  # the conference and wall screens set it again while shown
    ui.sidebar(actor)
    pages = pages_for(actor)
    if st.session_state.get("must_change_password"):  # after a reset: the account page only
        pages = [page for page in pages if page.url_path == "account"]
    navigation = st.navigation(with_home(pages))
    ui.page_title(navigation.title)
    auth.return_to_where_they_were_going(actor)
    auth.mark_run_by_the_app()  # the page's guard knows it wasn't served on its own
    try:
        navigation.run()
    except (DatabaseUnavailable, SQLAlchemyError) as problem:
        # The database went away in the middle of a page (a write is one transaction, so
        # nothing is stored half-way): one sentence, and the next run reconnects by itself.
        stop_with(ui.database_problem(problem))
