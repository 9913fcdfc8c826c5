"""Secrets and database checks that must pass before anything is served."""

from __future__ import annotations

import logging

import streamlit as st

from db.settings import MIN_COOKIE_KEY_LENGTH

log = logging.getLogger("golden_thread")


class ConfigProblem(RuntimeError):
    """Something in the set-up stops Golden Thread from starting safely; one clear sentence."""


def cookie_key() -> str:
    try:
        key = st.secrets.get("cookie_key", "")
    except (FileNotFoundError, KeyError):
        key = ""
    except Exception:  # a missing or unreadable secrets.toml
        key = ""
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
