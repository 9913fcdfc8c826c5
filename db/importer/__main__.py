"""`python -m db.importer FILE --team NAME --as USERNAME`: brings a team's records in from a
CSV or .xlsx file, as the import page does — a preview first (counts and every problem), then,
after "yes" (or --yes), everything in one transaction or nothing. The worker named with --as
must be an admin or a manager who leads the team; the import is audited under their name."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import Callable, TypeVar

from sqlmodel import col, select

from db.importer import KIND_WORDS, import_records, preview_import
from db.rules.access import Actor, NotAllowed, load_actor
from db.rules.validation import Invalid
from db.store.engine import plain_database_errors, read_session
from db.store.models import Team

T = TypeVar("T")


def _bar(fraction: float, words: str) -> None:
    filled = int(fraction * 30)
    print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {words:<40}", end="")
    if fraction >= 1:
        print()


def _run(step: Callable[..., T], *, actor: Actor, **file) -> T | None:
    """The preview, or the import itself, with the progress bar; what stopped it is printed
    (and None returned)."""
    try:
        return step(actor, **file, on_progress=_bar)
    except (Invalid, NotAllowed) as problem:
        print(f"\n{problem}", file=sys.stderr)
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.importer", description=__doc__)
    parser.add_argument("file", type=Path, help="a .csv (UTF-8, commas) or .xlsx file")
    parser.add_argument("--team", required=True, help="the team's name, as on Workers and teams")
    parser.add_argument("--as", dest="username", required=True, help="your username")
    parser.add_argument("--yes", action="store_true", help="bring it in without asking")
    arguments = parser.parse_args(argv)

    with read_session() as session:
        actor = load_actor(session, arguments.username)
        team_id = session.exec(select(col(Team.id)).where(col(Team.name) == arguments.team)).first()
    if actor is None:
        print(f"No active worker has the username {arguments.username!r}.", file=sys.stderr)
        return 2
    if team_id is None:
        print(f"No team is called {arguments.team!r}.", file=sys.stderr)
        return 2
    try:
        data = arguments.file.read_bytes()
    except OSError as error:
        print(f"Can't read {arguments.file}: {error.strerror}.", file=sys.stderr)
        return 2
    run = partial(_run, actor=actor, team_id=team_id, data=data, file_name=arguments.file.name)
    preview = run(preview_import)
    if preview is None:
        return 1
    print(f"{preview.rows_read:,} rows read.")
    for kind, count in preview.counts.items():
        print(f"  {count:>7,} {KIND_WORDS[kind].small()} to add")
    if preview.already_here:
        print(f"  {preview.already_here:>7,} families already here (left as they are)")
    if not preview.problems.empty:
        print(f"\n{len(preview.problems):,} problems to fix first (nothing was brought in):")
        for row, column, reason in preview.problems.head(200).itertuples(index=False):
            print(f"  row {row}, {column}: {reason}")
        if len(preview.problems) > 200:
            print(f"  … and {len(preview.problems) - 200:,} more.")
        return 1
    if not preview.counts["families"]:
        print("Nothing new to bring in.")
        return 0
    if not arguments.yes:
        if not sys.stdin.isatty():  # a script or a scheduled job: nobody can answer
            print(
                "Nothing was brought in: run it again with --yes to bring these in without "
                "being asked.",
                file=sys.stderr,
            )
            return 2
        if input("Bring these in? Type yes: ").strip().lower() != "yes":
            print("Nothing was brought in.")
            return 1
    done = run(import_records)
    if done is None:
        return 1
    print(f"Brought in {done.counts['families']:,} families.")
    return 0


if __name__ == "__main__":
    with plain_database_errors():
        sys.exit(main())
