"""How figures count: every count a figure function computes goes through a ``Counter``.

A counter turns the exact count of a cell (a table cell, a map cell, a month) and the cell's
*key* into the count the figure uses. For a signed-in analyst the counter is ``exact``. For
the public view the disclosure layer (``lib.public.disclosure``) passes a cell-key counter
that adds a small noise fixed by the records behind the cell, so every statistic shown to the
public (verdicts, intervals, rates) is computed from the published counts and cannot be
inverted back to exact ones.

Each incident carries a record key (``lib.store.record_keys``), a number in [0, 1)
derived from its id and a secret kept in the store; a cell's key is the sum of its records'
keys modulo 1. Frames that figures aggregate (the daily cube, the timed frame, the map
points) carry a column ``key``: the sum of the keys of the records in that row, so any
aggregation of rows can compute its cell key by summing. This module knows nothing of the
noise itself; figures never import the public layer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

# (exact counts, cell keys in [0, 1)) -> counts to use. Must map 0 to 0.
Counter = Callable[[np.ndarray, np.ndarray], np.ndarray]


def exact(n: np.ndarray, key: np.ndarray) -> np.ndarray:
    """The analyst's counter: the exact counts."""
    return np.asarray(n, dtype=np.int64)


exact.slack = 0


def slack(counter: Counter) -> int:
    """How far a count from this counter may be from the exact one: tests on such counts
    must hold for every count within it (``stats.compare_rates``). A counter states it as its
    attribute ``slack``; one that does not is exact."""
    return int(getattr(counter, "slack", 0))


def cell_key(key_sum) -> np.ndarray:
    return np.mod(np.asarray(key_sum, dtype=float), 1.0)


def tally(rows: pd.DataFrame, by, counter: Counter = exact, weight: str = "n") -> pd.Series:
    """Counts of ``rows`` grouped by ``by`` (a column name, list of names or a Series) through
    the counter. ``weight`` is the column holding each row's count (``n`` in the cube); a
    frame of single records (no such column) counts each row once."""
    if isinstance(by, str | pd.Series):  # one key: numpy, six times pandas' groupby
        keys = rows[by] if isinstance(by, str) else by
        if keys.index is not rows.index and not keys.index.equals(rows.index):
            keys = keys.reindex(rows.index)  # groupby aligns a Series on the index
        return _tally_one(rows, keys, counter, weight)
    frame = rows if weight in rows.columns else rows.assign(**{weight: 1})
    if "key" not in frame.columns:
        frame = frame.assign(key=0.0)
    grouped = frame.groupby(by, observed=True)[[weight, "key"]].sum()
    published = counter(grouped[weight].to_numpy(np.int64), cell_key(grouped["key"].to_numpy()))
    return pd.Series(np.asarray(published, dtype=np.int64), index=grouped.index, name=weight)


def _tally_one(rows: pd.DataFrame, keys: pd.Series, counter: Counter, weight: str) -> pd.Series:
    """``tally`` by one key, as ``groupby(keys, observed=True).sum()`` gives it (groups in
    sorted order, a categorical's in its categories' order; missing keys left out), with
    ``pd.factorize`` and ``np.bincount``: a page asks a dozen of these for every new question,
    and pandas' groupby on a small frame is mostly overhead."""
    codes, groups = pd.factorize(keys, sort=True)  # only the values present, sorted
    counted = codes >= 0
    codes = codes[counted]
    size = len(groups)
    if weight in rows.columns:
        weights = rows[weight].to_numpy(np.int64)[counted]
        n = np.bincount(codes, weights=weights, minlength=size)
    else:
        n = np.bincount(codes, minlength=size)
    if "key" in rows.columns:
        key = np.bincount(codes, weights=rows["key"].to_numpy(float)[counted], minlength=size)
    else:
        key = np.zeros(size)
    published = counter(np.rint(n).astype(np.int64), cell_key(key))
    index = pd.Index(groups, name=keys.name)
    return pd.Series(np.asarray(published, dtype=np.int64), index=index, name=weight)


def total(rows: pd.DataFrame, counter: Counter = exact, weight: str = "n") -> int:
    """The count of all ``rows`` through the counter."""
    n = int(rows[weight].sum()) if weight in rows.columns else len(rows)
    key = float(rows["key"].sum()) if "key" in rows.columns else 0.0
    return int(counter(np.array([n], dtype=np.int64), cell_key([key]))[0])
