"""Two app servers on one database (`make serve-team`'s parts): what one replica does, the
other sees on its next run, and ending a session on one ends it on the other.

Two replicas and nginx are started by deploy.serve_team on a fresh demo database — PostgreSQL
on TEST_POSTGRES_URL's server when it answers (as in CI and `make serve-team`), otherwise one
SQLite file — and two browser contexts are pinned to different replicas by talking to their
ports directly. The shared session server of the other journeys is not started here.
"""

from __future__ import annotations

import os
import re
import socket
import time
import urllib.request
import uuid

import pytest

from deploy.serve_team import FAIL_TIMEOUT_S, ROUTE_COOKIE, Team
from tests.e2e.conftest import (
    ROOT,
    VIEWPORT,
    cookie_secrets,
    download,
    fill_demo,
    fill_in_a_new_family,
    log_in,
    main_text,
    no_error_on,
    open_in_sidebar,
    settle,
)

PG_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _screenshots_on_failure():
    """Replaces the journeys' fixture of this name: these tests do not need their server."""
    yield


def _free_run(count: int) -> int:
    """The first of `count` free consecutive loopback ports."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65000:
            continue
        try:
            for port in range(first, first + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError("no free ports")


@pytest.fixture(scope="module")
def database_url():
    from sqlalchemy import create_engine, text

    name = f"gt_replicas_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # no PostgreSQL here: two processes share one SQLite file instead
        folder = ROOT / "test-artifacts"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.db"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    yield PG_SERVER.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def team(database_url, tmp_path_factory):
    env = {**os.environ, "DATABASE_URL": database_url}
    fill_demo(database_url)
    folder = tmp_path_factory.mktemp("team")
    _cookie_key, secrets_file = cookie_secrets(folder)
    first = _free_run(3)
    started = Team(
        replicas=2,
        port=first,
        first_replica_port=first + 1,
        folder=folder,
        env=env,
        quiet=True,
        streamlit_args=[f"--secrets.files={secrets_file}"],
    )
    started.start()
    try:
        started.wait_until_answering()
        yield started
    finally:
        started.stop()


def _waiting(page) -> int:
    """How many families the huddle lists as waiting to meet a worker (its section header)."""
    found = re.search(r"Waiting to meet a worker \((\d+)\)", main_text(page))
    assert found, main_text(page)[:500]
    return int(found.group(1))


def _on(team: Team, n: int) -> str:
    return f"http://127.0.0.1:{team.replica_ports[n]}"


def test_a_save_on_one_replica_shows_on_the_other_and_a_logout_ends_both(team, browser):
    one = browser.new_context(viewport=VIEWPORT).new_page()
    two = browser.new_context(viewport=VIEWPORT).new_page()
    try:
        for page, n in ((one, 0), (two, 1)):
            page.goto(_on(team, n))
            settle(page)
            log_in(page, "practitioner")
        # Replica two draws the huddle first, so the board is in its memory.
        open_in_sidebar(two, "Weekly huddle")
        no_error_on(two)
        waiting_before = _waiting(two)
        known_as = f"The Farrow family {time.time():.0f}"

        open_in_sidebar(one, "A new family asks for help")
        fill_in_a_new_family(one, known_as, "Marigold")
        one.get_by_role("button", name="Save the family").click()
        settle(one)
        one.get_by_role("heading", name=known_as).first.wait_for()

        # Replica two's next run: the new family is waiting on its huddle board.
        open_in_sidebar(two, "My families")
        open_in_sidebar(two, "Weekly huddle")
        assert _waiting(two) == waiting_before + 1

        # Logging out on replica one ends the session on replica two at its next run.
        one.get_by_role("button", name="Log out").click()
        settle(one)
        open_in_sidebar(two, "My families")
        two.get_by_role("textbox", name="Username").wait_for(timeout=30_000)
        assert two.get_by_role("button", name="Log out").count() == 0
        assert "signed out" in main_text(two)
    finally:
        one.context.close()
        two.context.close()


def test_nginx_routes_around_a_replica_that_died_and_the_replica_comes_back(team):
    front = f"http://127.0.0.1:{team.port}"
    with urllib.request.urlopen(f"{front}/") as answer:
        assert f"{ROUTE_COOKIE}=" in (answer.headers.get("Set-Cookie") or "")
        assert answer.headers.get("X-Frame-Options") == "SAMEORIGIN"
    victim = team.replica(0)
    assert victim.process is not None
    victim.process.kill()
    victim.process.wait(timeout=10)
    # Every route still answers while it is down (nginx tries the other replica).
    for n in range(6):
        request = urllib.request.Request(
            f"{front}/_stcore/health", headers={"Cookie": f"{ROUTE_COOKIE}=route{n}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
    deadline = time.monotonic() + 60
    while not victim.healthy():
        team.check_once()  # what the supervisor's loop does every two seconds
        assert time.monotonic() < deadline, "the replica was not started again within 60 s"
        time.sleep(0.5)
    assert victim.restarts == 1


def _handshake(team: Team, host: str, origin: str, cookie: str = "") -> str:
    """A WebSocket handshake through nginx, as a browser at `origin` sends it; the answer's
    status line and headers."""
    request = (
        "GET /_stcore/stream HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        f"Origin: {origin}\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n" + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n"
    )
    with socket.create_connection(("127.0.0.1", team.port), timeout=10) as connection:
        connection.sendall(request.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n\r\n")[0].decode()


def test_a_websocket_from_a_public_address_with_a_port_is_accepted(team):
    """Behind gt.council.example:8443 the browser's Origin carries the port; Streamlit compares
    it with the Host nginx passes on, so nginx must pass the port on too."""
    answer = _handshake(team, "gt.council.example:8443", "https://gt.council.example:8443")
    assert answer.startswith("HTTP/1.1 101"), answer
    # and without a port, as before
    answer = _handshake(team, "gt.council.example", "https://gt.council.example")
    assert answer.startswith("HTTP/1.1 101"), answer
    # a page of another site is still refused
    answer = _handshake(team, "gt.council.example:8443", "https://elsewhere.example")
    assert answer.startswith("HTTP/1.1 403"), answer


def test_the_websockets_answer_names_the_replica_that_holds_the_session(team):
    """The route cookie is set from the replica that answered the WebSocket, so a browser's
    uploads and downloads go where its session is."""
    host = f"127.0.0.1:{team.port}"
    names = [f"r{n + 1}" for n in range(team.replicas)]
    for name in names:
        # A replica restarted by an earlier test may still be counted out (fail_timeout): the
        # answer then names the replica that answered instead, until it is counted in again.
        deadline = time.monotonic() + FAIL_TIMEOUT_S + 5
        while True:
            answer = _handshake(team, host, f"http://{host}", cookie=f"{ROUTE_COOKIE}={name}")
            assert answer.startswith("HTTP/1.1 101"), answer
            named = re.search(rf"^Set-Cookie: {ROUTE_COOKIE}=(r\d+);", answer, re.MULTILINE)
            assert named and named.group(1) in names, answer
            if named.group(1) == name:
                break
            assert time.monotonic() < deadline, answer
            time.sleep(1)


def _holder(team: Team, url: str, headers: dict[str, str]) -> int:
    """Which replica holds the session of this upload address: the one that does not say it
    does not know the session, when the upload is sent to each replica directly."""
    holding = []
    for n, port in enumerate(team.replica_ports):
        request = urllib.request.Request(
            re.sub(r"^http://[^/]+", f"http://127.0.0.1:{port}", url),
            method="PUT",
            data=b"--x--\r\n",
            headers={
                k: v
                for k, v in headers.items()
                if k.lower() in ("cookie", "x-xsrftoken", "content-type")
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                said = answer.read().decode(errors="replace")
        except urllib.error.HTTPError as refusal:
            said = refusal.read().decode(errors="replace")
        if "Invalid session_id" not in said:
            holding.append(n)
    assert len(holding) == 1, holding
    return holding[0]


def test_uploads_and_downloads_follow_a_tab_whose_replica_died_and_came_back(team, browser):
    """The tab's replica is killed; the tab reconnects to the other one. Once the first is
    back and nginx has stopped counting it out (fail_timeout), the tab's uploads and downloads
    must still reach the replica that now holds its session."""
    import pandas as pd

    front = f"http://127.0.0.1:{team.port}"
    page = browser.new_context(viewport=VIEWPORT).new_page()
    uploads: list[dict] = []

    def on_response(response) -> None:
        if "/_stcore/upload_file/" in response.url and response.request.method == "PUT":
            uploads.append(
                {
                    "url": response.url,
                    "status": response.status,
                    "headers": response.request.all_headers(),
                }
            )

    page.on("response", on_response)

    def upload(name: str) -> dict:
        before = len(uploads)
        frame = pd.DataFrame({"family_name": [f"The {name} family"], "council_reference": [name]})
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
            files=[
                {"name": f"{name}.csv", "mimeType": "text/csv", "buffer": frame.to_csv().encode()}
            ]
        )
        deadline = time.monotonic() + 30
        while len(uploads) == before:
            assert time.monotonic() < deadline, "the browser sent no upload"
            page.wait_for_timeout(200)
        settle(page)
        return uploads[-1]

    try:
        page.goto(f"{front}/")
        settle(page)
        log_in(page, "manager")
        open_in_sidebar(page, "Bring records in")
        first = upload("Before")
        assert first["status"] in (200, 204), first
        victim = team.replica(_holder(team, first["url"], first["headers"]))
        assert victim.process is not None
        victim.process.kill()
        victim.process.wait(timeout=10)
        killed = time.monotonic()

        # The tab reconnects to the other replica and is logged straight back in.
        page.get_by_role("button", name="Log out").wait_for(timeout=60_000)
        settle(page)
        while not victim.healthy():
            team.check_once()  # what the supervisor's loop does every two seconds
            assert time.monotonic() < killed + 90, "the replica was not started again"
            time.sleep(0.5)
        # nginx counts a replica out for fail_timeout after each failed try, the last one
        # possibly just before it answered again.
        page.wait_for_timeout((FAIL_TIMEOUT_S + 2) * 1000)

        after = upload("After")
        assert after["status"] in (200, 204), after
        assert "This file has no column for" in main_text(page)  # the app read the file
        page.get_by_text("How to lay out the file").click()
        template = download(page, page.get_by_role("button", name="Download the template"))
        assert template.failure() is None
        assert "family_name" in open(template.path(), encoding="utf-8").read()
    finally:
        page.context.close()
