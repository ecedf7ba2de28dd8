"""What the disclosure rules cost and what they buy (issue 20, items 1-6 and 9).

``python -m bench.privacy_utility [--smoke] [--draws 400] [--seed 7]`` from the repository root.

Privacy: the detail-minimum attack (``detail_sweep``). An attacker who knows a target
incident's category, locality and month, and every other incident (all but the secret that
fixes the cell-key noise), reads the public detail tables (weeks and weekday × hour) of every
public period that holds the target and whose selection reaches the detail minimum, and works
out the exact posterior of the target's day and hour. Reported per minimum: how often the best
guess is right (day and hour, day, hour) against chance (a guess among the month's days and
24 hours).

Utility (``utility_table``): on the sample data and on the real police feed
(``../shared/formats/polisen-events-*.json``, skipped when absent), the share of public cells
hidden at each level (the whole municipality, each locality, each locality × category;
monthly and finer: weeks and weekday × hour) and the mean absolute difference between the
published and the exact count of the cells shown, before this change (threshold-only
suppression, zeros shown, lists of the categories present) and after it (the rules in
``lib.public``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lib.config import load_municipality
from lib.figures import periods
from lib.figures.filters import Filters
from lib.ingest.loading import import_bytes, seed_sample
from lib.public import disclosure
from lib.public.disclosure import Disclosure
from lib.store.store import Store

EPOCH = dt.date(1970, 1, 1)  # day numbers count from here (a Thursday)
WEEK, HOUR = "week", "hour"  # the two detail tables: week buckets, weekday × hour cells
# A key inside each of the five noise bins (``disclosure.NOISE_P``): the attacker knows the
# noise's distribution, never a key.
BIN_KEYS = np.cumsum(disclosure.NOISE_P) - disclosure.NOISE_P / 2


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday."""
    return (np.asarray(days) + EPOCH.weekday()) % 7


def week_start(days: np.ndarray) -> np.ndarray:
    """The Monday of each day's week (the weekly chart's buckets, ``trends.period_series``)."""
    days = np.asarray(days)
    return days - weekday(days)


def cells_of(days: np.ndarray, hours: np.ndarray) -> dict[str, np.ndarray]:
    """Each incident's cell in the two detail tables."""
    return {WEEK: week_start(days), HOUR: weekday(days) * 24 + np.asarray(hours)}


def observation_probability(d: Disclosure, n: int, shown: int | None) -> float:
    """P(what the public sees of a detail cell | its exact count n): None (hidden) or the
    count shown. The noise of a cell with records is drawn from the perturbation table; a
    cell without records is 0, and zero is hidden in detail tables (``Disclosure.fine``)."""
    if n == 0:
        return 1.0 if (shown is None) == d.fine(0) else 0.0
    published = disclosure.perturb(np.full(5, n), BIN_KEYS)
    hidden = np.array([d.fine(int(v)) for v in published])
    if shown is None:
        return float(disclosure.NOISE_P[hidden].sum())
    return float(disclosure.NOISE_P[~hidden & (published == shown)].sum())


def publish_cells(d: Disclosure, days, hours, keys, spans) -> list[tuple]:
    """The detail tables the public gets for a selection (incidents' day numbers, hours and
    record keys) in each period (first, last day number) whose total allows them: for each
    period, each week bucket and each of the 168 weekday × hour cells, (period index, table,
    cell, count shown or None). What ``views.series_points(..., fine=True)`` and
    ``views.hours_matrix`` send to the browser, for one selection, without the pages."""
    days, hours, keys = np.asarray(days), np.asarray(hours), np.asarray(keys, dtype=float)
    out = []
    for index, (first, last) in enumerate(spans):
        inside = (days >= first) & (days <= last)
        every = {WEEK: np.unique(week_start(np.arange(first, last + 1))), HOUR: np.arange(168)}
        found = cells_of(days[inside], hours[inside])
        for table, cells in every.items():
            n = pd.Series(1, index=found[table]).groupby(level=0).sum()
            key = pd.Series(keys[inside], index=found[table]).groupby(level=0).sum()
            counts = n.reindex(cells, fill_value=0).to_numpy()
            sums = key.reindex(cells, fill_value=0.0).to_numpy() % 1.0
            published = disclosure.perturb(counts, sums)
            for cell, value in zip(cells, published, strict=True):
                shown = None if d.fine(int(value)) else int(value)
                out.append((index, table, int(cell), shown))
    return out


def shown_spans(d: Disclosure, f: Filters, days, keys, spans) -> list[tuple[int, int]]:
    """The periods whose published total lets the public see the selection's detail."""
    days, keys = np.asarray(days), np.asarray(keys, dtype=float)
    out = []
    for first, last in spans:
        inside = (days >= first) & (days <= last)
        total = int(disclosure.perturb([inside.sum()], [keys[inside].sum() % 1.0])[0])
        if d.time_detail(total, f) is None:
            out.append((first, last))
    return out


def posterior(
    d: Disclosure, other_days, other_hours, spans, observed, candidate_days
) -> np.ndarray:
    """Log-likelihood of each (candidate day, hour) for the target (days × 24), given every
    other incident of the selection (their day numbers and hours: the attacker knows them)
    and the detail cells the public saw (``publish_cells``). Cells holding the same records
    share their noise (one cell key): under each candidate they must show the same thing."""
    od, oh = np.asarray(other_days), np.asarray(other_hours)
    shown = {(i, table, cell): value for i, table, cell, value in observed}
    records = {}  # (period, table, cell) -> the other incidents in it
    for i, (first, last) in enumerate(spans):
        inside = np.flatnonzero((od >= first) & (od <= last))
        found = cells_of(od[inside], oh[inside])
        for table, cells in found.items():
            members = defaultdict(list)
            for j, cell in zip(inside, cells, strict=True):
                members[int(cell)].append(int(j))
            for cell, js in members.items():
                records[(i, table, cell)] = frozenset(js)
    groups: dict[frozenset, Counter] = defaultdict(Counter)
    for cell, value in shown.items():
        groups[records.get(cell, frozenset())][value] += 1
    probability = {}

    def score(size: int, values: Counter) -> float:
        present = [v for v, k in values.items() if k > 0]
        if not present:
            return 0.0
        if len(present) > 1:
            return -math.inf  # the same records, the same noise: one value
        if (size, present[0]) not in probability:
            probability[(size, present[0])] = observation_probability(d, size, present[0])
        p = probability[(size, present[0])]
        return math.log(p) if p > 0 else -math.inf

    base = {s: score(len(s), v) for s, v in groups.items()}
    finite = sum(v for v in base.values() if v > -math.inf)
    impossible = sum(v == -math.inf for v in base.values())
    out = np.full((len(candidate_days), 24), -math.inf)
    for i, day in enumerate(candidate_days):
        holding = [p for p, (first, last) in enumerate(spans) if first <= day <= last]
        week, wd = int(week_start(day)), int(weekday(day))
        for hour in range(24):
            moved: dict[frozenset, Counter] = defaultdict(Counter)
            for p in holding:
                for cell in ((p, WEEK, week), (p, HOUR, wd * 24 + hour)):
                    if cell in shown:
                        moved[records.get(cell, frozenset())][shown[cell]] += 1
            total, bad = finite, impossible
            for members, values in moved.items():
                old = base[members]
                if old == -math.inf:
                    bad -= 1
                else:
                    total -= old
                total += score(len(members), groups[members] - values)
                total += score(len(members) + 1, values)
            out[i, hour] = total if bad == 0 else -math.inf
    return out


def guess_share(scores: np.ndarray, truth: int) -> float:
    """How often a guess among the best-scoring candidates is right (ties shared)."""
    best = np.flatnonzero(scores == scores.max())
    return 1 / len(best) if truth in best else 0.0


def located(scores: np.ndarray, day: int, hour: int) -> dict[str, float]:
    """The attacker's success for one target from its posterior (days × 24): day and hour,
    the day alone, the hour alone, with chance for each."""
    with np.errstate(divide="ignore"):
        p = np.exp(scores - scores.max())
        return {
            "day_hour": guess_share(scores.ravel(), day * 24 + hour),
            "day": guess_share(np.log(p.sum(axis=1)), day),
            "hour": guess_share(np.log(p.sum(axis=0)), hour),
            "chance_day_hour": 1 / scores.size,
            "chance_day": 1 / scores.shape[0],
            "chance_hour": 1 / 24,
        }


# --- The detail-minimum attack on simulated selections ----------------------------------------

FIRST, LAST = dt.date(2017, 10, 1), dt.date(2019, 9, 30)
MEETINGS = tuple(
    dt.date.fromisoformat(d)
    for d in ("2018-10-15", "2018-12-10", "2019-02-11", "2019-04-08", "2019-06-10", "2019-08-26")
)
SELECTION = Filters(FIRST, LAST, ("Ort",), ("Kategori",))


@dataclass(frozen=True)
class Fine(Disclosure):
    """Other rules for detail tables, for comparison with lib's (``Disclosure.fine``, the
    rule under test): a count shown there only from ``cut``, and with ``zeros`` zero shown
    as 0 (the rule before issue 20)."""

    cut: int = 3
    zeros: bool = False

    def fine(self, count) -> bool:
        if self.exact or count is None or (self.zeros and int(count) == 0):
            return False
        return int(count) < self.cut


def rules(minimum: int, cut: int | None = None, zeros: bool = False) -> Disclosure:
    """The public rules at a detail minimum: lib's, or with another cut for detail tables
    and zeros shown or not (``Fine``)."""
    presets = periods.presets(FIRST, LAST, (), MEETINGS)
    d = disclosure.public(3, presets, minimum)
    if cut is None and not zeros:
        return d
    cut = d.threshold if cut is None else cut
    return Fine(d.threshold, d.exact, d.periods, d.detail_minimum, d.sensitive, cut, zeros)


def detail_draw(rng, minimum: int):
    """One selection just above the minimum: a locality × category whose latest 12 months
    hold ``minimum`` to 1.5 × ``minimum`` incidents (two years of them, days and hours
    uniform), one of them the target, alone in its month of the latest 12."""
    yearly = int(rng.integers(minimum, minimum + max(2, minimum // 2) + 1))
    latest = pd.period_range("2018-10", "2019-09", freq="M")
    month = latest[rng.integers(len(latest))]
    lo, hi = day_number(month.start_time.date()), day_number(month.end_time.date())
    others = rng.integers(day_number(FIRST), day_number(LAST) + 1, 2 * yearly)
    others = others[(others < lo) | (others > hi)]
    days = np.r_[others, rng.integers(lo, hi + 1)]  # the target last
    return days, rng.integers(0, 24, len(days)), rng.random(len(days)), np.arange(lo, hi + 1)


def detail_attack(
    minimum: int, draws: int, seed: int, cut: int | None = None, zeros: bool = False
) -> dict:
    """The attack of the module docstring at one detail minimum: mean success and chance
    over ``draws`` targets, and the share of targets whose detail the public saw at all."""
    rng = np.random.default_rng(seed)
    d = rules(minimum, cut, zeros)
    spans = [(day_number(a), day_number(b)) for a, b in d.periods]
    total = defaultdict(float)
    for _ in range(draws):
        days, hours, keys, month = detail_draw(rng, minimum)
        target = days[-1]
        holding = [s for s in spans if s[0] <= target <= s[1]]
        shown = shown_spans(d, SELECTION, days, keys, holding)
        total["observed"] += bool(shown)
        cells = publish_cells(d, days, hours, keys, shown)
        scores = posterior(d, days[:-1], hours[:-1], shown, cells, month)
        day = int(np.flatnonzero(month == target)[0])
        for name, value in located(scores, day, int(hours[-1])).items():
            total[name] += value
    return {"minimum": minimum, "draws": draws, **{k: v / draws for k, v in total.items()}}


def detail_sweep(
    minimums, draws: int, seed: int, cut: int | None = None, zeros: bool = False
) -> list[dict]:
    return [detail_attack(m, draws, seed, cut, zeros) for m in minimums]


def print_detail(rows: list[dict], title: str) -> None:
    print(f"\n{title}")
    print("| minimum | targets | detail seen | day and hour | day | hour |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['minimum']} | {r['draws']} | {r['observed']:.0%} "
            f"| {r['day_hour']:.2%} (chance {r['chance_day_hour']:.2%}) "
            f"| {r['day']:.1%} (chance {r['chance_day']:.1%}) "
            f"| {r['hour']:.1%} (chance {r['chance_hour']:.1%}) |"
        )


# --- Utility: what the public no longer sees ------------------------------------------------

POLICE = sorted(
    (Path(__file__).resolve().parents[2] / "shared" / "formats").glob("polisen-events-*.json")
)
MONTHLY, WEEKLY, HOURS, ROWS = "monthly", "weekly", "weekday × hour", "category table rows"
LEVELS = ("municipality", "locality", "locality × category")


def sample_store(directory: Path) -> Store:
    """The sample data in a fresh store, as the app seeds it."""
    store = Store(str(directory / "sample.db"))
    seed_sample(store, load_municipality())
    return store


def police_store(directory: Path) -> Store | None:
    """The real police feed for the municipality in a fresh store (``import_bytes``), or
    None when the file is not there."""
    if not POLICE:
        return None
    path = max(POLICE, key=lambda p: p.stat().st_size)  # the longest history
    store = Store(str(directory / "police.db"))
    outcome = import_bytes(store, path.read_bytes(), None, load_municipality(), path.name)
    if not outcome.ok:
        raise RuntimeError(outcome.messages)
    return store


@dataclass
class Side:
    """The cells of one level and table under one set of rules: how many, how many hidden,
    and the summed absolute difference between published and exact counts of those shown."""

    cells: int = 0
    hidden: int = 0
    error: float = 0.0

    def add(self, exact, published, hidden) -> None:
        exact = np.asarray(exact, dtype=float)
        published = np.asarray(published, dtype=float)
        hidden = np.asarray(hidden, dtype=bool)
        self.cells += len(exact)
        self.hidden += int(hidden.sum())
        self.error += float(np.abs(published - exact)[~hidden].sum())

    @property
    def share_hidden(self) -> float:
        return self.hidden / max(self.cells, 1)

    @property
    def mean_error(self) -> str:
        shown = self.cells - self.hidden
        return f"{self.error / shown:.2f}" if shown else "–"


def before_hidden(published) -> np.ndarray:
    """The rule before issue 20: a published count from 1 to the threshold is hidden; zero
    is shown, in every table; no detail minimum, no sensitive rule."""
    published = np.asarray(published, dtype=np.int64)
    return (published > 0) & (published < 3)


def current(series: pd.DataFrame) -> pd.DataFrame:
    """The period's own buckets that have data (a bucket without is "ingen data" either way)."""
    return series[(series["series"] == "current") & series["n"].notna()]


def utility(store: Store, smoke: bool = False) -> dict[tuple[str, str], tuple[Side, Side]]:
    """(level, table) -> (before, after) for the default public period (the latest 12
    months) of the store's data: every selection of the level (the municipality, each
    locality, each locality with each category), its monthly and weekly series and weekday
    × hour matrix, and the category table of the first two levels."""
    from lib.datamanager import DataManager
    from lib.figures import changes, counting, trends
    from lib.figures.filters import select
    from lib.public import views

    muni = load_municipality()
    manager = DataManager(store, muni)
    data = manager.data(manager.version())
    presets = data.presets()
    d = disclosure.for_municipality(muni, presets)
    period = presets[0]
    timed = data.timed_rows(Filters(period.start, period.end))
    categories = sorted(data.cube["category"].astype(str).unique())
    places = list(muni.locality_names)
    if smoke:
        places, categories = places[:2], categories[:3]
    selections = [("municipality", Filters(period.start, period.end))]
    selections += [("locality", Filters(period.start, period.end, (p,))) for p in places]
    selections += [
        ("locality × category", Filters(period.start, period.end, (p,), (c,)))
        for p in places
        for c in categories
    ]
    out: dict[tuple[str, str], tuple[Side, Side]] = defaultdict(lambda: (Side(), Side()))

    def series(cube, f, freq, counter):
        return current(trends.period_series(cube, f, freq, data.coverage, counter))

    for level, f in selections:
        total = counting.total(select(data.cube, f), d.counter)
        small, time_reason = d.detail(total), d.time_detail(total, f)
        before, after = out[(level, MONTHLY)]
        published = series(data.cube, f, "M", d.counter)
        exact = series(data.cube, f, "M", counting.exact)["n"]
        before.add(exact, published["n"], before_hidden(published["n"]))
        shown = views.series_points(published, d, fine=small is not None)["n"].notna()
        after.add(exact, published["n"], ~shown.to_numpy())

        before, after = out[(level, WEEKLY)]
        published = series(data.cube, f, "W", d.counter)
        exact = series(data.cube, f, "W", counting.exact)["n"]
        before.add(exact, published["n"], before_hidden(published["n"]))
        public_cube = d.time_rows(data.cube)
        published = series(public_cube, f, "W", d.counter)
        exact = series(public_cube, f, "W", counting.exact)["n"]
        shown = views.series_points(published, d, fine=True)["n"].notna().to_numpy()
        after.add(exact, published["n"], ~shown | (time_reason is not None))

        before, after = out[(level, HOURS)]
        published = trends.weekday_hour(timed, f, d.counter).ravel()
        before.add(
            trends.weekday_hour(timed, f, counting.exact).ravel(),
            published,
            before_hidden(published),
        )
        public_timed = d.time_rows(timed)
        published = trends.weekday_hour(public_timed, f, d.counter)
        exact = trends.weekday_hour(public_timed, f, counting.exact).ravel()
        hidden = np.isnan(views.hours_matrix(published, d).ravel()) | (time_reason is not None)
        after.add(exact, published.ravel(), hidden)

        if level == "locality × category":
            continue
        # The category table: before, a row per category with incidents in the selection;
        # after, the vocabulary and "Övriga", and no table below the detail minimum.
        before, after = out[(level, ROWS)]
        rows = changes.change_table(data.cube, f, muni, "category", data.coverage, d.counter)
        exact = changes.change_table(data.cube, f, muni, "category", data.coverage)
        exact = exact.set_index("key")["total"]
        exact = exact[exact > 0]
        published = rows.set_index("key")["total"].reindex(exact.index, fill_value=0)
        before.add(exact, published, before_hidden(published))
        keys = data.categories()
        rows = changes.change_table(
            data.cube, f, muni, "category", data.coverage, d.counter, keys=keys
        ).set_index("key")["total"]
        exact = changes.change_table(data.cube, f, muni, "category", data.coverage, keys=keys)
        exact = exact.set_index("key")["total"].reindex(rows.index)
        after.add(exact, rows, before_hidden(rows) | (small is not None))
    return dict(out)


def print_utility(name: str, table: dict) -> None:
    print(f"\nUtility, {name}: share of public cells hidden, mean |published − exact| shown")
    print("| level | table | cells before / after | hidden before | hidden after |", end="")
    print(" error before | error after |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for level in LEVELS:
        for kind in (MONTHLY, WEEKLY, HOURS, ROWS):
            if (level, kind) not in table:
                continue
            b, a = table[(level, kind)]
            print(
                f"| {level} | {kind} | {b.cells} / {a.cells} | {b.share_hidden:.1%} "
                f"| {a.share_hidden:.1%} | {b.mean_error} | {a.mean_error} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="seconds: few draws, small data")
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    draws = 4 if args.smoke else args.draws
    minimums = (5, 20) if args.smoke else (5, 10, 20, 30, 60)
    print_detail(detail_sweep(minimums, draws, args.seed), "Detail attack, the rules in lib")
    if not args.smoke:
        print_detail(
            detail_sweep(minimums, draws, args.seed, cut=3),
            "Detail attack, detail counts shown from the threshold (3)",
        )
        print_detail(
            detail_sweep((5, 20), draws, args.seed, zeros=True),
            "Detail attack, zeros shown as 0 (before issue 20)",
        )
    with tempfile.TemporaryDirectory() as directory:
        print_utility("sample data", utility(sample_store(Path(directory)), args.smoke))
        if args.smoke:
            return
        police = police_store(Path(directory))
        if police is None:
            print("\nUtility, police feed: skipped (no ../shared/formats/polisen-events-*.json)")
        else:
            print_utility("real police feed", utility(police))


if __name__ == "__main__":
    main()
