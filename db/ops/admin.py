"""The command line for a new database's first admin (asks for the password without showing it).

python -m db.ops.admin create-admin            # the first admin of a new, empty database
python -m db.ops.admin create-admin --another  # one more admin when workers already exist
python -m db.ops.admin create-admin --email alex@council.example  # who signs in with single
                                               # sign-on (GOLDEN_THREAD_LOGIN=oidc) as this admin
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlmodel import col, select

from db.admin import create_admin
from db.rules.validation import Invalid
from db.store.engine import plain_database_errors, read_session
from db.store.models import Worker


def main(argv: list[str] | None = None, *, ask=input, ask_secret=getpass.getpass) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m db.ops.admin", description="Golden Thread administration."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="create an admin (asks for the password)")
    create.add_argument(
        "--another", action="store_true", help="add an admin even though workers already exist"
    )
    create.add_argument(
        "--email", default="", help="their work email, for single sign-on (GOLDEN_THREAD_LOGIN)"
    )
    args = parser.parse_args(argv)
    from db.store.migrate import upgrade_to_head

    upgrade_to_head()
    if not args.another:
        with read_session() as session:
            if session.exec(select(col(Worker.id))).first() is not None:
                print(
                    "This database already has workers, so no admin was created. Run again "
                    "with --another to add one more admin.",
                    file=sys.stderr,
                )
                return 1
    try:
        name = ask("Your name: ")
        username = ask("Username: ")
        password = ask_secret("Password (at least 12 characters, not shown): ")
        again = ask_secret("The same password again: ")
    except (EOFError, KeyboardInterrupt):
        print(
            "\nNothing was created: create-admin asks for a name, a username and the password "
            "twice, so run it in a terminal.",
            file=sys.stderr,
        )
        return 1
    if password != again:
        print("The two passwords don't match; nothing was created.", file=sys.stderr)
        return 1
    try:
        create_admin(
            name=name, username=username, password=password, another=args.another, email=args.email
        )
    except Invalid as problem:
        print(f"{problem} Nothing was created.", file=sys.stderr)
        return 1
    print(f"Admin {username.strip().lower()} created. Start Golden Thread and log in.")
    return 0


if __name__ == "__main__":
    with plain_database_errors():
        sys.exit(main())
