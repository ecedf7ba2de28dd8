"""CPU per run of one page, and where it goes: the page run as a new viewer's session with
Streamlit's AppTest, on a fresh store seeded with the sample data, after one warm-up run
(the shared frames are built once per data version, not per viewer).

    python -m bench.profile_overview                  # the overview, 20 runs
    python -m bench.profile_overview --page utveckling --runs 10 --top 40
    python -m bench.profile_overview --sort tottime --out /tmp/overview.prof
    python -m bench.profile_overview --vary           # a filter choice not seen before each run
    python -m bench.profile_overview --smoke          # two runs, the top 5 (CI)
    python -m bench.profile_overview --db /tmp/keep/incidents-1000000.db --cold --vary
        # a store kept by ``bench.overview --keep /tmp/keep``; --cold: profile the process's
        # first run too (the first render: reading the aggregates), not only warm ones

Prints the CPU seconds of the script thread per run and cProfile's top functions for that
thread only: AppTest's own work per session (it scans every installed package for
components) stays out of both. ``--cpu-clock`` gives the profiler the thread's CPU time
instead of the wall clock, so other work on a shared machine does not distort it (each call
then costs a system call, which inflates functions called very often). AppTest does not send
messages over a websocket, so the server spends a little more per page than this
(bench/load.py measures that).
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import statistics
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench.load import varied_queries

ROOT = Path(__file__).resolve().parent.parent


def new_session(page: str, query: str = ""):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    for key, value in urllib.parse.parse_qsl(query):
        at.query_params[key] = value
    if page:
        at.switch_page(f"pages/{page}.py")
    return at


CPU: list[float] = []
PROFILE: list[cProfile.Profile] = []


def measure_script_thread() -> None:
    """Time (and, when asked, profile) the thread that runs the page, around each run."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    original = ScriptRunner._run_script
    if getattr(original, "measured", False):  # once per process
        return

    def timed(self, *args, **kwargs):
        start = time.thread_time()
        for profile in PROFILE:
            profile.enable()
        try:
            return original(self, *args, **kwargs)
        finally:
            for profile in PROFILE:
                profile.disable()
            CPU.append(time.thread_time() - start)

    timed.measured = True
    ScriptRunner._run_script = timed


def run_once(page: str, query: str = "") -> None:
    at = new_session(page, query)
    at.run()
    if at.exception or at.error:
        raise SystemExit(f"the page failed: {at.exception or [e.value for e in at.error]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="", help="pages/<page>.py; the overview when empty")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    parser.add_argument("--out", help="write the raw profile here (for snakeviz etc.)")
    parser.add_argument("--vary", action="store_true", help="a new filter choice every run")
    parser.add_argument("--db", help="an existing store (e.g. bench.overview --keep's)")
    parser.add_argument("--cold", action="store_true", help="profile the first run alone")
    parser.add_argument("--cpu-clock", action="store_true", help="profile on the CPU clock")
    parser.add_argument("--smoke", action="store_true", help="two varied runs, top 5 (CI)")
    args = parser.parse_args()
    clock = (time.thread_time,) if args.cpu_clock else ()
    if args.smoke:
        args.runs, args.top, args.vary = 2, 5, True
    fresh = Path(tempfile.mkdtemp(prefix="trygghet-prof-")) / "app.db"
    os.environ["TRYGGHET_DB"] = str(Path(args.db).resolve()) if args.db else str(fresh)
    os.chdir(ROOT)
    measure_script_thread()
    if args.cold:
        first = cProfile.Profile(*clock)
        PROFILE.append(first)
        run_once(args.page)  # opens the store, reads the aggregates, builds the view
        PROFILE.clear()
        print(f"first run: script thread CPU-s {CPU[-1]:.3f}")
        pstats.Stats(first).sort_stats(args.sort).print_stats(args.top)
    else:
        run_once(args.page)  # seeds the store, builds the shared frames
    run_once(args.page)  # and the per-filter caches of the default view
    queries = varied_queries() if args.vary else itertools.repeat("")
    CPU.clear()
    for _ in range(args.runs):
        run_once(args.page, next(queries))
    print(
        f"page {args.page or 'oversikt'}: script thread CPU-s per run median "
        f"{statistics.median(CPU):.4f}, min {min(CPU):.4f}, max {max(CPU):.4f} "
        f"({len(CPU)} runs, unprofiled)"
    )
    profile = cProfile.Profile(*clock)
    PROFILE.append(profile)
    for _ in range(args.runs):
        run_once(args.page, next(queries))
    PROFILE.clear()
    if args.out:
        profile.dump_stats(args.out)
    stats = pstats.Stats(profile)
    stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
