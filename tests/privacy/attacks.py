"""The attacks, as an attacker would run them: read the public view, take every number in it
as exact, and infer hidden counts with the methods the product documents. Each function
returns (targets, recovered): the planted hidden cells attacked, and those whose inferred
value equals the true one."""

from __future__ import annotations

import datetime as dt
import io
import math
import re

import numpy as np
import pandas as pd
from scipy import stats as sps

from lib.figures import stats
from lib.figures.filters import Filters
from lib.i18n import MESSAGES, fmt_month_short, t
from tests.privacy import planted
from tests.privacy.conftest import COUNT, number, pattern, solve

VERDICTS = {t(f"verdict.{v}"): v for v in (stats.INCREASE, stats.DECREASE, stats.NO_CHANGE)}


def read_csv(data: bytes | None) -> pd.DataFrame | None:
    if not data:
        return None
    return pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)


def as_float(value) -> float | None:
    if value is None:
        return None
    try:
        f = float(str(value).replace(",", ".").replace("\u2212", "-").replace("\u00a0", ""))
    except ValueError:
        return None
    return None if math.isnan(f) else f


def _comparison(c: int, previous: int, f: Filters) -> stats.Comparison:
    back = f.previous_year()
    return stats.adjust_for_many([stats.compare_counts(c, previous, f.days, back.days)])[0]


# --- Channels 1 and 2, and the rate: a single cell's row in the change table -------------------


def observe_cells(viewer, cells) -> list[dict]:
    """Trends page, one (month, locality, category) at a time: the change table's row, its
    CSV row, the summary's sentences, the cell's own total as the summary states it
    ("seen": the page showed the target), and the notes refusing its breakdowns."""
    total = pattern("change.sentence_total", count=r".+?")
    out = []
    for cell in cells:
        viewer.filters(cell.start, cell.end, ort=[cell.locality], kategori=[cell.category])
        table = viewer.table_with(t("col.category"), t("col.previous"))
        csv = read_csv(viewer.downloads().get(t("trends.download_csv")))
        row = None
        if table is not None:
            match = table[table[t("col.category")].astype(str) == cell.category]
            row = match.iloc[0].to_dict() if len(match) else None
        csv_row = None
        if csv is not None and t("col.category") in csv.columns:
            match = csv[csv[t("col.category")] == cell.category]
            csv_row = match.iloc[0].to_dict() if len(match) else None
        texts = viewer.texts()
        seen = [m.group("count") for text in texts for m in [total.search(text)] if m]
        out.append(
            {
                "cell": cell,
                "row": row,
                "csv": csv_row,
                "texts": texts,
                "seen": seen[0] if seen else None,
                "refused": viewer.refusals(),
            }
        )
    return out


def seen(observations) -> list:
    """The targets whose page stated their own total (shown or hidden)."""
    return [o["cell"] for o in observations if o.get("seen") is not None]


def table_refused(observations) -> list:
    """The targets whose page showed no change table and said why (the detail rule)."""
    return [o["cell"] for o in observations if o["row"] is None and o.get("refused")]


CURRENT = [
    MESSAGES[k] for k in ("col.current", "col.total_period", "col.compared_now") if k in MESSAGES
]


def _shown(obs: dict, column: str):
    columns = CURRENT if column == t("col.current") else [column]
    for source in ("row", "csv"):
        for name in columns:
            if obs[source] and name in obs[source]:
                n = number(obs[source][name])
                if n is not None:
                    return n
    return None


def pvalue_attack(observations, threshold: int):
    """Channel 1: which hidden count gives the p-value shown (raw in the table the browser
    gets, 4 decimals in the CSV)?"""
    recovered, inferred = [], []
    for obs in observations:
        cell = obs["cell"]
        f = Filters(cell.start, cell.end, (cell.locality,), (cell.category,))
        guess = None
        current, previous = _shown(obs, t("col.current")), _shown(obs, t("col.previous"))
        if current is not None:
            guess = current  # not hidden at all: read it
        elif previous is not None:
            raw = as_float((obs["row"] or {}).get(t("col.p_value")))
            rounded = as_float((obs["csv"] or {}).get(t("col.p_value")))
            fits = []
            for c in range(1, threshold):
                p = _comparison(c, previous, f).p_value
                exact = raw is not None and abs(p - raw) <= 1e-9 * max(1.0, raw)
                if exact or (raw is None and rounded is not None and round(p, 4) == rounded):
                    fits.append(c)
            guess = fits[0] if len(fits) == 1 else None
        inferred.append((cell, guess))
        if guess == cell.count:
            recovered.append(cell)
    return recovered, inferred


def verdict_attack(observations, threshold: int):
    """Channel 2: which hidden count gives the verdict shown beside it (the table's
    Bedömning, or the summary's sentence about a hidden total)?"""
    sentence = pattern("overview.summary_total_suppressed", current=COUNT, previous=COUNT)
    recovered, inferred = [], []
    for obs in observations:
        cell = obs["cell"]
        f = Filters(cell.start, cell.end, (cell.locality,), (cell.category,))
        current, previous = _shown(obs, t("col.current")), _shown(obs, t("col.previous"))
        verdicts = []
        for source in ("row", "csv"):
            if obs[source] and str(obs[source].get(t("col.verdict"))) in VERDICTS:
                verdicts.append(VERDICTS[str(obs[source][t("col.verdict")])])
        for text in obs["texts"]:
            for found in sentence.finditer(text):
                if found.groupdict().get("verdict") in VERDICTS:
                    verdicts.append(VERDICTS[found.group("verdict")])
                if previous is None and "previous" in found.groupdict():
                    previous = number(found.group("previous"))
        guess = None
        if current is not None:
            guess = current
        elif previous is not None and verdicts:
            fits = [
                c
                for c in range(1, threshold)
                if all(_comparison(c, previous, f).verdict == v for v in verdicts)
            ]
            guess = fits[0] if len(fits) == 1 else None
        inferred.append((cell, guess))
        if guess == cell.count:
            recovered.append(cell)
    return recovered, inferred


def rate_attack(observations, threshold: int):
    """Threshold 5: a rate per 1 000 inhabitants times the locality's population (public, in
    the configuration) gives the count back."""
    recovered, inferred = [], []
    for obs in observations:
        cell = obs["cell"]
        population = planted.POPULATION[cell.locality]
        guess = None
        raw = as_float((obs["row"] or {}).get(t("col.rate")))
        rounded = as_float((obs["csv"] or {}).get(t("col.rate")))
        for value, tolerance in ((raw, 1e-6), (rounded, 0.005 * population / 1000 + 1e-9)):
            if value is None:
                continue
            x = value * population / 1000
            if abs(x - round(x)) <= tolerance:
                guess = int(round(x))
                break
        inferred.append((cell, guess))
        if guess == cell.count:
            recovered.append(cell)
    return recovered, inferred


# --- Channel 3: the monthly night share and its Clopper-Pearson interval -----------------------


def month_label(month: str) -> str:
    start = pd.Period(month, "M").start_time
    return f"{fmt_month_short(start)} {start.year}"


def invert_share(share: float, low: float | None, high: float | None, max_n: int = 120):
    """All (night, timed) whose share and exact interval are the ones shown."""
    fits = []
    for n in range(1, max_n + 1):
        k = round(share * n)
        if abs(k / n - share) > 1e-9:
            continue
        if low is not None and high is not None:
            ci = sps.binomtest(k, n).proportion_ci(0.95, method="exact")
            if abs(ci.low - low) > 1e-6 or abs(ci.high - high) > 1e-6:
                continue
        fits.append((k, n))
    return fits


def night_attack(viewer, start, end, locality, source, truth_by_month: dict, threshold: int):
    """Trends page: the monthly night share chart and its interval for one locality and
    source, each point inverted to the night counts it can come from. Returns (recovered,
    inferred, observed): observed are the planted months the chart has a point for (shown
    or a gap)."""
    viewer.filters(start, end, ort=[locality], kalla=[source])
    spec = viewer.chart_with_trace(t("trends.night_axis"))
    points, xs = {}, []
    if spec is not None:
        traces = spec["data"]
        share_trace = next(tr for tr in traces if tr.get("name") == t("trends.night_axis"))
        others = [tr for tr in traces if tr is not share_trace]
        xs, shares = decode(share_trace.get("x")), decode(share_trace.get("y"))
        bands = [decode(tr.get("y")) for tr in others if len(decode(tr.get("y"))) == len(xs)]
        highs = bands[0] if len(bands) >= 2 else [None] * len(xs)
        lows = bands[1] if len(bands) >= 2 else [None] * len(xs)
        for x, s, lo, hi in zip(xs, shares, lows, highs, strict=True):
            if s is None or (isinstance(s, float) and np.isnan(s)):
                continue
            fits = invert_share(float(s), as_float(lo), as_float(hi))
            nights = {k for k, _ in fits}
            if len(nights) == 1:
                points[x] = nights.pop()
    recovered, inferred = [], []
    for month, night in truth_by_month.items():
        guess = points.get(month_label(month))
        inferred.append((month, guess))
        if guess == night:
            recovered.append((month, night))
    observed = [m for m in truth_by_month if month_label(m) in xs]
    return recovered, inferred, observed


def decode(values):
    from tests.privacy.conftest import decode as _decode

    return _decode(values)


# --- Channel 4a: a category's total over several months minus the months shown ---------------


def months_attack(viewer, start, end, locality, category, truth_by_month: dict, threshold: int):
    """Overview page: the total and the monthly chart for one locality and category. Returns
    (recovered, guesses, observed): observed are the planted months the chart has a point
    for (shown or a gap)."""
    viewer.filters(start, end, ort=[locality], kategori=[category])
    total = number(viewer.metric(t("overview.metric_total")))
    spec = viewer.chart_with_trace(t("overview.trend_current"))
    inferred, xs = {}, []
    if spec is not None:
        trace = next(tr for tr in spec["data"] if tr.get("name") == t("overview.trend_current"))
        xs, ys = decode(trace.get("x")), decode(trace.get("y"))
    if total is not None and xs:
        shown = {x: y for x, y in zip(xs, ys, strict=True) if y is not None and not np.isnan(y)}
        hidden = [x for x in xs if x not in shown]
        values = solve(total - int(round(sum(shown.values()))), len(hidden), threshold)
        inferred = dict(zip(hidden, values, strict=True))
        inferred.update({x: int(round(y)) for x, y in shown.items()})
    recovered, guesses = [], []
    for month, n in truth_by_month.items():
        guess = inferred.get(month_label(month))
        guesses.append(((locality, month), guess))
        if guess == n:
            recovered.append((locality, month, n))
    observed = [
        (category, locality, m, n) for m, n in truth_by_month.items() if month_label(m) in xs
    ]
    return recovered, guesses, observed


# --- Channel 4b: the change table's total minus the rows shown ---------------------------------


def rows_attack(viewer, start, end, category, truth_by_place: dict, threshold: int, known=None):
    """Trends page: the category's total (the by-category table's one row), then the
    by-locality table; the hidden localities must add up to the rest. Done twice: with the
    counts as shown ("rows"), and with the counts the change column's ratio was computed from
    ("intervals": each shown "+20 % (…)" inverted, with the previous count shown beside it and
    the exposures the method documents, to the current count that gives that ratio).

    Below the detail minimum the page shows no change table and says why: such a selection
    is returned under "refused" (the attack reads nothing there), the others under
    "observed" with the targets whose row the locality table holds."""
    viewer.filters(start, end, kategori=[category])
    key = (category, start.isoformat()[:7])
    if viewer.refusals():
        assert viewer.table_with(t("col.locality"), t("col.previous")) is None
        return {"refused": [key], "observed": [], "rows": ([], []), "intervals": ([], [])}
    viewer.set(uppdelning="category")
    by_category = viewer.table_with(t("col.category"), t("col.previous"))
    viewer.set(uppdelning="locality")
    by_place = viewer.table_with(t("col.locality"), t("col.previous"))
    viewer.set(uppdelning="category")
    f = Filters(start, end, (), (category,))
    out = {"refused": [], "observed": []}
    if by_place is not None:
        places = set(by_place[t("col.locality")].astype(str))
        out["observed"] = [(*key, p, n) for p, n in truth_by_place.items() if p in places]
    for name, read in (("rows", _first_count), ("intervals", _interval_count(f, known))):
        total = None
        if by_category is not None and len(by_category) == 1:
            total = read(by_category.iloc[0].to_dict(), ())
        inferred = {}
        if total is not None and by_place is not None:
            values = {
                str(row[t("col.locality")]): read(row, (str(row[t("col.locality")]),))
                for row in by_place.to_dict("records")
            }
            hidden = [k for k, v in values.items() if v is None]
            rest = total - sum(v for v in values.values() if v is not None)
            inferred = {k: v for k, v in values.items() if v is not None}
            inferred.update(dict(zip(hidden, solve(rest, len(hidden), threshold), strict=True)))
        recovered, guesses = [], []
        for place, n in truth_by_place.items():
            guess = inferred.get(place)
            guesses.append(((category, start.isoformat()[:7], place), guess))
            if guess == n:
                recovered.append((category, start.isoformat()[:7], place, n))
        out[name] = (recovered, guesses)
    return out


def _first_count(row: dict, localities=()):
    for name in CURRENT:
        if name in row:
            return number(row[name])
    return None


def _interval_count(f: Filters, known):
    """A reader of a table row's current count from its change text: the count c whose rate
    ratio against the previous count shown, over the compared days' exposures, prints as the
    row's per cent; None where the text is '–' or more than one c fits."""
    muni, coverage = known if known is not None else (None, None)

    def read(row: dict, localities=()):
        text = str(row.get(MESSAGES.get("col.change_ci", "col.change_ci"), "–"))
        previous = number(row.get(t("col.previous")))
        near = None
        for name in CURRENT:
            if name in row and number(row[name]) is not None:
                near = number(row[name])
                break
        if muni is None or previous is None or near is None or not previous:
            return None
        pct = text.split(" (", 1)[0].strip()
        try:
            from lib.figures import changes
            from lib.i18n import fmt_signed_pct
        except ImportError:
            return None
        p = changes.periods(f, coverage)
        e1 = changes.exposure(muni, tuple(localities), p.current_days)
        e2 = changes.exposure(muni, tuple(localities), p.previous_days)
        fits = [
            c
            for c in range(max(near - 4, 0), near + 5)
            if fmt_signed_pct((c / e1) / (previous / e2) - 1, 0) == pct
        ]
        return fits[0] if len(fits) == 1 else None

    return read


# --- Channel 5: nested grids -------------------------------------------------------------------


def grid_cells(payload: dict, cell: int, hidden_text: str) -> dict[tuple[int, int], int | None]:
    """(ix, iy) -> count shown (None when hidden) for every cell in the map payload."""
    from lib.figures.hotspots import project

    out = {}
    if not payload or not payload.get("cells"):
        return out
    origin, styles = payload["origin"], payload["styles"]
    lat = np.array([origin[0] + c[0] / 1e5 for c in payload["cells"]])
    lon = np.array([origin[1] + c[1] / 1e5 for c in payload["cells"]])
    x, y = project(lat, lon)
    for c, xi, yi in zip(payload["cells"], x, y, strict=True):
        label = str(styles[c[2]][1])
        n = None if hidden_text in label else number(label)
        out[(int(round(xi / cell)), int(round(yi / cell)))] = n
    return out


def grid_observed(grids: dict[int, dict], targets) -> list:
    """The targets whose 1 000 m cell the map payload shows (the coarse count every
    differencing starts from)."""
    coarse = grids.get(1000, {})
    return [
        (size, ix, iy, n)
        for size, ix, iy, n in targets
        if coarse.get((ix * size // 1000, iy * size // 1000)) is not None
    ]


def nested_attack(grids: dict[int, dict], threshold: int, targets):
    """Each coarse cell shown minus its finer cells shown: what the hidden finer cells inside
    must add up to (250 in 500, 500 in 1 000, 250 in 1 000). Cells absent from the payload
    hold nothing. Where the pairs disagree, nothing is inferred."""
    guesses: dict[tuple[int, int, int], set] = {}
    for fine, coarse in ((250, 500), (500, 1000), (250, 1000)):
        if fine not in grids or coarse not in grids:
            continue
        ratio = coarse // fine
        for (cx, cy), total in grids[coarse].items():
            if total is None:
                continue
            inside = {
                (ix, iy): n
                for (ix, iy), n in grids[fine].items()
                if ix // ratio == cx and iy // ratio == cy
            }
            hidden = [k for k, n in inside.items() if n is None]
            shown = sum(n for n in inside.values() if n is not None)
            for key, value in zip(
                hidden, solve(total - shown, len(hidden), threshold), strict=True
            ):
                if value is not None:
                    guesses.setdefault((fine, *key), set()).add(value)
    for size, grid in grids.items():  # a hidden cell the payload shows as a number: read it
        for key, n in grid.items():
            if n is not None:
                guesses.setdefault((size, *key), set()).add(n)
    recovered, inferred = [], []
    for size, ix, iy, n in targets:
        values = guesses.get((size, ix, iy), set())
        guess = next(iter(values)) if len(values) == 1 else None
        inferred.append(((size, ix, iy), guess))
        if guess == n:
            recovered.append((size, ix, iy, n))
    return recovered, inferred


def grid_payloads(viewer, start, end, category, source) -> dict[int, dict]:
    viewer.filters(start, end, kategori=[category], kalla=[source])
    grids = {}
    for size in (250, 500, 1000):
        viewer.set(ruta=size)
        grids[size] = grid_cells(
            viewer.map_payload(), size, t("suppressed", threshold=viewer.threshold)
        )
    viewer.set(ruta=250)
    return grids


# --- Channel 6: sensitive categories -----------------------------------------------------------


def sensitive_attack(overview, karta, rows, threshold: int):
    """Overview total − incidents on the map − "saknar plats" = sensitive incidents. Where the
    map publishes the sensitive and the unplaced incidents as separate counts, they are read
    directly; where it publishes only their sum (as it must), the attacker takes the sum as
    the sensitive count (right whenever nothing lacks a place) and, failing that, the total
    minus the map."""
    summary = [pattern("map.summary", incidents=COUNT), pattern("map.summary_few", incidents=COUNT)]
    fields = set(re.findall(r"{(\w+)}", MESSAGES["map.excluded_note"]))
    excluded = pattern("map.excluded_note", **{name: COUNT for name in fields})
    recovered, inferred, published = [], [], []
    for month, locality, sensitive, _, _ in rows:
        period = pd.Period(month, "M")
        start, end = period.start_time.date(), period.end_time.date()
        overview.filters(start, end, ort=[locality], kalla=[planted.PLANT])
        total = number(overview.metric(t("overview.metric_total")))
        karta.filters(start, end, ort=[locality], kalla=[planted.PLANT])
        located = missing = shown_sensitive = together = None
        for text in karta.texts():
            for p in summary:
                found = p.search(text)
                if found and located is None:
                    located = number(found.group("incidents"))
            found = excluded.search(text)
            if found:
                groups = found.groupdict()
                missing = number(groups["missing"]) if "missing" in groups else None
                shown_sensitive = number(groups["sensitive"]) if "sensitive" in groups else None
                together = number(groups["excluded"]) if "excluded" in groups else None
        if shown_sensitive == sensitive:
            published.append((month, locality, sensitive))
        guess = shown_sensitive
        if guess is None and None not in (total, located, missing):
            guess = total - located - missing
        if guess is None:
            guess = together
        if guess is None and None not in (total, located):
            guess = total - located
        inferred.append(((month, locality), guess))
        if guess == sensitive:
            recovered.append((month, locality, sensitive))
    return recovered, inferred, published


# --- Channel 7: free filters -------------------------------------------------------------------


def category_difference(viewer, cells, threshold: int):
    """All categories minus all categories but one, for one locality and month. The public
    chooses one or all of each filter: the second question must be refused. Returns the
    questions asked and those refused (the viewer read nothing for them)."""
    asked, refused = [], []
    for cell in cells:
        viewer.filters(cell.start, cell.end, ort=[cell.locality])
        assert not viewer.refused and viewer.metric(t("overview.metric_total")) is not None
        others = [c for c in viewer.options("kategori") if c != cell.category]
        viewer.filters(cell.start, cell.end, ort=[cell.locality], kategori=others)
        asked.append(cell)
        if viewer.refused and viewer.metric(t("overview.metric_total")) is None:
            refused.append(cell)
    return asked, refused


def locality_difference(viewer, cells, threshold: int):
    """All localities minus all localities but one, for one category and month: the second
    question must be refused. Returns the questions asked and those refused."""
    asked, refused = [], []
    places = list(planted.CENTRES)
    for cell in cells:
        viewer.filters(cell.start, cell.end, kategori=[cell.category])
        assert not viewer.refused and viewer.metric(t("overview.metric_total")) is not None
        others = [p for p in places if p != cell.locality]
        viewer.filters(cell.start, cell.end, ort=others, kategori=[cell.category])
        asked.append(cell)
        if viewer.refused and viewer.metric(t("overview.metric_total")) is None:
            refused.append(cell)
    return asked, refused


def day_difference(viewer, threshold: int, series=None):
    """1st of the month to day D minus 1st to day D−1: the incidents on day D. Only whole
    months (and the other presets) are public, so both questions must be refused, except
    where 1st–D is a whole month. Returns the questions asked and those refused."""
    series = planted.DAY_SERIES if series is None else series
    asked, refused = [], []
    for place, (year, month), days in series:
        first = dt.date(year, month, 1)
        for day, n in days.items():
            if not 0 < n < threshold or day == 1:
                continue
            for last in (day, day - 1):
                end = dt.date(year, month, last)
                if viewer.preset(first, end) is not None:
                    continue  # a public period (the whole month): not a free question
                viewer.filters(first, end, ort=[place], kategori=[planted.DAY_CATEGORY])
                asked.append((place, month, day, last))
                if viewer.refused and viewer.metric(t("overview.metric_total")) is None:
                    refused.append((place, month, day, last))
    return asked, refused


# --- The unusual-months chart's expected line -------------------------------------------------


def baseline_years(month: pd.Period, known) -> int | None:
    """How many earlier years a month is compared with: those of the last three whose same
    month the planted source covers wholly (the attacker reads coverage off the data page;
    the note under the chart names the years)."""
    _, coverage = known
    if coverage is None:
        return None
    earlier = pd.PeriodIndex([month - 12 * k for k in (1, 2, 3)])
    signature = coverage.month_signature(earlier, (planted.PLANT,))
    return int(sum(1 for s in signature if s > 0))


NOT_OFFERED = "not offered"  # a guess of expected_attack: the page refused the question


def expected_attack(viewer, place: str, cells, threshold: int, known=None):
    """Trends page, October 2018 - September 2019, one locality and the planted source: for
    each category the control chart's expected line. A month's expected value is the baseline
    count scaled to its days (expected = B × days / baseline days); with one baseline year
    (the note under the chart names the years) B is the same month a year earlier, so the
    expected value of month M + 12 is the count of month M. With more years the attacker would
    subtract the other years' months, shown on their own charts."""
    start, end = dt.date(2018, 10, 1), dt.date(2019, 9, 30)
    viewer.filters(start, end, ort=[place], kalla=[planted.PLANT])
    recovered, inferred = [], []
    for cell in cells:
        guess = None
        try:
            offered = viewer.at.selectbox(key="kontrollkategori").options
        except KeyError:  # no unusual-months chart at all
            offered = None
        if offered is not None and cell.category not in offered:
            inferred.append((cell, NOT_OFFERED))  # the chart's fixed list does not name it
            continue
        chosen = None if offered is None else viewer.set(kontrollkategori=cell.category)
        spec = chosen.chart_with_trace(t("trends.control_expected")) if chosen else None
        later_month = pd.Period(cell.month, "M") + 12
        years = baseline_years(later_month, known)
        if spec is not None and years == 1:
            trace = next(
                tr for tr in spec["data"] if tr.get("name") == t("trends.control_expected")
            )
            later = month_label(str(later_month))
            for x, y in zip(decode(trace.get("x")), decode(trace.get("y")), strict=True):
                if x == later and y is not None and not np.isnan(y):
                    guess = int(round(y))
        inferred.append((cell, guess))
        if guess == cell.count:
            recovered.append(cell)
    return recovered, inferred


# --- The camera table on the map page ---------------------------------------------------------


def camera_attack(karta, overview, category: str, cells, known):
    """Map page: the camera table for one category and source; overview: the total for the
    same filter over the compared months after (and before) each camera. When nothing falls
    outside the three areas, the total minus the ring minus the comparison area is the
    camera's own count."""
    from lib.figures import interventions

    muni, coverage = known
    columns = {
        "name": t("interventions.col_camera"),
        "before": t("interventions.col_target_before"),
        "after": t("interventions.col_target_after"),
        "ring_before": t("interventions.col_buffer_before"),
        "ring_after": t("interventions.col_buffer_after"),
        "control_before": t("interventions.col_control_before"),
        "control_after": t("interventions.col_control_after"),
    }
    # The camera table ignores the selection's period (each camera's own months count), so
    # any period the public can choose gives the same table.
    karta.filters(
        dt.date(2018, 10, 1), dt.date(2019, 9, 30), kategori=[category], kalla=[planted.PLANT]
    )
    table = karta.table_with(*columns.values())
    rows = {} if table is None else {str(r[columns["name"]]): r for r in table.to_dict("records")}
    recovered, inferred = [], []
    for cell in cells:
        row = rows.get(cell.camera)
        installed = planted.CAMERAS[cell.camera][2]
        months = interventions.matched_months(installed, 12, coverage, (planted.PLANT,))
        for when, truth, window in (
            ("before", cell.target_before, months.before),
            ("after", cell.target_after, months.after),
        ):
            guess = None
            if row is not None and window:
                shown = number(row[columns[when]])
                if shown is not None:
                    guess = shown
                else:
                    lo = interventions.month_start(min(window))
                    hi = interventions.month_end(max(window))
                    overview.filters(lo, hi, kategori=[category], kalla=[planted.PLANT])
                    total = number(overview.metric(t("overview.metric_total")))
                    ring = number(row[columns[f"ring_{when}"]])
                    control = number(row[columns[f"control_{when}"]])
                    if None not in (total, ring, control):
                        guess = total - ring - control
            inferred.append(((cell.camera, category, when), guess))
            if guess == truth:
                recovered.append((cell.camera, category, when, truth))
    return recovered, inferred
