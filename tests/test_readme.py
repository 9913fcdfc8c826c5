"""README.md and BENCHMARKS.md are a newcomer's first day: every command they name runs, every
setting they name is read under that name, and "How it is built" names every module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = README + (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
BUILT = README.split("## How it is built", 1)[1].split("```", 2)[1]

# Capitals in backticks that are words of a protocol or a file, not settings.
NOT_SETTINGS = {"COPY", "DENY", "LICENSE", "PUBLIC", "SAMEORIGIN"}


def _code() -> str:
    files = [ROOT / "app.py", ROOT / "Makefile"]
    for folder in ("db", "components", "pages", "deploy", "bench", "tests"):
        files += sorted((ROOT / folder).rglob("*.py"))
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def test_the_first_two_commands_are_make_run_and_make_test():
    block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0].startswith("make run ") and block[1].startswith("make test ")


def test_every_make_target_named_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):", makefile, re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][a-z0-9-]*)", DOCS))
    named |= set(re.findall(r"^make ([a-z][a-z0-9-]*)", DOCS, re.MULTILINE))
    assert named and named <= targets, named - targets


def test_every_python_m_command_named_exists():
    for module in set(re.findall(r"python -m ([a-z_][a-z0-9_.]*[a-z0-9_])", DOCS)):
        path = ROOT.joinpath(*module.split("."))
        assert path.with_suffix(".py").is_file() or (path / "__main__.py").is_file(), module


def test_every_setting_named_is_read_under_that_name():
    code = _code()
    named = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", DOCS)) - NOT_SETTINGS
    assert {"DATABASE_URL", "GOLDEN_THREAD_LOGIN", "STREAMLIT_SERVER_PORT"} <= named
    assert [name for name in sorted(named) if name not in code] == []


@pytest.mark.parametrize(
    "folder", ["db", "db/store", "db/rules", "db/importer", "db/ops", "deploy"]
)
def test_how_it_is_built_names_every_module(folder):
    """Every module of db/ (and of the store, the rules, the importer, operations and deploy)
    is named in "How it is built", by its file or its own name."""
    where = ROOT / folder
    names = {
        path.stem if path.is_file() else path.name
        for path in where.iterdir()
        if (path.suffix in (".py", ".sh") or (path / "__init__.py").exists())
        and not path.name.startswith("__")
    }
    missing = [name for name in sorted(names) if not re.search(rf"\b{re.escape(name)}\b", BUILT)]
    assert missing == []
