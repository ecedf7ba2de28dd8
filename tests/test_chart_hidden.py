"""A month whose count is hidden is drawn as a bar up to the threshold (not an unexplained
gap), for the period's own months only, and carries nothing but the threshold."""

import pandas as pd

from lib.public import charts, views
from lib.public.disclosure import Disclosure

MONTHS = pd.to_datetime(["2019-01-01", "2019-02-01", "2019-03-01"])


def series(current, previous) -> pd.DataFrame:
    rows = []
    for name, values in (("current", current), ("previous", previous)):
        for start, n in zip(MONTHS, values, strict=True):
            rows.append({"start": start, "series": name, "n": n, "days": 31, "covered": 31})
    return pd.DataFrame(rows)


def hidden_trace(fig, threshold):
    name = f"färre än {threshold} (döljs)"
    return next((tr for tr in fig.data if tr.name == name), None)


def test_hidden_months_of_the_period_are_bars_up_to_the_threshold():
    shown = views.series_points(series([1.0, 7.0, 2.0], [8.0, 1.0, 9.0]), Disclosure(3))
    fig = charts.series_figure(shown, 3)
    trace = hidden_trace(fig, 3)
    assert len(trace.x) == 2  # January and March
    assert list(trace.y) == [1.5, 1.5] and trace.error_y.value == 1.5
    current = next(tr for tr in fig.data if tr.name == "Vald period")
    assert pd.isna(current.y[0]) and current.y[1] == 7 and pd.isna(current.y[2])


def test_threshold_five_and_an_analyst():
    shown = views.series_points(series([4.0, 7.0, 6.0], [8.0, 9.0, 9.0]), Disclosure(5))
    assert list(hidden_trace(charts.series_figure(shown, 5), 5).y) == [2.5]
    exact = views.series_points(series([1.0, 7.0, 2.0], [8.0, 1.0, 9.0]), Disclosure(3, True))
    assert hidden_trace(charts.series_figure(exact, 3), 3) is None
