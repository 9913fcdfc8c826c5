"""The supervisor of `make serve-team` (deploy/serve_team.py) without Streamlit: stand-in
replicas (a Python that exits at once, or sleeps), a stand-in "orphan" answering health checks,
and Debian's nginx when it is installed. The routing through nginx is tested in
tests/e2e/test_replicas.py."""

from __future__ import annotations

import http.server
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from db import settings
from deploy import serve_team
from deploy.serve_team import Child, Team, TeamProblem, restart_delay

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _free_run(count: int) -> int:
    for _ in range(50):
        first = _free_port()
        if first + count < 65000 and not serve_team.ports_in_use(list(range(first, first + count))):
            return first
    raise RuntimeError("no free ports")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _child(tmp_path: Path, code: str, health_port: int | None = None) -> Child:
    return Child(
        name="replica 1 (port 1)",
        command=[sys.executable, "-c", code],
        log=tmp_path / "replica-1.log",
        env=dict(os.environ),
        health_url=f"http://127.0.0.1:{health_port}/_stcore/health" if health_port else None,
    )


def _exited(child: Child) -> None:
    assert child.process is not None
    child.process.wait(timeout=30)


def test_restarts_wait_longer_after_each_quick_failure_up_to_a_limit():
    assert [restart_delay(n) for n in range(8)] == [0, 1, 2, 4, 8, 16, 30, 30]


def test_a_replica_that_keeps_failing_is_restarted_later_each_time_then_given_up(tmp_path):
    clock = Clock()
    child = _child(tmp_path, "print('no database here'); raise SystemExit(3)", _free_port())
    team = Team(folder=tmp_path, children=[child], quiet=True, clock=clock)
    child.start(clock())
    delays = []
    with pytest.raises(TeamProblem) as gave_up:
        for _ in range(serve_team.GIVE_UP_AFTER):
            _exited(child)
            team.check_once()
            assert child.restart_at is not None
            delays.append(child.restart_at - clock.now)
            clock.now = child.restart_at
            team.check_once()  # time's up: started again
            assert child.restart_at is None
    assert delays == [1, 2, 4, 8]
    assert child.restarts == 4
    said = str(gave_up.value)
    assert "exited (3)" in said
    assert "5 times in a row" in said
    assert "giving up" in said
    assert "no database here" in said  # the end of its log, to say why


def test_a_failure_after_running_a_while_restarts_at_once_and_forgets_earlier_ones(tmp_path):
    clock = Clock()
    child = _child(tmp_path, "raise SystemExit(1)")  # no health check: like nginx
    team = Team(folder=tmp_path, children=[child], quiet=True, clock=clock)
    child.start(clock())
    child.quick_failures = 3
    _exited(child)
    clock.now += serve_team.QUICK_FAILURE_S + 1
    team.check_once()
    assert child.restart_at is None  # started again at once
    assert child.quick_failures == 0
    assert child.restarts == 1
    _exited(child)


def test_a_replica_that_never_answers_after_starting_is_restarted(tmp_path):
    clock = Clock()
    child = _child(tmp_path, "import time; time.sleep(600)", _free_port())
    team = Team(folder=tmp_path, children=[child], quiet=True, clock=clock)
    child.start(clock())
    first = child.process
    assert first is not None
    try:
        team.check_once()
        assert child.restarts == 0  # still within its time to start
        clock.now += serve_team.START_TIMEOUT_S + 1
        team.check_once()
        assert first.poll() is not None  # stopped
        assert child.restarts == 1
        assert child.restart_at == clock.now + 1
    finally:
        child.stop()
        first.kill()
        first.wait()


def test_ports_already_in_use_are_refused_plainly_and_nothing_is_started(tmp_path):
    first = _free_run(3)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", first + 2))
        busy.listen()
        team = Team(replicas=2, port=first, first_replica_port=first + 1, folder=tmp_path)
        with pytest.raises(TeamProblem) as refused:
            team.start()
    assert str(refused.value).startswith(f"Port {first + 2} is already in use")
    assert "REPLICA_PORT" in str(refused.value)
    assert team.children == []


# --- the whole supervisor, as `make serve-team` runs it, with stand-in replicas ---------------

# Runs deploy.serve_team's main() with replicas that only sleep (or exit at once) instead of
# Streamlit, writing each process it starts to a file so the test can look for orphans.
DRIVER = """
import os, sys
from deploy import serve_team
replica = sys.argv[1]
serve_team.streamlit_command = lambda port: [sys.executable, "-c", replica]
started = serve_team.Child.start
def start(self, *args, **kwargs):
    started(self, *args, **kwargs)
    with open(os.environ["PIDS_FILE"], "a") as pids:
        pids.write(f"{self.process.pid}\\n")
serve_team.Child.start = start
serve_team.main(sys.argv[2:])
"""

needs_nginx = pytest.mark.skipif(
    not os.path.exists(serve_team.NGINX), reason="Debian's nginx is not installed"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone too
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _supervisor(tmp_path: Path, replica: str, first: int) -> tuple[subprocess.Popen, Path]:
    pids = tmp_path / "pids"
    arguments = ["--replicas", "2", "--port", str(first), "--first-replica-port", str(first + 1)]
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, replica, *arguments],
        cwd=ROOT,
        env={
            **os.environ,
            "PIDS_FILE": str(pids),
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # as in a terminal: Ctrl-C handled Python's default way until the supervisor says
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    return process, pids


def _started(pids: Path) -> list[int]:
    try:
        return [int(line) for line in pids.read_text().split()]
    except FileNotFoundError:
        return []


@needs_nginx
@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_waiting_for_the_replicas_stops_every_process(tmp_path, sent):
    process, pids = _supervisor(tmp_path, "import time; time.sleep(600)", _free_run(3))
    try:
        deadline = time.monotonic() + 30
        while len(_started(pids)) < 3:  # two replicas and nginx
            assert time.monotonic() < deadline, "the processes were not started"
            assert process.poll() is None, process.communicate()[0]
            time.sleep(0.1)
        time.sleep(0.5)
        process.send_signal(sent)
        said, _ = process.communicate(timeout=30)
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in _started(pids)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in _started(pids) if _alive(pid)] == [], said
    finally:
        for pid in _started(pids):  # what this test started, if the supervisor left it
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()


class _Healthy(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@needs_nginx
def test_a_second_run_on_ports_an_orphan_still_holds_refuses_to_start(tmp_path):
    """An orphaned replica of an earlier run answers its health check: the new run must not
    say it is ready and then restart its own replica (which cannot listen) forever."""
    first = _free_run(3)
    orphan = http.server.HTTPServer(("127.0.0.1", first + 1), _Healthy)
    threading.Thread(target=orphan.serve_forever, daemon=True).start()
    process, pids = _supervisor(tmp_path, "raise SystemExit(1)", first)
    try:
        said, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        said = process.communicate(timeout=30)[0]
        pytest.fail(f"serve-team kept running on a port in use:\n{said}")
    finally:
        orphan.shutdown()
        orphan.server_close()
        for pid in _started(pids):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert process.returncode != 0
    assert f"Port {first + 1} is already in use" in said
    assert "ready;" not in said
    assert _started(pids) == []


def test_nginx_lets_through_an_import_file_as_large_as_the_importer_takes(tmp_path):
    """An 8 MB file got 413 from nginx (6 MB) while the import screen promised 20 MB."""
    config = serve_team.nginx_config(tmp_path, 8501, [8511, 8512])
    [limit] = re.findall(r"client_max_body_size (\d+)m;", config)
    assert int(limit) > serve_team.upload_limit_mb() >= settings.IMPORT_MAX_MB
