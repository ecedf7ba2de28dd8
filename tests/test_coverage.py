"""Coverage per source (``lib.figures.coverage``) on hand-made frames, with hand-worked
months, signatures and matched days: coverage is whole months, an undeclared file's first and
last months are partial, and a comparison keeps per day pair only the sources covering both."""

import datetime as dt

import numpy as np
import pandas as pd

from lib.figures.coverage import (
    Coverage,
    coverage_of,
    from_imports,
    matched_days,
    per_value,
    rows_on,
)

D = dt.date
YEAR = pd.DateOffset(years=1)


def frame(rows):
    """Incidents from (import id, source, timestamp) rows."""
    out = pd.DataFrame(rows, columns=["import_id", "source", "occurred_at"])
    out["occurred_at"] = pd.to_datetime(out["occurred_at"], format="mixed")
    out["source"] = out["source"].astype("category")
    return out


def test_a_file_covers_whole_months_its_first_and_last_partly():
    # A feed downloaded on 21 August: March and August are its cut months.
    cov = coverage_of(frame([(1, "police", "2023-03-23 10:00"), (1, "police", "2023-08-21 23:59")]))
    assert cov.spans == {"police": ((D(2023, 4, 1), D(2023, 7, 31)),)}
    assert cov.partial == {"police": (D(2023, 3, 1), D(2023, 8, 1))}
    # No boundary is an incident's day: the 23rd and the 21st appear nowhere.
    assert cov.first_day() == D(2023, 3, 1) and cov.last_day() == D(2023, 7, 31)
    assert cov.last_any_day() == D(2023, 8, 31)
    days = pd.to_datetime(["2023-03-25", "2023-04-01", "2023-07-31", "2023-08-10"])
    assert cov.day_signature(days).tolist() == [0, 1, 1, 0]
    assert cov.partial_days(days).tolist() == [True, False, False, True]


def test_two_imports_a_year_apart_leave_a_gap_and_join_where_they_meet():
    cov = coverage_of(
        frame(
            [
                (1, "police", "2023-03-23 10:00"),
                (1, "police", "2023-06-30 23:59"),
                (2, "police", "2024-05-02 01:00"),
                (2, "police", "2024-09-20 12:00"),
                (3, "police", "2023-06-02"),  # a later download over the first one's end
                (3, "police", "2023-10-05"),
            ]
        )
    )
    # 1: Apr–May full; 3: Jul–Sep full; June is full by neither but partial in both.
    assert cov.spans["police"] == (
        (D(2023, 4, 1), D(2023, 5, 31)),
        (D(2023, 7, 1), D(2023, 9, 30)),
        (D(2024, 6, 1), D(2024, 8, 31)),
    )
    assert cov.partial["police"] == (
        D(2023, 3, 1),
        D(2023, 6, 1),
        D(2023, 10, 1),
        D(2024, 5, 1),
        D(2024, 9, 1),
    )


def test_a_month_full_in_one_file_is_not_partial_because_another_ends_in_it():
    cov = coverage_of(
        frame(
            [
                (1, "police", "2019-01-15"),
                (1, "police", "2019-06-10"),
                (2, "police", "2019-02-03"),  # file 2 starts and ends inside file 1's full months
                (2, "police", "2019-03-30"),
            ]
        )
    )
    assert cov.spans["police"] == ((D(2019, 2, 1), D(2019, 5, 31)),)
    assert cov.partial["police"] == (D(2019, 1, 1), D(2019, 6, 1))


def test_a_source_in_a_file_covers_the_files_months():
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
    # The guard file's rows are the file's: its source covers only the one month, partly.
    assert cov.spans["municipal_report"] == ((D(2019, 2, 1), D(2019, 11, 30)),)
    assert "security_guard" not in cov.spans
    assert cov.partial["security_guard"] == (D(2019, 6, 1),)
    assert "police" not in cov.spans and cov.partial["police"] == (D(2019, 7, 1),)
    assert cov.sources == ["municipal_report", "police", "security_guard"]


def test_declared_ongoing_and_empty():
    spans = pd.DataFrame(
        [
            (5, "police", D(2020, 1, 20), D(2020, 1, 25)),
            (0, "municipal_report", D(2026, 9, 3), D(2026, 12, 1)),
        ],
        columns=["import_id", "source", "first", "last"],
    )
    cov = from_imports(
        spans, declared={5: (D(2020, 1, 1), D(2020, 12, 31))}, ongoing=(0,), today=D(2026, 12, 6)
    )
    # A declared period is the file's coverage, whatever days its incidents fall on.
    assert cov.spans["police"] == ((D(2020, 1, 1), D(2020, 12, 31)),)
    # The app's own reports: whole months from the first report's, the current one partly.
    assert cov.spans["municipal_report"] == ((D(2026, 9, 1), D(2026, 11, 30)),)
    assert cov.partial["municipal_report"] == (D(2026, 12, 1),)
    assert cov.last_day(("police",)) == D(2020, 12, 31)
    assert coverage_of(frame([])).spans == {}
    assert Coverage().first_day() is None and Coverage().last_day() is None


COV = Coverage(
    {
        "a": ((D(2019, 1, 1), D(2019, 12, 31)),),
        "b": ((D(2019, 6, 1), D(2020, 3, 31)),),
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


def test_a_source_covering_one_period_only_is_left_out_and_named():
    # Compare 2020-01..03 with 2019-01..03: a covers only 2019, b only 2020. No pair has a
    # source on both sides: nothing compared, both named.
    m = matched_days(COV, D(2020, 1, 1), D(2020, 3, 31), YEAR)
    assert len(m.current) == 0 and m.days_in_period == 91
    assert m.left_out == ("a", "b")
    # Compare 2019-07..12 with 2018-07..12: nothing a year earlier either.
    assert len(matched_days(COV, D(2019, 7, 1), D(2019, 12, 31), YEAR).current) == 0


def test_a_small_source_never_turns_the_others_months_into_no_data():
    # Police all along; guards only in May-July 2025 (one small file, declared).
    cov = Coverage(
        {
            "police": ((D(2023, 1, 1), D(2026, 7, 31)),),
            "security_guard": ((D(2025, 5, 1), D(2025, 7, 31)),),
        }
    )
    m = matched_days(cov, D(2025, 1, 1), D(2025, 12, 31), YEAR)
    assert len(m.current) == 365  # every day compared, on the police
    assert set(np.unique(m.sources)) == {cov.bit("police")}
    assert m.left_out == ("security_guard",)


def test_rows_on_counts_only_the_sources_compared_on_each_day():
    cov = Coverage(
        {
            "police": ((D(2024, 1, 1), D(2025, 12, 31)),),
            "security_guard": ((D(2025, 5, 1), D(2025, 5, 31)),),
        }
    )
    m = matched_days(cov, D(2025, 5, 1), D(2025, 5, 31), YEAR)
    rows = pd.DataFrame(
        {
            "day": pd.to_datetime(["2025-05-03", "2025-05-03", "2025-05-20", "2025-06-01"]),
            "source": ["police", "security_guard", "police", "police"],
            "n": [1, 5, 2, 7],
        }
    )
    kept = rows_on(rows, m.current, m.sources, cov)
    # The guards' 5 are not compared (no guards a year earlier); June is outside the days.
    assert kept["n"].tolist() == [1, 2]


def test_matched_days_without_coverage_keep_everything():
    m = matched_days(None, D(2019, 1, 1), D(2019, 1, 31), YEAR)
    assert len(m.current) == m.days_in_period == 31
    assert m.previous[0] == pd.Timestamp("2018-01-01") and m.sources is None


def test_matched_days_against_a_loop_by_hand():
    rng = np.random.default_rng(3)
    cov = Coverage(
        {
            "a": ((D(2018, 2, 1), D(2018, 8, 31)), (D(2019, 1, 1), D(2019, 11, 30))),
            "b": ((D(2018, 5, 1), D(2019, 4, 30)),),
        }
    )

    def covers(source, day):
        return any(a <= day <= b for a, b in cov.spans[source])

    for _ in range(8):
        start = D(2019, 1, 1) + dt.timedelta(days=int(rng.integers(0, 200)))
        end = start + dt.timedelta(days=int(rng.integers(0, 150)))
        m = matched_days(cov, start, end, YEAR)
        expected, masks = [], []
        day = start
        while day <= end:
            before = (pd.Timestamp(day) - YEAR).date()
            both = [covers(s, day) and covers(s, before) for s in ("a", "b")]
            if any(both):
                expected.append(pd.Timestamp(day))
                masks.append(both[0] * 1 + both[1] * 2)
            day += dt.timedelta(days=1)
        assert list(m.current) == expected
        assert list(m.sources) == masks


def two_sources() -> Coverage:
    """Police all of 2022–2023; guards from March 2023, their first and last months partial."""
    return Coverage(
        spans={
            "police": ((D(2022, 1, 1), D(2023, 12, 31)),),
            "guards": ((D(2023, 4, 1), D(2023, 10, 31)),),
        },
        partial={"guards": (D(2023, 3, 1), D(2023, 11, 1))},
    )


def test_what_a_coverage_remembers_is_per_period_and_sources_and_cannot_be_changed():
    """Matched days and a series' calendar are worked out once per period and sources and
    shared by every later question (``Coverage.remember``): each answer equals the one a
    fresh coverage gives, whatever was asked before, and a caller cannot change them."""
    from lib.figures import trends
    from lib.figures.filters import Filters

    cube = pd.DataFrame(
        {
            "day": pd.to_datetime(["2022-05-03", "2023-05-09", "2023-06-01", "2023-11-20"]),
            "locality": ["A", "A", "B", "A"],
            "category": ["x", "y", "x", "x"],
            "source": ["police", "guards", "police", "guards"],
            "n": [1, 2, 1, 3],
            "key": 0.0,
        }
    )
    shared = two_sources()
    asked = [
        Filters(D(2023, 1, 1), D(2023, 12, 31), (), (), ()),
        Filters(D(2023, 1, 1), D(2023, 12, 31), ("A",), (), ("guards",)),
        Filters(D(2023, 1, 1), D(2023, 12, 31), (), ("x",), ("police",)),
        Filters(D(2023, 3, 1), D(2023, 8, 31), ("B",), (), ()),
    ]
    for _ in range(2):  # the second round is answered from what the first left behind
        for f in asked:
            for freq in ("M", "W"):
                got = trends.period_series(cube, f, freq, shared)
                fresh = trends.period_series(cube, f, freq, two_sources())
                pd.testing.assert_frame_equal(got, fresh)
                got["covered"] = -1  # a caller's own frame: the shared calendar stays
                got.loc[0, "days"] = -1
            got = matched_days(shared, f.start, f.end, YEAR, f.sources)
            fresh = matched_days(two_sources(), f.start, f.end, YEAR, f.sources)
            assert got.current.equals(fresh.current) and got.left_out == fresh.left_out
            assert np.array_equal(got.sources, fresh.sources)
            assert not got.sources.flags.writeable
    # Sources are part of the question: the guards alone have no data in January, February
    # and December, while all sources together have every month.
    alone = trends.period_series(cube, asked[1], "M", shared)
    months = alone.loc[alone["series"] == "current"]
    assert months.loc[months["n"].isna(), "start"].dt.month.tolist() == [1, 2, 12]
    together = trends.period_series(cube, asked[0], "M", shared)
    assert together.loc[together["series"] == "current", "n"].notna().all()


def test_per_value_looks_up_each_value_as_text_like_a_map_over_strings():
    """``per_value`` against the plain pandas it replaces (``astype(str).map(...).fillna``):
    categoricals with unused categories, a missing value, object and Arrow strings (the
    cube's text columns; numbers are not looked up)."""
    lookup = {"Polisen": 1, "Kommunen": 2, "7": 4}
    values = ["Kommunen", None, "Polisen", "Okänd", "Kommunen", "7"]
    columns = [
        pd.Series(
            pd.Categorical(values, categories=["Väktare", "Polisen", "Kommunen", "Okänd", "7"])
        ),
        pd.Series(values, dtype=object),
        pd.Series(values, dtype="string[pyarrow]"),
        pd.Series(pd.Categorical(["7", "Polisen", "Polisen"])),
    ]
    for column in columns:
        expected = column.astype(str).map(lookup).fillna(0).astype(np.int64).to_numpy()
        got = per_value(column, lookup, 0)
        assert got.tolist() == expected.tolist(), column.dtype
    # The change table's use: the keys as themselves, everything else (missing too) as OTHER.
    column = columns[0]
    named = per_value(column, {"Polisen": "Polisen", "Kommunen": "Kommunen"}, "Övriga")
    reference = column.astype(str).where(column.astype(str).isin(["Polisen", "Kommunen"]), "Övriga")
    assert named.tolist() == reference.tolist()
