"""The planted incidents and their ground truth.

The sample data is loaded first; then these incidents are imported on top. Nearly all of them
come from a source the sample never uses ("Polisens öppna händelser") and from categories the
sample never uses, so an attacker who filters on that source or category sees exactly the
planted cells. The hidden cells each attack targets are listed here with their true values;
the tests check them against the store before attacking (``truth``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

PLANT = "police_open_events"  # the source code; its Swedish label in files is PLANT_LABEL
PLANT_LABEL = "Polisens öppna händelser"
OTHER = "other"
OTHER_LABEL = "Annan källa"

CENTRES = {
    "Hallsberg": (59.067, 15.110),
    "Pålsboda": (59.064, 15.338),
    "Sköllersta": (59.138, 15.338),
    "Vretstorp": (59.024, 14.867),
    "Östansjö": (59.043, 14.978),
    "Hjortkvarn": (58.900, 15.430),
}
POPULATION = {
    "Hallsberg": 8491,
    "Pålsboda": 1663,
    "Sköllersta": 1096,
    "Vretstorp": 902,
    "Östansjö": 832,
    "Hjortkvarn": 234,
}


@dataclass(frozen=True)
class Cell:
    """A (month, locality, category) cell with its count now and a year earlier."""

    month: str  # "2018-11"
    locality: str
    category: str
    count: int
    previous: int

    @property
    def start(self) -> dt.date:
        return pd.Period(self.month, "M").start_time.date()

    @property
    def end(self) -> dt.date:
        return pd.Period(self.month, "M").end_time.date()


# Channels 1 and 2 (and 7, and the rate at threshold 5): single cells of "Vapenlagen" whose
# previous-year count is shown. The last four are hidden only at threshold 5.
CELLS = [
    Cell("2018-11", "Pålsboda", "Vapenlagen", 1, 7),
    Cell("2018-12", "Sköllersta", "Vapenlagen", 2, 8),
    Cell("2019-01", "Vretstorp", "Vapenlagen", 1, 8),
    Cell("2019-02", "Östansjö", "Vapenlagen", 2, 7),
    Cell("2019-03", "Hallsberg", "Vapenlagen", 1, 9),
    Cell("2018-10", "Hjortkvarn", "Vapenlagen", 2, 10),
    Cell("2018-11", "Vretstorp", "Vapenlagen", 2, 6),
    Cell("2019-01", "Pålsboda", "Vapenlagen", 1, 6),
]
CELLS_T5 = [
    Cell("2019-02", "Hjortkvarn", "Vapenlagen", 3, 10),
    Cell("2019-03", "Sköllersta", "Vapenlagen", 4, 12),
    Cell("2018-12", "Hallsberg", "Vapenlagen", 3, 11),
    Cell("2018-10", "Östansjö", "Vapenlagen", 4, 9),
]

# Channel 4a: "Knivlagen" per month October 2018 - March 2019 in each locality (a year total
# minus the months shown gives a hidden month).
MONTHS_4 = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02", "2019-03"]
KNIV = {
    "Hallsberg": [5, 1, 6, 4, 7, 5],
    "Pålsboda": [6, 5, 2, 5, 6, 5],
    "Sköllersta": [4, 6, 5, 1, 5, 6],
    "Vretstorp": [5, 5, 6, 5, 2, 4],
    "Östansjö": [3, 7, 5, 6, 5, 1],
    "Hjortkvarn": [2, 5, 6, 5, 5, 5],
}
# Channel 4b: "Olaga intrång" per month and locality (the change table's total minus the
# localities shown gives the hidden one).
INTRANG = {
    "2018-10": {"Hallsberg": 6, "Pålsboda": 1, "Sköllersta": 4, "Vretstorp": 3, "Östansjö": 5},
    "2018-11": {"Hallsberg": 5, "Pålsboda": 4, "Sköllersta": 2, "Vretstorp": 5, "Östansjö": 3},
    "2018-12": {"Hallsberg": 7, "Pålsboda": 3, "Sköllersta": 5, "Vretstorp": 1, "Östansjö": 4},
    "2019-01": {"Hallsberg": 4, "Pålsboda": 5, "Sköllersta": 3, "Vretstorp": 6, "Östansjö": 2},
    "2019-02": {"Hallsberg": 8, "Pålsboda": 3, "Sköllersta": 4, "Vretstorp": 4, "Hjortkvarn": 1},
    "2019-03": {"Hallsberg": 2, "Pålsboda": 6, "Sköllersta": 5, "Vretstorp": 3, "Östansjö": 4},
}

# Channel 3: timed "Ordningslagen" incidents in Hjortkvarn: (month) -> (night, day-time).
NIGHT = {
    "2018-10": (1, 0),
    "2018-11": (2, 1),
    "2018-12": (1, 3),
    "2019-01": (2, 0),
    "2019-02": (1, 1),
    "2019-03": (2, 3),
}

# Channel 6: per (month, locality): sensitive ("Sexualbrott", with a place), located
# non-sensitive ("Motorfordon, stöld") and without a place ("Motorfordon, stöld").
SENSITIVE = [
    ("2018-10", "Hallsberg", 1, 5, 0),
    ("2018-11", "Sköllersta", 2, 4, 3),
    ("2018-12", "Östansjö", 1, 6, 0),
    ("2019-01", "Vretstorp", 2, 3, 0),
    ("2019-02", "Pålsboda", 1, 4, 4),
    ("2019-03", "Hjortkvarn", 2, 5, 0),
]

# Channel 7 (days): "Häleri" in Sköllersta, March 2019: day -> incidents.
DAYS = {1: 3, 5: 1, 9: 2, 14: 1, 20: 2, 25: 1}
DAY_MONTH = (2019, 3)
DAY_PLACE, DAY_CATEGORY = "Sköllersta", "Häleri"

# Channel 5: nested grids, December 2017, "Inbrott, försök". In each of six empty 1 000 m
# cells: the south-west 500 m cell holds 250 m cells of (t, 4, 3, 0); the south-east one a
# 250 m cell of 5; the north-west one a single 250 m cell of u; the north-east one nothing.
GRID_MONTH = "2017-12"
GRID_CATEGORY = "Inbrott, försök"
GRID_ANCHORS = [  # (lat, lon) somewhere in an empty 1 000 m cell, and (t, u)
    ((59.150, 15.000), (1, 2)),
    ((59.100, 15.200), (2, 1)),
    ((58.950, 15.250), (1, 1)),
    ((59.000, 15.450), (2, 2)),
    ((59.180, 15.450), (1, 2)),
    ((58.920, 15.050), (2, 1)),
]

# The meeting PDF: source "Annan källa" (incidents on these days), so that since the meeting
# of 26 August 2019 there is 1, since 10 June and since 8 April 2019 there are 2.
OTHER_DAYS = ["2019-03-01", "2019-07-15", "2019-09-10"]
PDF_PERIODS = {"2019-08-26": 1, "2019-06-10": 2, "2019-04-08": 2}


def _days(month: str, n: int, first: int = 2) -> list[dt.date]:
    """n distinct-ish days in a month (spread, never past the month's end)."""
    period = pd.Period(month, "M")
    last = period.days_in_month
    return [dt.date(period.year, period.month, min(first + 3 * i, last)) for i in range(n)]


def _previous(month: str) -> str:
    return str(pd.Period(month, "M") - 12)


def grid_points() -> list[tuple[float, float, int]]:
    """(lat, lon, count) of the planted grid points, each at the centre of its 250 m cell."""
    from lib.figures.hotspots import project, unproject

    points = []
    for (lat, lon), (t, u) in GRID_ANCHORS:
        x, y = project([lat], [lon])
        x0, y0 = np.floor(x[0] / 1000) * 1000, np.floor(y[0] / 1000) * 1000
        layout = [  # (250 m column, row inside the 1 000 m cell, count)
            (0, 0, t),
            (1, 0, 4),
            (0, 1, 3),
            (2, 0, 5),
            (0, 2, u),
        ]
        for col, row, n in layout:
            plat, plon = unproject([x0 + (col + 0.5) * 250], [y0 + (row + 0.5) * 250])
            points.append((float(plat[0]), float(plon[0]), n))
    return points


def grid_targets(threshold: int) -> list[tuple[int, int, int, int]]:
    """(cell size, ix, iy, true count) of the planted grid cells hidden at ``threshold``."""
    from lib.figures.hotspots import project

    targets = []
    for (lat, lon), (t, u) in GRID_ANCHORS:
        x, y = project([lat], [lon])
        ix4, iy4 = int(np.floor(x[0] / 1000)) * 4, int(np.floor(y[0] / 1000)) * 4
        cells = [(250, ix4, iy4, t), (250, ix4, iy4 + 2, u), (500, ix4 // 2, iy4 // 2 + 1, u)]
        cells += [(500, ix4 // 2, iy4 // 2, t + 7)]  # hidden only at a threshold above t + 7
        targets += [c for c in cells if 0 < c[3] < threshold]
    return targets


def planted_rows() -> list[dict]:
    rows: list[dict] = []

    def add(day, category, locality, source=PLANT_LABEL, where=None, time=None):
        lat, lon = where if where is not None else CENTRES[locality]
        stamp = day.isoformat() if time is None else f"{day.isoformat()} {time}"
        rows.append(
            {
                "id": f"PLANT-{len(rows) + 1:05d}",
                "datum": stamp,
                "kategori": category,
                "ort": locality,
                "lat": "" if lat is None else f"{lat:.6f}".replace(".", ","),
                "lon": "" if lon is None else f"{lon:.6f}".replace(".", ","),
                "källa": source,
                "beskrivning": "Planterad testhändelse",
            }
        )

    for cell in CELLS + CELLS_T5:
        for day in _days(cell.month, cell.count):
            add(day, cell.category, cell.locality)
        for day in _days(_previous(cell.month), cell.previous, first=1):
            add(day, cell.category, cell.locality)
    for locality, counts in KNIV.items():
        for month, n in zip(MONTHS_4, counts, strict=True):
            for day in _days(month, n, first=3):
                add(day, "Knivlagen", locality)
    for month, by_place in INTRANG.items():
        for locality, n in by_place.items():
            for day in _days(month, n, first=4):
                add(day, "Olaga intrång", locality)
    for month, (night, daytime) in NIGHT.items():
        for i, day in enumerate(_days(month, night + daytime, first=5)):
            add(day, "Ordningslagen", "Hjortkvarn", time="23:40" if i < night else "13:20")
    for month, locality, sensitive, located, unplaced in SENSITIVE:
        for day in _days(month, sensitive, first=6):
            add(day, "Sexualbrott", locality)
        for day in _days(month, located, first=7):
            add(day, "Motorfordon, stöld", locality)
        for day in _days(month, unplaced, first=8):
            add(day, "Motorfordon, stöld", locality, where=(None, None))
    for day, n in DAYS.items():
        for _ in range(n):
            add(dt.date(*DAY_MONTH, day), DAY_CATEGORY, DAY_PLACE)
    grid_day = pd.Period(GRID_MONTH, "M").start_time.date()
    for lat, lon, n in grid_points():
        for k in range(n):
            add(grid_day + dt.timedelta(days=k), GRID_CATEGORY, "Hallsberg", where=(lat, lon))
    for day in OTHER_DAYS:
        add(dt.date.fromisoformat(day), "Övrigt", "Hallsberg", source=OTHER_LABEL)
    return rows


def planted_csv() -> bytes:
    frame = pd.DataFrame(planted_rows())
    text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def truth(
    incidents: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    localities=(),
    categories=(),
    sources=(),
) -> pd.DataFrame:
    """The stored incidents matching a filter (the ground truth, from the store itself)."""
    day = incidents["occurred_at"].dt.normalize()
    mask = (day >= pd.Timestamp(start)) & (day <= pd.Timestamp(end))
    for column, values in (
        ("locality", localities),
        ("category", categories),
        ("source", sources),
    ):
        if values:
            mask &= incidents[column].astype(str).isin(values)
    return incidents[mask]
