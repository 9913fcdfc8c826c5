"""The page list, built from the worker's roles."""

from __future__ import annotations

import streamlit as st

from db.i18n import N_, _
from db.rules.access import Actor
from db.store.models import Role

CASEWORK = (Role.practitioner, Role.manager)

# (file, title, icon, url path, roles that see it)
PAGES = [
    ("pages/families.py", N_("My families"), ":material/family_restroom:", "families", CASEWORK),
    ("pages/family.py", N_("Family"), ":material/diversity_3:", "family", CASEWORK),
    (
        "pages/new_family.py",
        N_("A new family asks for help"),
        ":material/person_add:",
        "new_family",
        CASEWORK,
    ),
    ("pages/huddle.py", N_("Weekly huddle"), ":material/groups:", "huddle", CASEWORK),
    (
        "pages/conference.py",
        N_("Family meeting screen"),
        ":material/co_present:",
        "conference",
        CASEWORK,
    ),
    ("pages/continuity.py", N_("Continuity"), ":material/timeline:", "continuity", (Role.manager,)),
    (
        "pages/outcomes.py",
        N_("What changed for families"),
        ":material/trending_up:",
        "outcomes",
        (Role.manager,),
    ),
    ("pages/admin.py", N_("Workers and teams"), ":material/badge:", "admin", (Role.admin,)),
    ("pages/audit.py", N_("Audit"), ":material/policy:", "audit", (Role.admin, Role.manager)),
    (
        "pages/import_records.py",
        N_("Bring records in"),
        ":material/upload_file:",
        "import_records",
        (Role.admin, Role.manager),
    ),
    ("pages/our_space.py", N_("Our space"), ":material/home:", "our_space", (Role.family_member,)),
    (
        "pages/account.py",
        N_("Your account"),
        ":material/person:",
        "account",
        (Role.practitioner, Role.manager, Role.admin),
    ),
]


def pages_for(actor: Actor) -> list[st.Page]:
    return [
        st.Page(path, title=_(title), icon=icon, url_path=url)
        for path, title, icon, url, roles in PAGES
        if any(actor.has(role) for role in roles)
    ]


def with_home(pages: list[st.Page]) -> list[st.Page]:
    """Streamlit serves its default page at "/" only, so a page made the default loses its own
    address and a bookmark of it says "Page not found". The default is therefore a hidden
    page that sends "/" on to the worker's first page, and every page keeps its address."""
    first = pages[0]

    def home() -> None:
        st.switch_page(first)

    return [
        st.Page(home, title=first.title, url_path="home", default=True, visibility="hidden")
    ] + pages


def _login_only() -> None:
    """Logged out, every page address shows the login form and nothing else.

    Drawn here, inside the page's run, not by app.py before it: Streamlit keys a widget's id by
    the page that is running, and a tab's first run is the entry script's own (no page chosen
    yet) while every later run is this page's. Drawn by app.py, the boxes got new ids on the
    first Log in, so the browser drew them anew, empty."""
    from components.auth import login_form

    login_form.show()


def stub_pages() -> list[st.Page]:
    return [
        st.Page(_login_only, title="Log in", url_path="start", default=True),
        st.Page(_login_only, title="Log in", url_path="login"),
    ] + [st.Page(_login_only, title="Log in", url_path=url) for _path, _t, _i, url, _r in PAGES]


def shared_screen_pages(family_id: int) -> list[st.Page]:
    """While the family meeting screen is open, it is the only page: every other address
    (the browser's Back, a bookmark) sends on to it."""
    screen = st.Page("pages/conference.py", url_path="conference")

    def back_to_the_screen() -> None:
        st.switch_page(screen, query_params={"family": str(family_id)})

    home = st.Page(back_to_the_screen, url_path="home", default=True)
    return [home, screen] + [
        st.Page(back_to_the_screen, title=_(title), url_path=url)
        for _path, title, _icon, url, _roles in PAGES
        if url != "conference"
    ]
