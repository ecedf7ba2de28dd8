"""Hot spots against a baseline (lib.figures.baselines): the exact tests against scipy, the
expectations by hand, no baseline with too little history or no population grid, cells without
residents, the counter's slack, and quick calibrations (an even town is calm against its own
history where the land baseline calls it hot; a planted place lights up)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lib.figures import baselines, hotspots


def frame(cells: dict[tuple[int, int], int]) -> pd.DataFrame:
    rows = [{"ix": i, "iy": j, "n": n, "key": 0.0} for (i, j), n in cells.items()]
    return pd.DataFrame(rows)


def test_interaction_p_is_fishers_exact_test():
    # cell: 12 in the latest period, 8 before; the rest: 88 latest, 192 before
    upper, lower = baselines.interaction_p([12], [8], 100, 300)
    table = [[12, 8], [88, 192]]
    assert upper[0] == pytest.approx(stats.fisher_exact(table, alternative="greater")[1])
    assert lower[0] == pytest.approx(stats.fisher_exact(table, alternative="less")[1])


def even(n_cells: int, per_cell: int, **changed) -> pd.DataFrame:
    cells = {(i, 0): per_cell for i in range(n_cells)}
    cells.update({(int(k[1:]), 0): v for k, v in changed.items()})
    return frame(cells)


def test_expected_is_the_cells_share_of_all_years_times_the_latest_total():
    latest = even(10, 5, c3=25)  # 70 in the latest period
    earlier = [even(10, 5), even(10, 5)]  # 50 each
    result = baselines.own_history(latest, earlier)
    assert result.baseline == baselines.OWN_HISTORY and result.periods == 2
    c = result.cells.set_index("ix")
    # cell 3: 35 of 170 incidents over all years; 70 in the latest: 35 / 170 * 70
    assert c.at[3, "expected"] == pytest.approx(35 / 170 * 70)
    assert c.at[0, "expected"] == pytest.approx(15 / 170 * 70)
    assert c.at[3, "p"] == pytest.approx(
        stats.fisher_exact([[25, 10], [45, 90]], alternative="greater")[1]
    )
    assert c.at[3, "bin"] >= 2 and (c.drop(index=3)["bin"] <= 0).all()


def test_no_baseline_with_fewer_than_two_earlier_years():
    result = baselines.own_history(even(10, 5), [even(10, 5)])
    assert (result.baseline, result.reason, result.enough) == (
        baselines.NONE,
        baselines.TOO_FEW_YEARS,
        False,
    )
    assert result.cells.empty and list(result.cells.columns) == baselines.COLUMNS
    none = baselines.residents(even(10, 5), None, 250)
    assert (none.baseline, none.reason) == (baselines.NONE, baselines.NO_POPULATION)


def test_too_few_incidents_in_the_latest_period_are_not_tested():
    result = baselines.own_history(even(5, 4), [even(5, 4), even(5, 4)])
    assert result.baseline == baselines.OWN_HISTORY and not result.enough
    assert result.incidents == 20


def test_the_noisy_counters_slack_is_taken_against_the_verdict():
    """A cell hot with exact counts by a small margin is not hot when every count may be two
    off (a counter that publishes exact counts but declares slack 2)."""

    def noisy(n, key):
        return np.asarray(n, np.int64)

    noisy.slack = 2
    latest, earlier = even(10, 5, c3=19), [even(10, 5), even(10, 5)]
    exact = baselines.own_history(latest, earlier).cells.set_index("ix")
    public = baselines.own_history(latest, earlier, counter=noisy).cells.set_index("ix")
    assert exact.at[3, "bin"] >= 2 and public.at[3, "bin"] < exact.at[3, "bin"]
    assert public.at[3, "p"] > exact.at[3, "p"]


def test_an_even_town_is_calm_against_its_own_history_but_hot_against_land(muni):
    """The own-history test must fail where the baseline is land: the same latest year,
    tested by hotspots.hotspots over the municipality, has hot cells in every map."""
    rng = np.random.default_rng(4)
    region = hotspots.study_region(muni, 250)
    x0, y0 = hotspots.project([59.067], [15.110])
    calm = land = 0
    for _ in range(10):
        years = []
        for _ in range(3):
            x = x0[0] + rng.uniform(-800, 800, 600)
            y = y0[0] + rng.uniform(-800, 800, 600)
            years.append((x, y))
        counts = [hotspots.grid_counts(x, y, 250) for x, y in years]
        own = baselines.own_history(counts[0], counts[1:])
        calm += not (own.cells["bin"] >= 2).any()
        onland = hotspots.hotspots(pd.DataFrame({"x": years[0][0], "y": years[0][1]}), 250, region)
        land += bool((onland.cells["bin"] >= 2).any())
    assert calm >= 9 and land == 10


def test_quick_calibration():
    """bench/calibration_baselines at 20 draws with a fixed seed."""
    from bench import calibration_baselines

    r = calibration_baselines.run(20, seed=3)
    assert r["null_any_hot_95"] <= 0.10 and r["null_any_hot_95_streets"] <= 0.10
    assert r["null_any_hot_95_land"] >= 0.9
    assert r["planted_found_hot_95"] >= 0.6
    assert r["residents_null_any_hot_95"] <= 0.10
    assert r["residents_planted_found_hot_95"] >= 0.8


def test_residents_expected_and_exact_binomial():
    population = pd.DataFrame(
        {"ix": [0, 1, 2, 3], "iy": [0, 0, 0, 0], "population": [1000.0, 1000.0, 2000.0, 0.0]}
    )
    counts = frame({(0, 0): 10, (1, 0): 30, (2, 0): 20, (3, 0): 7, (9, 9): 2})
    result = baselines.residents(counts, population, 250)
    assert result.baseline == baselines.RESIDENTS and result.enough
    # N = 60 in populated cells; cells 3 and (9, 9) have incidents but nobody lives there
    assert result.incidents == 60 and result.unpopulated == 9
    c = result.cells.set_index(["ix", "iy"])
    assert c.at[(1, 0), "expected"] == pytest.approx(15.0)
    assert c.at[(1, 0), "p"] == pytest.approx(stats.binomtest(30, 60, 0.25).pvalue)
    assert c.at[(1, 0), "bin"] >= 2
    assert c.at[(2, 0), "expected"] == pytest.approx(30.0) and c.at[(2, 0), "bin"] <= 0
    assert np.isnan(c.at[(3, 0), "p"]) and c.at[(3, 0), "bin"] == 0
    assert c.at[(9, 9), "bin"] == 0


def test_residents_on_a_coarser_population_grid():
    population = pd.DataFrame({"ix": [0, 1], "iy": [0, 0], "population": [500.0, 500.0]})
    counts = frame({(0, 0): 10, (3, 3): 10, (4, 0): 15, (7, 2): 5})  # 250 m cells
    result = baselines.residents(counts, population, 250, 1000)
    c = result.cells.set_index("ix")
    assert c.at[0, "n"] == 20 and c.at[1, "n"] == 20
    with pytest.raises(ValueError):
        baselines.residents(counts, population, 300, 1000)


def test_yearly_periods_cut_whole_years_from_the_data():
    days = pd.to_datetime(["2016-06-01", "2017-03-01", "2018-03-01", "2019-02-28", "2019-03-01"])
    points = pd.DataFrame({"x": [100.0] * 5, "y": [100.0] * 5, "day": days, "key": 0.1})
    periods = baselines.yearly_periods(points, "2019-02-28", "2016-03-01", 250)
    # 2018-03-01..2019-02-28, 2017-03-01..2018-02-28, 2016-03-01..2017-02-28
    assert [int(p["n"].sum()) for p in periods] == [2, 1, 1]
    assert periods[0]["key"].iloc[0] == pytest.approx(0.2)
