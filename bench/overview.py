"""Benchmark of the overview and trends pages against the number of stored incidents.

``python -m bench.overview [--sizes 10000 1000000] [--reruns 5] [--repeats 2]
[--pages overview trends | --import-only] [--profile] [--keep DIR [--reuse]] [--smoke]`` (from
the repo root).

For each size, one child process generates that many synthetic incidents, writes them as a
Swedish Excel CSV and imports it into a fresh temporary store; then one child per page and
size opens the app on that store with Streamlit's ``AppTest`` and times the page's first
render and reruns after changes of the public sidebar's filters (wall and CPU seconds), in
``--repeats`` rounds that alternate the sizes; the medians are compared. Separate processes
keep peak memory and Streamlit's caches per size, per phase and per page. The parent prints
markdown tables and checks issue 23's targets, largest size against smallest: first render,
rerun and the app's peak memory each within 1.5x, and the import within 10x pyarrow's parse
of the file; beside it, SQLite's own insert of the same rows as ready tuples (the floor under
any import into this store).
``--smoke`` runs two tiny sizes with one rerun in seconds and writes no results file (CI).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
SEED = 20240601
START, END = pd.Timestamp("2017-10-01"), pd.Timestamp("2019-10-01")  # END exclusive
# Issue 23: largest size against smallest, in one run.
TARGETS = {"first_render_s": 1.5, "rerun_median_s": 1.5, "app_peak_mib": 1.5}
IMPORT_TARGET = 10.0  # the import within 10x pyarrow's parse of the same file (SQLite)
SMOKE_SIZES = [1_000, 2_000]
SPREAD_DEG = 0.01  # about 1 km: incidents scatter around a locality's centre
DESCRIPTIONS = np.array(["Fiktiv händelse.", "Krossad ruta.", "Klotter på fasad.", ""])


# --- Synthetic data -------------------------------------------------------------------------


def synthetic_incidents(n: int, muni, seed: int = SEED) -> pd.DataFrame:
    """n incidents in the canonical columns, shaped like the sample (same categories, sources,
    localities and period), drawn with vectorised numpy so a million rows take seconds."""
    from lib.ingest.sample import CATEGORIES

    rng = np.random.default_rng(seed)
    spec = rng.choice(len(CATEGORIES), n, p=_weights([c.per_year for c in CATEGORIES]))
    known = rng.random(n) < np.array([c.time_known_share for c in CATEGORIES])[spec]
    minutes = rng.integers(0, (END - START) // pd.Timedelta(minutes=1), n)
    occurred = START + pd.to_timedelta(minutes, unit="min")
    # A row without a known time is stored at midnight, as the importer reads a bare date.
    occurred = occurred.where(known, occurred.normalize()).astype("datetime64[ns]")
    locs = muni.localities
    place = rng.choice(len(locs), n, p=_weights([loc.population or 1 for loc in locs]))
    b = muni.bbox
    lat = np.array([loc.lat for loc in locs])[place] + rng.normal(0, SPREAD_DEG, n)
    lon = np.array([loc.lon for loc in locs])[place] + rng.normal(0, 2 * SPREAD_DEG, n)
    return pd.DataFrame(
        {
            "id": pd.Series(np.arange(1, n + 1)).map("B-{:07d}".format),
            "occurred_at": occurred,
            "time_known": known,
            "category": np.array([c.name for c in CATEGORIES])[spec],
            "locality": np.array([loc.name for loc in locs])[place],
            # Clipped so every row passes the importer's bounding-box check.
            "lat": np.clip(lat, b["lat_min"], b["lat_max"]).round(5),
            "lon": np.clip(lon, b["lon_min"], b["lon_max"]).round(5),
            "source": np.array([c.source for c in CATEGORIES])[spec],
            "description": DESCRIPTIONS[rng.integers(0, len(DESCRIPTIONS), n)],
        }
    )


def _weights(values) -> np.ndarray:
    w = np.asarray(values, dtype=float)
    return w / w.sum()


# --- Child: import ---------------------------------------------------------------------------


def run_import(n: int, db: Path, profile: Path | None = None) -> dict:
    """Generate, write the CSV, import it into a fresh store; time the import (wall and CPU
    seconds). With ``profile``, import the same file again into a second store with this
    process's part under cProfile (CPU clock), written to ``profile``."""
    from lib.config import load_municipality
    from lib.datamanager import DataManager
    from lib.ingest.importers import to_swedish_csv
    from lib.ingest.loading import read_file, store_result
    from lib.store.store import Store

    muni = load_municipality()
    path = db.parent / f"incidents-{n}.csv"
    path.write_bytes(to_swedish_csv(synthetic_incidents(n, muni), "incidents"))
    data = path.read_bytes()
    parse_only = pyarrow_parse_s(path)
    store = Store(str(db))
    # The same path as import_bytes (the CLI's), timed in its two halves.
    cpu = time.process_time()  # this process's: the parse runs in a child process of its own
    started = time.perf_counter()
    result = read_file(data, "incidents", muni, path.name)
    read_s = time.perf_counter() - started
    cpu_read = time.process_time()
    outcome = store_result(store, result, user="bench")
    import_s = time.perf_counter() - started
    cpu_stored = time.process_time()
    import_peak = peak_mib()
    if not outcome.ok or outcome.rows_added != n:
        raise SystemExit(f"import failed ({outcome.rows_added} of {n} rows): {outcome.messages}")
    if profile is not None:
        profile_import(data, path.name, db.parent / f"profiled-{n}.db", profile)
    path.unlink()
    floor = db.parent / f"floor-{n}.db"
    floor_s = sqlite_insert_floor(result.valid, floor, muni.code)
    for leftover in db.parent.glob(f"floor-{n}.db*"):
        leftover.unlink()
    # The app seeds sample data into an empty, uninitialised store; this one is neither.
    store.mark_initialised()
    # For context, what the pages read (the data manager's frames, not the incidents).
    manager = DataManager(store, muni)
    version = manager.version()
    last = (END - pd.Timedelta(days=1)).date()
    return {
        "csv_mb": len(data) / 1e6,
        "import_s": import_s,
        "read_s": read_s,
        "store_s": import_s - read_s,
        "read_cpu_s": cpu_read - cpu,
        "store_cpu_s": cpu_stored - cpu_read,
        "parse_only_s": parse_only,
        "import_ratio": import_s / parse_only,
        "insert_floor_s": floor_s,
        "cube_rows": len(manager.cube(version)),
        "timed_rows": len(manager.hours(version, START.date(), last)),
        "import_peak_mib": import_peak,
    }


def profile_import(data: bytes, name: str, db: Path, out: Path) -> None:
    """The import again, into a fresh store, with this process's part under cProfile (the
    parse in the child process is timed, not profiled): validation, then storing."""
    import cProfile
    import io
    import pstats

    from lib.config import load_municipality
    from lib.ingest.limits import COMMAND_LINE
    from lib.ingest.loading import parse_file, read_file, store_result
    from lib.store.store import Store

    muni = load_municipality()
    started = time.perf_counter()
    raw = parse_file(data, name, muni, COMMAND_LINE, None)
    text = io.StringIO()
    text.write(f"parse in a child process: {time.perf_counter() - started:.2f} s\n")
    store = Store(str(db))

    def profiled(what: str, work):
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        done = work()
        profiler.disable()
        text.write(f"\n=== {what} (CPU clock)\n")
        stats = pstats.Stats(profiler, stream=text)
        for order in ("tottime", "cumulative"):
            stats.sort_stats(order).print_stats(30)
        return done

    result = profiled("validate", lambda: read_file(data, "incidents", muni, name, raw=raw))
    profiled("store", lambda: store_result(store, result, user="bench"))
    store.engine.dispose()
    for leftover in db.parent.glob(f"{db.name}*"):
        leftover.unlink()
    out.write_text(text.getvalue())


def pyarrow_parse_s(path: Path, repeats: int = 3) -> float:
    """pyarrow's parse of the file through pandas, no validation: the best of ``repeats``
    (the denominator of a ratio should not carry a burst of someone else's load)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        pd.read_csv(path, sep=";", engine="pyarrow", encoding="utf-8-sig")
        times.append(time.perf_counter() - started)
    return min(times)


def sqlite_insert_floor(frame: pd.DataFrame, path: Path, municipality: str) -> float:
    """For context: the time SQLite alone needs to insert the same rows, already as tuples,
    into an empty incidents table with the store's keys and indexes, in one transaction, the
    way the store takes a large file (secondary indexes dropped and built again after,
    ``lib.store.store._indexes_after``; the primary key kept) — a floor under any validated,
    logged import into this store (which also works out the record keys and cells and writes
    the aggregates)."""
    import sqlite3

    import sqlalchemy as sa

    from lib.store.store import INDEXES_AFTER, _records
    from lib.store.tables import incidents, metadata

    engine = sa.create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    engine.dispose()
    tail = ("municipality", "import_id")  # as lib.store.tables.bulk_insert orders them
    rows = [(*r, municipality, 1) for r in _records(frame, incidents)]
    names = [c.name for c in incidents.columns if c.name not in tail] + list(tail)
    sql = f"INSERT INTO incidents ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")  # as the store has it
    with conn:
        conn.execute(
            "INSERT INTO imports (id, municipality, imported_at, kind, file_name, sha256,"
            " rows_added, user, is_sample) VALUES (1, ?, '', 'incidents', 'floor', '', 0,"
            " 'bench', 0)",
            (municipality,),
        )
    secondary = [i for i in incidents.indexes if not i.unique and len(frame) >= INDEXES_AFTER]
    started = time.perf_counter()
    with conn:
        for index in secondary:
            conn.execute(f"DROP INDEX {index.name}")
        conn.executemany(sql, rows)
        for index in secondary:
            conn.execute(str(sa.schema.CreateIndex(index).compile(dialect=engine.dialect)))
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


# --- Child: page -----------------------------------------------------------------------------

TRENDS_PAGE = "pages/utveckling.py"


def filter_steps(categories: list[str]):
    """Filter states that change one public sidebar filter (one or all localities, ``ort``;
    one or all categories, ``kategori``) at a time and never repeat, so every rerun computes
    the page's view instead of finding it cached: a walk through (all places, two
    localities) x (all categories, each category), turning at each end. Yields the widget's
    key and its new value (None: all)."""
    localities = [None, "Hallsberg", "Pålsboda"]
    previous = (None, None)
    for i, category in enumerate([None, *categories]):
        for locality in localities if i % 2 == 0 else localities[::-1]:
            state = (locality, category)
            if state != previous:
                changed = "ort" if locality != previous[0] else "kategori"
                yield changed, state[0] if changed == "ort" else state[1]
            previous = state


def run_page(db: Path, reruns: int, page: str, profile: Path | None = None) -> dict:
    """First render of one page, then ``reruns`` reruns after a filter change on it.

    The app opens on the overview (its default page); the trends page is reached as a user
    does, by switching to it, so its first render finds the store and the cube already
    read by the overview (the time of that opening run is kept as ``open_s``). With
    ``profile``, one more rerun on a new filter state runs under cProfile, untimed."""
    from streamlit.testing.v1 import AppTest

    from bench.profile_overview import CPU, measure_script_thread
    from lib.ingest.sample import CATEGORIES

    measure_script_thread()  # CPU of the thread that runs the page script, per run
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=600)
    result = {}
    if page == "overview":
        check = check_overview
        first, first_cpu = cpu_and_wall(at, check)
    else:
        check = check_trends
        result["open_s"] = timed_run(at, check_overview)
        first, first_cpu = cpu_and_wall(at.switch_page(TRENDS_PAGE), check)
    first_script = CPU[-1]
    # The most frequent categories first, so a filtered page still has figures to show.
    by_weight = sorted(CATEGORIES, key=lambda c: -c.per_year)
    categories = list(dict.fromkeys(c.name for c in by_weight))
    steps = filter_steps(categories)
    times, cpu, script = [], [], []
    for _ in range(reruns):
        key, value = next(steps)
        wall, used = cpu_and_wall(at.selectbox(key=key).set_value(value), check)
        times.append(wall)
        cpu.append(used)
        script.append(CPU[-1])
    result |= {
        "first_render_s": first,
        "first_render_cpu_s": first_cpu,
        "rerun_s": times,
        "rerun_median_s": statistics.median(times),
        "rerun_cpu_median_s": statistics.median(cpu),
        "first_render_script_cpu_s": first_script,
        "rerun_script_cpu_median_s": statistics.median(script),
        "app_peak_mib": peak_mib(),
        "load": os.getloadavg()[0],
    }
    if profile is not None:
        key, value = next(steps)
        result["profiled_rerun_s"] = profiled_run(at.selectbox(key=key).set_value(value), profile)
        check(at)
        again = AppTest.from_file(ROOT / "dashboard.py", default_timeout=600)
        profiled_run(again, profile, "first")
    return result


def cpu_and_wall(at_or_widget, check) -> tuple[float, float]:
    """Wall seconds and the process's CPU seconds (every thread: the script's and AppTest's)
    of one checked run. On a machine shared with other work the wall time grows with the
    load; the CPU time much less, so both are reported."""
    started = time.process_time()
    wall = timed_run(at_or_widget, check)
    return wall, time.process_time() - started


def timed_run(at_or_widget, check) -> float:
    """Time one script run; fail loudly unless ``check`` finds the whole page rendered."""
    started = time.perf_counter()
    at = at_or_widget.run()
    elapsed = time.perf_counter() - started
    check(at)
    return elapsed


def check_ok(at) -> None:
    # The front door turns a page's exception into an error box, so check both.
    if at.exception or at.error:
        problems = [e.value for e in at.error] + [e.message for e in at.exception]
        raise SystemExit(f"the page failed: {problems} (see the log above)")


def check_overview(at) -> None:
    check_ok(at)
    if len(at.metric) != 3:  # an empty selection stops early and would time too little
        raise SystemExit(f"overview incomplete: {len(at.metric)} metrics, info={at.info}")


def check_trends(at) -> None:
    """The trends page with its summary, change table, charts and night-share metric; an
    empty selection stops after the caption and would time too little."""
    from lib.i18n import t

    check_ok(at)
    titles = [e.value for e in at.title]
    charts = len(at.get("plotly_chart"))
    summary = at.text[0].value.strip() if len(at.text) else ""  # the view's sentences
    night = [m for m in at.metric if m.label == t("trends.night_metric")]
    complete = titles == [t("trends.heading")] and summary and len(at.dataframe) >= 1
    if not complete or charts < 3 or not night:
        raise SystemExit(
            f"trends page incomplete: titles={titles}, summary={summary[:60]!r}, "
            f"{len(at.dataframe)} tables, {charts} charts, {len(night)} night metrics, "
            f"info={[i.value for i in at.info]}"
        )


def profiled_run(at_or_widget, out: Path, what: str = "rerun") -> float:
    """One run with the thread that runs the page script under cProfile; its 40 costliest
    functions, by own and cumulative time, go to ``out`` (appended). With ``what="first"``,
    the run is a new session's first (its frames are cached already in this process). The
    profiler's clock is the thread's CPU time (a loaded machine does not distort it); the
    elapsed time includes the profiler's overhead."""
    import cProfile
    import io
    import pstats

    from bench.profile_overview import PROFILE

    profiler = cProfile.Profile(time.thread_time)
    PROFILE.append(profiler)
    started = time.perf_counter()
    try:
        at_or_widget.run()
    finally:
        PROFILE.remove(profiler)
    elapsed = time.perf_counter() - started
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    for order in ("tottime", "cumulative"):
        stats.sort_stats(order).print_stats(40)
    with out.open("a") as fh:
        fh.write(f"one profiled {what} run, script thread: {elapsed:.3f} s\n{text.getvalue()}")
    return elapsed


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


# --- Parent ----------------------------------------------------------------------------------

PAGES = ("overview", "trends")


def child(phase: str, n: int, db: Path, reruns: int, profile: Path | None = None) -> dict:
    out = db.parent / f"{phase}-{n}.json"
    args = ["--child", phase, "--size", str(n), "--db", str(db), "--out", str(out)]
    args += ["--reruns", str(reruns)]
    if profile is not None:
        args += ["--profile-out", str(profile)]
    env = {**os.environ, "TRYGGHET_DB": str(db)}  # read by the app when it opens the store
    subprocess.run([sys.executable, "-m", "bench.overview", *args], cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text())


SUMMED = (
    "first_render_s",
    "first_render_cpu_s",
    "first_render_script_cpu_s",
    "rerun_median_s",
    "rerun_cpu_median_s",
    "rerun_script_cpu_median_s",
)


def measure(
    sizes: list[int],
    reruns: int,
    pages: list[str],
    repeats: int,
    profile_stamp: str | None = None,
    keep: Path | None = None,
    reuse: bool = False,
) -> list[dict]:
    """Import every size, then render each page of each size in turn, ``repeats`` rounds, so
    a change of load on a shared machine falls on every size alike; a page's figures are the
    medians over the rounds (its peak memory too), the rounds kept under ``runs``. With
    ``keep`` the stores stay there, and with ``reuse`` a store kept there before is used
    again instead of importing (its import figures are the ones kept with it)."""
    with tempfile.TemporaryDirectory(prefix="trygghet-bench-") as tmp:
        folder = Path(tmp)
        if keep is not None:  # kept for profiling: bench.profile_overview --db <keep>/...
            folder = keep
            folder.mkdir(parents=True, exist_ok=True)
        rows, dbs = {}, {}
        for n in sizes:
            dbs[n] = folder / f"incidents-{n}.db"
            imported = folder / f"import-{n}.json"
            if reuse and dbs[n].exists() and imported.exists():
                print(f"[{n:,}] reusing {dbs[n]}", file=sys.stderr, flush=True)
                rows[n] = {"incidents": n, **json.loads(imported.read_text())}
                continue
            for old in folder.glob(f"incidents-{n}.db*"):
                old.unlink()
            print(f"[{n:,}] generating and importing …", file=sys.stderr, flush=True)
            profile = None
            if profile_stamp is not None:
                profile = RESULTS / f"profile-import-{n}-{profile_stamp}.txt"
            rows[n] = {"incidents": n, **child("import", n, dbs[n], reruns, profile)}
        runs: dict[tuple[int, str], list[dict]] = {(n, p): [] for n in sizes for p in pages}
        for round_ in range(repeats):
            for (n, page), done in runs.items():
                print(f"[{n:,}] {page} page, round {round_ + 1} …", file=sys.stderr, flush=True)
                profile = None
                if profile_stamp is not None and round_ == 0:
                    profile = RESULTS / f"profile-{page}-{n}-{profile_stamp}.txt"
                done.append(child(page, n, dbs[n], reruns, profile))
        for (n, page), done in runs.items():
            medians = {k: statistics.median(r[k] for r in done) for k in (*SUMMED, "app_peak_mib")}
            rows[n][page] = medians | {"runs": done}
        return [rows[n] for n in sizes]


IMPORT_COLUMNS = (  # key (a page's results under its name), header, format
    ("incidents", "incidents", "{:,}"),
    ("cube_rows", "cube rows", "{:,}"),
    ("csv_mb", "CSV MB", "{:.1f}"),
    ("import_s", "import s", "{:.2f}"),
    ("read_s", "read+validate s", "{:.2f}"),
    ("store_s", "store s", "{:.2f}"),
    ("read_cpu_s", "validate CPU-s", "{:.2f}"),
    ("store_cpu_s", "store CPU-s", "{:.2f}"),
    ("parse_only_s", "parse only s", "{:.2f}"),
    ("import_ratio", "import / parse", "{:.1f}x"),
    ("insert_floor_s", "SQLite insert only s", "{:.2f}"),
    ("import_peak_mib", "import peak MiB", "{:,.0f}"),
)
PAGE_COLUMNS = (
    ("first_render_s", "first render s", "{:.2f}"),
    ("first_render_cpu_s", "first render CPU-s", "{:.2f}"),
    ("rerun_median_s", "rerun s (median)", "{:.3f}"),
    ("rerun_cpu_median_s", "rerun CPU-s (median)", "{:.3f}"),
    ("app_peak_mib", "app peak MiB", "{:,.0f}"),
)
# Reported beside the targets: CPU seconds of the whole process and of the script's thread.
NAMES = {k: h for k, h, _ in PAGE_COLUMNS} | {
    "first_render_script_cpu_s": "first render script-thread CPU-s",
    "rerun_script_cpu_median_s": "rerun script-thread CPU-s (median)",
}
CPU_KEYS = {
    "first_render_cpu_s": 1.5,
    "rerun_cpu_median_s": 1.5,
    "first_render_script_cpu_s": 1.5,
    "rerun_script_cpu_median_s": 1.5,
}
TRENDS_COLUMNS = (
    ("incidents", "incidents", "{:,}"),
    ("cube_rows", "cube rows", "{:,}"),
    ("timed_rows", "timed rows", "{:,}"),
    *((("trends", k), h, f) for k, h, f in PAGE_COLUMNS),
)


def tables(rows: list[dict], pages: list[str]) -> list[str]:
    """The import table (with the overview's columns when it was measured, as before the
    trends page existed) and the trends page's table."""
    first = IMPORT_COLUMNS
    if "overview" in pages:
        first += tuple((("overview", k), h, f) for k, h, f in PAGE_COLUMNS)
    out = [table(rows, first)]
    if "trends" in pages:
        out.append("Trends page (Utveckling):\n\n" + table(rows, TRENDS_COLUMNS))
    return out


def table(rows: list[dict], columns) -> str:
    def value(row, key):
        return row[key[0]][key[1]] if isinstance(key, tuple) else row[key]

    lines = ["| " + " | ".join(h for _, h, _ in columns) + " |"]
    lines.append("|" + "---:|" * len(columns))
    for row in rows:
        lines.append("| " + " | ".join(f.format(value(row, k)) for k, _, f in columns) + " |")
    return "\n".join(lines)


def verdicts(rows: list[dict], page: str) -> tuple[dict, list[str]]:
    """Issue 23's targets for one page, largest size against smallest: the ratios and a line
    for each."""
    if len(rows) < 2:
        return {}, [f"{page}: targets not checked: needs at least two sizes"]
    small, large = min(rows, key=lambda r: r["incidents"]), max(rows, key=lambda r: r["incidents"])
    sizes = f"{large['incidents']:,} / {small['incidents']:,}"
    ratios, lines = {}, []
    for key, target in {**TARGETS, **CPU_KEYS}.items():
        ratio = large[page][key] / small[page][key]
        ratios[key] = ratio
        met = "met" if ratio <= target else "MISSED"
        name = NAMES[key]
        lines.append(f"{page} {name} ratio {sizes}: {ratio:.2f}x (target <= {target:g}x: {met})")
    return ratios, lines


def import_verdict(rows: list[dict]) -> str:
    large = max(rows, key=lambda r: r["incidents"])
    ratio = large["import_ratio"]
    met = "met" if ratio <= IMPORT_TARGET else "MISSED"
    floor = large["insert_floor_s"] / large["parse_only_s"]
    return (
        f"import of {large['incidents']:,} rows: {large['import_s']:.2f} s, {ratio:.1f}x pyarrow's "
        f"parse ({large['parse_only_s']:.2f} s) (target <= {IMPORT_TARGET:g}x on SQLite: {met}); "
        f"SQLite's own insert of the same rows as ready tuples: {large['insert_floor_s']:.2f} s, "
        f"{floor:.1f}x the parse"
    )


def environment() -> dict:
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    import streamlit

    return {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "dirty": bool(git("status", "--porcelain", "--", "lib", "pages", "dashboard.py")),
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "streamlit": streamlit.__version__,
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument(
        "--repeats", type=int, default=2, help="rounds of page children, sizes alternating"
    )
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES))
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the timed reruns, profile one more rerun per page and size "
        "(bench/results/profile-<page>-<size>-<timestamp>.txt)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="sizes 1 000 and 2 000, one rerun, no file (CI)"
    )
    parser.add_argument(
        "--import-only", action="store_true", help="only the imports (no page rounds)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep each size's store as <KEEP>/incidents-<size>.db (for bench.profile_overview)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: use the stores kept there before"
    )
    parser.add_argument("--child", choices=["import", *PAGES], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "import":
        args.out.write_text(json.dumps(run_import(args.size, args.db, args.profile_out)))
        return
    if args.child in PAGES:
        result = run_page(args.db, args.reruns, args.child, args.profile_out)
        args.out.write_text(json.dumps(result))
        return
    if args.smoke:
        args.sizes, args.reruns, args.repeats, args.profile = SMOKE_SIZES, 1, 1, False
    pages = [] if args.import_only else [p for p in PAGES if p in args.pages]
    env = environment()  # before measuring: the code may change while the benchmark runs
    env["load_before"] = os.getloadavg()
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    RESULTS.mkdir(exist_ok=True)
    profile = stamp if args.profile else None
    rows = measure(args.sizes, args.reruns, pages, args.repeats, profile, args.keep, args.reuse)
    env["load_after"] = os.getloadavg()
    ratios, lines = {}, []
    for page in pages:
        ratios[page], text = verdicts(rows, page)
        lines += text
    lines.append(import_verdict(rows))
    load = f"load average before {env['load_before'][0]:.1f}, after {env['load_after'][0]:.1f}"
    print(*tables(rows, pages), "\n".join(lines), load, sep="\n\n")
    if args.smoke:
        return
    path = RESULTS / f"pages-{stamp}.json"
    report = {"environment": env, "reruns": args.reruns, "repeats": args.repeats}
    report |= {"ratios": ratios, "rows": rows}
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
