"""Issue 21.12: a count meets its noun in the right number, the sign-in box names the role
of who is signed in, and Om statistiken (where accounts are made) has the sign-in box."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lib.figures import signals
from lib.i18n import MESSAGES, t
from lib.public import weekly
from tests.test_page_reports import PASSWORD, app, sign_in  # noqa: F401 (app is a fixture)


@pytest.mark.parametrize(
    ("key", "values", "expected"),
    [
        (
            "weekly.summary",
            {"total": 1, "week": 49, "mean": "0,5", "n": 1},
            "1 rapport vecka 49, mot i snitt 0,5 per vecka veckan före.",
        ),
        (
            "weekly.summary",
            {"total": 3, "week": 49, "mean": "2,0", "n": 8},
            "3 rapporter vecka 49, mot i snitt 2,0 per vecka de 8 veckorna före.",
        ),
        ("weekly.fig_previous", {"n": 1}, "Snitt per vecka, 1 vecka före"),
        ("weekly.col_previous", {"n": 4}, "4 veckor före"),
        ("map.count_label", {"count": "1"}, "1 händelse"),
        ("map.count_label", {"count": "färre än 3"}, "färre än 3 händelser"),
        ("cases.imported", {"rows": 1, "id": 7}, "1 rapport inläst (import 7; "),
        ("data.undone", {"id": 7, "rows": 1}, "Import 7 ångrades: 1 rad togs bort."),
        ("interventions.months_option", {"months": 1}, "1 månad"),
        ("interventions.months_option", {"months": 12}, "12 månader"),
    ],
)
def test_a_count_meets_its_noun_in_the_right_number(key, values, expected):
    assert t(key, **values).startswith(expected)


def test_no_catalogue_text_says_one_with_a_plural_noun():
    """Every text where a count is followed by a plural noun chooses the noun by the count,
    unless the number is a bound ("färre än 3 händelser", "minst 20", "3 av 12 månader"),
    or can never be one (listed, with why)."""
    import re

    never_one = {
        "cli.seeded",  # the sample's counts, hundreds each
        "err.too_many_rows",  # over a limit of thousands
        "report.mine_intro",  # the retention time, a year
        "cases.retention",
        "signals.map_label",  # a signal is several incidents
        "repeats.intro",  # the fixed window of the near-repeat test, 14 days
        "repeats.more",
        "grid.err_outside_all",  # the squares of a whole population grid file
    }
    bound = r"(färre än|minst|av|av periodens|än) "
    plural = r"(rapporter|händelser|veckor|rader|rutor|månader|dagar|dubbletter)\b"
    found = [
        key
        for key, text in MESSAGES.items()
        if key not in never_one
        and any(
            not re.search(bound + r"$", text[: m.start()])
            for m in re.finditer(r"\{\w+\} " + plural, text)
        )
    ]
    assert found == []


def test_the_weekly_summary_of_one_report():
    monday = dt.date(2024, 12, 2)  # week 49
    frame = pd.DataFrame(
        {
            "id": ["a"],
            "occurred_at": [pd.Timestamp("2024-12-03 14:30")],
            "category": ["klotter"],
            "severity": [1],
            "place": ["Torget"],
            "locality": ["Torget"],
            "status": ["new"],
            "merged_into": [None],
        }
    )
    picture = signals.weekly_picture(frame, monday, previous=1)
    assert weekly.summary(picture).startswith("1 rapport vecka 49, ")
    assert "veckan före" in weekly.summary(picture)


def test_the_sign_in_box_names_the_reporters_role(app):  # noqa: F811
    at = app("pages/rapportera.py")
    assert [e.label for e in at.expander] == ["Inloggning"]
    sign_in(at, "Rita", at.main)
    labels = [e.label for e in at.sidebar.expander]
    assert labels == ["Inrapportör"], labels
    assert "Analytiker" not in [e.label for e in at.expander]


def test_an_analysts_box_says_analyst_and_om_has_the_box(app):  # noqa: F811
    at = app("pages/om.py")
    assert [e.label for e in at.sidebar.expander] == ["Inloggning"]
    sign_in(at, "Alva")
    assert [e.label for e in at.sidebar.expander] == ["Analytiker"]
    assert any(e.label == "Konton och inloggningslogg" for e in at.expander)
