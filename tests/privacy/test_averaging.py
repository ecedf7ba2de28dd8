"""An eighth channel, found in review after the seven of issue 12: averaging. The cell-key
noise is fixed per set of records, but with free filters a viewer could ask hundreds of
different questions that differ only by one hidden cell (all the categories in a random
subset T with and without the hidden one; or periods that start on each day of a year and
end before or after the hidden month). Each difference is the hidden count plus fresh noise,
and the mean of a few hundred rounds to the exact count: 6 of 6 before the public view was
limited to fixed tables.

The attacker here works through ``lib.public.views`` (what every page and ``publish`` call),
with the public rules. First the original attack: 200 random category subsets per cell,
which the public layer now refuses. Then the best averaging the public's fixed periods
allow: every pair of public periods for the cell's locality and category whose difference is
exactly the cell's month, averaged."""

from __future__ import annotations

import numpy as np
import pytest

from lib.config import load_municipality
from lib.figures.filters import Filters
from lib.public import views
from lib.public.disclosure import NotPublic, public
from lib.public.publish import load_data
from lib.store.store import Store
from tests.privacy import planted
from tests.privacy.conftest import assert_chance

pytestmark = pytest.mark.privacy
ROUNDS = 200


@pytest.fixture(scope="module")
def data(planted_db):
    muni = load_municipality()
    loaded, _ = load_data(Store(str(planted_db)), muni)
    return loaded, public(muni.privacy_threshold, loaded.presets())


def targets(threshold: int):
    return [c for c in planted.CELLS if 0 < c.count < threshold]


def total(data, d, f) -> int | None:
    """The overview's total as the public sees it: a number, or None when it is hidden or
    the question cannot be asked."""
    try:
        shown = views.overview_view(data, f, d).total
    except NotPublic:
        return None
    return shown if isinstance(shown, int) else None


def test_random_category_subsets_cannot_be_asked(data):
    loaded, d = data
    categories = sorted(loaded.cube["category"].astype(str).unique())
    rng = np.random.default_rng(0)
    answered = 0
    for cell in targets(d.threshold)[:6]:
        others = [c for c in categories if c != cell.category]
        for _ in range(ROUNDS):
            subset = tuple(c for c in others if rng.random() < 0.5)
            f = Filters(cell.start, cell.end, (cell.locality,), (*subset, cell.category))
            answered += total(loaded, d, f) is not None
    assert answered == 0


def month_differences(presets, cell) -> list[tuple]:
    """Pairs of public periods (with, without) whose difference is exactly the cell's month."""
    pairs = []
    for a in presets:
        for b in presets:
            before = a.start == b.start and a.end == cell.end and b.end < cell.start
            after = a.end == b.end and a.start == cell.start and b.start > cell.end
            if (before or after) and (b.end - b.start).days >= 0:
                edge = b.end.toordinal() + 1 if before else b.start.toordinal() - 1
                if edge in (cell.start.toordinal(), cell.end.toordinal()):
                    pairs.append((a, b))
    return pairs


def test_averaging_what_the_public_can_ask_recovers_no_more_than_chance(data):
    loaded, d = data
    presets = loaded.presets()
    cells = targets(d.threshold)
    recovered, inferred, asked = [], [], 0
    for cell in cells:
        where, what = (cell.locality,), (cell.category,)
        estimates = []
        own = total(loaded, d, Filters(cell.start, cell.end, where, what))
        if own is not None:  # shown only when the noise lifted it over the threshold
            estimates.append(own)
        for a, b in month_differences(presets, cell):
            with_it = total(loaded, d, Filters(a.start, a.end, where, what))
            without = total(loaded, d, Filters(b.start, b.end, where, what))
            if None not in (with_it, without):
                estimates.append(with_it - without)
        asked += len(estimates)
        guess = round(float(np.mean(estimates))) if estimates else None
        inferred.append((cell, estimates))
        if guess == cell.count:
            recovered.append(cell)
    # The fixed list leaves at most a couple of estimates per cell, far from the hundreds
    # an average needs.
    assert asked <= 3 * len(cells), inferred
    observed = [cell for cell, estimates in inferred if estimates]
    assert_chance("averaging over the public periods", cells, recovered, inferred, observed)
