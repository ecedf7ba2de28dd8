"""How long the signals' scan takes after an import (issue 22: at most 10 s for five years of
a municipality the size of Hallsberg on this 2-core machine).

``python -m bench.scan_speed [--per-year 2500] [--repeats 3] [--smoke]`` (repo root).

Five years (2014-2018) of ``--per-year`` incidents with positions from the clustered town of
``bench.calibration_towns`` (Hallsberg's localities, streets, busy addresses, rural
background). Timed, each the best of ``--repeats`` runs, single process:

* ``prepare``: the study period's cylinders (365 days, 100 m cells, circles up to 1 km);
* ``full``: the whole scan with every one of the 999 replications (``stop_after=None``): the
  worst case, and the time of a day with an alert (an alert needs all 999);
* ``default``: the scan as the app runs it (early stop after 50 replications beat the most
  likely cluster) on the same, ordinary data;
* ``burst``: the default scan with a planted burst (10 incidents within 150 m in 14 days
  where about 0.3 are expected, ``bench.calibration_signals``), which is an alert and so
  runs all 999 replications.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

import numpy as np
import pandas as pd

from bench import calibration_signals as signals
from bench import calibration_towns as towns
from lib.figures import scan

FIRST, LAST = dt.date(2014, 1, 1), dt.date(2018, 12, 31)


def _best(repeats: int, work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return min(times), result


def run(
    per_year: int = 2500,
    repeats: int = 3,
    replications: int = scan.REPLICATIONS,
    first: dt.date = FIRST,
) -> dict:
    rng = np.random.default_rng(2022)
    plan = towns.layout(rng)
    data = towns.incidents(rng, plan, per_year, first, LAST)
    x, y, day = data["x"].to_numpy(), data["y"].to_numpy(), data["day"].to_numpy()
    centre = signals.burst_place(rng, plan, data, LAST)
    planted = pd.concat([data, signals.planted_burst(rng, centre, LAST)], ignore_index=True)

    def scan_of(frame, stop):
        return scan.scan(
            frame["x"].to_numpy(),
            frame["y"].to_numpy(),
            frame["day"].to_numpy(),
            replications=replications,
            rng=1,
            stop_after=stop,
        )

    prepare, cylinders = _best(repeats, lambda: scan.prepare(x, y, day)[0])
    full, _ = _best(repeats, lambda: scan_of(data, None))
    default, quick = _best(repeats, lambda: scan_of(data, scan.STOP_AFTER))
    burst, alerted = _best(repeats, lambda: scan_of(planted, scan.STOP_AFTER))
    return {
        "incidents": len(data),
        "years": round((LAST - first).days / 365.25),
        "in_study_period": cylinders.n,
        "cells": len(cylinders.cell_x),
        "circles": len(cylinders.pair_centre),
        "replications": replications,
        "cpus": os.cpu_count(),
        "prepare_s": prepare,
        "full_s": full,
        "default_s": default,
        "default_replications": quick.replications,
        "burst_s": burst,
        "burst_alerts": int(alerted.clusters["alert"].sum()),
        "burst_replications": alerted.replications,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-year", type=int, default=2500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="one year, 99 replications")
    args = parser.parse_args()
    if args.smoke:
        r = run(args.per_year, 1, 99, dt.date(2018, 1, 1))
    else:
        r = run(args.per_year, args.repeats)
    print(
        f"Scan speed: {r['incidents']} incidents over {r['years']} years, {r['in_study_period']} "
        f"in the 365-day study period, {r['cells']} cells, {r['circles']} circles, "
        f"{r['cpus']} CPUs"
    )
    print(f"  prepare: {r['prepare_s']:.2f} s")
    print(f"  full ({r['replications']} replications): {r['full_s']:.2f} s")
    print(
        f"  default (early stop, {r['default_replications']} replications): {r['default_s']:.2f} s"
    )
    print(
        f"  with a burst ({r['burst_alerts']} alert(s), {r['burst_replications']} replications): "
        f"{r['burst_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
