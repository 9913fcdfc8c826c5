"""Run by `make run` before Streamlit starts: is the port it will serve on free?

Streamlit alone says only "Port 8501 is not available" and stops. This says what to do: the
usual cause is Golden Thread already running from an earlier `make run`.

    python -m deploy.port_check        # the port in STREAMLIT_SERVER_PORT, or 8501
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "127.0.0.1"  # .streamlit/config.toml's server.address


def is_free(port: int, address: str = DEFAULT_ADDRESS) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Streamlit does
        try:
            probe.bind((address, port))
        except OSError:
            return False
        return True


def port_problem(port: int, address: str = DEFAULT_ADDRESS) -> str | None:
    """None when `port` can be served on at `address`, else one sentence saying what to do."""
    if is_free(port, address):
        return None
    spare = next((p for p in range(port + 1, port + 50) if is_free(p, address)), port + 1)
    return (
        f"Port {port} is already in use, perhaps by Golden Thread started earlier (open "
        f"http://127.0.0.1:{port}) or by another program (`ss -ltnp` shows which). Stop it, "
        f"or serve on another port: STREAMLIT_SERVER_PORT={spare} make run"
    )


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m deploy.port_check", description=__doc__).parse_args(
        argv
    )
    port = int(os.environ.get("STREAMLIT_SERVER_PORT") or DEFAULT_PORT)
    address = os.environ.get("STREAMLIT_SERVER_ADDRESS") or DEFAULT_ADDRESS
    problem = port_problem(port, address)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
