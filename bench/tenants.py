"""Benchmark of a shared store (issue 15.5): one municipality's overview against a store that
holds several municipalities, on SQLite and on PostgreSQL, and a large import by COPY.

``python -m bench.tenants [--municipalities 12] [--rows 100000] [--import-rows 1000000]
[--reruns 3] [--backends sqlite postgresql]`` (from the repo root; PostgreSQL runs in a
temporary cluster of its own, as the tests' does: ``apt-get install postgresql``).

For each backend two stores are filled with synthetic incidents (``bench.overview``'s):
"shared" with ``--municipalities`` municipalities of ``--rows`` each (Hallsberg and other
municipalities of Örebro län), "alone" with Hallsberg's only. One child process per store
opens the app with AppTest on Hallsberg's overview and times its first render and reruns
after filter changes, and reports its peak memory. Targets: rerun within 1.5x and first
render within 2x of the store holding Hallsberg alone, memory within 1.5x. Then a file of
``--import-rows`` incidents is imported into a fresh PostgreSQL database (read, validated,
stored by COPY) against pyarrow's parse of the same file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Örebro län: Hallsberg first, the one every page is timed on.
CODES = ("1861", "1814", "1860", "1862", "1863", "1864", "1880", "1881", "1882", "1883")
CODES += ("1884", "1885")
TARGETS = {"rerun": 1.5, "first": 2.0, "memory": 1.5}


def fill(url: str, codes: tuple[str, ...], rows: int) -> float:
    """``rows`` synthetic incidents for each municipality, one logged import each; seconds."""
    from bench.overview import synthetic_incidents
    from lib.config import load_municipality
    from lib.store.store import Store, WriteItem

    frame = synthetic_incidents(rows, load_municipality())
    base = Store(url)
    started = time.perf_counter()
    for code in codes:
        store = base.for_municipality(code)
        store.write(WriteItem("incidents", frame, f"syntetisk-{code}.csv", f"{code:0>64}"), "bench")
        store.mark_initialised()
    base.engine.dispose()
    return time.perf_counter() - started


def page_child(url: str, reruns: int) -> dict:
    """Runs in its own process: Hallsberg's overview as the public sees it, its first render
    and reruns after choosing another locality (each choice new, so the page computes)."""
    import statistics

    from streamlit.testing.v1 import AppTest

    from bench.overview import check_overview, peak_mib, timed_run
    from lib.config import load_municipality

    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=600)
    first = timed_run(at, check_overview)
    places = [*load_municipality().locality_names, None]
    times = [
        timed_run(at.selectbox(key="ort").set_value(places[i % len(places)]), check_overview)
        for i in range(reruns)
    ]
    return {
        "first_render_s": first,
        "rerun_s": times,
        "rerun_median_s": statistics.median(times),
        "app_peak_mib": peak_mib(),
    }


def run_child(url: str, reruns: int, out: Path) -> dict:
    env = {**os.environ, "TRYGGHET_DB": url}
    env.pop("TRYGGHET_KOMMUNER", None)
    args = ["--child", "--db", url, "--reruns", str(reruns), "--out", str(out)]
    subprocess.run([sys.executable, "-m", "bench.tenants", *args], cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text())


def big_import(url: str, rows: int, work: Path) -> dict:
    """A ``rows``-row incidents CSV: pyarrow's parse of it, and its whole import (read in a
    child process, validated, stored by COPY in one transaction) into ``url``."""
    import pyarrow.csv as pacsv

    from bench.overview import synthetic_incidents
    from lib.config import load_municipality
    from lib.ingest.importers import to_swedish_csv
    from lib.ingest.loading import read_file, store_result
    from lib.store.store import Store

    muni = load_municipality()
    path = work / f"incidents-{rows}.csv"
    text = to_swedish_csv(synthetic_incidents(rows, muni, seed=7), "incidents")
    # Unix line ends: lib.ingest.limits counts a CRLF as two lines (a million-row Excel file
    # would read as two million and be refused).
    path.write_bytes(text.replace(b"\r\n", b"\n"))
    data = path.read_bytes()
    started = time.perf_counter()
    pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=";"))
    parse_s = time.perf_counter() - started
    store = Store(url)
    started = time.perf_counter()
    result = read_file(data, "incidents", muni, path.name)
    read_s = time.perf_counter() - started
    outcome = store_result(store, result, user="bench")
    total_s = time.perf_counter() - started
    if not outcome.ok or outcome.rows_added != rows:
        raise SystemExit(f"import failed: {outcome.messages[:3]}")
    return {
        "csv_mb": round(len(data) / 1e6, 1),
        "pyarrow_parse_s": parse_s,
        "import_s": total_s,
        "read_validate_s": read_s,
        "store_copy_s": total_s - read_s,
        "import_over_parse": total_s / parse_s,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=12)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=1_000_000)
    parser.add_argument("--reruns", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--import-only", action="store_true", help="only the large import")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.out.write_text(json.dumps(page_child(args.db, args.reruns)))
        return
    codes = CODES[: args.municipalities]
    work = Path(tempfile.mkdtemp(prefix="bench-tenants-"))
    cluster = None
    if "postgresql" in args.backends:
        from tests import pg

        cluster = pg.start()
    results: dict = {"municipalities": len(codes), "rows_each": args.rows}
    try:
        for backend in [] if args.import_only else args.backends:
            for kind, chosen in (("alone", codes[:1]), ("shared", codes)):
                if backend == "sqlite":
                    url = str(work / f"{kind}.db")
                else:
                    url = cluster.new_database()
                load_s = fill(url, chosen, args.rows)
                page = run_child(url, args.reruns, work / f"{backend}-{kind}.json")
                results[f"{backend}/{kind}"] = {"load_s": load_s, **page}
                print(backend, kind, json.dumps(results[f"{backend}/{kind}"]), flush=True)
        if cluster is not None and args.import_rows:
            results["import"] = big_import(cluster.new_database(), args.import_rows, work)
            print("import", json.dumps(results["import"]), flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    print(report(results, [] if args.import_only else args.backends))


def report(results: dict, backends: list[str]) -> str:
    lines = [
        f"{results['municipalities']} municipalities x {results['rows_each']:,} incidents",
        "",
        "| backend | store | load s | first render s | rerun median s | peak MiB |",
        "|---|---|---|---|---|---|",
    ]
    for backend in backends:
        for kind in ("alone", "shared"):
            r = results[f"{backend}/{kind}"]
            lines.append(
                f"| {backend} | {kind} | {r['load_s']:.1f} | {r['first_render_s']:.2f} | "
                f"{r['rerun_median_s']:.3f} | {r['app_peak_mib']:.0f} |"
            )
    lines.append("")
    for backend in backends:
        alone, shared = results[f"{backend}/alone"], results[f"{backend}/shared"]
        ratios = {
            "rerun": shared["rerun_median_s"] / alone["rerun_median_s"],
            "first": shared["first_render_s"] / alone["first_render_s"],
            "memory": shared["app_peak_mib"] / alone["app_peak_mib"],
        }
        verdicts = ", ".join(
            f"{k} {v:.2f}x ({'ok' if v <= TARGETS[k] else 'over'} {TARGETS[k]}x)"
            for k, v in ratios.items()
        )
        lines.append(f"{backend}: shared/alone {verdicts}")
    if "import" in results:
        i = results["import"]
        lines.append(
            f"import of a {i['csv_mb']} MB file into PostgreSQL: "
            f"{i['import_s']:.1f} s (read+validate {i['read_validate_s']:.1f} s, store by COPY "
            f"{i['store_copy_s']:.1f} s) against pyarrow's parse {i['pyarrow_parse_s']:.2f} s "
            f"({i['import_over_parse']:.0f}x)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
