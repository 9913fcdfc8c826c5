"""Service jargon and everyday alternatives. The list lives in plain_language.csv so a team
can extend it without touching code. Nothing is ever blocked: a worker sees a kind suggestion."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from sqlmodel import col, select

from db.rules.validation import checked
from db.store.engine import read_session, write_session
from db.store.models import HintSeen, Worker

GLOSSARY_FILE = Path(__file__).with_name("plain_language.csv")


# The glossary's languages besides English: a `term_<language>` and `suggestion_<language>`
# column each, so a worker writing in Welsh is nudged away from Welsh jargon, in Welsh.
GLOSSARY_LANGUAGES = ("cy", "ur")


def _rows() -> list[dict[str, str]]:
    with GLOSSARY_FILE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _terms_of(row: dict[str, str]) -> list[tuple[str, str]]:
    """(term, suggestion) for English and every language the row fills in; a language's
    suggestion left empty falls back to the English one."""
    pairs = [(row["term"].strip(), row["suggestion"].strip())]
    for language in GLOSSARY_LANGUAGES:
        term = (row.get(f"term_{language}") or "").strip()
        if term:
            suggestion = (row.get(f"suggestion_{language}") or "").strip()
            pairs.append((term, suggestion or row["suggestion"].strip()))
    return pairs


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    """Every listed term, in every language of the list, with its kind suggestion."""
    return {term: suggestion for row in _rows() for term, suggestion in _terms_of(row)}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    terms = sorted(glossary(), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def never_anywhere() -> frozenset[str]:
    """Terms no screen, document or demo record of Golden Thread ever uses, in any language."""
    return frozenset(
        term
        for row in _rows()
        if row.get("never_anywhere", "").strip().lower() == "yes"
        for term, _suggestion in _terms_of(row)
    )


def terms_in(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """Listed terms found in the text, each once, as listed in the glossary. 'LAC' counts only
    in capitals, so the word 'lac' in a name doesn't trigger it. A term inside one of the
    `allowed` words (a team's own words for its family meetings, workers and plans, which
    never include a term no one uses) is the team's choice, not a slip."""
    chosen = " | ".join(allowed).lower()
    found: list[str] = []
    by_lower = {t.lower(): t for t in glossary()}
    for match in _pattern().finditer(text or ""):
        term = by_lower[match.group(0).lower()]
        if term.isupper() and match.group(0) != term:
            continue
        if term.lower() in chosen and term not in never_anywhere():
            continue
        if term not in found:
            found.append(term)
    return found


@checked
def hints_to_show(worker_id: int, texts: list[str]) -> list[tuple[str, str]]:
    """The suggestions this worker hasn't seen yet for the terms in what they just saved;
    each term is shown once per worker, and never if they turned hints off."""
    terms = [t for text in texts for t in terms_in(text)]
    if not terms:
        return []
    with write_session() as session:
        worker = session.get(Worker, worker_id)
        if worker is None or not worker.plain_language_hints:
            return []
        seen = set(
            session.exec(select(col(HintSeen.term)).where(col(HintSeen.worker_id) == worker_id))
        )
        fresh = [t for t in dict.fromkeys(terms) if t not in seen]
        for term in fresh:
            session.add(HintSeen(worker_id=worker_id, term=term))
    return [(term, glossary()[term]) for term in fresh]


@checked
def set_hints(worker_id: int, on: bool) -> None:
    with write_session() as session:
        worker = session.get(Worker, worker_id)
        if worker is None:
            return
        worker.plain_language_hints = bool(on)
        session.add(worker)


def hints_on(worker_id: int) -> bool:
    with read_session() as session:
        worker = session.get(Worker, worker_id)
        return bool(worker and worker.plain_language_hints)
