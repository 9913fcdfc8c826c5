"""Several app servers on one PostgreSQL: `make serve-team` (REPLICAS=2 by default).

    python -m deploy.serve_team [--replicas 2] [--port 8501] [--first-replica-port 8511]

Starts REPLICAS `streamlit run app.py` processes, each on its own loopback port, and Debian's
nginx in front of them on one port, all as the current user (nginx runs in the foreground with
its own prefix, config, pid and temp folders under a private folder; no system service). It
then watches them: a replica that exits, or stops answering its health check, is started again
on the same port, and so is nginx.

How nginx routes (sticky sessions behind one loopback address). A Streamlit session lives in
one process's memory for as long as its WebSocket is open, and so do its uploads
(`/_stcore/upload_file/<session>`) and downloads (`/media/…`), so a browser's requests must
reach the replica that holds its session. `ip_hash` would send every browser on one machine (or
behind one council proxy) to the same replica; instead the route cookie (`gt_replica`) names a
replica (`r1`, `r2`, …), and each replica has its own upstream in nginx: that replica, with the
others as backups. A browser without the cookie is given a replica at random; the cookie is then
set from the replica that actually answered (`$upstream_addr`) on its first contact and on every
WebSocket handshake, so the cookie follows the session.

A replica that dies: its port refuses connections, nginx sends the request to a backup
(`proxy_next_upstream error timeout`) and counts the replica out for `fail_timeout`
(`max_fails=1`). A tab that was on it reconnects its WebSocket to another replica, is logged
straight back in by its re-login cookie (nothing a worker saved lives only in a replica's
memory: every save is in the database before the screen says so), and the WebSocket's answer
moves the route cookie there, so its uploads and downloads go there too, also once the dead
replica is back. Browsers whose cookie names the returned replica go back to it.

How it is watched. Ctrl-C or SIGTERM at any moment, from before the first process starts,
stops every process. It refuses to start when one of its ports is already in use (an earlier
run's leftover would answer the health checks in place of this run's replicas). A replica that
exits, stops answering `/_stcore/health` for UNHEALTHY_CHECKS checks in a row, or never answers
after starting is started again, and so is nginx when it exits: at once if it had been running
a while, otherwise after 1, 2, 4, 8 s; after GIVE_UP_AFTER quick failures in a row it stops
everything and exits with the end of that process's log.

Every replica shares one Streamlit cookie secret (Streamlit signs its XSRF cookie with it; a
different secret per process would make a form upload sent to the wrong replica fail), made
fresh for each `serve-team` run.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ROUTE_COOKIE = "gt_replica"
HEALTH_EVERY_S = 2.0
FAIL_TIMEOUT_S = 10  # how long nginx leaves a replica out after a failed connection
UNHEALTHY_CHECKS = 5  # a replica that stops answering this many checks in a row is restarted
START_TIMEOUT_S = 90.0  # a replica that has not answered this long after starting is restarted
QUICK_FAILURE_S = 60.0  # failing sooner than this after starting (or before answering) is quick
FIRST_BACKOFF_S = 1.0  # after quick failures in a row, wait 1, 2, 4, 8… s before starting again
MAX_BACKOFF_S = 30.0
GIVE_UP_AFTER = 5  # quick failures in a row after which serve-team stops, saying why

# The headers README.md ("Headers a deployment must send") asks the proxy to add.
SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'; connect-src 'self' ws: wss:; "
        "frame-ancestors 'self'",
    ),
    # SAMEORIGIN, not DENY: Streamlit draws components (the re-login cookie's writer among
    # them) in frames of the app's own pages; with DENY no login survives a reload.
    ("X-Frame-Options", "SAMEORIGIN"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
]


def replica_name(n: int) -> str:
    """Replica n's name in the route cookie (n from 0)."""
    return f"r{n + 1}"


def upload_limit_mb() -> int:
    """Streamlit's upload limit (server.maxUploadSize in .streamlit/config.toml, in MB): the
    importer's file, the one upload, must reach Streamlit to be judged there."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return int(config["server"]["maxUploadSize"])


def nginx_config(folder: Path, port: int, replica_ports: list[int]) -> str:
    names = [replica_name(n) for n in range(len(replica_ports))]
    # One upstream per replica: that replica, the others only as backups while it is down.
    upstreams = "\n".join(
        f"    upstream gt_{name} {{\n"
        f"        server 127.0.0.1:{own} max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s;\n"
        + "".join(
            f"        server 127.0.0.1:{other} backup max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s;\n"
            for other in replica_ports
            if other != own
        )
        + "    }"
        for name, own in zip(names, replica_ports, strict=True)
    )
    share = f"{100 / len(names):.2f}%"
    new_route = "\n".join(
        f"        {'*' if n == len(names) - 1 else share} gt_{name};"
        for n, name in enumerate(names)
    )
    known_routes = "\n".join(f"        {name} gt_{name};" for name in names)
    routes_known = "\n".join(f"        {name} 1;" for name in names)
    served_by = "\n".join(
        f'        "~(^|\\s)127\\.0\\.0\\.1:{own}$" {name};'
        for name, own in zip(names, replica_ports, strict=True)
    )
    headers = "\n".join(
        f'        add_header {name} "{value}" always;' for name, value in SECURITY_HEADERS
    )
    return f"""# Written by deploy/serve_team.py for this run; not a system service.
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size {upload_limit_mb() + 1}m;  # a little above Streamlit's own limit

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

{upstreams}

    # A browser's route: the replica its cookie names, or on first contact one picked by a
    # fresh random id (each replica an equal share).
    split_clients "$request_id" $new_route {{
{new_route}
    }}
    map $cookie_{ROUTE_COOKIE} $route {{
{known_routes}
        default $new_route;
    }}
    map $cookie_{ROUTE_COOKIE} $route_known {{
{routes_known}
        default 0;
    }}
    # The replica that answered (the last address nginx tried).
    map $upstream_addr $served_by {{
{served_by}
        default '';
    }}
    # The cookie follows the replica that holds the session: it is set from the replica that
    # answered the WebSocket (a tab that reconnected to another replica moves its uploads and
    # downloads there too), and on a browser's first contact. Other requests leave it alone,
    # so one that was sent elsewhere for a moment does not move the browser off its session.
    map "$route_known$http_upgrade" $sets_route {{
        1       0;
        default 1;
    }}
    map "$sets_route$served_by" $route_cookie {{
        "~^1(?<name>r[0-9]+)$" "{ROUTE_COOKIE}=$name; Path=/; HttpOnly; SameSite=Lax";
        default '';
    }}

    server {{
        listen 127.0.0.1:{port};
        server_tokens off;
        add_header Set-Cookie $route_cookie always;
{headers}

        location / {{
            proxy_pass http://$route;
            proxy_http_version 1.1;
            # The address as the browser wrote it, port included: Streamlit refuses a WebSocket
            # whose Origin does not match the Host it is given.
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;
            proxy_read_timeout 1d;   # a WebSocket sits quiet through a long family meeting
            proxy_send_timeout 1d;
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout http_502 http_503;
        }}
    }}
}}
"""


class TeamProblem(RuntimeError):
    """serve-team cannot go on; the message says why, in plain words."""


def restart_delay(quick_failures: int) -> float:
    """How long to wait before starting a child again: at once after a failure that was not
    quick (it had been running a while), then 1, 2, 4, 8… s after quick failures in a row."""
    if quick_failures <= 0:
        return 0.0
    return min(FIRST_BACKOFF_S * 2 ** (quick_failures - 1), MAX_BACKOFF_S)


def ports_in_use(ports: list[int]) -> list[int]:
    """The ports among `ports` that something on this machine already listens on."""
    taken = []
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx and Tornado
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                taken.append(port)
    return taken


@dataclass
class Child:
    name: str
    command: list[str]
    log: Path
    env: dict[str, str]
    health_url: str | None = None
    process: subprocess.Popen | None = None
    restarts: int = 0
    failed_checks: int = 0
    healthy_once: bool = False
    started_at: float = 0.0
    quick_failures: int = 0  # failures soon after starting, in a row
    restart_at: float | None = None  # when it is down and waiting to be started again

    def start(self, now: float | None = None) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal reaches the supervisor only
            )
        self.failed_checks = 0
        self.healthy_once = False
        self.started_at = time.monotonic() if now is None else now
        self.restart_at = None

    def healthy(self) -> bool:
        if self.health_url is None:
            return True
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log_tail(self, characters: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-characters:]
        except OSError:
            return ""


@dataclass
class Team:
    """The replicas and nginx, started and watched by one supervisor."""

    replicas: int = 2
    port: int = 8501
    first_replica_port: int = 8511
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="gt-team-")))
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    children: list[Child] = field(default_factory=list)
    quiet: bool = False
    streamlit_args: list[str] = field(default_factory=list)  # e.g. --secrets.files=… in tests
    clock: Callable[[], float] = time.monotonic
    stopping: bool = False  # set by SIGINT or SIGTERM

    @property
    def replica_ports(self) -> list[int]:
        return [self.first_replica_port + n for n in range(self.replicas)]

    def replica(self, n: int) -> Child:
        return self.children[n]

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"serve-team: {message}", flush=True)

    def stop_on_signals(self) -> None:
        """Ctrl-C or SIGTERM, at any moment from here on, ends the run and every process in
        it (main() stops them on its way out)."""

        def stop(_signal, _frame) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def start(self) -> None:
        taken = ports_in_use([self.port, *self.replica_ports])
        if taken:
            listed = ", ".join(map(str, taken))
            raise TeamProblem(
                f"Port{'s' if len(taken) > 1 else ''} {listed} "
                f"{'are' if len(taken) > 1 else 'is'} already in use, perhaps by an earlier "
                f"serve-team that was not stopped. Stop what is using "
                f"{'them' if len(taken) > 1 else 'it'} (`ss -ltnp` shows which process), or "
                f"choose other ports with PORT=… and REPLICA_PORT=…. Nothing was started."
            )
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / temp).mkdir(parents=True, exist_ok=True)
        config = self.folder / "nginx.conf"
        config.write_text(nginx_config(self.folder, self.port, self.replica_ports))
        env = {
            **self.env,
            "PYTHONUNBUFFERED": "1",
            "STREAMLIT_SERVER_COOKIE_SECRET": self.env.get("STREAMLIT_SERVER_COOKIE_SECRET")
            or secrets.token_urlsafe(48),
        }
        for n, replica_port in enumerate(self.replica_ports):
            self.children.append(
                Child(
                    name=f"replica {n + 1} (port {replica_port})",
                    command=streamlit_command(replica_port) + self.streamlit_args,
                    log=self.folder / f"replica-{n + 1}.log",
                    env=env,
                    health_url=f"http://127.0.0.1:{replica_port}/_stcore/health",
                )
            )
        self.children.append(
            Child(
                name=f"nginx (port {self.port})",
                command=[NGINX, "-e", "stderr", "-p", str(self.folder), "-c", str(config)],
                log=self.folder / "nginx.log",
                env=env,
            )
        )
        check = subprocess.run(
            [NGINX, "-e", "stderr", "-t", "-q", "-p", str(self.folder), "-c", str(config)],
            capture_output=True,
            text=True,
        )
        if check.returncode != 0:
            raise TeamProblem(f"nginx refused the configuration:\n{check.stderr}")
        for child in self.children:
            child.start(self.clock())
        self.say(
            f"{self.replicas} replicas on ports {', '.join(map(str, self.replica_ports))}, "
            f"nginx on http://127.0.0.1:{self.port} (logs in {self.folder})"
        )

    def wait_until_answering(self, timeout: float = START_TIMEOUT_S) -> bool:
        """True once every child answers; False if a signal asked to stop meanwhile."""
        deadline = time.monotonic() + timeout
        for child in self.children:
            while not child.healthy():
                if self.stopping:
                    return False
                if child.process is not None and child.process.poll() is not None:
                    raise TeamProblem(f"{child.name} stopped:\n{child.log_tail()}")
                if time.monotonic() > deadline:
                    raise TeamProblem(
                        f"{child.name} did not answer within {timeout:.0f} s:\n{child.log_tail()}"
                    )
                time.sleep(0.3)
            child.healthy_once = True
        return not self.stopping

    def check_once(self) -> None:
        """Starts again any child that has exited, a replica that stopped answering, and one
        that never answered after starting; quick failures in a row wait longer each time
        (`restart_delay`), and after GIVE_UP_AFTER of them this raises TeamProblem."""
        for child in self.children:
            now = self.clock()
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.start(now)
                continue
            process = child.process
            if process is not None and process.poll() is not None:
                self._failed(child, f"exited ({process.returncode})", now)
                continue
            if child.health_url is None:
                continue
            if child.healthy():
                child.healthy_once, child.failed_checks = True, 0
            elif child.healthy_once:
                child.failed_checks += 1
                if child.failed_checks >= UNHEALTHY_CHECKS:
                    child.stop()
                    self._failed(child, "stopped answering", now)
            elif now - child.started_at > START_TIMEOUT_S:
                child.stop()
                self._failed(
                    child, f"did not answer within {START_TIMEOUT_S:.0f} s of starting", now
                )

    def _failed(self, child: Child, what: str, now: float) -> None:
        quick = now - child.started_at < QUICK_FAILURE_S or (
            child.health_url is not None and not child.healthy_once
        )
        child.quick_failures = child.quick_failures + 1 if quick else 0
        if child.quick_failures >= GIVE_UP_AFTER:
            raise TeamProblem(
                f"{child.name} {what}. It has failed soon after starting {child.quick_failures} "
                f"times in a row, so serve-team is giving up and stopping everything. The end "
                f"of its log ({child.log}):\n{child.log_tail()}"
            )
        child.restarts += 1
        delay = restart_delay(child.quick_failures)
        if delay:
            self.say(f"{child.name} {what}; starting it again in {delay:.0f} s")
            child.restart_at = now + delay
        else:
            self.say(f"{child.name} {what}; starting it again")
            child.start(now)

    def watch(self) -> None:
        """Checks every child every HEALTH_EVERY_S until a signal asks to stop."""
        while not self.stopping:
            self.check_once()
            deadline = time.monotonic() + HEALTH_EVERY_S
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(0.2)

    def stop(self) -> None:
        for child in reversed(self.children):  # nginx first, so no request meets a dead replica
            child.stop()


def server_options(port: int) -> list[str]:
    """How a replica, a benchmark or a test server runs: on this machine only, with no browser
    of its own and no file watcher (others edit the code meanwhile: no "source changed,
    rerun?" mid-run)."""
    return [
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.runOnSave",
        "false",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]


def streamlit_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", "app.py", *server_options(port)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.serve_team",
        description=(
            "Several app servers on the PostgreSQL in DATABASE_URL (make serve-team): REPLICAS "
            "Streamlit processes, each on its own loopback port, behind Debian's nginx on "
            "PORT, watched and restarted. Ctrl-C stops every process. See README.md, "
            '"Several app servers".'
        ),
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=int(os.environ.get("REPLICAS", 2)),
        help="how many Streamlit processes (REPLICAS, default 2)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", 8501)),
        help="nginx's port, the address people open (PORT, default 8501)",
    )
    parser.add_argument(
        "--first-replica-port",
        type=int,
        default=int(os.environ.get("REPLICA_PORT", 8511)),
        help="the first replica's port; the next ones follow it (REPLICA_PORT, default 8511)",
    )
    args = parser.parse_args(argv)
    if args.replicas < 1:
        raise SystemExit("REPLICAS must be at least 1")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit(
            "serve-team runs several app servers on one PostgreSQL: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgresql+psycopg://golden_thread_app@127.0.0.1:5432/golden_thread"
        )
    team = Team(args.replicas, args.port, args.first_replica_port)
    # From before the first process starts until the last is stopped: a Ctrl-C or SIGTERM at
    # any moment, a replica that never answers, or giving up on one, leaves nothing running.
    team.stop_on_signals()
    try:
        team.start()
        if team.wait_until_answering():
            team.say("ready; Ctrl-C stops every process")
            team.watch()
    except TeamProblem as problem:
        raise SystemExit(f"serve-team: {problem}") from problem
    finally:
        if team.children:
            team.say("stopping every process")
        team.stop()


if __name__ == "__main__":
    main()
