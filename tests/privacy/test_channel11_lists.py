"""Channel 11 (issue 20): list membership. A list made from the data in a selection names the
category of every incident in it: where a category's published count is 0 (the noise took a
true 1 or 2 to zero, which is what lets a zero and a small count look alike), a list that
still names it says it has incidents. Lists the public gets must be the vocabulary (the
municipality's top 15 categories and "Övriga kategorier"), the same for every selection.

Targets: planted cells (locality, category, month) of categories outside the top 15, with
incidents, whose published count is 0, in months whose whole-locality selection reaches the
detail minimum (so its lists are shown). The attacker opens the trends page for the
locality and month with all categories and reads every list on it: the change tables by
category, the categories of the unusual-months chart (its selector), the unusual months
table, and the same in ``publish``'s files. Recovered: the target's category is named.
Chance: a list from the vocabulary never names it."""

from __future__ import annotations

import contextlib
import datetime as dt

import pandas as pd
import pytest

from lib.config import load_municipality
from lib.figures.filters import Filters
from lib.i18n import t
from lib.public import views
from lib.public.disclosure import for_municipality
from lib.public.publish import load_data
from lib.store.store import Store
from tests.privacy import planted
from tests.privacy.conftest import assert_none, assert_observed

pytestmark = pytest.mark.privacy
THRESHOLD = 3
MONTHS = [str(pd.Period("2018-10", "M") + i) for i in range(6)]  # October 2018 - March 2019
UNUSUAL_LIST = (
    "issue 20 item 3, open: the unusual-months chart lists every category with incidents in"
    " the selection or its three earlier years (trends.control_chart, taken whole by"
    " lib/public/views.py _unusual: the page's selector and publish's charts.kontroll), so"
    " a category outside the vocabulary, or one published as 0, is named; the list must be"
    " the vocabulary"
)


def month_span(month: str) -> tuple[dt.date, dt.date]:
    p = pd.Period(month, "M")
    return p.start_time.date(), p.end_time.date()


@pytest.fixture(scope="module")
def public_data(planted_db):
    muni = load_municipality()
    data, _ = load_data(Store(str(planted_db)), muni)
    return data, for_municipality(muni, data.presets())


@pytest.fixture(scope="module")
def targets(public_data, incidents):
    """(locality, category, month) of the targets, from the store and the public view."""
    data, d = public_data
    vocabulary = set(data.categories())
    found = []
    for month in MONTHS:
        start, end = month_span(month)
        rows = planted.truth(incidents, start, end)
        for place in planted.CENTRES:
            whole = views.overview_view(data, Filters(start, end, (place,)), d)
            if d.detail(whole.extra["overview"].total) is not None:
                continue  # no lists in this selection
            here = rows[rows["locality"].astype(str) == place]
            for category in sorted(set(here["category"].astype(str)) - vocabulary):
                f = Filters(start, end, (place,), (category,))
                if views.overview_view(data, f, d).total == 0:
                    found.append((place, category, month))
    return found


def names_on_page(viewer) -> set[str]:
    """Every category the trends page names in a list: its tables' category columns and the
    unusual-months chart's selector."""
    names = set()
    for frame in viewer.tables():
        if t("col.category") in frame.columns:
            names |= set(frame[t("col.category")].astype(str))
    with contextlib.suppress(KeyError):  # no selector: the chart is not shown
        names |= set(viewer.at.selectbox(key="kontrollkategori").options)
    return names


def names_in_view(view: views.View) -> set[str]:
    """Every category a trends view's files (``publish``) name in a list."""
    doc = view.as_json()
    names = set()
    for rows in doc["tables"].values():
        names |= {str(r[t("col.category")]) for r in rows if t("col.category") in r}
    names |= {str(r["kategori"]) for r in doc["charts"].get("kontroll", [])}
    return names


def test_channel11_no_category_named_where_its_count_is_zero(public, public_data, targets):
    data, d = public_data
    viewer = public.page("pages/utveckling.py")
    recovered, inferred, observed = [], [], []
    for place, month in sorted({(p, m) for p, _, m in targets}):
        start, end = month_span(month)
        viewer.filters(start, end, ort=[place])
        assert not viewer.refusals(), (place, month)
        on_page = names_on_page(viewer)
        in_files = names_in_view(views.trends_view(data, Filters(start, end, (place,)), d))
        for target in [x for x in targets if (x[0], x[2]) == (place, month)]:
            if on_page:
                observed.append(target)
            named = [
                where
                for where, names in (("page", on_page), ("publish", in_files))
                if target[1] in names
            ]
            inferred.append((target, named))
            if named:
                recovered.append(target)
    assert len(targets) >= 10, f"only {len(targets)} targets"
    assert_observed("channel 11 (lists)", targets, observed)
    assert_none("channel 11 (a zero-count category named)", targets, recovered, inferred, observed)


def test_channel11_lists_are_the_vocabulary(public, public_data):
    """Whatever the selection, the category lists of the overview and the trends page name
    only the vocabulary and "Övriga kategorier"."""
    data, _ = public_data
    allowed = set(data.categories()) | {t("change.other_categories")}
    viewer = public.page("pages/utveckling.py")
    seen = set()
    for place in ("Pålsboda", "Hjortkvarn"):
        viewer.filters(*month_span("2018-11"), ort=[place])
        seen |= names_on_page(viewer)
    assert seen, "no list was shown"
    assert seen <= allowed, sorted(seen - allowed)
