"""Benchmark of the map page (Karta) against the number of stored incidents: the page rerun
and the size of what the map sends to the browser.

``python -m bench.map [--sizes 10000 100000 1000000] [--reruns 5] [--smoke]`` (from the repo
root; ``--smoke``: sizes 1 000 and 2 000, one rerun, no results file, for CI).

Per size, one child process generates and imports the incidents (``bench.overview``'s
generator and import child, unchanged), then one child opens the app with ``AppTest``,
switches to the map page, measures the map's payload in each view and times reruns after
filter changes (the same never-repeating walk as the overview benchmark).

Payload: what ``st_folium`` hands the browser for the map is the map's script, header and
HTML (``data``: the cells, labels and layers, as JSON inside a small script); the library
code (Leaflet and the plugins in use, served by the dashboard and cached by the browser) is
``library``; ``total`` is both. The hotspot view draws every classed cell of the study region
(the municipality's cells, ``lib.figures.hotspots.study_region``), so its payload is bounded
by the region's size (10 891 cells of 250 m for Hallsberg) whatever the number of incidents.
Targets: ``data`` under 1.5 MB at the largest size, ``total`` at the largest size within 1.5x
of the smallest, the median rerun at the largest size within 3x of the smallest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import overview

ROOT = overview.ROOT
RESULTS = overview.RESULTS
PAGE = "pages/karta.py"
VIEWS = ("grid", "hotspots", "heat")
DATA_LIMIT_MB = 1.5
TOTAL_RATIO = 1.5
RERUN_RATIO = 3.0


def payload(at) -> dict:
    """Bytes the browser receives for the map as it stands in ``at``."""
    from lib.public import maps

    (component,) = at.get("component_instance")
    args = json.loads(component.proto.json_args)
    data = sum(len(args[k].encode()) for k in ("script", "header", "html"))
    names = [link.rsplit("/", 1)[-1] for link in args["js_links"] + args["css_links"]]
    library = maps.asset_bytes(tuple(names))
    return {"data": data, "library": library, "total": data + library, "cells": _cells(args)}


def _cells(args: dict) -> int:
    script = args["script"]
    start = script.index("var d = ") + len("var d = ")
    drawn = json.loads(script[start : script.index(";\n", start)])
    return len(drawn["cells"]) or len(drawn["heat"])


def check_map(at) -> None:
    overview.check_ok(at)
    if len(at.get("component_instance")) != 1 or not len(at.text):  # the map and its summary
        raise SystemExit(f"map page incomplete: info={[i.value for i in at.info]}")


def run_page(db: Path, reruns: int) -> dict:
    from streamlit.testing.v1 import AppTest

    from lib.ingest.sample import CATEGORIES

    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=600)
    result = {"open_s": overview.timed_run(at, overview.check_overview)}
    result["first_render_s"] = overview.timed_run(at.switch_page(PAGE), check_map)
    views = {}
    for view in VIEWS:
        overview.timed_run(at.button_group(key="vy").set_value(view), check_map)
        views[view] = payload(at)
    overview.timed_run(at.button_group(key="vy").set_value("grid"), check_map)
    by_weight = sorted(CATEGORIES, key=lambda c: -c.per_year)
    steps = overview.filter_steps(list(dict.fromkeys(c.name for c in by_weight)))
    times = []
    for _ in range(reruns):
        key, value = next(steps)
        times.append(overview.timed_run(at.selectbox(key=key).set_value(value), check_map))
    return result | {
        "payload": views,
        "rerun_s": times,
        "rerun_median_s": statistics.median(times),
        "app_peak_mib": overview.peak_mib(),
    }


def child(n: int, db: Path, reruns: int) -> dict:
    out = db.parent / "map.json"
    args = ["--child", "--size", str(n), "--db", str(db), "--out", str(out)]
    env = {**os.environ, "TRYGGHET_DB": str(db)}
    subprocess.run(
        [sys.executable, "-m", "bench.map", *args, "--reruns", str(reruns)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(out.read_text())


def measure(n: int, reruns: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="trygghet-bench-map-") as tmp:
        db = Path(tmp) / "bench.db"
        print(f"[{n:,}] generating and importing …", file=sys.stderr, flush=True)
        imported = overview.child("import", n, db, reruns)
        print(f"[{n:,}] rendering the map page …", file=sys.stderr, flush=True)
        return {"incidents": n, "import_s": imported["import_s"], "map": child(n, db, reruns)}


def table(rows: list[dict]) -> str:
    head = "| incidents | first render s | rerun s (median) | app peak MiB |"
    for view in VIEWS:
        head += f" {view}: cells | data kB | total kB |"
    lines = [head, "|" + "---:|" * (4 + 3 * len(VIEWS))]
    for row in rows:
        m = row["map"]
        line = (
            f"| {row['incidents']:,} | {m['first_render_s']:.2f} | {m['rerun_median_s']:.3f} "
            f"| {m['app_peak_mib']:,.0f} |"
        )
        for view in VIEWS:
            p = m["payload"][view]
            line += f" {p['cells']:,} | {p['data'] / 1e3:,.1f} | {p['total'] / 1e3:,.1f} |"
        lines.append(line)
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    if len(rows) < 2:
        return ["targets not checked: needs at least two sizes"]
    small, large = min(rows, key=lambda r: r["incidents"]), max(rows, key=lambda r: r["incidents"])
    sizes = f"{large['incidents']:,} / {small['incidents']:,}"
    out = []
    for view in VIEWS:
        big, little = large["map"]["payload"][view], small["map"]["payload"][view]
        data_mb = big["data"] / 1e6
        ratio = big["total"] / little["total"]
        out.append(
            f"{view}: data {data_mb:.3f} MB at {large['incidents']:,} "
            f"(target < {DATA_LIMIT_MB:g}: {'met' if data_mb < DATA_LIMIT_MB else 'MISSED'}); "
            f"total ratio {sizes}: {ratio:.2f}x "
            f"(target <= {TOTAL_RATIO:g}x: {'met' if ratio <= TOTAL_RATIO else 'MISSED'})"
        )
    ratio = large["map"]["rerun_median_s"] / small["map"]["rerun_median_s"]
    met = "met" if ratio <= RERUN_RATIO else "MISSED"
    out.append(f"rerun ratio {sizes}: {ratio:.2f}x (target <= {RERUN_RATIO:g}x: {met})")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument(
        "--smoke", action="store_true", help="sizes 1 000 and 2 000, one rerun, no file (CI)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.out.write_text(json.dumps(run_page(args.db, args.reruns)))
        return
    if args.smoke:
        args.sizes, args.reruns = overview.SMOKE_SIZES, 1
    env = overview.environment()
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    started = time.perf_counter()
    rows = [measure(n, args.reruns) for n in args.sizes]
    lines = verdicts(rows)
    print(table(rows), "\n".join(lines), f"load average {os.getloadavg()[0]:.1f}", sep="\n\n")
    if args.smoke:
        return
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"map-{stamp}.json"
    report = {"environment": env, "reruns": args.reruns, "verdicts": lines, "rows": rows}
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwritten to {path.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
