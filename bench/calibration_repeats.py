"""Calibration of the repeats verdict (``lib.figures.repeats.knox``, near-repeat Knox test),
issue 22.3.

``python -m bench.calibration_repeats [--draws 400] [--seed 4] [--smoke]``.

Null: a year of ``PER_YEAR`` (150, a burglary-sized category) incidents placed by the
clustered town of ``calibration_towns`` (streets, busy addresses, villages, rural background)
on days independent of place. Target: at most 5 % called near-repeat (p <= 0.05; the one-sided
Monte Carlo test with 999 permutations). Planted: ``FOLLOWERS`` (20) of the incidents are
followed by a repeat within 100 m and 1-7 days (the near-repeat pattern of burglary); target:
found (p <= 0.05) in at least 80 %. The ratio observed / expected is reported too.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench import calibration_towns as towns
from lib.figures import repeats

PER_YEAR = 150
FOLLOWERS = 20
ALPHA = 0.05
NULL_TARGET = 0.05
POWER_TARGET = 0.80


def draw(rng, followers: int):
    plan = towns.layout(rng)
    n = rng.poisson(PER_YEAR)
    x, y = towns.places(rng, plan, n)
    day = rng.integers(0, 365, n)
    lead = rng.choice(n, followers, replace=False)
    angle = rng.uniform(0, 2 * np.pi, followers)
    distance = 100 * np.sqrt(rng.random(followers))
    x = np.r_[x, x[lead] + distance * np.cos(angle)]
    y = np.r_[y, y[lead] + distance * np.sin(angle)]
    day = np.r_[day, day[lead] + rng.integers(1, 8, followers)]
    return x, y, day


def run(draws: int = 400, seed: int = 4, permutations: int = repeats.PERMUTATIONS) -> dict:
    rng = np.random.default_rng(seed)
    null = [repeats.knox(*draw(rng, 0), permutations=permutations, rng=rng) for _ in range(draws)]
    planted = [
        repeats.knox(*draw(rng, FOLLOWERS), permutations=permutations, rng=rng)
        for _ in range(draws)
    ]
    return {
        "draws": draws,
        "seed": seed,
        "permutations": permutations,
        "per_year": PER_YEAR,
        "followers": FOLLOWERS,
        "null_false": float(np.mean([r.p <= ALPHA for r in null])),
        "null_ratio_median": float(np.nanmedian([r.ratio for r in null])),
        "planted_found": float(np.mean([r.p <= ALPHA for r in planted])),
        "planted_ratio_median": float(np.nanmedian([r.ratio for r in planted])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    r = run(3, args.seed, 99) if args.smoke else run(args.draws, args.seed)
    print(f"Repeats (Knox, 200 m, 14 days): {r['draws']} years of {PER_YEAR} incidents")
    print(
        f"  null called near-repeat: {r['null_false']:.1%} (target <= {NULL_TARGET:.0%}), "
        f"median ratio {r['null_ratio_median']:.2f}"
    )
    print(
        f"  {FOLLOWERS} repeats within 100 m and 7 days found: {r['planted_found']:.1%} "
        f"(target >= {POWER_TARGET:.0%}), median ratio {r['planted_ratio_median']:.2f}"
    )
    print(f"  {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
