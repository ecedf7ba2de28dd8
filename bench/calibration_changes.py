"""Calibration of the change verdict (``lib.figures.stats.compare_rates``, the one behind every
"ökning"/"minskning" on the overview, the trends page, the meeting view and the PDF).

``python -m bench.calibration_changes [--draws 20000] [--seed 7] [--smoke]`` (from the repo root).

Null: two periods with the same rate per inhabitant. Expected counts per period span the
sample's categories (from a few a year to several hundred); the population differs between
the periods by up to ±10 % and the days by a leap day, as real comparisons do. The figure is
the share of comparisons called an increase or a decrease (two-sided; target at most 5 %),
with exact counts (an analyst) and with the public view's cell-key noise (published counts,
keys drawn uniformly as the store's secret-keyed hashes are, tested with the noise's slack as
the public view does). Power (exact counts): the same with the rate multiplied by 1.5 and 2,
and with the public view's counts in ``power_public``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lib.figures import stats
from lib.public.disclosure import perturb

MEANS = (2, 5, 10, 20, 30, 50, 100, 300)  # expected incidents in the earlier period
TARGET = 0.05


def _draw(rng, mean: float, factor: float, noisy: bool) -> str:
    days_prev, days_cur = 365, int(rng.choice([365, 366]))
    pop_prev = 15_954
    pop_cur = pop_prev * rng.uniform(0.9, 1.1)
    e_prev, e_cur = pop_prev * days_prev, pop_cur * days_cur
    previous = rng.poisson(mean)
    current = rng.poisson(mean * factor * e_cur / e_prev)
    slack = 0
    if noisy:  # as the public view does: published counts, tested with their slack
        keys = rng.random(2)
        current, previous = (int(v) for v in perturb([current, previous], keys))
        slack = perturb.slack
    return stats.compare_rates(int(current), int(previous), e_cur, e_prev, slack=slack).verdict


def run(draws: int = 20_000, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    out: dict = {
        "draws": draws,
        "target": TARGET,
        "null": {},
        "null_public": {},
        "power": {},
        "power_public": {},
    }
    for mean in MEANS:
        for key, noisy in (("null", False), ("null_public", True)):
            called = sum(_draw(rng, mean, 1.0, noisy) != stats.NO_CHANGE for _ in range(draws))
            out[key][mean] = called / draws
        for factor in (1.5, 2.0):
            for key, noisy in (("power", False), ("power_public", True)):
                found = sum(
                    _draw(rng, mean, factor, noisy) == stats.INCREASE for _ in range(draws // 10)
                )
                out[key][f"{mean}x{factor}"] = found / (draws // 10)
    out["worst_null"] = max(out["null"].values())
    out["worst_null_public"] = max(out["null_public"].values())
    out["met"] = out["worst_null"] <= TARGET and out["worst_null_public"] <= TARGET
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="50 draws, seconds (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.draws = 50
    began = time.perf_counter()
    result = run(args.draws, args.seed)
    print(f"change verdicts, {args.draws} null comparisons per mean (target ≤ {TARGET:.0%})")
    for mean in MEANS:
        print(
            f"  mean {mean:>4}: false verdicts {result['null'][mean]:.2%} exact, "
            f"{result['null_public'][mean]:.2%} public (cell-key noise); power ×1.5 "
            f"{result['power'][f'{mean}x1.5']:.0%}, ×2 {result['power'][f'{mean}x2.0']:.0%} "
            f"(public {result['power_public'][f'{mean}x1.5']:.0%}, "
            f"{result['power_public'][f'{mean}x2.0']:.0%})"
        )
    print(f"worst: {result['worst_null']:.2%} exact, {result['worst_null_public']:.2%} public")
    print(f"target met: {result['met']}  ({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
