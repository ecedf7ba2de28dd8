"""Did a dated, place-based action work? Cameras now, any insats (an action with a date and a
place) later. Numbers and codes only; the page turns them into Swedish.

The design follows the evaluation literature the brief names:

* **Same calendar months.** Incidents follow the seasons, so the months after the start are
  compared with the same calendar months before it: by default the 12 whole months after the
  start (the month it starts in counts only when it starts on the 1st) against the 12 whole
  months before. When the data end sooner after the start, only the months that exist after
  are used, each against the same calendar month a year earlier (matched months), and the
  number of months used is reported. A month pair is used only when both months are wholly
  covered by the same sources (``lib.figures.coverage``): a month without data is unknown,
  never zero. Without coverage information the data's own first and last day bound it.
* **Three areas.** The target A (within the radius of the point, or of the polygon, 0 m =
  inside it), the displacement buffer B (a ring from the radius out to radius + buffer) and
  the control area C: the rest of the municipality (or of the chosen localities), without A
  and B, and without the areas of other actions that started during the compared months.
* **Difference in differences** as a ratio of rate ratios, RR = (A_after / A_before) /
  (C_after / C_before): what happened in the target beyond what happened everywhere else.
  With Poisson counts in the four cells, RR is the interaction of area and period in a
  log-linear model (the saturated Poisson GLM's interaction coefficient is exactly log RR)
  and the odds ratio of the 2×2 table [[A_after, A_before], [C_after, C_before]].
  Conditioning on the table's margins removes the nuisance rates, and A_after then follows
  Fisher's noncentral hypergeometric distribution with odds RR: the exact conditional
  interval (Fisher's, as R's ``fisher.test``) and the central two-sided p-value (twice the
  smaller tail at RR = 1) agree, so a verdict and its interval never contradict each other.
  The control area's counts are random too; treating C_after / (C_after + C_before) as known
  (a conditional binomial on A alone) would make the interval too narrow.
* **Displacement** with the Weighted Displacement Quotient of Bowers & Johnson (2003, J
  Quant Criminol 19:275–301): WDQ = (B_a/C_a − B_b/C_b) / (A_a/C_a − A_b/C_b), read by their
  table only when the target improved (see ``wdq_reading``). The buffer's own change against
  the control is tested like the target's.
* **Several actions at once**: the verdicts of a table of actions are adjusted together
  (Benjamini–Hochberg), with Benjamini–Yekutieli's false-coverage adjusted intervals, so a
  row's verdict and interval still agree.

Every count goes through a ``counter`` (``lib.figures.counting``): the public view passes its
noisy cell-key counter and every statistic is computed from the counts it returns.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.multitest import multipletests

from lib.figures import counting
from lib.figures.counting import Counter
from lib.figures.filters import Filters
from lib.figures.hotspots import project
from lib.figures.stats import ALPHA, DECREASE, INCREASE, NO_CHANGE

TOO_FEW, NO_DATA = "too_few", "no_data"
DEFAULT_MONTHS = 12
MAX_MONTHS = 12  # one calendar month before per month after: a year at most
DEFAULT_RADIUS_M = 200.0
DEFAULT_BUFFER_M = 500.0
# Fewer incidents than this in the target before and after together: no verdict. Below it
# even halving cannot be told from chance, and a ratio of a handful of incidents misleads.
MIN_TARGET = 10
MIN_CONTROL = 10  # the control area must carry the comparison too

# Readings of the WDQ (Bowers & Johnson 2003, their interpretation table), valid only when
# the target improved relative to the control area.
DIFFUSION_GREATER = "diffusion_greater"  # WDQ > 1: benefit in the buffer beyond the target's
DIFFUSION = "diffusion"  # 0 < WDQ <= 1: diffusion of benefit, smaller than the direct effect
NEITHER = "neither"  # WDQ = 0: neither displacement nor diffusion
DISPLACEMENT = "displacement"  # -1 <= WDQ < 0: displacement smaller than the direct effect
DISPLACEMENT_GREATER = "displacement_greater"  # WDQ < -1: displacement outweighs the effect
UNDEFINED = "undefined"  # the target did not improve (or a denominator is zero)

TARGET, BUFFER, CONTROL, OUTSIDE = 0, 1, 2, 3


@dataclass(frozen=True)
class Intervention:
    """A dated action at a place: a point (lat, lon) or a polygon of (lat, lon) vertices,
    with the radius that makes the target area (around the point, or around the polygon;
    0 = the polygon itself)."""

    id: str
    name: str
    start: dt.date
    lat: float | None = None
    lon: float | None = None
    polygon: tuple[tuple[float, float], ...] = ()
    radius_m: float = DEFAULT_RADIUS_M
    kind: str = "camera"

    def __post_init__(self):
        if not self.polygon and (self.lat is None or self.lon is None):
            raise ValueError("an intervention needs a point or a polygon")
        if self.radius_m < 0:
            raise ValueError("radius must be non-negative")


def from_cameras(cameras: pd.DataFrame, radius_m: float | None = None) -> list[Intervention]:
    """The store's cameras as interventions starting on their installation day (cameras
    without one are left out), each with its own radius unless ``radius_m`` is given."""
    out = []
    for cam in cameras.itertuples():
        if pd.isna(cam.installed_on):
            continue
        own = getattr(cam, "radius_m", None)
        radius = radius_m or (None if own is None or pd.isna(own) else own) or DEFAULT_RADIUS_M
        out.append(
            Intervention(
                str(cam.id),
                str(cam.name),
                pd.Timestamp(cam.installed_on).date(),
                float(cam.lat),
                float(cam.lon),
                radius_m=float(radius),
            )
        )
    return out


# --- Places ------------------------------------------------------------------------------------


def distances(points: pd.DataFrame, place: Intervention) -> np.ndarray:
    """Metres from each point (SWEREF 99 TM columns x, y) to the place: to the point, or to
    the polygon (0 inside it)."""
    x = points["x"].to_numpy(float)
    y = points["y"].to_numpy(float)
    if not place.polygon:
        px, py = project([place.lat], [place.lon])
        return np.hypot(x - px[0], y - py[0])
    import shapely

    lat, lon = zip(*place.polygon, strict=True)
    vx, vy = project(lat, lon)
    shape = shapely.Polygon(np.column_stack([vx, vy]))
    return shapely.distance(shape, shapely.points(x, y))


def areas(points: pd.DataFrame, place: Intervention, buffer_m: float) -> np.ndarray:
    """Per point: TARGET within the radius, BUFFER in the ring up to radius + buffer, and
    CONTROL everywhere else."""
    d = distances(points, place)
    out = np.full(len(d), CONTROL, dtype=np.int8)
    out[d <= place.radius_m + buffer_m] = BUFFER
    out[d <= place.radius_m] = TARGET
    return out


# --- Months ------------------------------------------------------------------------------------


def _month(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_start(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def month_end(month: int) -> dt.date:
    return month_start(month + 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Months:
    """Matched months: ``after[i]`` and ``before[i]`` are the same calendar month (months
    numbered year·12 + month − 1), both wholly covered by the same sources."""

    after: tuple[int, ...]
    before: tuple[int, ...]
    asked: int
    missing: str | None  # "after" or "before" when no pair is usable, else None

    @property
    def used(self) -> int:
        return len(self.after)


def matched_months(
    start: dt.date,
    months: int = DEFAULT_MONTHS,
    coverage=None,
    sources: tuple[str, ...] = (),
    span: tuple[dt.date, dt.date] | None = None,
) -> Months:
    """The whole months after ``start`` (up to ``months``) paired with the same calendar
    months before it, keeping the pairs whose two months are wholly covered by the same
    non-zero coverage signature (``coverage.month_signature``). With ``coverage=None`` every
    day in ``span`` (first, last day of the data) counts as covered, and no day outside."""
    months = max(1, min(int(months), MAX_MONTHS))
    first_after = _month(start) + (0 if start.day == 1 else 1)
    last_before = _month(start) - 1
    after = np.arange(first_after, first_after + months)
    before = after - 12
    before = np.where(before > last_before, before - 12, before)
    if coverage is not None:
        both = pd.PeriodIndex(
            [pd.Period(month_start(int(m)), "M") for m in np.concatenate([after, before])]
        )
        signature = np.asarray(coverage.month_signature(both, sources))
        sig_after, sig_before = signature[: len(after)], signature[len(after) :]
        ok_after = sig_after > 0
        ok_pair = ok_after & (sig_before == sig_after)
    else:

        def inside(ms: np.ndarray) -> np.ndarray:
            if span is None:
                return np.zeros(len(ms), dtype=bool)
            return np.array(
                [month_start(int(m)) >= span[0] and month_end(int(m)) <= span[1] for m in ms],
                dtype=bool,
            )

        ok_after = inside(after)
        ok_pair = ok_after & inside(before)
    missing = None
    if not ok_pair.any():
        missing = "after" if not ok_after.any() else "before"
    return Months(
        tuple(int(m) for m in after[ok_pair]),
        tuple(int(m) for m in before[ok_pair]),
        months,
        missing,
    )


# --- Statistics --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """The ratio of rate ratios of the 2×2 table [[a_after, a_before], [c_after, c_before]]
    with its exact conditional interval and central p-value. ``ratio`` is the sample ratio
    (inf when a_before is 0, None when undefined)."""

    a_after: int
    a_before: int
    c_after: int
    c_before: int
    ratio: float | None
    low: float
    high: float
    p_value: float
    verdict: str
    level: float = ALPHA  # the interval is a (1 - level) interval
    slack: int = 0  # the counts may be this far from the exact ones (see ratio_of_rates)

    @property
    def change_fraction(self) -> float | None:
        """RR − 1: −0.45 is 45 % fewer than the control area's change predicts."""
        return None if self.ratio is None or math.isinf(self.ratio) else self.ratio - 1.0


def _fisher(a_after: int, a_before: int, c_after: int, c_before: int, alpha: float):
    """(low, high, p) of the exact conditional test of the 2×2 table, or None when a margin
    is empty (the table says nothing about the ratio)."""
    counts = (a_after, a_before, c_after, c_before)
    n_a, n_after = a_after + a_before, a_after + c_after
    total = sum(counts)
    if n_a == 0 or n_a == total or n_after == 0 or n_after == total:
        return None
    # P-value: A_after given the margins is hypergeometric under RR = 1.
    null = sps.hypergeom(total, n_after, n_a)
    p = float(min(1.0, 2 * min(null.cdf(a_after), null.sf(a_after - 1))))
    interval = odds_ratio(
        [[a_after, a_before], [c_after, c_before]], kind="conditional"
    ).confidence_interval(confidence_level=1 - alpha)
    return float(interval.low), float(interval.high), p


def ratio_of_rates(
    a_after: int,
    a_before: int,
    c_after: int,
    c_before: int,
    alpha: float = ALPHA,
    slack: int = 0,
) -> Ratio:
    """Difference in differences on the log scale: RR = (a_after / a_before) / (c_after /
    c_before), with the exact conditional (Fisher) interval for the odds ratio of the 2×2
    table and the central two-sided p-value at RR = 1. Counts are numbers of events in equal
    periods (the same months before and after), so exposures cancel.

    ``slack``: the counts are published ones, each up to this far from the exact count (the
    public view's noise). The interval then runs from the lowest lower limit to the highest
    upper limit over the two extreme tables within the slack, the p-value is the largest, and
    a change is called only when it holds for every table the noise allows."""
    counts = (a_after, a_before, c_after, c_before)
    if min(counts) < 0:
        raise ValueError("counts must be non-negative")
    if a_before * c_after > 0:
        ratio = (a_after * c_before) / (a_before * c_after)
    elif a_after * c_before > 0:
        ratio = math.inf
    else:
        ratio = None
    found = _fisher(*counts, alpha)
    if found is None:
        return Ratio(*counts, ratio, 0.0, math.inf, 1.0, NO_CHANGE, alpha, slack)
    low, high, p = found
    if slack:
        s = slack
        lowest = _fisher(
            max(a_after - s, 0), a_before + s, c_after + s, max(c_before - s, 0), alpha
        )
        highest = _fisher(
            a_after + s, max(a_before - s, 0), max(c_after - s, 0), c_before + s, alpha
        )
        low = 0.0 if lowest is None else min(low, lowest[0])
        high = math.inf if highest is None else max(high, highest[1])
        p = max(p, *(x[2] for x in (lowest, highest) if x is not None))
        if lowest is None or highest is None:
            p = 1.0
    verdict = INCREASE if low > 1 else DECREASE if high < 1 else NO_CHANGE
    return Ratio(*counts, ratio, low, high, p, verdict, alpha, slack)


def adjust(ratios: Sequence[Ratio | None], alpha: float = ALPHA) -> list[Ratio | None]:
    """Benjamini–Hochberg over a table of ratios (None rows are skipped): a row keeps its
    verdict when its adjusted p-value is below ``alpha``, and its interval becomes the
    false-coverage adjusted one (Benjamini–Yekutieli: level alpha·R/m, R rows called changed)
    so verdict and interval agree."""
    tested = [r for r in ratios if r is not None]
    if not tested:
        return list(ratios)
    _, q, _, _ = multipletests([r.p_value for r in tested], alpha, "fdr_bh")
    called = int(sum(v < alpha for v in q))
    level = alpha * max(called, 1) / len(tested)
    adjusted = iter(zip(tested, q, strict=True))
    out: list[Ratio | None] = []
    for r in ratios:
        if r is None:
            out.append(None)
            continue
        row, qv = next(adjusted)
        wide = ratio_of_rates(
            row.a_after, row.a_before, row.c_after, row.c_before, level, row.slack
        )
        verdict = wide.verdict if qv < alpha else NO_CHANGE
        out.append(replace(wide, p_value=float(min(qv, 1.0)), verdict=verdict))
    return out


def wdq(
    a_after: int, a_before: int, b_after: int, b_before: int, c_after: int, c_before: int
) -> float | None:
    """Weighted Displacement Quotient (Bowers & Johnson 2003): the buffer's change relative
    to the control (displacement measure) over the target's (success measure),
    ((B_a/C_a) − (B_b/C_b)) / ((A_a/C_a) − (A_b/C_b)). None when the control area is empty in
    a period, or the success measure is not negative (the target did not improve relative to
    the control area: there is no effect to weigh displacement against)."""
    if c_after <= 0 or c_before <= 0:
        return None
    success = a_after / c_after - a_before / c_before
    if success >= 0:
        return None
    return (b_after / c_after - b_before / c_before) / success


def wdq_reading(value: float | None) -> str:
    """Bowers & Johnson's (2003) reading of a WDQ (defined only when the target improved):
    > 1 diffusion of benefit greater than the direct effect; 0 < WDQ <= 1 diffusion of
    benefit; 0 neither displacement nor diffusion; -1 <= WDQ < 0 displacement, smaller than
    the direct effect (a net benefit remains); < -1 displacement greater than the direct
    effect (the action was counter-productive)."""
    if value is None or math.isnan(value):
        return UNDEFINED
    if value > 1:
        return DIFFUSION_GREATER
    if value > 0:
        return DIFFUSION
    if value == 0:
        return NEITHER
    if value >= -1:
        return DISPLACEMENT
    return DISPLACEMENT_GREATER


# --- Evaluation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    intervention: Intervention
    months: Months
    buffer_m: float
    # Counts in the matched months (None when no month pair is usable).
    target_before: int | None
    target_after: int | None
    buffer_before: int | None
    buffer_after: int | None
    control_before: int | None
    control_after: int | None
    effect: Ratio | None  # target against control (None: too few or no data)
    buffer: Ratio | None  # buffer against control
    wdq: float | None
    verdict: str  # DECREASE, INCREASE, NO_CHANGE, TOO_FEW or NO_DATA

    @property
    def reading(self) -> str:
        """The WDQ's reading, only where the target's decrease is established: a quotient
        over a change that may be chance would read noise as displacement."""
        return wdq_reading(self.wdq) if self.verdict == DECREASE else UNDEFINED


def _prepared(points: pd.DataFrame, filters: Filters | None) -> pd.DataFrame:
    rows = points
    if filters is not None:
        mask = np.ones(len(rows), dtype=bool)
        if filters.categories:
            mask &= rows["category"].isin(filters.categories).to_numpy()
        if filters.sources:
            mask &= rows["source"].isin(filters.sources).to_numpy()
        rows = rows[mask]
    day = pd.DatetimeIndex(rows["day"])
    return rows.assign(month=(day.year * 12 + day.month - 1).to_numpy())


def _span(points: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    if points.empty:
        return None
    return pd.Timestamp(points["day"].min()).date(), pd.Timestamp(points["day"].max()).date()


def evaluate(
    points: pd.DataFrame,
    interventions: Sequence[Intervention],
    filters: Filters | None = None,
    *,
    months: int = DEFAULT_MONTHS,
    buffer_m: float = DEFAULT_BUFFER_M,
    coverage=None,
    adjust_many: bool = True,
    counter: Counter = counting.exact,
    alpha: float = ALPHA,
) -> list[Evaluation]:
    """Evaluate each intervention on the map points (columns day, x, y, locality, category,
    source, key). ``filters`` give the categories and sources counted and, through its
    localities, the control area (empty: the whole municipality); its period is not used, the
    matched months are the period. Other interventions that start within an intervention's
    compared months have their target and buffer taken out of its control area. With
    ``adjust_many`` the verdicts of the table are adjusted together (``adjust``)."""
    rows = _prepared(points, filters)
    span = _span(points)
    sources = filters.sources if filters is not None else ()
    localities = filters.localities if filters is not None else ()
    in_localities = (
        rows["locality"].isin(localities).to_numpy() if localities else np.ones(len(rows), bool)
    )
    out = []
    for item in interventions:
        chosen = matched_months(item.start, months, coverage, sources, span)
        if not chosen.used:
            out.append(Evaluation(item, chosen, buffer_m, *[None] * 6, None, None, None, NO_DATA))
            continue
        area = areas(rows, item, buffer_m)
        area[(area == CONTROL) & ~in_localities] = OUTSIDE
        lo, hi = month_start(min(chosen.before)), month_end(max(chosen.after))
        for other in interventions:
            if other is not item and lo <= other.start <= hi:
                taken = areas(rows, other, buffer_m) != CONTROL
                area[(area == CONTROL) & taken] = OUTSIDE
        month = rows["month"].to_numpy()
        when = np.where(
            np.isin(month, chosen.after), 1, np.where(np.isin(month, chosen.before), 0, -1)
        )

        def count(code: int, period: int, area=area, when=when) -> int:
            return counting.total(rows[(area == code) & (when == period)], counter)

        a_b, a_a = count(TARGET, 0), count(TARGET, 1)
        b_b, b_a = count(BUFFER, 0), count(BUFFER, 1)
        c_b, c_a = count(CONTROL, 0), count(CONTROL, 1)
        enough = a_b + a_a >= MIN_TARGET and c_b + c_a >= MIN_CONTROL and min(c_b, c_a) > 0
        slack = counting.slack(counter)
        effect = ratio_of_rates(a_a, a_b, c_a, c_b, alpha, slack) if enough else None
        buffer = ratio_of_rates(b_a, b_b, c_a, c_b, alpha, slack) if enough else None
        out.append(
            Evaluation(
                item,
                chosen,
                buffer_m,
                a_b,
                a_a,
                b_b,
                b_a,
                c_b,
                c_a,
                effect,
                buffer,
                wdq(a_a, a_b, b_a, b_b, c_a, c_b),
                effect.verdict if effect is not None else TOO_FEW,
            )
        )
    if adjust_many:
        effects = adjust([e.effect for e in out], alpha)
        buffers = adjust([e.buffer for e in out], alpha)
        out = [
            replace(e, effect=r, buffer=b, verdict=r.verdict if r is not None else e.verdict)
            for e, r, b in zip(out, effects, buffers, strict=True)
        ]
    return out
