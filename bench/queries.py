"""Which SQL a page runs, how long each statement takes, and SQLite's plan for the slow ones.

    python -m bench.queries --tier large --page pages/continuity.py [--top 8] [--runs 2]

Opens the page as bench/run.py does (same users, same family, same app shell), with the
Streamlit caches emptied so every query runs, and times each statement at the cursor.
"""

from __future__ import annotations

import argparse
import ast
import time
from collections import defaultdict
from pathlib import Path

from bench import run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.queries", description="Time a page's SQL and explain the slow ones."
    )
    parser.add_argument("--tier", default="large")
    parser.add_argument("--page", required=True, help="e.g. pages/family.py")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--runs", type=int, default=2, help="cold runs (caches emptied each)")
    parser.add_argument("--cache", type=Path, default=run.ROOT / "data" / "bench")
    args = parser.parse_args(argv)

    import streamlit as st
    from sqlalchemy import event

    from components.pages import PAGES
    from db.store.cache import clear_every_cache
    from db.store.engine import get_engine

    run.quiet_streamlit()
    path, _meta = run.tier_database(args.tier, args.seed, args.cache)
    run.use_database(path)
    practitioner = run.typical_practitioner(args.tier)
    family_id, _m, _s = run.typical_family(practitioner)
    roles = next((p[4] for p in PAGES if p[0] == args.page), ())
    user = run.user_for(roles) if roles else "practitioner"
    user = practitioner if user == "practitioner" else user

    engine = get_engine()
    spent: dict[tuple[str, str], list[float]] = defaultdict(list)

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _end(conn, cursor, statement, parameters, context, executemany):
        took = (time.perf_counter() - conn.info["started"].pop()) * 1000
        spent[(statement, repr(parameters)[:2000])].append(took)

    original = run._with_floor_page()
    try:
        page = run.PageRun(args.page, args.page, user)
        at = run._open(page, family_id)
        if page.problem:
            raise SystemExit(f"{args.page} did not render: {page.problem}")
        spent.clear()
        totals = []
        for _ in range(args.runs):
            clear_every_cache()
            st.cache_data.clear()
            started = time.perf_counter()
            at.run()
            totals.append((time.perf_counter() - started) * 1000)
    finally:
        run._restore(original)

    total_sql = sum(sum(t) for t in spent.values()) / args.runs
    print(
        f"{args.page} on {args.tier} as {user} (family {family_id}): cold run "
        f"{min(totals):.0f} ms, of which SQL {total_sql:.0f} ms in "
        f"{sum(len(t) for t in spent.values()) // args.runs} statements"
    )
    ranked = sorted(spent.items(), key=lambda item: -sum(item[1]))[: args.top]
    with engine.connect() as connection:
        for (statement, parameters), times in ranked:
            print(f"\n--- {sum(times) / args.runs:.1f} ms a run ({len(times) // args.runs} x)")
            print(statement.strip())
            print(f"    parameters: {parameters[:300]}")
            if statement.lstrip().upper().startswith("SELECT"):
                params = ast.literal_eval(parameters) if parameters.startswith(("(", "[")) else ()
                if isinstance(params, list):
                    params = params[0] if params else ()
                plan = connection.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {statement}", tuple(params)
                ).all()
                for row in plan:
                    print(f"    plan: {row[-1]}")


if __name__ == "__main__":
    main()
