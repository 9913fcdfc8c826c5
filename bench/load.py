"""The load run (`make bench-load`; reported in BENCHMARKS.md, never a timed test).

    python -m bench.load [--client websocket|browser] [--contexts 5,10,20] [--replicas 1,2]
                         [--switches 6] [--lcp-rounds 5] [--large]
                         [--server-option runner.postScriptGC=true ...]

On one PostgreSQL (a fresh demo database made on TEST_POSTGRES_URL's server and dropped
afterwards), in one run:

1. Browser speed against Streamlit itself: a bare one-line Streamlit page (the floor) and
   Golden Thread's populated weekly huddle, each opened in fresh pages, Largest Contentful
   Paint from a PerformanceObserver, and the time until the content is there (the bare page's
   text; the huddle's first section header). The huddle is opened logged in through the
   re-login cookie, as a bookmark is: LCP stops being recorded at the first keypress or click,
   so a page reached by typing into the login form has no LCP of its own. This part needs a
   browser (Debian's chromium); `--lcp-rounds 0` leaves it out.
2. For each number of replicas (`make serve-team`'s parts: replicas behind nginx, sticky by the
   route cookie) and each K: K simulated workers at once, each logging in through nginx with
   the login form and switching between the pages in its sidebar; each switch timed from the
   request until that page's run has finished. A switch not finished within 20 s, or one that
   draws an exception or error box, is a failure. p50/p95 and the ratio 1 replica : 2 replicas.
   The workers are, by default (`--client websocket`), bench/streamlit_client.py: Streamlit's
   own protocol over a WebSocket, one cookie jar each (nginx's route cookie included), timed to
   the server's `script_finished` message. On two cores, K Chromium contexts (`--client
   browser`, kept to compare) take the cores the measured servers need: at K = 10 the browsers,
   not the servers, were being measured.
3. With --large: one replica on a copy of the large tier (SQLite, 25,000 families), its memory
   after the K workers have been through every page.

The load average before and after each part is recorded next to the figures: the machine's two
cores are shared, so compare ratios measured within one run. `--server-option` passes a
Streamlit option to every server of the run (e.g. `runner.postScriptGC=true` to measure the
forced garbage collection after each run that .streamlit/config.toml turns off).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.browser import CHROMIUM_ARGS, IDLE, PASSWORD, WATCH_RUNS, all_at_once, rss_mb
from bench.browser import summary as browser_summary
from bench.run import ROOT, machine, tier_database
from deploy.serve_team import ROUTE_COOKIE, Team

PG_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PRACTITIONERS = ["practitioner", "worker1", "worker2", "worker4", "worker5"]
RESULTS = ROOT / "bench" / "results"
SWITCH_TIMEOUT_S = 20
# Largest Contentful Paint of this page, as the browser reports it (buffered: entries made
# before the observer was set up count too).
LCP = """() => new Promise(resolve => {
  let last = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) last = e.renderTime || e.loadTime || e.startTime;
  }).observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve(last), 300);
})"""


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(values: list[float]) -> dict:
    return browser_summary(values, middle="p50")


# --- the database ----------------------------------------------------------------------------


def make_database() -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    name = f"gt_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = PG_SERVER.rsplit("/", 1)[0] + "/" + name
    subprocess.run(
        [sys.executable, "-m", "db.ops.demo"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    return name, url


def drop_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def secrets_file(folder: Path) -> Path:
    path = folder / "secrets.toml"
    path.write_text(f'cookie_key = "{secrets.token_urlsafe(48)}"\n')
    path.chmod(0o600)
    return path


def start_team(
    replicas: int, url: str, folder: Path, port: int, options: list[str] | None = None
) -> Team:
    """`options`: Streamlit options ("section.name=value") for every replica."""
    folder.mkdir(parents=True, exist_ok=True)
    team = Team(
        replicas=replicas,
        port=port,
        first_replica_port=port + 1,
        folder=folder,
        env={**os.environ, "DATABASE_URL": url},
        quiet=True,
        streamlit_args=[f"--secrets.files={secrets_file(folder)}"]
        + [f"--{option}" for option in options or []],
    )
    team.start()
    team.wait_until_answering()
    return team


def start_bare(folder: Path, port: int) -> subprocess.Popen:
    page = folder / "bare.py"
    page.write_text('import streamlit as st\n\nst.write("Hello from a bare Streamlit page")\n')
    from deploy.serve_team import streamlit_command

    command = streamlit_command(port)
    command[command.index("app.py")] = str(page)
    process = subprocess.Popen(
        command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    import urllib.request

    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the bare page did not start")


# --- the browser -----------------------------------------------------------------------------


async def log_in(page, base: str, username: str) -> None:
    await page.goto(f"{base}/")
    await page.get_by_role("textbox", name="Username").wait_for(timeout=60_000)
    await page.wait_for_selector(IDLE, timeout=60_000)
    await page.get_by_role("textbox", name="Username").fill(username)
    await page.get_by_role("textbox", name="Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.get_by_role("button", name="Log out").wait_for(timeout=60_000)
    await page.wait_for_selector(IDLE, timeout=60_000)


async def paint(browser, bare: str, app: str, rounds: int) -> dict:
    """LCP and content-visible times: the bare page, and the populated huddle."""
    bare_lcp, bare_visible, huddle_lcp, huddle_visible = [], [], [], []
    typed = []  # open /huddle → login form → log in → the huddle populated (a new user's way)
    context = await browser.new_context()
    first = await context.new_page()
    await log_in(first, app, "practitioner")
    for _ in range(120):  # until the cookie frame has written the re-login cookie
        if any(c["name"] == "golden_thread_session" for c in await context.cookies()):
            break
        await first.wait_for_timeout(250)
    await first.close()
    for _ in range(rounds):
        fresh = await browser.new_context()
        page = await fresh.new_page()
        started = time.perf_counter()
        await page.goto(f"{bare}/")
        await page.get_by_text("Hello from a bare Streamlit page").wait_for(timeout=60_000)
        bare_visible.append((time.perf_counter() - started) * 1000)
        await page.wait_for_timeout(300)
        bare_lcp.append(await page.evaluate(LCP))
        await fresh.close()

        page = await context.new_page()
        started = time.perf_counter()
        await page.goto(f"{app}/huddle")
        try:
            await page.get_by_text("Waiting to meet a worker (").wait_for(timeout=60_000)
        except Exception:
            await page.screenshot(path=str(RESULTS / "load-huddle.png"))
            print("cookies:", [c["name"] for c in await context.cookies()], flush=True)
            raise
        huddle_visible.append((time.perf_counter() - started) * 1000)
        await page.wait_for_selector(IDLE, timeout=60_000)
        await page.wait_for_timeout(300)
        huddle_lcp.append(await page.evaluate(LCP))
        await page.close()

        fresh = await browser.new_context()
        page = await fresh.new_page()
        started = time.perf_counter()
        await page.goto(f"{app}/huddle")
        await page.get_by_role("textbox", name="Username").wait_for(timeout=60_000)
        await page.get_by_role("textbox", name="Username").fill("practitioner")
        await page.get_by_role("textbox", name="Password").fill(PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        await page.get_by_text("Waiting to meet a worker (").wait_for(timeout=60_000)
        typed.append((time.perf_counter() - started) * 1000)
        await fresh.close()
    await context.close()
    result = {
        "bare_lcp_ms": summary(bare_lcp),
        "bare_visible_ms": summary(bare_visible),
        "huddle_lcp_ms": summary(huddle_lcp),
        "huddle_populated_ms": summary(huddle_visible),
        "open_log_in_huddle_populated_ms": summary(typed),
    }
    result["lcp_ratio"] = round(
        result["huddle_lcp_ms"]["p50"] / max(1.0, result["bare_lcp_ms"]["p50"]), 2
    )
    result["populated_ratio"] = round(
        result["huddle_populated_ms"]["p50"] / max(1.0, result["bare_visible_ms"]["p50"]), 2
    )
    return result


def watch_finished_runs(page) -> list[int]:
    """Counts the server's "script finished" messages on the page's WebSocket. Counting the
    DOM's data-test-script-state flips (as bench/browser.py does) misses runs on a starved
    browser: "started" and "finished" arrive together, React draws them in one commit, and
    the attribute never reads "running" — a switch whose page is fully drawn then looks like a
    hang (the earlier 4 of 40; the screenshots show the new page drawn)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    count = [0]

    def received(payload) -> None:
        if not isinstance(payload, bytes):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - not one of Streamlit's messages
            return
        if message.WhichOneof("type") == "script_finished":
            count[0] += 1

    page.on("websocket", lambda ws: ws.on("framereceived", received))
    return count


async def switching(browser, base: str, contexts: int, switches: int, tag: str) -> dict:
    failures: list[str] = []
    login_failures: list[str] = []
    dom_missed: list[str] = []  # switches finished (by the WebSocket) that the DOM never showed

    async def one(i: int) -> list[float]:
        context = await browser.new_context()
        page = await context.new_page()
        finished = watch_finished_runs(page)
        times: list[float] = []
        try:
            await log_in(page, base, PRACTITIONERS[i % len(PRACTITIONERS)])
        except Exception as problem:  # noqa: BLE001 - counted, and the run goes on
            login_failures.append(f"context {i}: {type(problem).__name__}")
            await page.screenshot(path=str(RESULTS / f"load-{tag}-login-{i}.png"))
            await context.close()
            return times
        await page.wait_for_timeout(1000)
        await page.wait_for_selector(IDLE, timeout=60_000)
        links = page.locator("[data-testid='stSidebarNav'] a")
        hrefs = await links.evaluate_all("els => els.map(e => e.href)")
        await page.evaluate(WATCH_RUNS)  # the old way of counting, kept to compare
        for s in range(switches):
            target = (i + s + 1) % len(hrefs)
            if hrefs[target] == page.url:
                target = (target + 1) % len(hrefs)
            runs = finished[0]
            dom_runs = await page.evaluate("() => window.__runs")
            started = time.perf_counter()
            try:
                await links.nth(target).click(timeout=20_000)
                while finished[0] <= runs:
                    if time.perf_counter() - started > 20:
                        raise TimeoutError
                    await asyncio.sleep(0.02)
                await page.wait_for_selector(IDLE, timeout=20_000)
                times.append((time.perf_counter() - started) * 1000)
                await page.wait_for_timeout(200)
                if await page.evaluate("() => window.__runs") <= dom_runs:
                    dom_missed.append(f"context {i} → {hrefs[target].rsplit('/', 1)[-1]}")
            except Exception:  # noqa: BLE001 - a hang is a result, with its screenshot
                failures.append(f"context {i} → {hrefs[target].rsplit('/', 1)[-1]}")
                await page.screenshot(path=str(RESULTS / f"load-{tag}-hang-{i}-{s}.png"))
        await context.close()
        return times

    found = await everyone(one, contexts, switches, failures, login_failures)
    return found | {"dom_counter_missed": dom_missed}


async def everyone(
    one, contexts: int, switches: int, failures: list[str], login_failures: list[str]
) -> dict:
    """Runs one(i) for the K workers at once; their switch times, failures and load average."""
    load_before = load_average()
    return await all_at_once(one, contexts, switches, middle="p50") | {
        "switch_failures": failures,
        "login_failures": login_failures,
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


async def switching_websocket(base: str, contexts: int, switches: int) -> dict:
    """K simulated workers speaking Streamlit's protocol (bench/streamlit_client.py), each
    logging in through the form and switching pages by their sidebar's page list."""
    from bench.streamlit_client import StreamlitClient

    failures: list[str] = []
    login_failures: list[str] = []
    routed: list[int] = []  # workers that nginx gave a route cookie (all, behind nginx)

    async def one(i: int) -> list[float]:
        client = StreamlitClient(base, timeout_s=SWITCH_TIMEOUT_S)
        times: list[float] = []
        try:
            await client.connect()
            await client.log_in(PRACTITIONERS[i % len(PRACTITIONERS)], PASSWORD)
        except Exception as problem:  # noqa: BLE001 - counted, and the run goes on
            login_failures.append(f"worker {i}: {type(problem).__name__}: {problem}"[:300])
            await client.close()
            return times
        if client.cookie(ROUTE_COOKIE):
            routed.append(i)
        paths = client.page_paths()
        for s in range(switches):
            target = paths[(i + s + 1) % len(paths)]
            if target == client.current_path():  # the page you are on: no switch
                target = paths[(i + s + 2) % len(paths)]
            try:
                run = await client.switch_to(target)
            except Exception as problem:  # noqa: BLE001 - a lost connection is a failure
                failures.append(f"worker {i} → {target}: {type(problem).__name__}")
                continue
            if run.ok:
                times.append(run.ms)
            else:
                failures.append(f"worker {i} → {target}: {'; '.join(run.problems)}"[:300])
        await client.close()
        return times

    found = await everyone(one, contexts, switches, failures, login_failures)
    return found | {"workers_with_route_cookie": len(routed)}


async def measure_switching(args, browser, base: str, contexts: int, tag: str) -> dict:
    if args.client == "browser":
        return await switching(browser, base, contexts, args.switches, tag)
    return await switching_websocket(base, contexts, args.switches)


async def run(args, url: str, folder: Path) -> dict:
    from contextlib import AsyncExitStack

    from tests.e2e.test_replicas import _free_run

    results: dict = {
        "load_average_at_start": load_average(),
        "machine": machine(),
        "client": args.client,
        "server_options": args.server_option,
    }
    async with AsyncExitStack() as stack:
        browser = None
        if args.lcp_rounds or args.client == "browser":
            from playwright.async_api import async_playwright

            chromium = shutil.which("chromium")
            if not chromium:
                raise SystemExit("Debian's chromium is not installed (apt-get install chromium)")
            p = await stack.enter_async_context(async_playwright())
            browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            stack.push_async_callback(browser.close)
        if args.lcp_rounds:
            port = _free_run(3)
            bare = start_bare(folder, port)
            team = start_team(1, url, folder / "paint", port + 1, args.server_option)
            try:
                load_before = load_average()
                results["paint"] = await paint(
                    browser,
                    f"http://127.0.0.1:{port}",
                    f"http://127.0.0.1:{port + 1}",
                    args.lcp_rounds,
                )
                results["paint"]["load_average"] = f"{load_before} → {load_average()}"
                print(json.dumps(results["paint"]), flush=True)
            finally:
                team.stop()
                bare.terminate()
                bare.wait(timeout=20)
        for replicas in args.replicas:
            port = _free_run(replicas + 1)
            team = start_team(replicas, url, folder / f"r{replicas}", port, args.server_option)
            try:
                for k in args.contexts:
                    tag = f"r{replicas}-k{k}"
                    print(f"{replicas} replica(s), {k} workers ({args.client}) ...", flush=True)
                    pids = [c.process.pid for c in team.children[:replicas] if c.process]
                    cpu_before = [cpu_seconds(pid) for pid in pids]
                    found = await measure_switching(
                        args, browser, f"http://127.0.0.1:{port}", k, tag
                    )
                    found["replica_rss_mb"] = [round(rss_mb(pid), 1) for pid in pids]
                    # How the work was shared: nginx's route ids are random, so at small K
                    # all the workers can land on one replica.
                    found["replica_cpu_s"] = [
                        round(cpu_seconds(pid) - before, 1)
                        for pid, before in zip(pids, cpu_before, strict=True)
                    ]
                    results[tag] = found
                    print(json.dumps(found), flush=True)
            finally:
                team.stop()
        if args.large:
            results["large"] = await large_tier_memory(browser, folder, args)
    return results


async def large_tier_memory(browser, folder: Path, args) -> dict:
    template, meta = tier_database("large", 42, ROOT / "data" / "bench")
    database = folder / "large.db"
    shutil.copy(template, database)
    from tests.e2e.test_replicas import _free_run

    port = _free_run(2)
    team = start_team(1, f"sqlite:///{database}", folder / "large", port, args.server_option)
    try:
        replica = team.children[0]
        assert replica.process is not None
        idle = rss_mb(replica.process.pid)
        k = min(args.contexts)
        found = await measure_switching(args, browser, f"http://127.0.0.1:{port}", k, "large")
        return {
            "families": meta.get("counts", {}).get("family"),
            "replica_rss_mb_started": round(idle, 1),
            "replica_rss_mb_after": round(rss_mb(replica.process.pid), 1),
            "contexts": k,
            "switch_ms": found["switch_ms"],
            "switch_failures": found["switch_failures"],
            "load_average": f"{found['load_average_before']} → {found['load_average_after']}",
        }
    finally:
        team.stop()


def ratios(results: dict, contexts: list[int]) -> None:
    """1 replica : 2 replicas, for each K measured on both."""
    for k in contexts:
        one, two = results.get(f"r1-k{k}"), results.get(f"r2-k{k}")
        if one and two and one["switch_ms"].get("p50") and two["switch_ms"].get("p50"):
            results[f"ratio-k{k}"] = {
                "p50_1_to_2": round(one["switch_ms"]["p50"] / two["switch_ms"]["p50"], 2),
                "p95_1_to_2": round(one["switch_ms"]["p95"] / two["switch_ms"]["p95"], 2),
            }


def markdown_table(results: dict, replicas: list[int], contexts: list[int]) -> str:
    """The page-switch figures as BENCHMARKS.md shows them."""
    options = " ".join(results["server_options"]) or "as .streamlit/config.toml"
    lines = [
        f"Page switches, client: {results['client']}, server options: {options}; "
        f"load average at start {results['load_average_at_start']}",
        "",
        "| Replicas | K | p50 ms | p95 ms | max ms | switches | failures | login failures "
        "| wall s | replicas' CPU s | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in replicas:
        for k in contexts:
            found = results.get(f"r{r}-k{k}")
            if not found:
                continue
            ms = found["switch_ms"]
            lines.append(
                f"| {r} | {k} | {ms.get('p50', '–')} | {ms.get('p95', '–')} | "
                f"{ms.get('max', '–')} | {ms['n']} | {len(found['switch_failures'])} | "
                f"{len(found['login_failures'])} | {found['wall_s']} | "
                f"{' / '.join(map(str, found.get('replica_cpu_s', [])))} | "
                f"{found['load_average_before']} → {found['load_average_after']} |"
            )
    measured = [k for k in contexts if f"ratio-k{k}" in results]
    if measured:
        lines += ["", "| K | p50 1 : 2 replicas | p95 1 : 2 replicas |", "|---:|---:|---:|"]
        for k in measured:
            ratio = results[f"ratio-k{k}"]
            lines.append(f"| {k} | {ratio['p50_1_to_2']} | {ratio['p95_1_to_2']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description="The load run for BENCHMARKS.md."
    )
    parser.add_argument(
        "--client",
        choices=["websocket", "browser"],
        default="websocket",
        help="simulated workers: Streamlit's protocol over a WebSocket, or Chromium contexts",
    )
    parser.add_argument("--contexts", default="5,10,20", help="K: workers at once, e.g. 5,10")
    parser.add_argument("--replicas", default="1,2")
    parser.add_argument("--switches", type=int, default=6, help="page switches per worker")
    parser.add_argument(
        "--lcp-rounds", type=int, default=5, help="LCP rounds in the browser (0: none)"
    )
    parser.add_argument("--large", action="store_true")
    parser.add_argument(
        "--server-option",
        action="append",
        default=[],
        metavar="SECTION.NAME=VALUE",
        help="a Streamlit option for every server, e.g. runner.postScriptGC=true",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = parser.parse_args(argv)
    args.contexts = [int(k) for k in args.contexts.split(",")]
    args.replicas = [int(r) for r in args.replicas.split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    name, url = make_database()
    folder = Path(tempfile.mkdtemp(prefix="gt-load-"))
    try:
        results = asyncio.run(run(args, url, folder))
    finally:
        drop_database(name)
        shutil.rmtree(folder, ignore_errors=True)
    ratios(results, args.contexts)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print()
    print(markdown_table(results, args.replicas, args.contexts))
    print(f"\n(all figures: {args.out})")
    return results


if __name__ == "__main__":
    main()
