"""Disclosure control: the one place that decides what numbers a viewer may see.

The public view lets a viewer combine period, locality, category and source freely, so a
fixed suppression rule alone cannot stop differencing (all categories minus all but one,
1–25 March minus 1–24 March). We follow the Australian Bureau of Statistics' TableBuilder
("cell key method"): every record has a secret random key (``lib.store.record_keys``);
a cell's key is the sum of its records' keys modulo 1 and picks the cell's noise from a fixed
table. The same records always give the same noise, so a table is repeatable and asking
again reveals nothing, while the difference of two overlapping cells carries the noise of
both. On top of that, published counts from 1 up to the threshold are shown as "färre än T",
and every statistic the public sees (verdicts, rate ratios and intervals, rates, shares) is
computed from the published counts, so none can be inverted back to exact ones.

Cell-key noise alone does not stop averaging: a viewer who can ask hundreds of different
questions that differ by one hidden cell (a random set of categories with and without it,
periods 1 January–31 March and 1 January–28 February with each start day of the year) gets
the hidden count plus fresh noise each time, and the mean of many is exact. So the public asks
fixed tables: a period from a fixed list (``lib.figures.periods``: the latest 12 months, this
year, calendar years and months, promise periods, since each council meeting) and one or all
of each locality, category and source. A public ``Disclosure`` carries the allowed periods and
refuses any other question (``admit``). No cell can then be asked about in more than a handful
of ways.

Cell-key noise leaves zeros at zero, so in a fine table the *pattern* of zero and non-zero
cells is itself a disclosure: in a locality, category and month holding one incident, a weekly
series with one week "färre än 3" among zeros and a weekday × hour matrix with one non-zero
cell give the incident's day and hour. Statistics offices (ONS, ABS) pair the cell key method
with a minimum-frequency rule for detail, and so does this layer (``detail``):

* a breakdown finer than the fixed monthly tables (weeks, weekday × hour, night share, any list
  of categories or places inside a selection) is shown to the public only where the
  selection's published total reaches ``detail_minimum`` (configured, default 20; chosen from
  the attack in ``tests/privacy/test_detail.py``); below it the page shows the monthly figure
  and says why;
* in every public breakdown finer than a month, and in every figure of a selection below the
  minimum, zero and small look the same ("färre än T", the same JSON value: ``fine``);
* sensitive categories (configured) never appear in a public time-of-day, weekday or weekly
  breakdown, whatever the total;
* public tables list a fixed vocabulary of categories and localities, never "those that have
  incidents here".

Signed-in analysts get the exact counter, no suppression and free filters; the PDF and
``publish`` are always public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from lib.figures import counting
from lib.figures.filters import Filters
from lib.i18n import fmt_int, t

# The perturbation table: noise added to a non-zero count, chosen by the cell key. Symmetric,
# so counts stay unbiased away from zero; at most ±2, so a large count barely moves.
NOISE = np.array([-2, -1, 0, 1, 2], dtype=np.int64)
NOISE_P = np.array([0.1, 0.2, 0.4, 0.2, 0.1])
_CDF = np.cumsum(NOISE_P)


def perturb(n, key) -> np.ndarray:
    """Published counts for exact counts ``n`` with cell keys ``key`` in [0, 1). Zero stays
    zero (no record, nothing to protect); nothing goes below zero."""
    n = np.asarray(n, dtype=np.int64)
    index = np.minimum(np.searchsorted(_CDF, np.asarray(key, dtype=float), side="right"), 4)
    return np.where(n > 0, np.maximum(n + NOISE[index], 0), 0)


perturb.slack = int(NOISE.max())  # a published count is at most this far from the exact one


class NotPublic(ValueError):
    """A question the public view does not answer (free dates or several categories)."""


@dataclass(frozen=True)
class Disclosure:
    """What one viewer may see: the threshold, whether counts are exact (a signed-in
    analyst) or public, and for the public the periods it may ask about (first and last
    day of each; see ``lib.figures.periods``)."""

    threshold: int
    exact: bool = False
    periods: tuple[tuple[dt.date, dt.date], ...] = ()
    detail_minimum: int = 20
    sensitive: frozenset[str] = frozenset()

    def admits(self, f: Filters) -> bool:
        """The question is one the viewer may ask: anything for an analyst; for the public,
        one of the fixed periods with one or all of each locality, category and source."""
        if self.exact:
            return True
        single = all(len(chosen) <= 1 for chosen in (f.localities, f.categories, f.sources))
        return single and (f.start, f.end) in self.periods

    def admit(self, f: Filters) -> None:
        if not self.admits(f):
            raise NotPublic(f)

    @property
    def counter(self) -> counting.Counter:
        return counting.exact if self.exact else perturb

    def hidden(self, count) -> bool:
        """A count the public may not see: from 1 up to the threshold. Zero is shown."""
        if self.exact or count is None:
            return False
        return 0 < int(count) < self.threshold

    def value(self, count) -> int | None:
        """The count, or None where it is hidden."""
        return None if self.hidden(count) else int(count)

    def text(self, count) -> str:
        return t("suppressed", threshold=self.threshold) if self.hidden(count) else fmt_int(count)

    def detail(self, total: int | None) -> str | None:
        """May the viewer see a breakdown of a selection with this published total finer
        than the monthly tables (weeks, lists of categories or places)? None if so, else
        'small': the total is below the minimum."""
        if self.exact:
            return None
        return "small" if total is None or int(total) < self.detail_minimum else None

    def time_detail(self, total: int | None, f: Filters) -> str | None:
        """As ``detail``, for a breakdown by time (weeks, weekday × hour, night share), which
        a sensitive category never gets: None, 'small' or 'sensitive'."""
        if self.exact:
            return None
        return self.detail(total) or (
            "sensitive" if any(c in self.sensitive for c in f.categories) else None
        )

    def time_rows(self, rows):
        """Rows a public time breakdown may count: without the sensitive categories."""
        if self.exact or not self.sensitive or rows.empty:
            return rows
        return rows[~rows["category"].astype(str).isin(self.sensitive)]

    def fine(self, count) -> bool:
        """In a public breakdown finer than a month (and anywhere in a selection below the
        detail minimum) a published count below the threshold plus the noise's reach is
        hidden, zero included: zero and small must look the same, or the zeros' pattern
        locates the small ones; and an exact 1 or 2, published up to 3 or 4, must never
        show while a zero cannot (tests/privacy/test_detail.py)."""
        if self.exact or count is None:
            return False
        return int(count) < self.threshold + perturb.slack

    @property
    def fine_threshold(self) -> int:
        """The count a fine breakdown's cell must reach to be shown (``fine``): what its
        hidden cells say they are below ("färre än 5")."""
        return self.threshold if self.exact else self.threshold + perturb.slack

    def fine_text(self, count) -> str:
        if self.fine(count):
            return t("suppressed", threshold=self.fine_threshold)
        return fmt_int(count)

    def any_hidden(self, *counts) -> bool:
        return any(self.hidden(c) for c in counts)

    def hide_margin(self, counts: list[int]) -> list[bool]:
        """Which cells of one row or column to hide: the small ones, and when exactly one is
        hidden, also the smallest other non-zero cell, so the margin minus the shown cells
        never gives a hidden one (secondary suppression)."""
        hide = [self.hidden(c) for c in counts]
        if sum(hide) == 1:
            others = [(c, i) for i, c in enumerate(counts) if not hide[i] and c > 0]
            if others:
                hide[min(others)[1]] = True
        return hide


def public(
    threshold: int, periods=(), detail_minimum: int = 20, sensitive=frozenset()
) -> Disclosure:
    """The public view's rules; ``periods`` are the allowed presets (``Preset`` objects or
    (first, last) pairs), ``detail_minimum`` and ``sensitive`` the detail rule's."""
    spans = tuple(p if isinstance(p, tuple) else (p.start, p.end) for p in periods)
    return Disclosure(threshold, False, spans, int(detail_minimum), frozenset(sensitive))


def for_municipality(muni, periods=()) -> Disclosure:
    """The public rules as the municipality configures them."""
    return public(muni.privacy_threshold, periods, muni.detail_minimum, muni.sensitive_categories)


def is_suppressed(count: int, threshold: int) -> bool:
    """Counts from 1 up to the threshold are hidden in the public view; zero is shown."""
    return 0 < count < threshold
