"""Calibration of the camera and action evaluations (``lib.figures.interventions.evaluate``):
how often a camera is said to have changed things when nothing changed, and how often a real
halving is found.

``python -m bench.calibration_interventions [--draws 400] [--seed 6] [--smoke] [--public]``.

Data: two years (2017-2018) of ``PER_YEAR`` (600) incidents placed by the clustered town of
``calibration_towns``. A camera (radius 200 m, buffer 500 m, as the map's defaults) at one of
the main town's busy addresses, installed on 1 January 2018: its 12 months after against the
same 12 months before, against the rest of the municipality. Null: nothing changes; the
figure is the share of evaluations with a verdict (increase or decrease; target at most 5 %).
Effect: after the start the camera's area keeps each incident with probability 0.5 (a
halving); the figure is the share found as a decrease (target at least 80 %). Evaluations
with too few incidents count as no verdict. ``public``: counted with the public view's
cell-key counter and tested with its slack.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

from bench import calibration_towns as towns
from lib.figures import counting, hotspots, interventions, stats

PER_YEAR = 600
START = dt.date(2018, 1, 1)
FIRST, LAST = dt.date(2017, 1, 1), dt.date(2018, 12, 31)
EFFECT = 0.5
NULL_TARGET = 0.05
POWER_TARGET = 0.80


def draw(rng, effect: float) -> tuple[pd.DataFrame, interventions.Intervention]:
    plan = towns.layout(rng)
    data = towns.incidents(rng, plan, PER_YEAR, FIRST, LAST)
    spot = plan.addresses[0][rng.integers(0, len(plan.addresses[0]))]
    lat, lon = hotspots.unproject([spot[0]], [spot[1]])
    camera = interventions.Intervention("k", "kamera", START, float(lat[0]), float(lon[0]))
    near = np.hypot(data["x"] - spot[0], data["y"] - spot[1]) <= camera.radius_m
    after = data["day"] >= np.datetime64(START)
    kept = ~(near & after) | (rng.random(len(data)) < effect)
    data = data[kept.to_numpy()].reset_index(drop=True)
    points = data.assign(locality="A", category="c", source="s", key=rng.random(len(data)))
    return points, camera


def run(draws: int = 400, seed: int = 6, public: bool = False) -> dict:
    from lib.public.disclosure import perturb

    counter = perturb if public else counting.exact
    rng = np.random.default_rng(seed)
    called = found = too_few = 0
    for _ in range(draws):
        points, camera = draw(rng, 1.0)
        (null,) = interventions.evaluate(points, [camera], counter=counter)
        called += null.verdict in (stats.INCREASE, stats.DECREASE)
        too_few += null.verdict == interventions.TOO_FEW
        points, camera = draw(rng, EFFECT)
        (halved,) = interventions.evaluate(points, [camera], counter=counter)
        found += halved.verdict == stats.DECREASE
    return {
        "draws": draws,
        "seed": seed,
        "public": public,
        "per_year": PER_YEAR,
        "effect": EFFECT,
        "null_false": called / draws,
        "null_too_few": too_few / draws,
        "halving_found": found / draws,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--public", action="store_true")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    r = run(3 if args.smoke else args.draws, args.seed, args.public)
    print(f"Cameras and actions: {r['draws']} evaluations ({'public' if r['public'] else 'exact'})")
    print(
        f"  no change, a verdict anyway: {r['null_false']:.1%} (target <= {NULL_TARGET:.0%}); "
        f"too few incidents {r['null_too_few']:.1%}"
    )
    print(f"  halving found: {r['halving_found']:.1%} (target >= {POWER_TARGET:.0%})")
    print(f"  {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
