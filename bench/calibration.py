"""The calibration suite (issue 11): every verdict method under simulated null data and planted
effects, against its target. Writes the headline figures to ``data/calibration.json``, which
the "Om statistiken" page shows.

``python -m bench.calibration [--quick]`` from the repo root (about 15 minutes on two cores in
full; ``--quick`` runs a tenth of the draws and does not write the file).

Methods, modules and targets:
- change verdict (ökning/minskning), ``bench.calibration_changes``: ≤ 5 % false, two-sided;
- hot spots, ``bench.calibration_hotspots``: ≤ 10 % of null maps with a hot cell at 95 %,
  a planted cluster found in ≥ 80 %;
- unusual months, ``bench.calibration_control``: ≤ 5 % of category-years flagged;
- funnel, ``bench.calibration_funnel``: ≤ 10 % of municipalities outside the 95 % limits
  under overdispersion (φ ≈ 25).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from bench import (
    calibration_changes,
    calibration_control,
    calibration_funnel,
    calibration_hotspots,
)

OUT = Path(__file__).resolve().parent.parent / "data" / "calibration.json"
DRAWS = {"changes": 50_000, "hotspots": 1000, "control": 1000, "funnel": 1000}


def headline(
    changes: dict,
    hotspots: dict,
    control: dict,
    funnel: dict,
    hotspots_public: dict,
    control_public: dict,
) -> list[dict]:
    """One row per method: what was measured, the figure, the target, met or not."""
    gamma = [
        s
        for s in funnel["scenarios"]
        if s["model"] == calibration_funnel.CHECKED and s["phi"] == 25
    ]
    return [
        {
            "method": "change",
            "measure": "null_false",
            "value": changes["worst_null"],
            "public": changes["worst_null_public"],
            "target": 0.05,
            "direction": "max",
            "draws": changes["draws"],
        },
        {
            "method": "hotspots",
            "measure": "null_any_hot_95",
            "value": hotspots["null_any_hot_95"],
            "public": hotspots_public["null_any_hot_95"],
            "target": 0.10,
            "direction": "max",
            "draws": hotspots["draws"],
        },
        {
            "method": "hotspots",
            "measure": "planted_found_hot_95",
            "value": hotspots["planted_found_hot_95"],
            "public": hotspots_public["planted_found_hot_95"],
            "target": 0.80,
            "direction": "min",
            "draws": hotspots["draws"],
        },
        {
            "method": "control",
            "measure": "null_false_flag",
            "value": max(control["false_flag"].values()),
            "public": max(control_public["false_flag"].values()),
            "target": 0.05,
            "direction": "max",
            "draws": control["draws"],
        },
        {
            "method": "funnel",
            "measure": "null_outside_95",
            "value": max(s["outside"]["additive"] for s in gamma),
            "unadjusted": max(s["outside"]["none"] for s in gamma) if gamma else None,
            "target": 0.10,
            "direction": "max",
            "draws": funnel["draws"],
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the draws, no file")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    began = time.perf_counter()
    results = {}
    for name, module in (
        ("changes", calibration_changes),
        ("hotspots", calibration_hotspots),
        ("control", calibration_control),
        ("funnel", calibration_funnel),
    ):
        started = time.perf_counter()
        results[name] = module.run(DRAWS[name] // scale, 2026)
        print(f"{name}: {time.perf_counter() - started:.0f} s")
    # The same null data as the public view counts it (cell-key noise, tested with its slack).
    for name, module in (("hotspots", calibration_hotspots), ("control", calibration_control)):
        started = time.perf_counter()
        results[f"{name}_public"] = module.run(DRAWS[name] // scale, 2026, public=True)
        print(f"{name} (public): {time.perf_counter() - started:.0f} s")
    rows = headline(
        results["changes"],
        results["hotspots"],
        results["control"],
        results["funnel"],
        results["hotspots_public"],
        results["control_public"],
    )
    for row in rows:
        met = (
            row["value"] <= row["target"]
            if row["direction"] == "max"
            else (row["value"] >= row["target"])
        )
        row["met"] = bool(met)
        public = f" (public {row['public']:.2%})" if row.get("public") is not None else ""
        print(
            f"{row['method']:>9} {row['measure']:<22} {row['value']:7.2%}{public} "
            f"(target {'≤' if row['direction'] == 'max' else '≥'} {row['target']:.0%}) "
            f"{'met' if met else 'NOT MET'}"
        )
    if not args.quick:
        document = {
            "run_on": dt.date.today().isoformat(),
            "command": "python -m bench.calibration",
            "seconds": round(time.perf_counter() - began),
            "rows": rows,
        }
        OUT.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
