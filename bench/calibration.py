"""The calibration suite (issues 11 and 22): every verdict method under simulated null data and
planted effects, against its target. Writes the headline figures to ``data/calibration.json``,
which the "Om statistiken" page shows.

``python -m bench.calibration [--quick | --smoke]`` from the repo root (about an hour on two
cores in full; ``--quick`` runs a tenth of the draws, ``--smoke`` every method at a tiny size
in seconds (for CI); neither writes the file).

Methods, modules and targets (false alarms under the null, power at a stated effect):
- change verdict (ökning/minskning), ``bench.calibration_changes``: ≤ 5 % false, two-sided;
  power at 30 and 100 a year for ×1.5 and ×2 (conventional target ≥ 80 %);
- hot spots on land, ``bench.calibration_hotspots``: ≤ 10 % of null maps with a hot cell at
  95 %, a planted cluster found in ≥ 80 %;
- hot spots against a baseline, ``bench.calibration_baselines``: own history (three years
  evenly over a town) ≤ 10 % of maps with a het cell, 25 extra in one cell found in ≥ 80 %;
  residents likewise;
- signals, ``bench.calibration_signals``: ≥ 90 % of municipality-years (scanned weekly)
  without a false alert, a burst of 10 within 150 m over 14 days raised within 500 m in
  ≥ 80 %;
- repeats, ``bench.calibration_repeats``: ≤ 5 % false, a planted near-repeat found in ≥ 80 %;
- cameras and actions, ``bench.calibration_interventions``: ≤ 5 % false, a halving found in
  ≥ 80 %;
- unusual months, ``bench.calibration_control``: ≤ 5 % of category-years flagged;
- funnel, ``bench.calibration_funnel``: ≤ 10 % of municipalities outside the 95 % limits
  under overdispersion, gamma (rates differ) and constant φ (Var = φ E).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from bench import (
    calibration_baselines,
    calibration_changes,
    calibration_control,
    calibration_funnel,
    calibration_hotspots,
    calibration_interventions,
    calibration_repeats,
    calibration_signals,
)

OUT = Path(__file__).resolve().parent.parent / "data" / "calibration.json"
DRAWS = {
    "changes": 50_000,
    "hotspots": 1000,
    "control": 1000,
    "funnel": 1000,
    "baselines": 500,
    "repeats": 400,
    "interventions": 400,
    "signals": 60,  # municipality-years scanned weekly, and as many bursts
}
# Every method in seconds: enough to run each code path, not to measure anything.
SMOKE = {
    "changes": 50,
    "hotspots": 3,
    "control": 3,
    "funnel": 5,
    "baselines": 3,
    "repeats": 3,
    "interventions": 1,
    "signals": 1,
}
POWER_TARGET = 0.80  # conventional power for the stated effects


def _row(method, measure, value, target, direction, draws, **extra) -> dict:
    return {
        "method": method,
        "measure": measure,
        "value": value,
        **extra,
        "target": target,
        "direction": direction,
        "draws": draws,
    }


def _original(r: dict) -> list[dict]:
    """The rows of issue 11, keys unchanged (the Om page knows them)."""
    changes, hotspots, control = r["changes"], r["hotspots"], r["control"]
    gamma = [s for s in r["funnel"]["scenarios"] if s["model"] == "gamma"]
    used = calibration_funnel.USED
    return [
        _row(
            "change",
            "null_false",
            changes["worst_null"],
            0.05,
            "max",
            changes["draws"],
            public=changes["worst_null_public"],
        ),
        _row(
            "hotspots",
            "null_any_hot_95",
            hotspots["null_any_hot_95"],
            0.10,
            "max",
            hotspots["draws"],
            public=r["hotspots_public"]["null_any_hot_95"],
        ),
        _row(
            "hotspots",
            "planted_found_hot_95",
            hotspots["planted_found_hot_95"],
            0.80,
            "min",
            hotspots["draws"],
            public=r["hotspots_public"]["planted_found_hot_95"],
        ),
        _row(
            "control",
            "null_false_flag",
            max(control["false_flag"].values()),
            0.05,
            "max",
            control["draws"],
            public=max(r["control_public"]["false_flag"].values()),
        ),
        _row(
            "funnel",
            "null_outside_95",
            max(s["outside"][used] for s in gamma),
            0.10,
            "max",
            r["funnel"]["draws"],
            unadjusted=max(s["outside"]["none"] for s in gamma) if gamma else None,
        ),
    ]


def _power_rows(r: dict) -> list[dict]:
    changes = r["changes"]
    draws = changes["draws"] // 10
    return [
        _row(
            "change",
            f"power_{mean}_x{factor}",
            changes["power"][f"{mean}x{factor}"],
            POWER_TARGET,
            "min",
            draws,
            public=changes["power_public"][f"{mean}x{factor}"],
        )
        for mean in (30, 100)
        for factor in (1.5, 2.0)
    ]


def _new_rows(r: dict) -> list[dict]:
    """The rows of issue 22."""
    b, bp = r["baselines"], r["baselines_public"]
    s, k = r["signals"], r["repeats"]
    i, ip = r["interventions"], r["interventions_public"]
    quasi = [x for x in r["funnel"]["scenarios"] if x["model"] == "quasi"]
    used = calibration_funnel.USED
    return [
        _row(
            "funnel",
            "null_outside_95_constant_phi",
            max(x["outside"][used] for x in quasi),
            0.10,
            "max",
            r["funnel"]["draws"],
            unadjusted=max(x["outside"]["none"] for x in quasi) if quasi else None,
        ),
        _row(
            "hotspots_own_history",
            "own_null_any_hot_95",
            b["null_any_hot_95"],
            0.10,
            "max",
            b["draws"],
            public=bp["null_any_hot_95"],
        ),
        _row(
            "hotspots_own_history",
            "own_planted_found_hot_95",
            b["planted_found_hot_95"],
            0.80,
            "min",
            b["draws"],
            public=bp["planted_found_hot_95"],
        ),
        _row(
            "hotspots_residents",
            "residents_null_any_hot_95",
            b["residents_null_any_hot_95"],
            0.10,
            "max",
            b["draws"],
            public=bp["residents_null_any_hot_95"],
        ),
        _row(
            "hotspots_residents",
            "residents_planted_found_hot_95",
            b["residents_planted_found_hot_95"],
            0.80,
            "min",
            b["draws"],
            public=bp["residents_planted_found_hot_95"],
        ),
        _row(
            "signals",
            "signals_null_years_without_alert",
            s["null_years_without_alert"],
            0.90,
            "min",
            s["years"],
        ),
        _row("signals", "signals_burst_found", s["burst_found"], 0.80, "min", s["bursts"]),
        _row("repeats", "repeats_null_false", k["null_false"], 0.05, "max", k["draws"]),
        _row("repeats", "repeats_planted_found", k["planted_found"], 0.80, "min", k["draws"]),
        _row(
            "interventions",
            "interventions_null_false",
            i["null_false"],
            0.05,
            "max",
            i["draws"],
            public=ip["null_false"],
        ),
        _row(
            "interventions",
            "interventions_halving_found",
            i["halving_found"],
            0.80,
            "min",
            i["draws"],
            public=ip["halving_found"],
        ),
    ]


def headline(results: dict) -> list[dict]:
    """One row per method and measure: the figure, the target, met or not."""
    rows = _original(results) + _power_rows(results) + _new_rows(results)
    for row in rows:
        if row["direction"] == "max":
            row["met"] = bool(row["value"] <= row["target"])
        else:
            row["met"] = bool(row["value"] >= row["target"])
    return rows


def _runs(draws: dict) -> list[tuple[str, object]]:
    """(result name, call) for every run the headline needs."""
    return [
        ("changes", lambda: calibration_changes.run(draws["changes"], 2026)),
        ("hotspots", lambda: calibration_hotspots.run(draws["hotspots"], 2026)),
        ("control", lambda: calibration_control.run(draws["control"], 2026)),
        ("funnel", lambda: calibration_funnel.run(draws["funnel"], 2026)),
        # The same null data as the public view counts it (cell-key noise, tested with its
        # slack).
        ("hotspots_public", lambda: calibration_hotspots.run(draws["hotspots"], 2026, public=True)),
        ("control_public", lambda: calibration_control.run(draws["control"], 2026, public=True)),
        ("baselines", lambda: calibration_baselines.run(draws["baselines"], 2026)),
        (
            "baselines_public",
            lambda: calibration_baselines.run(draws["baselines"], 2026, public=True),
        ),
        ("repeats", lambda: calibration_repeats.run(draws["repeats"], 2026)),
        ("interventions", lambda: calibration_interventions.run(draws["interventions"], 2026)),
        (
            "interventions_public",
            lambda: calibration_interventions.run(draws["interventions"], 2026, public=True),
        ),
        ("signals", lambda: _signals(draws["signals"])),
    ]


def _signals(draws: int) -> dict:
    if draws <= 1:  # smoke: one year of four analyses, 99 replications
        return calibration_signals.run(1, 1, 2026, analyses=4, replications=99)
    return calibration_signals.run(draws, draws, 2026)


def _print(row: dict) -> None:
    public = f" (public {row['public']:.2%})" if row.get("public") is not None else ""
    sign = "≤" if row["direction"] == "max" else "≥"
    print(
        f"{row['method']:>20} {row['measure']:<34} {row['value']:7.2%}{public} "
        f"(target {sign} {row['target']:.0%}) {'met' if row['met'] else 'NOT MET'}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a tenth of the draws, no file")
    size.add_argument("--smoke", action="store_true", help="tiny sizes in seconds, no file")
    args = parser.parse_args(argv)
    if args.smoke:
        draws = SMOKE
    else:
        draws = {k: max(1, v // (10 if args.quick else 1)) for k, v in DRAWS.items()}
    began = time.perf_counter()
    results = {}
    for name, call in _runs(draws):
        started = time.perf_counter()
        results[name] = call()
        print(f"{name}: {time.perf_counter() - started:.0f} s", flush=True)
    rows = headline(results)
    for row in rows:
        _print(row)
    if args.quick or args.smoke:
        return
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
