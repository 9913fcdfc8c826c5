"""Browser journeys: one real `streamlit run app.py` per test session, driven by Debian's chromium.

The server fixture serves a fresh copy of the demo database (prepared once per run, even when
pytest-xdist runs the files on several workers: each worker then has its own server and its own
copy), writes a temporary secrets file (never the repository's) and starts Streamlit bound to
127.0.0.1 on a free port. `server.cold` holds what every page address from
components.pages.PAGES showed as the very first request of its own freshly started server (a
`pages/` folder is served directly until app.py has run once, so this is the moment that
matters): those servers serve an untouched copy of the demo database and are started the first
time a test reads `server.cold`.

A failing test leaves full-page screenshots of its pages (and the server log) in test-artifacts/.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from bench.browser import (  # one browser set-up for both
    CHROMIUM_ARGS,
    IDLE,
    PASSWORD,
    server_options,
)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
COOKIE_NAME = "golden_thread_session"
VIEWPORT = {"width": 1280, "height": 900}

# Pages the current test touched: screenshotted if it fails.
_TOUCHED: list = []


def touched(page):
    if page not in _TOUCHED:
        _TOUCHED.append(page)
    return page


@pytest.fixture(autouse=True)
def _screenshots_on_failure(server):
    _TOUCHED.clear()
    server.check_alive()
    yield
    server.check_alive()
    _TOUCHED.clear()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and report.when in ("setup", "call"):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.name)[:120]
        for number, page in enumerate(list(_TOUCHED)):
            try:
                if not page.is_closed():
                    page.screenshot(
                        path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True, timeout=10_000
                    )
            except Exception as problem:  # a screenshot must never hide the real failure
                print(f"screenshot of page {number} failed: {problem}")


# --- waiting for Streamlit --------------------------------------------------------------


def settle(page, quiet_ms: int = 700, timeout_ms: int = 30_000) -> None:
    """Waits until the script has stopped running and stayed stopped for quiet_ms (the login
    cookie component and fragments rerun the script once more right after a change)."""
    deadline = time.monotonic() + timeout_ms / 1000
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(150)
        if (
            page.locator(IDLE).count() == 0
            or page.locator("[data-testid='stSkeleton'], [data-testid='stSpinner']").count()
        ):
            page.wait_for_selector(IDLE, timeout=max(1, int((deadline - time.monotonic()) * 1000)))
            quiet_since = time.monotonic()
        elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
            return
    raise TimeoutError(f"the app kept running for more than {timeout_ms / 1000:.0f} s")


def download(page, button, timeout_ms: int = 30_000):
    """Clicks a download button on a settled page and returns the download. A rerun landing
    between drawing the button and the click replaces the file the button stands for, so the
    click fetches nothing (the likely cause of one timeout on a heavily loaded machine): like a
    person, the journey clicks once more when nothing came."""
    settle(page)
    try:
        with page.expect_download(timeout=timeout_ms) as downloading:
            button.click()
    except PlaywrightTimeoutError:
        settle(page)
        with page.expect_download(timeout=timeout_ms) as downloading:
            button.click()
    return downloading.value


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def login_form_visible(page) -> bool:
    return (
        page.get_by_role("textbox", name="Username").count() == 1
        and page.get_by_role("textbox", name="Password").count() == 1
    )


def submit_login(page, username: str, password: str = PASSWORD) -> None:
    """Fills in the login form and presses Log in (waiting for nothing)."""
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    submit_login(page, username, password)
    page.get_by_role("button", name="Log out").wait_for(timeout=30_000)
    settle(page)


def choose(page, label: str, option: str, tries: int = 3) -> None:
    """Picks an option in a select box, as a person would: again if a rerun landing at that
    moment redrew the box (it then loses the pick, or the list closes under the pointer)."""
    for attempt in range(1, tries + 1):
        box = page.get_by_role("combobox", name=label)
        holder = box.locator(
            "xpath=ancestor::*[@data-testid='stSelectbox' or @data-testid='stMultiSelect'][1]"
        )
        try:
            box.click()
            box.fill(option)  # typing narrows the list: the option is drawn whatever its length
            page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
            # A select box shows its pick as its value; a multiselect as a tag beside it.
            if holder.get_attribute("data-testid") == "stSelectbox":
                expect(box).to_have_value(option, timeout=5_000)
            else:
                expect(holder.get_by_text(option, exact=True).first).to_be_visible(timeout=5_000)
            return
        except (PlaywrightTimeoutError, AssertionError):
            if attempt == tries:
                raise
            page.keyboard.press("Escape")
            settle(page)


def fill_in_a_new_family(page, known_as: str, parent: str) -> None:
    """On "A new family asks for help": the family's name, how they came (their school
    suggested us) and person 1, a parent. Not saved."""
    page.get_by_role("textbox", name="The name the family chose to be known by").fill(known_as)
    page.get_by_role("textbox", name="How they came to us").fill("Their school suggested us")
    page.get_by_role("textbox", name="Name of person 1").fill(parent)
    choose(page, "Who person 1 is to the family", "Parent")


def open_in_sidebar(page, title: str) -> None:
    """Follows a page link in the sidebar (same browser session: no new login)."""
    nav = page.locator("[data-testid='stSidebarNav']")
    nav.get_by_text(title, exact=True).click()
    settle(page)


def sidebar_visible(page) -> bool:
    """Whether the sidebar (with its page links) is shown: shared screens hide it."""
    sidebar = page.locator("[data-testid='stSidebar']")
    return sidebar.count() > 0 and sidebar.first.is_visible()


def sidebar_titles(page) -> list[str]:
    links = page.locator("[data-testid='stSidebarNav'] [data-testid='stSidebarNavLink']")
    titles = []
    for link in links.all():
        spans = [s.strip() for s in link.locator("span").all_inner_texts()]
        words = [s for s in spans if s and not re.fullmatch(r"[a-z_]+", s)]
        titles.append(words[-1] if words else link.inner_text().strip())
    return titles


def no_error_on(page) -> None:
    """No exception box, no error box and no 'Page not found' modal on the screen."""
    assert page.locator("[data-testid='stException']").count() == 0, main_text(page)[:500]
    assert page.get_by_text("Page not found").count() == 0
    errors = page.locator("[data-testid='stAlertContentError']").all_inner_texts()
    assert not errors, errors


# --- the server -------------------------------------------------------------------------


@dataclass
class ColdVisit:
    url_path: str
    text: str
    login_form: bool
    page_not_found: bool
    exception: bool


@dataclass
class Server:
    base: str
    database_url: str
    cookie_key: str
    log: Path
    process: subprocess.Popen | None = None
    visit_cold: Callable[[], dict[str, ColdVisit]] = dict
    _cold: dict[str, ColdVisit] | None = field(default=None, repr=False)

    @property
    def cold(self) -> dict[str, ColdVisit]:
        """What each page address showed on its own cold server (visited on first reading)."""
        if self._cold is None:
            self._cold = self.visit_cold()
        return self._cold

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            pytest.fail(
                f"the test server stopped (exit {self.process.returncode}); its log "
                f"ends: {self.log.read_text()[-500:]}"
            )

    def url(self, path: str = "") -> str:
        return f"{self.base}/{path.lstrip('/')}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answering(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer within 90 s:\n{log.read_text()}")


def page_paths() -> list[tuple[str, str, tuple]]:
    """(title, url path, roles) for every page, read now: others add pages as they go."""
    import importlib

    import components.pages

    importlib.reload(components.pages)
    return [
        (title, url, tuple(str(r) for r in roles))
        for _file, title, _icon, url, roles in components.pages.PAGES
    ]


def run_tool(module: str, database_url: str, timeout: int = 300) -> None:
    """Runs `python -m <module>` on this database as an operator would; it must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr


def fill_demo(database_url: str) -> None:
    """Puts the demo data into this database: `python -m db.ops.demo`."""
    run_tool("db.ops.demo", database_url)


def cookie_secrets(folder: Path) -> tuple[str, Path]:
    """A temporary secrets file in `folder` (never the repository's) holding a fresh cookie
    key, readable by its owner only: returns the key and the file."""
    cookie_key = secrets.token_urlsafe(48)
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(f'cookie_key = "{cookie_key}"\n')
    secrets_file.chmod(0o600)
    return cookie_key, secrets_file


@contextmanager
def peek_into(database_url: str) -> Iterator[Callable]:
    """Read-only SQL against the server's database, to choose what to click."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)

    def query(sql: str, **values):
        with engine.connect() as connection:
            return connection.execute(text(sql), values).all()

    try:
        yield query
    finally:
        engine.dispose()


_LAUNCH = "import sys; from streamlit.web.cli import main; sys.argv[0] = 'gt-e2e'; main()"


def _start(
    folder: Path,
    name: str,
    database_url: str,
    secrets_file: Path,
    extra_env: dict[str, str] | None = None,
):
    """Starts `streamlit run app.py` bound to 127.0.0.1 on a free port; returns it unwaited."""
    port = _free_port()
    log = folder / f"{name}.log"
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    with open(log, "w") as log_file:
        # Launched through streamlit.web.cli so the command line does not read "streamlit run":
        # a broad `pkill -f "streamlit run"` elsewhere on a shared machine leaves it alone.
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _LAUNCH,
                "run",
                "app.py",
                *server_options(port),
                f"--secrets.files={secrets_file}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, f"http://127.0.0.1:{port}", log


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _visit_cold(browser, folder: Path, database_url: str, secrets_file: Path) -> dict:
    """Every page address opened as the very first request of its own freshly started server
    (what the first visitor sees depends on which address came first, so each gets its own).
    The servers start a few at a time, to save time without starving a two-core machine, and
    are stopped straight after."""
    paths = [url for _title, url, _roles in page_paths()]
    seen: dict[str, ColdVisit] = {}
    for first in range(0, len(paths), COLD_SERVERS_AT_ONCE):
        batch = paths[first : first + COLD_SERVERS_AT_ONCE]
        seen |= _visit_cold_batch(browser, folder, database_url, secrets_file, batch)
    return seen


COLD_SERVERS_AT_ONCE = 3


def _visit_cold_batch(
    browser, folder: Path, database_url: str, secrets_file: Path, paths: list[str]
) -> dict:
    started = {url: _start(folder, f"cold-{url}", database_url, secrets_file) for url in paths}
    seen: dict[str, ColdVisit] = {}
    context = browser.new_context(viewport=VIEWPORT)
    try:
        for url, (process, base, log) in started.items():
            _wait_until_answering(base, process, log)
            page = context.new_page()
            page.goto(f"{base}/{url}")
            settle(page)
            body = page.locator("body").inner_text()
            seen[url] = ColdVisit(
                url_path=url,
                text=main_text(page),
                login_form=login_form_visible(page),
                page_not_found="Page not found" in body,
                exception=page.locator("[data-testid='stException']").count() > 0,
            )
            page.close()
    finally:
        context.close()
        for process, _base, _log in started.values():
            _stop(process)
    return seen


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Debian's chromium is not installed (apt-get install chromium); "
            "`playwright install` cannot download browsers here."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _demo_database(tmp_path_factory) -> Path:
    """The demo database, prepared once per run: under pytest-xdist the first worker to get
    here makes it (the others wait on the lock) and every worker copies the file."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by this run's workers
    prepared = root / "e2e-demo.db"
    with open(root / "e2e-demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not prepared.exists():
            making = root / "e2e-demo-making.db"
            making.unlink(missing_ok=True)
            fill_demo(f"sqlite:///{making}")
            making.rename(prepared)
    return prepared


@pytest.fixture(scope="session")
def server(tmp_path_factory, browser, request):
    folder = tmp_path_factory.mktemp("e2e")
    demo = _demo_database(tmp_path_factory)
    database = folder / "golden_thread.db"
    untouched = folder / "cold.db"  # what the cold servers serve, whenever they start
    shutil.copy(demo, database)
    shutil.copy(demo, untouched)
    database_url = f"sqlite:///{database}"
    cookie_key, secrets_file = cookie_secrets(folder)
    process, base, log = _start(folder, "server", database_url, secrets_file)
    try:
        _wait_until_answering(base, process, log)
        yield Server(
            base=base,
            database_url=database_url,
            cookie_key=cookie_key,
            log=log,
            process=process,
            visit_cold=lambda: _visit_cold(browser, folder, f"sqlite:///{untouched}", secrets_file),
        )
    finally:
        _stop(process)
        if request.session.testsfailed:
            ARTIFACTS.mkdir(exist_ok=True)
            worker = os.environ.get("PYTEST_XDIST_WORKER", "")
            for server_log in folder.glob("*.log"):
                name = f"{worker}-{server_log.name}" if worker else server_log.name
                shutil.copy(server_log, ARTIFACTS / name)


@pytest.fixture
def fresh(browser):
    """A new browser context (no cookies, no session): closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def _role_pages(browser, server):
    made: dict[str, object] = {}
    yield made
    for page in made.values():
        page.context.close()


@pytest.fixture
def signed_in(_role_pages, browser, server):
    """The logged-in page of a demo worker, made once per test session and reused while it
    still shows the worker's sidebar: a journey that stopped on a shared screen (which hides
    it) would otherwise fail the next journey too."""

    def get(username: str):
        page = _role_pages.get(username)
        if page is not None and not page.is_closed() and not sidebar_visible(page):
            page.context.close()
        if page is None or page.is_closed():
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.goto(server.url(""))
            settle(page)
            log_in(page, username)
            _role_pages[username] = page
        return touched(page)

    return get


# --- the database behind the server (read-only peeks, to choose what to click) ----------


@pytest.fixture(scope="session")
def peek(server):
    with peek_into(server.database_url) as query:
        yield query
