"""Coverage per source (``lib.figures.coverage``) on hand-made frames, with hand-worked
spans, signatures and matched days."""

import datetime as dt

import numpy as np
import pandas as pd

from lib.figures.coverage import Coverage, coverage_of, matched_days

D = dt.date


def frame(rows):
    """Incidents from (import id, source, timestamp) rows."""
    out = pd.DataFrame(rows, columns=["import_id", "source", "occurred_at"])
    out["occurred_at"] = pd.to_datetime(out["occurred_at"], format="mixed")
    out["source"] = out["source"].astype("category")
    return out


def test_two_imports_a_year_apart_leave_a_gap():
    cov = coverage_of(
        frame(
            [
                (1, "police", "2023-03-23 10:00"),
                (1, "police", "2023-04-30 23:59"),
                (2, "police", "2024-05-02 01:00"),
                (2, "police", "2024-05-20 12:00"),
            ]
        )
    )
    assert cov.spans == {
        "police": ((D(2023, 3, 23), D(2023, 4, 30)), (D(2024, 5, 2), D(2024, 5, 20)))
    }
    assert cov.first_day() == D(2023, 3, 23) and cov.last_day() == D(2024, 5, 20)
    days = pd.to_datetime(["2023-03-22", "2023-03-23", "2023-12-01", "2024-05-20", "2024-05-21"])
    assert cov.day_signature(days).tolist() == [0, 1, 0, 1, 0]


def test_adjacent_and_overlapping_spans_join():
    cov = coverage_of(
        frame(
            [
                (1, "police", "2019-01-01"),
                (1, "police", "2019-01-31 22:00"),
                (2, "police", "2019-02-01 03:00"),  # the next day: joined
                (2, "police", "2019-02-28"),
                (3, "police", "2019-02-10"),  # inside: joined
                (3, "police", "2019-03-05"),
            ]
        )
    )
    assert cov.spans == {"police": ((D(2019, 1, 1), D(2019, 3, 5)),)}


def test_a_source_in_a_file_covers_the_files_span():
    # Guards report rarely: one report in the middle of a file that runs all year.
    cov = coverage_of(
        frame(
            [
                (1, "municipal_report", "2019-01-01"),
                (1, "security_guard", "2019-06-15 02:00"),
                (1, "municipal_report", "2019-12-31 18:00"),
                (2, "police", "2019-07-01"),
            ]
        )
    )
    assert cov.spans["security_guard"] == ((D(2019, 1, 1), D(2019, 12, 31)),)
    assert cov.spans["municipal_report"] == ((D(2019, 1, 1), D(2019, 12, 31)),)
    assert cov.spans["police"] == ((D(2019, 7, 1), D(2019, 7, 1)),)
    assert cov.sources == ["municipal_report", "police", "security_guard"]


def test_declared_spans_and_an_empty_store():
    empty = coverage_of(frame([]), declared={"police": ((D(2020, 1, 1), D(2020, 1, 31)),)})
    assert empty.spans == {"police": ((D(2020, 1, 1), D(2020, 1, 31)),)}
    assert coverage_of(frame([])).spans == {}
    assert Coverage().first_day() is None and Coverage().last_day() is None


COV = Coverage(
    {
        "a": ((D(2019, 1, 1), D(2019, 12, 31)),),
        "b": ((D(2019, 6, 10), D(2020, 3, 31)),),
    }
)


def test_day_signature_is_a_bitmask_of_the_selected_sources():
    days = pd.to_datetime(["2018-12-31", "2019-01-01", "2019-06-10", "2020-01-15", "2020-04-01"])
    # Bits follow the sorted source names: a = 1, b = 2.
    assert COV.day_signature(days).tolist() == [0, 1, 3, 2, 0]
    assert COV.day_signature(days, ("a",)).tolist() == [0, 1, 1, 0, 0]
    assert COV.day_signature(days, ("b",)).tolist() == [0, 0, 2, 2, 0]
    # A time of day does not matter.
    assert COV.day_signature(pd.to_datetime(["2019-05-31 23:30"])).tolist() == [1]


def test_month_signature_marks_partly_covered_months():
    months = pd.period_range("2018-12", "2020-04", freq="M")
    got = dict(zip(map(str, months), COV.month_signature(months).tolist(), strict=True))
    assert got["2018-12"] == 0
    assert got["2019-01"] == 1 and got["2019-05"] == 1
    assert got["2019-06"] == -1  # b starts on the 10th
    assert got["2019-07"] == 3 and got["2019-12"] == 3
    assert got["2020-01"] == 2 and got["2020-03"] == 2
    assert got["2020-04"] == 0
    assert COV.month_signature(months, ("a",))[months.get_loc("2019-06")] == 1


def test_matched_days_keep_pairs_with_the_same_signature():
    year = pd.DateOffset(years=1)
    current, previous, total = matched_days(COV, D(2020, 1, 1), D(2020, 4, 30), year)
    assert total == 121
    # 2020: only b until 31 March; 2019: only a until 9 June, so no day has the same signature.
    assert len(current) == 0 and len(previous) == 0
    current, previous, total = matched_days(COV, D(2020, 1, 1), D(2020, 4, 30), year, ("b",))
    # b alone: 2020-01-01..2020-03-31 against 2019 (b from 10 June 2019): no pair either.
    assert len(current) == 0
    current, previous, total = matched_days(COV, D(2019, 6, 1), D(2019, 12, 31), year, ("a",))
    assert len(current) == 0  # a starts on 1 January 2019: nothing a year earlier


def test_matched_days_over_a_source_that_starts_late():
    cov = Coverage({"police": ((D(2018, 6, 1), D(2019, 12, 31)),)})
    current, previous, total = matched_days(
        cov, D(2019, 1, 1), D(2019, 12, 31), pd.DateOffset(years=1)
    )
    assert total == 365
    assert current[0] == pd.Timestamp("2019-06-01") and current[-1] == pd.Timestamp("2019-12-31")
    assert len(current) == 214
    assert (previous == current - pd.DateOffset(years=1)).all()
    # Without coverage information every day matches.
    everything, before, total = matched_days(
        None, D(2019, 1, 1), D(2019, 1, 31), pd.DateOffset(years=1)
    )
    assert len(everything) == total == 31
    assert before[0] == pd.Timestamp("2018-01-01")


def test_matched_days_against_a_loop_by_hand():
    rng = np.random.default_rng(3)
    cov = Coverage(
        {
            "a": ((D(2018, 2, 3), D(2018, 8, 20)), (D(2019, 1, 10), D(2019, 11, 30))),
            "b": ((D(2018, 5, 1), D(2019, 4, 30)),),
        }
    )

    def covers(source, day):
        return any(a <= day <= b for a, b in cov.spans[source])

    for _ in range(5):
        start = D(2019, 1, 1) + dt.timedelta(days=int(rng.integers(0, 200)))
        end = start + dt.timedelta(days=int(rng.integers(0, 150)))
        current, _, _ = matched_days(cov, start, end, pd.DateOffset(years=1))
        expected = []
        day = start
        while day <= end:
            before = (pd.Timestamp(day) - pd.DateOffset(years=1)).date()
            now = tuple(covers(s, day) for s in ("a", "b"))
            then = tuple(covers(s, before) for s in ("a", "b"))
            if now == then and any(now):
                expected.append(pd.Timestamp(day))
            day += dt.timedelta(days=1)
        assert list(current) == expected
