"""Secrets and database checks that must pass before anything is served."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

import streamlit as st

from db.settings import MIN_COOKIE_KEY_LENGTH, ROOT

log = logging.getLogger("golden_thread")


class ConfigProblem(RuntimeError):
    """Something in the set-up stops Golden Thread from starting safely; one clear sentence."""


def unreadable_secrets() -> str | None:
    """The first secrets file Streamlit reads that isn't valid TOML (a quote or a bracket left
    out while adding [auth], say), as one sentence: where, and TOML's line and column (never
    what is written there). None when every one that exists can be read."""
    for name in st.get_option("secrets.files") or []:
        path = Path(name).expanduser()
        if not path.is_file():
            continue
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            shown = path.name
            if path.resolve().is_relative_to(ROOT):
                shown = str(path.resolve().relative_to(ROOT))
            where = re.search(r"at line \d+, column \d+", str(error))
            return (
                f"The settings file {shown} can't be read"
                f"{f' (the mistake is {where.group(0)})' if where else ''}, so the login "
                f"cookie key can't be read either: correct it there (a missing quote or bracket "
                f"is the usual cause), then reload this page."
            )
    return None


def cookie_key() -> str:
    try:
        key = st.secrets.get("cookie_key", "")
    except (FileNotFoundError, KeyError):
        key = ""
    except Exception:  # a missing or unreadable secrets.toml
        key = ""
    if not key and (problem := unreadable_secrets()):
        raise ConfigProblem(problem)
    if not key:
        raise ConfigProblem(
            "The login cookie key is missing: run `make run` (it creates .streamlit/secrets.toml), "
            "or add cookie_key to .streamlit/secrets.toml."
        )
    if key == "some_key":
        raise ConfigProblem(
            "The login cookie key is the library's public default: set a random "
            "cookie_key in .streamlit/secrets.toml."
        )
    if len(key) < MIN_COOKIE_KEY_LENGTH:
        raise ConfigProblem(
            f"The login cookie key is too short: use at least "
            f"{MIN_COOKIE_KEY_LENGTH} random characters."
        )
    return key


def stop_with(problem: str) -> None:
    """Shows one sentence, logs it, and stops the run: never a stack trace."""
    log.error(problem)
    st.error(problem)
    st.stop()
