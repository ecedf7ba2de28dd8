"""Made-up incidents for the trouble-spot tests (issue 22), written as the files an analyst
imports: a town whose incidents are spread over the same places at the same rate for four
years, a place that got worse in the latest year (own-history hot spot), a burst of
incidents in the last ten days (a signal), and an SCB-style population grid that follows
where the town's incidents are (so only the places that got worse stand out against the
residents too). Everything is drawn from fixed seeds, so every test sees the same files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

END = dt.date(2025, 11, 30)  # a Sunday: the last day of the data
YEARS = 4
CENTRE = (59.067, 15.110)  # Hallsberg
CATEGORIES = ("Skadegörelse", "Stöld", "Klotter", "Ordningsstörning", "Trafikolycka")
TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
FROM_SWEREF = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
# Where the planted trouble is, in metres east and north of the centre.
WORSE_AT = (-600.0, -450.0)  # 30 more incidents in the latest year, in one 250 m cell
BURST_AT = (700.0, 520.0)  # 12 incidents within 60 m in the last 10 days
BURST = 12
BURST_DAYS = 10
WORSE = 30


def centre_xy() -> tuple[float, float]:
    x, y = TO_SWEREF.transform(CENTRE[1], CENTRE[0])
    return float(x), float(y)


def _places(rng: np.random.Generator, n: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The town's places (SWEREF x, y) and how busy each is."""
    cx, cy = centre_xy()
    radius = 1100 * np.sqrt(rng.random(n))
    angle = rng.random(n) * 2 * np.pi
    weight = rng.gamma(1.5, 1.0, n)
    return cx + radius * np.cos(angle), cy + radius * np.sin(angle), weight / weight.sum()


def _rows(x, y, days, rng, prefix: str, categories=None) -> pd.DataFrame:
    lon, lat = FROM_SWEREF.transform(x, y)
    minutes = rng.integers(0, 24 * 60, len(days))
    when = [
        (dt.datetime.combine(d, dt.time()) + dt.timedelta(minutes=int(m))).strftime(
            "%Y-%m-%d %H:%M"
        )
        for d, m in zip(days, minutes, strict=True)
    ]
    chosen = categories if categories is not None else rng.choice(CATEGORIES, len(days))
    return pd.DataFrame(
        {
            "id": [f"{prefix}-{i:05d}" for i in range(len(days))],
            "datum": when,
            "kategori": chosen,
            "ort": "Hallsberg",
            "lat": [f"{v:.6f}".replace(".", ",") for v in lat],
            "lon": [f"{v:.6f}".replace(".", ",") for v in lon],
            "källa": "Polisen",
            "beskrivning": "Påhittad testhändelse",
        }
    )


def incidents(per_year: int = 900, seed: int = 22, worse: bool = True, burst: bool = True):
    """The town's incidents over ``YEARS`` years ending on ``END`` (the same places at the
    same rate every year), with the planted trouble when asked."""
    rng = np.random.default_rng(seed)
    px, py, weight = _places(rng)
    first = END - dt.timedelta(days=365 * YEARS - 1)
    n = per_year * YEARS
    at = rng.choice(len(px), n, p=weight)
    x = px[at] + rng.normal(0, 35, n)
    y = py[at] + rng.normal(0, 35, n)
    days = [first + dt.timedelta(days=int(k)) for k in rng.integers(0, 365 * YEARS, n)]
    parts = [_rows(x, y, days, rng, "BAS")]
    cx, cy = centre_xy()
    if worse:
        # In the middle of one 250 m cell, spread over the latest year.
        wx = (np.floor((cx + WORSE_AT[0]) / 250) + 0.5) * 250 + rng.uniform(-60, 60, WORSE)
        wy = (np.floor((cy + WORSE_AT[1]) / 250) + 0.5) * 250 + rng.uniform(-60, 60, WORSE)
        wdays = [END - dt.timedelta(days=int(k)) for k in rng.integers(30, 360, WORSE)]
        parts.append(_rows(wx, wy, wdays, rng, "VARRE", ["Stöld"] * WORSE))
    if burst:
        bx = cx + BURST_AT[0] + rng.uniform(-40, 40, BURST)
        by = cy + BURST_AT[1] + rng.uniform(-40, 40, BURST)
        bdays = [END - dt.timedelta(days=int(k)) for k in rng.integers(0, BURST_DAYS, BURST)]
        parts.append(_rows(bx, by, bdays, rng, "SKUR", ["Skadegörelse"] * BURST))
    return pd.concat(parts, ignore_index=True)


def burst_xy() -> tuple[float, float]:
    cx, cy = centre_xy()
    return cx + BURST_AT[0], cy + BURST_AT[1]


def worse_cell(size: int = 250) -> tuple[int, int]:
    cx, cy = centre_xy()
    return int(np.floor((cx + WORSE_AT[0]) / size)), int(np.floor((cy + WORSE_AT[1]) / size))


def write_incidents(path: Path, frame: pd.DataFrame) -> Path:
    """As Excel's "CSV UTF-8" writes it: BOM, ';', decimal comma."""
    path.write_bytes(b"\xef\xbb\xbf" + frame.to_csv(sep=";", index=False).encode("utf-8"))
    return path


def population(frame: pd.DataFrame, size: int = 250, per_incident: float = 4.0) -> pd.DataFrame:
    """An SCB-style grid (rutid, beftotalt, rutstorl) where people live as the town's usual
    incidents are (the background of the years before the latest one), so the residents
    baseline is calm there; the squares around with a few people each."""
    base = frame[frame["id"].str.startswith("BAS")]
    lon = base["lon"].str.replace(",", ".").astype(float).to_numpy()
    lat = base["lat"].str.replace(",", ".").astype(float).to_numpy()
    x, y = TO_SWEREF.transform(lon, lat)
    ix, iy = np.floor(x / size).astype(int), np.floor(y / size).astype(int)
    counts = pd.Series(1, index=pd.MultiIndex.from_arrays([ix, iy])).groupby(level=[0, 1]).sum()
    rows = []
    cx, cy = (int(v // size) for v in centre_xy())
    reach = 2000 // size
    for a in range(cx - reach, cx + reach + 1):
        for b in range(cy - reach, cy + reach + 1):
            people = round(counts.get((a, b), 0) * per_incident) + 3
            rows.append((f"{a * size:06d}{b * size:07d}", people, size))
    return pd.DataFrame(rows, columns=["rutid", "beftotalt", "rutstorl"])


def write_population(path: Path, grid: pd.DataFrame) -> Path:
    path.write_text(grid.to_csv(sep=";", index=False), encoding="utf-8")
    return path
