"""Calibration of the hot spots against a baseline (``lib.figures.baselines``), issue 22.1.

``python -m bench.calibration_baselines [--draws 500] [--seed 5] [--public] [--smoke]`` (root).

Own history. Null: ``PER_YEAR`` (600) incidents a year spread evenly over the main town
(Hallsberg's disc of ``calibration_towns``, uniform), the same every year, three years: the
latest against the two before. Also on the clustered town of ``calibration_towns`` (streets,
busy addresses, villages, rural background; the layout fixed over the years). Target: at most
10 % of maps with any "het" cell (bin >= 2, 95 %). For contrast, the land baseline
(``hotspots.hotspots`` on the latest year over the municipality's region) on the same even
town. Planted: the same plus ``EXTRA`` (25) incidents in one 250 m cell of the town in the
latest year; target: that cell het in at least 80 %.

Residents. A population grid of 250 m cells (each locality's people spread evenly over its
disc); null: incidents where people live in proportion to them (``PER_YEAR`` a year, one
year); planted: ``EXTRA`` more in one populated cell. Same targets.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from bench import calibration_towns as towns
from lib.figures import baselines, counting, hotspots

CELL = 250
PER_YEAR = 600
EXTRA = 25
NULL_TARGET = 0.10
POWER_TARGET = 0.80


def _counts(rng, x, y, keyed: bool) -> pd.DataFrame:
    key = rng.random(len(x)) if keyed else None
    return hotspots.grid_counts(x, y, CELL, key=key)


def _town(rng, plan, n):
    centre, radius = plan.centres[0], plan.radii[0]
    xy = towns._in_disc(rng, centre, radius, n)
    return xy[:, 0], xy[:, 1]


def _planted_cell(rng, plan) -> tuple[int, int]:
    xy = towns._in_disc(rng, plan.centres[0], plan.radii[0] * 0.8, 1)[0]
    return int(xy[0] // CELL), int(xy[1] // CELL)


def _hot(result, cell=None) -> bool:
    c = result.cells
    if cell is None:
        return bool((c["bin"] >= 2).any())
    at = (c["ix"] == cell[0]) & (c["iy"] == cell[1])
    return bool((c.loc[at, "bin"] >= 2).any())


def _with_extra(rng, x, y, cell):
    px = (cell[0] + rng.random(EXTRA)) * CELL
    py = (cell[1] + rng.random(EXTRA)) * CELL
    return np.r_[x, px], np.r_[y, py]


def own_history_draw(rng, plan, where, counter, keyed, planted: bool):
    years = [where(rng, plan, rng.poisson(PER_YEAR)) for _ in range(3)]
    cell = _planted_cell(rng, plan) if planted else None
    if planted:
        years[0] = _with_extra(rng, *years[0], cell)
    frames = [_counts(rng, x, y, keyed) for x, y in years]
    result = baselines.own_history(frames[0], frames[1:], counter=counter)
    return _hot(result, cell), years[0]


def population_grid(plan) -> pd.DataFrame:
    """Each locality's people spread evenly over the 250 m cells whose centre lies in its
    disc."""
    rows = []
    for centre, radius, weight in zip(plan.centres, plan.radii, plan.weights, strict=True):
        ix = np.arange((centre[0] - radius) // CELL, (centre[0] + radius) // CELL + 1)
        iy = np.arange((centre[1] - radius) // CELL, (centre[1] + radius) // CELL + 1)
        gx, gy = np.meshgrid(ix, iy, indexing="ij")
        gx, gy = gx.ravel(), gy.ravel()
        inside = np.hypot((gx + 0.5) * CELL - centre[0], (gy + 0.5) * CELL - centre[1]) <= radius
        people = weight * 16_000 / max(int(inside.sum()), 1)
        rows.append(pd.DataFrame({"ix": gx[inside], "iy": gy[inside], "population": people}))
    grid = pd.concat(rows).groupby(["ix", "iy"], as_index=False)["population"].sum()
    return grid.astype({"ix": np.int64, "iy": np.int64})


def residents_draw(rng, grid, counter, keyed, planted: bool):
    share = grid["population"].to_numpy() / grid["population"].sum()
    pick = rng.choice(len(grid), rng.poisson(PER_YEAR), p=share)
    x = (grid["ix"].to_numpy()[pick] + rng.random(len(pick))) * CELL
    y = (grid["iy"].to_numpy()[pick] + rng.random(len(pick))) * CELL
    cell = None
    if planted:
        k = rng.integers(0, len(grid))
        cell = (int(grid["ix"].iloc[k]), int(grid["iy"].iloc[k]))
        x, y = _with_extra(rng, x, y, cell)
    result = baselines.residents(_counts(rng, x, y, keyed), grid, CELL, counter=counter)
    return _hot(result, cell)


def run(draws: int = 500, seed: int = 5, public: bool = False) -> dict:
    """Shares over ``draws`` simulated maps; ``public``: counted with the public view's
    cell-key counter (records with random keys) and tested with its slack."""
    from lib.public.disclosure import perturb

    counter = perturb if public else counting.exact
    rng = np.random.default_rng(seed)
    region = towns.layout(rng).region
    tallies = dict.fromkeys(
        ["even", "streets", "land", "planted", "residents_null", "residents_planted"], 0
    )
    for _ in range(draws):
        plan = towns.layout(rng)
        hot, latest = own_history_draw(rng, plan, _town, counter, public, False)
        tallies["even"] += hot
        land = hotspots.hotspots(pd.DataFrame({"x": latest[0], "y": latest[1]}), CELL, region)
        tallies["land"] += _hot(land)
        tallies["streets"] += own_history_draw(rng, plan, towns.places, counter, public, False)[0]
        tallies["planted"] += own_history_draw(rng, plan, _town, counter, public, True)[0]
        grid = population_grid(plan)
        tallies["residents_null"] += residents_draw(rng, grid, counter, public, False)
        tallies["residents_planted"] += residents_draw(rng, grid, counter, public, True)
    share = {k: v / draws for k, v in tallies.items()}
    return {
        "draws": draws,
        "seed": seed,
        "public": public,
        "per_year": PER_YEAR,
        "extra": EXTRA,
        "null_any_hot_95": share["even"],
        "null_any_hot_95_streets": share["streets"],
        "null_any_hot_95_land": share["land"],
        "planted_found_hot_95": share["planted"],
        "residents_null_any_hot_95": share["residents_null"],
        "residents_planted_found_hot_95": share["residents_planted"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="3 draws, seconds (CI)")
    parser.add_argument("--public", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.draws = 3
    began = time.perf_counter()
    r = run(args.draws, args.seed, args.public)
    print(
        f"Hot spots against a baseline, {r['draws']} maps (seed {r['seed']}), "
        f"{'public counts' if r['public'] else 'exact counts'}, {PER_YEAR} incidents a year"
    )
    print(
        f"  own history, even town, 3 years: any het cell {r['null_any_hot_95']:.1%} "
        f"(target <= {NULL_TARGET:.0%}); land baseline on the same: "
        f"{r['null_any_hot_95_land']:.1%}"
    )
    print(f"  own history, streets and villages: any het cell {r['null_any_hot_95_streets']:.1%}")
    print(
        f"  own history, {EXTRA} extra in one cell in the last year: found "
        f"{r['planted_found_hot_95']:.1%} (target >= {POWER_TARGET:.0%})"
    )
    print(
        f"  residents, incidents where people live: any het cell "
        f"{r['residents_null_any_hot_95']:.1%}; {EXTRA} extra in one cell: found "
        f"{r['residents_planted_found_hot_95']:.1%}"
    )
    print(f"  {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
