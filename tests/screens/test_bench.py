"""`make bench` runs end to end on the demo tier (a smoke run: one rerun, no timing asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from components.pages import PAGES
from tests.conftest import ROOT


def test_the_benchmark_runs_every_page_and_the_floor_on_the_demo_tier(tmp_path):
    out = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--tiers",
            "demo",
            "--reruns",
            "2",
            "--warmups",
            "0",
            "--cache",
            str(tmp_path / "cache"),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]

    results = json.loads(out.read_text())
    demo = results["tiers"]["demo"]
    measured = [page["path"] for page in demo["pages"]]
    assert measured == ["bench/floor_page.py"] + [path for path, *_rest in PAGES]
    assert all(len(page["times_ms"]) == 2 and page["median_ms"] > 0 for page in demo["pages"])
    assert demo["database"]["counts"]["family"] == 60
    assert {"cpu", "cores", "python", "sqlite"} <= set(results["machine"])
    assert results["peak_rss_mb"] > 0
    for words in ("Machine:", "x floor", "Family page large/small: n/a", "Peak memory"):
        assert words in done.stdout
    # The tier's database is kept for the next run, keyed by tier, seed and generator version.
    assert [p.suffix for p in sorted((tmp_path / "cache").iterdir())] == [".db", ".json"]
