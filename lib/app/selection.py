"""The start every period page shares (the overview and the trends page): title, sample banner,
the shared filters, sign-in, the viewer's disclosure rules, the view from the data manager,
the period caption and the stops for no data, an incomplete custom period and an empty
selection. Written once so the two pages cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from lib.app import filters, signin, state, widgets
from lib.figures.filters import Filters
from lib.i18n import fmt_period, t
from lib.public import views
from lib.public.disclosure import Disclosure


@dataclass(frozen=True)
class Selection:
    filters: Filters
    disclosure: Disclosure
    view: views.View


def start(title: str, page: str, make: Callable[[views.Data, Filters, Disclosure], views.View]):
    """Lay out the shared start of a period page and return its ``Selection``; stops the
    page (after saying why) when there is nothing to show."""
    st.title(title)
    widgets.sample_banner()
    data = state.cube()
    f = filters.shared_filters(data)
    signin.sign_in_box()
    if data.empty:
        st.info(t("app.no_data"))
        st.stop()
    if f is None:
        st.stop()
    d = signin.disclosure()
    view = state.view(page, lambda: make(state.view_data(), f, d), f, d)
    ov = view.extra["overview"]
    compared = ov.change.periods
    st.caption(
        t(
            "overview.period_caption",
            period=fmt_period(f.start, f.end),
            previous=fmt_period(compared.previous.start, compared.previous.end),
        )
    )
    filters.coverage_note(f, data)
    comparison = ov.change.comparison
    if ov.total == 0 and (comparison is None or comparison.previous == 0):
        st.info(t("filter.empty_selection"))
        st.stop()
    return Selection(f, d, view)
