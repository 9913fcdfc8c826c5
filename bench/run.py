"""The benchmark: every page of the app, through AppTest, on each tier's data.

    python -m bench.run --tiers demo,small,large --reruns 30
    make bench BENCH_ARGS="--tiers demo --reruns 5"

For each tier it makes (or reuses) the tier's database under data/bench/, keyed by tier, seed
and a hash of the generator, brings it to the latest migration, then opens every page in
components.pages.PAGES as a logged-in worker (practitioner pages as a practitioner, manager
pages as `manager`, admin pages as `admin`) and reruns it many times. In the same rounds it
measures the floor: the same app shell around bench/floor_page.py, which draws nothing. Rounds
interleave the pages, so a noisy moment on the machine lands on every page alike.

It prints each page's median, p95 and ratio to the floor, the family page's large/small ratio,
peak memory and the machine, and writes the figures to bench/results/latest.json. It is a
benchmark, not a test: misses are reported, never failed on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# Before anything reads db.settings: a long run must not be logged out as idle.
os.environ.setdefault("IDLE_MINUTES", "600")

from bench.generate import peak_rss_mb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FLOOR_PAGE = "bench/floor_page.py"
FLOOR_URL = "bench-floor"
FAMILY_PAGE = "pages/family.py"
PAGE_LIMIT = 5.0  # every page on large: at most this many times the floor
FAMILY_LIMIT = 1.3  # a family's page on large: at most this many times its cost on small


# --- the tiers' databases ----------------------------------------------------------------


def generator_version() -> str:
    """Changes whenever the generator changes, so a cached database is never stale."""
    return hashlib.sha256((ROOT / "db" / "ops" / "demo.py").read_bytes()).hexdigest()[:10]


def tier_database(
    tier: str, seed: int, cache: Path, families: int | None = None
) -> tuple[Path, dict]:
    """The tier's database, generated once (in a child process) and reused afterwards."""
    scaled = f"-f{families}" if families else ""
    path = cache / f"{tier}{scaled}-s{seed}-g{generator_version()}.db"
    meta_path = path.with_suffix(".json")
    if not (path.exists() and meta_path.exists()):
        print(f"Generating the {tier} tier (seed {seed}) into {path} ...", flush=True)
        command = [
            sys.executable,
            "-m",
            "bench.generate",
            "--tier",
            tier,
            "--seed",
            str(seed),
            "--out",
            str(path),
        ]
        if families:
            command += ["--families", str(families)]
        subprocess.run(command, check=True, cwd=ROOT)
    meta = json.loads(meta_path.read_text())
    meta["cached_at"] = time.strftime("%Y-%m-%d", time.gmtime(path.stat().st_mtime))
    return path, meta


def use_database(path: Path) -> None:
    """Points the app (and db/) at this database, migrated to head, with caches emptied."""
    import streamlit as st

    from db.store.cache import clear_every_cache
    from db.store.engine import get_engine
    from db.store.migrate import upgrade_to_head

    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    get_engine.cache_clear()
    upgrade_to_head(get_engine())
    clear_every_cache()
    st.cache_data.clear()
    st.cache_resource.clear()


# --- who to log in as, and which family to open ------------------------------------------


def typical_practitioner(tier: str) -> str:
    """`practitioner` on the small tiers; on large, the practitioner (not a manager) whose
    number of open families they lead is the median of all such practitioners."""
    if tier != "large":
        return "practitioner"
    from sqlalchemy import text

    from db.store.engine import get_engine

    with get_engine().connect() as connection:
        rows = connection.execute(
            text("""
            SELECT w.username, COUNT(DISTINCT f.id) AS families
            FROM worker w
            JOIN workerrole r ON r.worker_id = w.id AND r.role = 'practitioner'
            LEFT JOIN workerrelationship wr ON wr.worker_id = w.id AND wr.ended_on IS NULL
            LEFT JOIN family f ON f.id = wr.family_id AND f.status != 'closed'
            WHERE w.is_active AND NOT EXISTS (
                SELECT 1 FROM workerrole m WHERE m.worker_id = w.id AND m.role != 'practitioner')
            GROUP BY w.id ORDER BY families, w.id""")
        ).all()
    return rows[len(rows) // 2][0]


def typical_family(username: str) -> tuple[int, int, int]:
    """A family this worker may open that we work with now, with a record of typical size (the
    nearest to MEETINGS_PER_FAMILY meetings and SCORES_PER_FAMILY scores), so the family page
    compares like with like across tiers: (family id, meetings, scores)."""
    from sqlalchemy import text

    from db.ops.demo import MEETINGS_PER_FAMILY, SCORES_PER_FAMILY
    from db.store.engine import get_engine

    with get_engine().connect() as connection:
        rows = connection.execute(
            text("""
            SELECT f.id,
                   (SELECT COUNT(*) FROM meeting m WHERE m.family_id = f.id) AS meetings,
                   (SELECT COUNT(*) FROM goalscore s JOIN goal g ON g.id = s.goal_id
                     WHERE g.family_id = f.id) AS scores
            FROM family f
            JOIN workerteam wt ON wt.team_id = f.team_id
            JOIN worker w ON w.id = wt.worker_id AND w.username = :username
            WHERE f.status = 'working_together' AND f.erased_at IS NULL"""),
            {"username": username},
        ).all()
    if not rows:
        raise SystemExit(f"{username} has no family we work with: cannot open the family page")
    family_id, meetings, scores = min(
        rows,
        key=lambda r: (
            abs(r[1] - MEETINGS_PER_FAMILY) / MEETINGS_PER_FAMILY
            + abs(r[2] - SCORES_PER_FAMILY) / SCORES_PER_FAMILY,
            r[0],
        ),
    )
    return family_id, meetings, scores


def user_for(roles) -> str:
    """The demo login for a page: practitioner first, then the page's first listed role."""
    from db.store.models import Role

    if Role.practitioner in roles:
        return "practitioner"
    return {Role.manager: "manager", Role.admin: "admin", Role.family_member: "family"}[roles[0]]


# --- running pages -----------------------------------------------------------------------


@dataclass
class PageRun:
    name: str
    path: str
    user: str
    first_ms: float = 0.0
    times_ms: list[float] = field(default_factory=list)
    problem: str = ""  # why the page did not render (then it is not timed)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms) or [float("nan")]
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _with_floor_page():
    """The app's own navigation with the empty floor page appended (bench runs only).

    Also keeps every run going through app.py: AppTest (streamlit 1.67) resets
    PagesManager.uses_pages_directory to None on every run, and the PagesManager it then makes
    sets it to True because pages/ exists, so after switch_page() a page under pages/ would run
    on its own, without the app shell (its sidebar comes out empty). Setting the flag once
    before the first run, as tests/apptest.py does, does not hold; this does.

    And keeps compiled page scripts between runs, as a server does (see below)."""
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    from components import pages

    original = pages.pages_for, PagesManager.__init__, app_test.ScriptCache
    # AppTest makes a new ScriptCache on every run, so every rerun re-parses and compiles the
    # page (~35 ms for pages/family.py here); a server compiles a page once. Share one cache.
    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared

    def pages_for(actor):
        return original[0](actor) + [st.Page(FLOOR_PAGE, title="Floor", url_path=FLOOR_URL)]

    def pages_manager_init(self, *args, **kwargs):
        original[1](self, *args, **kwargs)
        PagesManager.uses_pages_directory = False  # as on a server once app.py has run

    pages.pages_for = pages_for
    PagesManager.__init__ = pages_manager_init
    return original


def _restore(original) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    from components import pages

    # Undoing _with_floor_page's monkeypatch: mypy rightly dislikes assigning to methods.
    pages.pages_for, PagesManager.__init__, app_test.ScriptCache = original  # type: ignore[method-assign,misc]


def _shell_ran(at) -> bool:
    """app.py ran around the page: it draws the sidebar (who is logged in, log out). A family
    member's space has no sidebar; it is reached only through app.py's page list (switch_page
    finds registered pages only), so its own log-out button shows app.py ran."""
    if any(getattr(b, "key", None) == "space_log_out" for b in at.button):
        return True
    return (
        any(getattr(b, "key", None) == "sidebar_log_out" for b in at.sidebar.button)
        if hasattr(at.sidebar, "button")
        else False
    )


def quiet_streamlit() -> None:
    """AppTest outside a server warns about its missing runtime on every run; hush it."""
    import logging

    for name in (
        "streamlit.runtime.scriptrunner_utils.script_run_context",
        "streamlit.runtime.caching.cache_data_api",
        "streamlit.runtime.caching.cache_resource_api",
    ):
        logging.getLogger(name).disabled = True


def _problem(at) -> str | None:
    """Why a run did not draw the page it was meant to, or None."""
    if at.exception:
        return "; ".join(e.message for e in at.exception)
    for element in list(at.info) + list(at.warning):
        words = str(element.value)
        if "Please log in" in words or "isn't available to you" in words:
            return words
    return None


def _open(page: PageRun, family_id: int | None):
    from tests.apptest import logged_in

    at = logged_in(page.user)
    at.run()
    at.switch_page(page.path)
    if page.path == FAMILY_PAGE and family_id is not None:
        at.query_params["family"] = str(family_id)
    started = time.perf_counter()
    at.run()
    page.first_ms = (time.perf_counter() - started) * 1000
    page.problem = _problem(at) or ("" if _shell_ran(at) else "the app shell (app.py) did not run")
    return at


def bench_tier(
    tier: str, reruns: int, warmups: int, family_id: int | None, practitioner: str
) -> list[PageRun]:
    from components.pages import PAGES

    runs = [PageRun("(floor: app shell, empty body)", FLOOR_PAGE, practitioner)]
    for path, title, _icon, _url, roles in PAGES:
        user = user_for(roles)
        runs.append(PageRun(title, path, practitioner if user == "practitioner" else user))
    apps = [_open(page, family_id) for page in runs]
    quiet_streamlit()
    for _ in range(warmups):
        for page, at in zip(runs, apps):
            if not page.problem:
                at.run()
    for _ in range(reruns):
        for page, at in zip(runs, apps):
            if page.problem:
                continue
            started = time.perf_counter()
            at.run()
            page.times_ms.append((time.perf_counter() - started) * 1000)
            page.problem = _problem(at) or ""
    if runs[0].problem:
        raise SystemExit(f"The floor page did not render: {runs[0].problem}")
    return runs


# --- the machine and the report ----------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlalchemy
    import streamlit

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "streamlit": streamlit.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "os": platform.platform(),
    }


def report(results: dict) -> str:
    lines = []
    m = results["machine"]
    lines.append(
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, "
        f"SQLite {m['sqlite']}, streamlit {m['streamlit']}, SQLAlchemy {m['sqlalchemy']}"
    )
    for tier, data in results["tiers"].items():
        g = data["database"]
        counts = g["counts"]
        lines.append("")
        lines.append(
            f"== {tier}: {counts['family']:,} families, {counts['worker']:,} workers, "
            f"{counts['team']:,} teams, {counts['meeting']:,} meetings, "
            f"{counts['goalscore']:,} scores; generated in {g['seconds']:.0f} s "
            f"(peak {g['peak_rss_mb']:.0f} MB, {g['size_mb']:.0f} MB on disk)"
        )
        lines.append(
            f"   as {data['practitioner']} (practitioner pages); family "
            f"{data['family_id']}: {data['family_meetings']} meetings, "
            f"{data['family_scores']} scores; {data['reruns']} reruns per page"
        )
        lines.append(
            f"   {'page':<34} {'as':<14} {'first':>8} {'median':>8} {'p95':>8} {'x floor':>8}"
        )
        floor = data["floor_ms"]
        for page in data["pages"]:
            if page["problem"]:
                lines.append(
                    f"   {page['name']:<34} {page['user']:<14} DID NOT RENDER: "
                    f"{page['problem'][:300]}"
                )
                continue
            ratio = page["median_ms"] / floor
            flag = ""
            if tier == "large" and page["path"] != FLOOR_PAGE and ratio > PAGE_LIMIT:
                flag = f"  MISS (> {PAGE_LIMIT:g}x)"
            lines.append(
                f"   {page['name']:<34} {page['user']:<14} {page['first_ms']:>6.0f}ms "
                f"{page['median_ms']:>6.1f}ms {page['p95_ms']:>6.1f}ms "
                f"{ratio:>7.1f}x{flag}"
            )
    family = results.get("family_large_over_small")
    lines.append("")
    if family is None:
        lines.append("Family page large/small: n/a (run both the small and large tiers)")
    else:
        verdict = "ok" if family <= FAMILY_LIMIT else f"MISS (> {FAMILY_LIMIT:g})"
        relative = results["family_large_over_small_floor_relative"]
        lines.append(
            f"Family page large/small: {family:.2f} ({verdict}); against each tier's "
            f"floor: {relative:.2f}"
        )
    lines.append(
        f"Peak memory: benchmark process {results['peak_rss_mb']:.0f} MB; "
        + ", ".join(
            f"generating {t} {d['database']['peak_rss_mb']:.0f} MB"
            for t, d in results["tiers"].items()
        )
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description="Benchmark every page on each tier's data."
    )
    parser.add_argument("--tiers", default="demo,small", help="comma-separated: demo,small,large")
    parser.add_argument("--reruns", type=int, default=30)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--families", type=int, help="scale every tier to this many families (quick runs only)"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=ROOT / "data" / "bench",
        help="where tier databases are kept (git-ignored)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    args = parser.parse_args(argv)
    tiers = [t.strip() for t in args.tiers.split(",") if t.strip()]
    from db.ops.demo import TIERS

    unknown = [t for t in tiers if t not in TIERS]
    if unknown:
        parser.error(f"unknown tier(s): {', '.join(unknown)}; choose from {', '.join(TIERS)}")

    os.chdir(ROOT)
    quiet_streamlit()
    databases = {t: tier_database(t, args.seed, args.cache, args.families) for t in tiers}
    original = _with_floor_page()
    results: dict = {
        "machine": machine(),
        "reruns": args.reruns,
        "seed": args.seed,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "tiers": {},
    }
    try:
        for tier in tiers:
            path, meta = databases[tier]
            use_database(path)
            practitioner = typical_practitioner(tier)
            family_id, meetings, scores = typical_family(practitioner)
            print(
                f"Benchmarking {tier} as {practitioner} ({args.reruns} reruns a page) ...",
                flush=True,
            )
            runs = bench_tier(tier, args.reruns, args.warmups, family_id, practitioner)
            # Close the tier's database now, so its WAL is folded back in whatever order the
            # interpreter tears modules down at exit (the cached copy is kept for the next run).
            from db.store.engine import get_engine

            get_engine().dispose()
            floor = runs[0].median
            results["tiers"][tier] = {
                "database": meta,
                "practitioner": practitioner,
                "family_id": family_id,
                "family_meetings": meetings,
                "family_scores": scores,
                "reruns": args.reruns,
                "floor_ms": round(floor, 2),
                "pages": [
                    {
                        "name": r.name,
                        "path": r.path,
                        "user": r.user,
                        "first_ms": round(r.first_ms, 1),
                        "median_ms": round(r.median, 2),
                        "p95_ms": round(r.p95, 2),
                        "x_floor": round(r.median / floor, 2),
                        "problem": r.problem,
                        "times_ms": [round(t, 2) for t in r.times_ms],
                    }
                    for r in runs
                ],
                "peak_rss_mb_so_far": round(peak_rss_mb(), 1),
            }
    finally:
        _restore(original)
    tiers_done = results["tiers"]
    if "small" in tiers_done and "large" in tiers_done:

        def family_median(tier):
            return next(
                p["median_ms"] for p in tiers_done[tier]["pages"] if p["path"] == FAMILY_PAGE
            )

        ratio = family_median("large") / family_median("small")
        results["family_large_over_small"] = None if ratio != ratio else round(ratio, 3)
        # The same ratio with each tier's page measured against its own floor: the tiers run
        # minutes apart, and on a shared machine the load can change in between.
        floors = tiers_done["large"]["floor_ms"] / tiers_done["small"]["floor_ms"]
        results["family_large_over_small_floor_relative"] = (
            None if ratio != ratio else round(ratio / floors, 3)
        )
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    text = report(results)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    print(f"\nFigures written to {shown}")
    broken = [
        f"{tier}: {p['name']}"
        for tier, data in tiers_done.items()
        for p in data["pages"]
        if p["problem"]
    ]
    if broken:
        print(f"Pages that did not render: {', '.join(broken)}", file=sys.stderr)
        raise SystemExit(1)
    return results


if __name__ == "__main__":
    main()
