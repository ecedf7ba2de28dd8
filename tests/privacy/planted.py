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
# More single cells, so that a noise-dependent attack is measured on enough cells to tell a
# chance-level defence (about a quarter recovered) from a leak (all of them): categories the
# sample never uses, months October 2018 - September 2019 (their year-earlier months lie in
# the planted data's span), every locality.
_EXTRA_CELL_CATEGORIES = ["Skottlossning", "Hemfridsbrott", "Utlänningslagen"]
_CELL_MONTHS = [str(pd.Period("2018-10", "M") + i) for i in range(12)]
CELLS += [
    Cell(
        _CELL_MONTHS[(5 * i + j) % 12],
        list(CENTRES)[i % 6],
        category,
        1 + (i + j) % 2,
        6 + (i + 2 * j) % 5,
    )
    for j, category in enumerate(_EXTRA_CELL_CATEGORIES)
    for i in range(10 if j < 2 else 8)
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
# More rows for channel 4a: in each of these categories and localities one month of the six
# holds 1 or 2, the others 4 to 7.
MONTH_CATEGORIES = ["Knivlagen", "Smällar", "Trafikbrott", "Olovlig körning", "Stöld, ringa"]
MONTH_ROWS: dict[tuple[str, str], list[int]] = {("Knivlagen", k): v for k, v in KNIV.items()}
for _j, _category in enumerate(MONTH_CATEGORIES[1:], start=1):
    for _i, _place in enumerate(CENTRES):
        _counts = [4 + (_i + _j + m) % 4 for m in range(6)]
        _counts[(_i + 2 * _j) % 6] = 1 + (_i + _j) % 2
        MONTH_ROWS[(_category, _place)] = _counts

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

# More tables for channel 4b (and the change-interval attack): per category and month, one
# locality of 1 or 2 and the others 2 to 8; every row has a year-earlier count (INTRANG_PREVIOUS
# in each locality), so its change and interval are shown where its counts are.
ROW_CATEGORIES = ["Olaga intrång", "Fylleri", "Bråk", "Larm inbrott", "Miljöbrott"]
ROW_TABLES: dict[tuple[str, str], dict[str, int]] = {
    ("Olaga intrång", month): places for month, places in INTRANG.items()
}
for _j, _category in enumerate(ROW_CATEGORIES[1:], start=1):
    for _m, _month in enumerate(MONTHS_4):
        _places = list(CENTRES)[:5] if (_m + _j) % 2 else list(CENTRES)[1:]
        _row = {p: 3 + (_m + 2 * _j + k) % 6 for k, p in enumerate(_places)}
        _row[_places[(_m + _j) % 5]] = 1 + (_m + _j) % 2
        ROW_TABLES[(_category, _month)] = _row
# Small tables: months whose total lies far below the detail minimum, so the trends page shows
# no change table for them (channel 4b must see that refusal).
SMALL_TABLES = {
    ("Rån, försök", "2018-11"): {"Hallsberg": 2, "Pålsboda": 1, "Sköllersta": 3, "Östansjö": 1},
    ("Rån, försök", "2019-01"): {"Hallsberg": 3, "Vretstorp": 2, "Hjortkvarn": 1},
    ("Rån, försök", "2019-03"): {"Pålsboda": 2, "Sköllersta": 1, "Vretstorp": 3},
}
ROW_TABLES.update(SMALL_TABLES)
ROW_PREVIOUS = 5  # each (category, month, locality) above also has 5 a year earlier

# Channels 8 and 9 (the support of weeks and of weekday × hour; counting the cells that are not
# zero): timed incidents of categories of their own, each in two localities, over the latest 12
# months (October 2018 - September 2019). In three months of each (category, locality) there
# are 1, 1 and 2 incidents (the targets: a lone incident's day and hour; a hidden 2 told from a
# hidden 1), the two of a 2 in different weeks and hours; every other month holds 3. A
# (category, locality) thus holds 31 in the latest 12 months, enough for the trends page to
# show its weeks and its weekday × hour matrix, while each target month alone is far below the
# detail minimum. Days, hours and minutes come from a fixed seed.
TIME_CATEGORIES = [
    "Inbrott",
    "Stöld, försök",
    "Rån övrigt",
    "Trafikolycka, singel",
    "Trafikolycka, vilt",
    "Mopeder och A-traktorer",
    "Vållande till kroppsskada",
    "Fylleri/LOB",
]
TIME_PLACES = ["Hallsberg", "Pålsboda", "Sköllersta", "Vretstorp"]
TIME_MONTHS = [str(pd.Period("2018-10", "M") + i) for i in range(12)]
TIME_PAIRS = [
    (category, TIME_PLACES[(j + k) % len(TIME_PLACES)])
    for j, category in enumerate(TIME_CATEGORIES)
    for k in (0, 1)
]


@dataclass(frozen=True)
class Timed:
    """A planted timed incident: its (category, locality), day and time."""

    category: str
    locality: str
    at: dt.datetime

    @property
    def month(self) -> str:
        return f"{self.at.year}-{self.at.month:02d}"


def _timed_rows() -> tuple[list[Timed], dict[tuple[str, str, str], int]]:
    """Every planted timed incident of channels 8 and 9, and the target months' counts
    ((category, locality, month) -> 1 or 2)."""
    rng = np.random.default_rng(20190930)
    rows, targets = [], {}
    for i, (category, place) in enumerate(TIME_PAIRS):
        chosen = {TIME_MONTHS[(i + 4 * k) % 12]: n for k, n in enumerate((1, 1, 2))}
        for month in TIME_MONTHS:
            period = pd.Period(month, "M")
            n = chosen.get(month, 3)
            while True:
                days = sorted(rng.choice(period.days_in_month, n, replace=False) + 1)
                weeks = {dt.date(period.year, period.month, d).isocalendar()[1] for d in days}
                if month not in chosen or len(weeks) == n:  # a target 2 spans two weeks
                    break
            hours = rng.choice(24, n, replace=False)
            for day, hour in zip(days, hours, strict=True):
                at = dt.datetime(
                    period.year, period.month, int(day), int(hour), int(rng.integers(60))
                )
                rows.append(Timed(category, place, at))
            if month in chosen:
                targets[(category, place, month)] = n
    return rows, targets


TIMED, TIME_TARGETS = _timed_rows()
LONE = [r for r in TIMED if TIME_TARGETS.get((r.category, r.locality, r.month)) == 1]

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

SENSITIVE += [
    (
        month,
        place,
        1 + (i + m) % 2,
        3 + (i + 2 * m) % 4,
        3 if (i + m) % 3 == 0 else 0,
    )
    for m, month in enumerate(MONTHS_4)
    for i, place in enumerate(CENTRES)
    if (month, place) not in {(r[0], r[1]) for r in SENSITIVE}
]

# Channel 7 (days): "Häleri" in Sköllersta, March 2019: day -> incidents.
DAYS = {1: 3, 5: 1, 9: 2, 14: 1, 20: 2, 25: 1}
DAY_MONTH = (2019, 3)
DAY_PLACE, DAY_CATEGORY = "Sköllersta", "Häleri"
# More day series, "Häleri" in other localities and months: (locality, (year, month), days).
DAY_SERIES = [(DAY_PLACE, DAY_MONTH, DAYS)] + [
    (
        place,
        (2019, 3) if k < 3 else (2018, 11),
        {1: 2, 4 + k: 1, 8 + k: 2, 12: 1 + k % 2, 17 + k: 1, 22: 2, 27: 1},
    )
    for k, place in enumerate(["Hallsberg", "Pålsboda", "Vretstorp", "Östansjö", "Hjortkvarn"])
]

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
    ((59.120, 15.100), (2, 2)),
    ((59.020, 15.150), (1, 2)),
    ((58.980, 15.350), (2, 1)),
    ((59.100, 15.380), (1, 1)),
    ((59.050, 14.920), (2, 2)),
    ((58.960, 15.150), (1, 2)),
]

# The unusual-months chart's expected line: for each of these categories and localities one
# month of October 2017 - August 2018 holds 1 or 2 (hidden), and the same month a year later
# holds 4 (shown). The later month's expected line is built from the earlier one.
EXPECTED_CATEGORIES = [
    "Trafikhinder",
    "Djur",
    "Anträffat gods",
    "Försvunnen person",
    "Sjukdom/olycksfall",
]
EXPECTED_CELLS = [
    Cell(
        str(pd.Period("2017-10", "M") + (i + 3 * j) % 11),
        place,
        category,
        1 + (i + j) % 2,
        0,
    )
    for j, category in enumerate(EXPECTED_CATEGORIES)
    for i, place in enumerate(CENTRES)
]
EXPECTED_LATER = 4

# The camera table on the map page: the sample's cameras K1 and K3 (K2 predates the data).
# For each category one camera gets 1 or 2 incidents at the camera (its target area) in one
# month before and one after it was put up, 4-5 in its ring (450 m out, on the side away from
# the other camera) and 6-7 in the comparison area (Pålsboda), so the overview's total for
# the compared months is target + ring + comparison area.
CAMERAS = {  # name -> (lat, lon, installed, ring offset east in metres)
    "Stationsområdet": (59.06574, 15.11402, dt.date(2019, 3, 1), 450.0),
    "Skolgården": (59.06251, 15.10021, dt.date(2019, 1, 15), -350.0),
}
CAMERA_CATEGORIES = {
    "Stationsområdet": [
        "Anträffad död",
        "Arbetsplatsolycka",
        "Belysning ur funktion",
        "Efterlyst person",
        "Explosion",
        "Farligt föremål, misstänkt",
        "Trafikkontroll",
        "Kontroll person/fordon",
    ],
    "Skolgården": [
        "Lagen om hundar och katter",
        "Larm överfall",
        "Misshandel, grov",
        "Mord/dråp",
        "Motorfordon, anträffat stulet",
        "Polisinsats/kommendering",
        "Räddningsinsats",
        "Skyddslagen",
    ],
}


@dataclass(frozen=True)
class CameraCell:
    camera: str
    category: str
    target_before: int
    target_after: int
    ring_before: int
    ring_after: int
    control_before: int
    control_after: int


CAMERA_CELLS = [
    CameraCell(
        camera,
        category,
        1 + k % 2,
        1 + (k // 2) % 2,
        4 + k % 2,
        5 - k % 2,
        6 + (k // 2) % 2,
        7 - k % 2,
    )
    for camera, categories in CAMERA_CATEGORIES.items()
    for k, category in enumerate(categories)
]
# Months (offset from the camera's installation month) that hold the planted incidents.
CAMERA_MONTHS = {"target": 2, "ring": 3, "control": 1}

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


def offset(lat: float, lon: float, east_m: float) -> tuple[float, float]:
    """The point ``east_m`` metres east of (lat, lon) in SWEREF 99 TM."""
    from lib.figures.hotspots import project, unproject

    x, y = project([lat], [lon])
    plat, plon = unproject([x[0] + east_m], [y[0]])
    return float(plat[0]), float(plon[0])


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
    for (category, locality), counts in MONTH_ROWS.items():
        for month, n in zip(MONTHS_4, counts, strict=True):
            for day in _days(month, n, first=3):
                add(day, category, locality)
    for (category, month), by_place in ROW_TABLES.items():
        for locality, n in by_place.items():
            for day in _days(month, n, first=4):
                add(day, category, locality)
            for day in _days(_previous(month), ROW_PREVIOUS, first=4):
                add(day, category, locality)
    for cell in EXPECTED_CELLS:
        for day in _days(cell.month, cell.count, first=9):
            add(day, cell.category, cell.locality)
        later = str(pd.Period(cell.month, "M") + 12)
        for day in _days(later, EXPECTED_LATER, first=9):
            add(day, cell.category, cell.locality)
    for cell in CAMERA_CELLS:
        lat, lon, installed, ring = CAMERAS[cell.camera]
        target, ring_point = (lat, lon), offset(lat, lon, ring)
        after = pd.Period(installed, "M") + (0 if installed.day == 1 else 1)
        for where, key, n_before, n_after, place in (
            (target, "target", cell.target_before, cell.target_after, "Hallsberg"),
            (ring_point, "ring", cell.ring_before, cell.ring_after, "Hallsberg"),
            (CENTRES["Pålsboda"], "control", cell.control_before, cell.control_after, "Pålsboda"),
        ):
            month = after + CAMERA_MONTHS[key]
            for day in _days(str(month - 12), n_before, first=10):
                add(day, cell.category, place, where=where)
            for day in _days(str(month), n_after, first=10):
                add(day, cell.category, place, where=where)
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
    for place, (year, month), days in DAY_SERIES:
        for day, n in days.items():
            for _ in range(n):
                add(dt.date(year, month, day), DAY_CATEGORY, place)
    grid_day = pd.Period(GRID_MONTH, "M").start_time.date()
    for lat, lon, n in grid_points():
        for k in range(n):
            add(grid_day + dt.timedelta(days=k), GRID_CATEGORY, "Hallsberg", where=(lat, lon))
    for day in OTHER_DAYS:
        add(dt.date.fromisoformat(day), "Övrigt", "Hallsberg", source=OTHER_LABEL)
    for r in TIMED:
        add(r.at.date(), r.category, r.locality, time=r.at.strftime("%H:%M"))
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
