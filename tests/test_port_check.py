"""`make run` on a port already in use: Streamlit alone says "Port 8501 is not available"
and nothing about what to do; deploy/port_check.py, run first, says it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from deploy import port_check

ROOT = Path(__file__).resolve().parent.parent


def _check(port: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deploy.port_check"],
        cwd=ROOT,
        env={**os.environ, "STREAMLIT_SERVER_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_port_in_use_is_named_with_what_to_do_and_a_free_one():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        said = _check(port)
        assert said.returncode == 1
        assert f"Port {port} is already in use" in said.stderr
        assert "Golden Thread started earlier" in said.stderr
        suggested = int(said.stderr.rsplit("STREAMLIT_SERVER_PORT=", 1)[1].split()[0])
        assert suggested != port and port_check.is_free(suggested)


def test_a_free_port_passes_quietly():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    said = _check(port)
    assert said.returncode == 0 and said.stderr == ""


def test_make_run_checks_the_port_before_anything_else():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    steps = [line.strip().lstrip("@") for line in recipe.splitlines()[1:]]
    assert steps[0] == "$(PY) -m deploy.port_check"
    assert steps[-1].startswith("$(VENV)/bin/streamlit run app.py")
