"""Overview: the selected period against the same period a year earlier."""

import pandas as pd
import streamlit as st

from lib.app import navigation, selection, state, widgets
from lib.figures import stats
from lib.figures.filters import Filters
from lib.i18n import fmt_num, fmt_period, fmt_signed_pct, t
from lib.public import charts, views
from lib.public.disclosure import Disclosure


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=state.KEYS)
def trend_figure(url: str, code: str, version: int, filters: Filters, d: Disclosure):
    """The monthly chart, built once per view and shared by every session (building it
    took a fifth of a page run): st.plotly_chart only reads a figure (it copies it with
    to_dict), so one object serves all; nothing may change it after it is built."""
    view = state.view(
        "oversikt", lambda: views.overview_view(state.view_data(), filters, d), filters, d
    )
    return charts.series_figure(view.extra["monthly"], d.threshold)


def change_delta(view: views.View) -> tuple[str | None, str]:
    """The badge under the count (the same verdict and change as the sentence) and the
    verdict code that colours it (``widgets.delta_style``)."""
    ov, code = view.extra["overview"], view.extra["headline"]
    c = ov.change.comparison
    if code not in (stats.INCREASE, stats.DECREASE, stats.NO_CHANGE) or c.ratio is None:
        return (views.verdict_word(code), "off") if code != stats.NO_CHANGE else (None, "off")
    text = f"{fmt_signed_pct(c.ratio - 1, 0)} – {views.verdict_word(code)}"
    return text, code


def rate_metric(view: views.View, column) -> None:
    ov, rate = view.extra["overview"], view.extra["rate"]
    if ov.rate is None:
        column.metric(t("overview.metric_rate"), "–")
        column.caption(t("overview.rate_no_population", places=", ".join(ov.missing_population)))
    elif rate is None or not rate.shown:
        column.metric(t("overview.metric_rate"), t("rate.too_few"))
    else:
        column.metric(
            t("overview.metric_rate"),
            fmt_num(rate.value, 1),
            help=t(
                "overview.metric_rate_help",
                low=fmt_num(rate.low, 1),
                high=fmt_num(rate.high, 1),
            ),
        )
        if not rate.reliable:
            column.caption(t("overview.metric_rate_unreliable"))


def sources_table(d: Disclosure) -> pd.DataFrame:
    """The sources with their counts, the months they cover and when they were last loaded:
    in whole months for the public (no coverage boundary is an incident's day), and only for
    sources whose count is shown (a small source's months would date its few incidents)."""
    table = state.view(
        "kallor",
        lambda: views.sources_view(
            state.cube(),
            state.coverage(),
            state.manager().import_spans(state.data_version()),
            state.import_log(),
            d,
            state.municipality().timezone,
        ),
        d,
    )
    return table


navigation.front_door()
muni = state.municipality()
threshold = muni.privacy_threshold
chosen = selection.start(
    t("app.title", municipality=muni.display_name), "oversikt", views.overview_view
)
f, d, view = chosen.filters, chosen.disclosure, chosen.view
url, version = state.store().url, state.data_version()
ov = view.extra["overview"]
compared = ov.change.periods
comparison = ov.change.comparison

with st.container(border=True):
    st.text(" ".join(view.sentences))
    for note in view.notes:
        st.caption(note)

total_col, rate_col, previous_col = st.columns(3)
delta, code = change_delta(view)
ratio = ov.change.comparison.ratio if ov.change.comparison is not None else None
total_col.metric(
    t("overview.metric_total"),
    d.text(ov.total),
    delta=delta,
    **widgets.delta_style(0 if ratio is None else ratio - 1, code),
    help=t("change.help"),
)
rate_metric(view, rate_col)
if comparison is not None and (compared.year_by_year or compared.partial):
    # The delta compares fewer days than the headline count: show both sides of it.
    previous_col.metric(
        t("overview.metric_compared"),
        t(
            "overview.compared_value",
            now=d.text(comparison.current),
            then=d.text(comparison.previous),
        ),
        help=t(
            "overview.compared_help",
            now=fmt_period(compared.current.start, compared.current.end),
            then=fmt_period(compared.previous.start, compared.previous.end),
            months=compared.months_compared,
        ),
    )
else:
    previous_col.metric(
        t("overview.metric_previous"),
        "–" if comparison is None else d.text(comparison.previous),
        help=fmt_period(compared.previous.start, compared.previous.end),
    )

st.subheader(t("overview.trend_heading"))
st.plotly_chart(
    trend_figure(url, muni.code, version, f, d),
    config={"displayModeBar": False},
    width="stretch",
)
st.caption(t("coverage.gap_note"))
st.subheader(t("overview.categories_heading"))
if view.extra["detail"] is not None:
    st.info(views.detail_note(view.extra["detail"], d))
else:
    widgets.change_table(view.tables["kategorier"].head(8))
    st.caption(" ".join([t("change.help"), t("verdict.help_many"), t("verdict.help_hidden")]))
widgets.disclosure_note(d)

st.subheader(t("overview.sources_heading"))
st.dataframe(sources_table(d), hide_index=True, width="stretch")

st.subheader(t("overview.links_heading"))
st.page_link("pages/utveckling.py", label=t("page.trends"), icon=":material/trending_up:")
st.page_link("pages/karta.py", label=t("page.map"), icon=":material/map:")
st.page_link("pages/medborgarloftet.py", label=t("page.promises"), icon=":material/handshake:")
st.page_link("pages/jamforelse.py", label=t("page.peers"), icon=":material/compare_arrows:")
st.page_link("pages/mote.py", label=t("page.meeting"), icon=":material/co_present:")
st.page_link("pages/om.py", label=t("page.about"), icon=":material/info:")
