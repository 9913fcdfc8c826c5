"""Makes one tier's database for the benchmark, in its own process so its time and peak memory
are the generator's alone.

    python -m bench.generate --tier large --seed 42 --out data/bench/large-s42-g1234.db

Writes the database next to a `.json` file with the row counts, seconds and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from pathlib import Path
from time import monotonic


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory in MB (Linux reports ru_maxrss in kB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description="Make one benchmark tier's database."
    )
    parser.add_argument("--tier", required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--families", type=int, help="scale the tier to this many families")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    from db.ops.demo import ProgressBar, fill
    from db.store.engine import get_engine
    from db.store.migrate import upgrade_to_head

    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(args.out.name + ".partial")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    started = monotonic()
    engine = get_engine(f"sqlite:///{partial}")
    upgrade_to_head(engine)
    migrated = monotonic()
    counts = fill(
        engine,
        tier=args.tier,
        families=args.families,
        seed=args.seed,
        progress=None if args.quiet else ProgressBar(),
    )
    # Fold the WAL back in. No ANALYZE: the app's own databases have no planner statistics
    # either, so the benchmark sees the query plans a council would get.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    seconds = monotonic() - started
    os.replace(partial, args.out)
    for leftover in (Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    meta = {
        "tier": args.tier,
        "seed": args.seed,
        "families": args.families,
        "counts": counts,
        "seconds": round(seconds, 1),
        "fill_seconds": round(monotonic() - migrated, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "size_mb": round(args.out.stat().st_size / 2**20, 1),
    }
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    print(
        f"{args.tier}: {counts['family']:,} families, {counts['meeting']:,} meetings, "
        f"{counts['goalscore']:,} scores in {seconds:.0f} s, peak {meta['peak_rss_mb']:.0f} MB",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
