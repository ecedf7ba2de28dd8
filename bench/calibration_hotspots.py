"""Calibration of the hotspot test (``lib.figures.hotspots.hotspots``) by simulation.

``python -m bench.calibration_hotspots [--draws 1000] [--seed 1] [--smoke]`` (from the repo root).

Null: ``BACKGROUND`` (600) points uniform over Hallsberg's study region (the 250 m cells whose
centre lies inside the municipality's outline; each point uniform in a uniformly drawn cell,
which is uniform over the region). Target: at most 10 % of null maps show any hot cell at the
95 % class (bin >= 2). Planted: the same background plus ``CLUSTER`` (15) extra incidents in
one region cell chosen at random among the cells with a full 3 x 3 window inside the region.
Target: the planted cell is hot at 95 % in at least 80 % of draws.

Reported: the share of null maps with any hot cell at 95 % (and at 90 %, and with any cold
cell at 95 %), the mean number of false hot cells per null map (95 %), the power for the
planted cluster, and the mean number of hot cells outside the planted cell's window.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from lib.config import load_municipality
from lib.figures import hotspots

CELL = 250
BACKGROUND = 600
CLUSTER = 15
NULL_TARGET = 0.10  # at most this share of null maps with any hot cell at 95 %
POWER_TARGET = 0.80  # at least this share of planted clusters found hot at 95 %


def region(cell: int = CELL) -> pd.DataFrame:
    return hotspots.study_region(load_municipality("hallsberg"), cell)


def uniform_points(rng: np.random.Generator, cells: pd.DataFrame, n: int, cell: int = CELL):
    """``n`` points uniform over the union of ``cells`` (equal squares): a cell uniformly,
    then a place uniformly inside it."""
    pick = rng.integers(0, len(cells), n)
    x = (cells["ix"].to_numpy()[pick] + rng.random(n)) * cell
    y = (cells["iy"].to_numpy()[pick] + rng.random(n)) * cell
    return x, y


def interior(cells: pd.DataFrame) -> pd.DataFrame:
    """Region cells whose eight neighbours all lie in the region."""
    have = set(zip(cells["ix"], cells["iy"], strict=True))
    keep = [
        all((i + dx, j + dy) in have for dx in (-1, 0, 1) for dy in (-1, 0, 1))
        for i, j in zip(cells["ix"], cells["iy"], strict=True)
    ]
    return cells[keep].reset_index(drop=True)


def _frame(x, y, rng=None) -> pd.DataFrame:
    """Points; with ``rng``, each gets a random record key as the store gives them."""
    frame = pd.DataFrame({"x": x, "y": y})
    if rng is not None:
        frame["key"] = rng.random(len(frame))
    return frame


def run(
    draws: int,
    seed: int,
    background: int = BACKGROUND,
    cluster: int = CLUSTER,
    public: bool = False,
) -> dict:
    """``public``: the points carry record keys and are counted with the public view's
    cell-key counter, so the classes are those a viewer sees."""
    from lib.figures import counting
    from lib.public.disclosure import perturb

    counter = perturb if public else counting.exact
    keyed = None
    rng = np.random.default_rng(seed)
    if public:
        keyed = rng
    cells = region()
    inner = interior(cells)
    any_hot95 = any_hot90 = any_cold95 = 0
    false_hot = []
    found = 0
    outside_window = []
    for _ in range(draws):
        x, y = uniform_points(rng, cells, background)
        result = hotspots.hotspots(_frame(x, y, keyed), CELL, cells, counter=counter)
        bins = result.cells["bin"].to_numpy()
        any_hot95 += bool((bins >= 2).any())
        any_hot90 += bool((bins >= 1).any())
        any_cold95 += bool((bins <= -2).any())
        false_hot.append(int((bins >= 2).sum()))

        x, y = uniform_points(rng, cells, background)
        k = rng.integers(0, len(inner))
        ci, cj = int(inner["ix"].iloc[k]), int(inner["iy"].iloc[k])
        px = (ci + rng.random(cluster)) * CELL
        py = (cj + rng.random(cluster)) * CELL
        points = _frame(np.concatenate([x, px]), np.concatenate([y, py]), keyed)
        result = hotspots.hotspots(points, CELL, cells, counter=counter)
        c = result.cells
        at = (c["ix"] == ci) & (c["iy"] == cj)
        found += bool((c.loc[at, "bin"] >= 2).any())
        near = ((c["ix"] - ci).abs() <= 1) & ((c["iy"] - cj).abs() <= 1)
        outside_window.append(int(((c["bin"] >= 2) & ~near).sum()))
    return {
        "draws": draws,
        "seed": seed,
        "cell_m": CELL,
        "region_cells": len(cells),
        "background": background,
        "cluster": cluster,
        "null_any_hot_95": any_hot95 / draws,
        "null_any_hot_90": any_hot90 / draws,
        "null_any_cold_95": any_cold95 / draws,
        "null_mean_false_hot_95": float(np.mean(false_hot)),
        "planted_found_hot_95": found / draws,
        "planted_mean_hot_outside_window_95": float(np.mean(outside_window)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="3 draws, seconds (CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.draws = 3
    started = time.perf_counter()
    r = run(args.draws, args.seed)
    print(
        f"Hotspot calibration: {r['draws']} draws (seed {r['seed']}), {r['background']} "
        f"uniform points over Hallsberg's study region ({r['region_cells']:,} cells of "
        f"{r['cell_m']} m)"
    )
    met = "met" if r["null_any_hot_95"] <= NULL_TARGET else "MISSED"
    print(
        f"  null maps with any hot cell at 95 %: {r['null_any_hot_95']:.1%} "
        f"(target <= {NULL_TARGET:.0%}: {met})"
    )
    print(f"  null maps with any hot cell at 90 %: {r['null_any_hot_90']:.1%}")
    print(f"  null maps with any cold cell at 95 %: {r['null_any_cold_95']:.1%}")
    print(f"  mean false hot cells per null map (95 %): {r['null_mean_false_hot_95']:.3f}")
    met = "met" if r["planted_found_hot_95"] >= POWER_TARGET else "MISSED"
    print(
        f"  planted cluster of {r['cluster']} in one cell found hot at 95 %: "
        f"{r['planted_found_hot_95']:.1%} (target >= {POWER_TARGET:.0%}: {met})"
    )
    print(
        "  mean hot cells (95 %) outside the planted cell's 3 x 3 window: "
        f"{r['planted_mean_hot_outside_window_95']:.3f}"
    )
    print(f"  {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
