"""Trends: what went up, what went down, and what is just chance."""

import streamlit as st

from lib.app import navigation, selection, state, widgets
from lib.figures import stats, trends
from lib.figures.filters import Filters
from lib.i18n import fmt_pct, fmt_signed, t
from lib.public import charts, views
from lib.public.disclosure import Disclosure

navigation.front_door()


# Charts are built once per view and shared by every session (building the four took most
# of a page run): st.plotly_chart only reads a figure (it copies it with to_dict), so one
# object serves all; nothing may change a figure after it is built. Keyed on the store, the
# municipality, the data version and the question.


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=state.KEYS)
def series_chart(
    url: str, code: str, version: int, f: Filters, freq: str, measure: str, d: Disclosure
):
    """(figure, reason, freq shown): the series over time as counts or rates; the figure is
    None when a rate needs a population the configuration lacks; ``reason`` says why weeks
    were asked but months are shown (``views.series_view``)."""
    series, fine, reason, shown = views.series_view(state.view_data(), f, d, freq)
    if measure == "rate":
        series = trends.add_rates(series, state.municipality(), f.localities)
        if series is None:
            return None, reason, shown
    points = views.series_points(series, d, fine=fine)
    return charts.series_figure(points, d.threshold, freq=shown, value=measure), reason, shown


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=state.KEYS)
def view_chart(
    url: str, code: str, version: int, f: Filters, d: Disclosure, kind: str, category: str = ""
):
    """The view's control chart for ``category``, its hour heat map or its night shares."""
    view = state.view("utveckling", lambda: views.trends_view(state.view_data(), f, d), f, d)
    if kind == "control":
        chart = view.extra["chart"]
        return charts.control_figure(chart[chart["category"] == category], d.threshold)
    if kind == "hours":
        return charts.heatmap_figure(view.extra["hours"], d.fine_threshold)
    return charts.night_figure(view.extra["night_monthly"])


def over_time(f: Filters, d: Disclosure) -> None:
    left, right = st.columns(2)
    freq = left.radio(
        t("trends.resolution"),
        ["M", "W"],
        horizontal=True,
        key="upplosning",
        format_func=lambda v: t("trends.per_month" if v == "M" else "trends.per_week"),
    )
    measure = right.radio(
        t("trends.measure"),
        ["n", "rate"],
        horizontal=True,
        key="matt",
        format_func=lambda v: t(f"trends.measure_{'count' if v == 'n' else v}"),
    )
    figure, reason, _shown = series_chart(url, muni.code, version, f, freq, measure, d)
    if figure is None:
        missing = [n for n in f.localities if not muni.population_of((n,), f.midyear)[0]]
        st.info(t("trends.no_rate", places=", ".join(missing)))
        figure, reason, _shown = series_chart(url, muni.code, version, f, freq, "n", d)
    if reason is not None:
        st.info(views.detail_note(reason, d))
    st.plotly_chart(figure, config={"displayModeBar": False}, width="stretch")
    st.caption(t("coverage.gap_note"))


def change(view: views.View, f: Filters) -> None:
    if view.extra["detail"] is not None:
        st.info(views.detail_note(view.extra["detail"], d))
        return
    by = st.radio(
        t("trends.breakdown"),
        ["category", "locality"],
        horizontal=True,
        key="uppdelning",
        format_func=lambda v: t(f"trends.by_{v}"),
    )
    table = widgets.change_table(view.tables["kategorier" if by == "category" else "orter"])
    st.caption(
        " ".join(
            [
                t("trends.change_help"),
                t("change.help"),
                t("verdict.help_many"),
                t("verdict.help_hidden"),
            ]
        )
    )
    widgets.download_buttons(table, f"forandring-{by}-{f.start}-{f.end}", t("trends.tab_change"))


def unusual(view: views.View) -> None:
    if view.extra["detail"] is not None:
        st.info(views.detail_note(view.extra["detail"], d))
        return
    chart, flagged = view.extra["chart"], view.extra["flagged"]
    categories = sorted(chart["category"].unique())
    if not categories:
        st.info(t("filter.empty_selection"))
        return
    default = flagged["category"].iloc[0] if not flagged.empty else categories[0]
    chosen = st.selectbox(
        t("trends.control_category"),
        categories,
        key="kontrollkategori",
        index=categories.index(str(default)) if str(default) in categories else 0,
    )
    st.plotly_chart(
        view_chart(url, muni.code, version, view.filters, d, "control", chosen),
        config={"displayModeBar": False},
        width="stretch",
    )
    for note in view.extra["baseline_notes"]:
        st.caption(note)
    st.caption(t("trends.control_help_seasonal", years=trends.CONTROL_YEARS, min_expected=1))
    st.subheader(t("trends.unusual_heading"))
    if flagged.empty:
        st.text(t("trends.no_unusual"))
        return
    st.dataframe(view.tables["ovanliga_manader"], hide_index=True, width="stretch")


def hours(view: views.View) -> None:
    if view.extra["time_detail"] is not None:
        st.info(views.detail_note(view.extra["time_detail"], d))
        return
    raw, night = view.extra["night_raw"], view.extra["night"]
    if "time_note" in view.extra:
        st.caption(view.extra["time_note"])
    if raw.timed == 0:
        st.info(t("trends.no_times"))
        return
    st.subheader(t("trends.hours_heading"))
    st.plotly_chart(
        view_chart(url, muni.code, version, view.filters, d, "hours"),
        config={"displayModeBar": False},
        width="stretch",
    )
    # The share with a known time is a share of counts: shown only when both are (a share
    # beside a hidden count would give it back).
    known = "–" if d.any_hidden(raw.timed, raw.total) else fmt_pct(raw.timed / max(raw.total, 1), 0)
    st.caption(t("trends.hours_help", share=known, threshold=d.fine_threshold))
    st.subheader(t("trends.night_heading"))
    if night is None:
        st.metric(t("trends.night_metric"), t("verdict.too_few"))
    else:
        delta, style = None, widgets.delta_style(0, stats.NO_CHANGE)
        previous = "–"
        # The year before's share as the open data give it (withheld beside a hidden count).
        if view.charts["nattandel"].get("aret_innan") is not None:
            previous = fmt_pct(night.previous_share, 0)
            points = round((night.share - night.previous_share) * 100)
            verdict = t(f"verdict.{night.comparison.verdict}")
            delta = t("trends.night_delta", change=fmt_signed(points), verdict=verdict)
            style = widgets.delta_style(points, night.comparison.verdict)
        st.metric(
            t("trends.night_metric"),
            fmt_pct(night.share, 0),
            delta=delta,
            **style,
            help=t(
                "trends.night_metric_help",
                low=fmt_pct(night.low, 0),
                high=fmt_pct(night.high, 0),
                previous=previous,
            ),
        )
    st.plotly_chart(
        view_chart(url, muni.code, version, view.filters, d, "night"),
        config={"displayModeBar": False},
        width="stretch",
    )


muni = state.municipality()
chosen = selection.start(t("trends.heading"), "utveckling", views.trends_view)
f, d, view = chosen.filters, chosen.disclosure, chosen.view
url, version = state.store().url, state.data_version()

with st.container(border=True):
    st.text(" ".join(view.sentences))
    for note in view.notes:
        st.caption(note)
widgets.disclosure_note(d)

tab_time, tab_change, tab_unusual, tab_hours = st.tabs(
    [
        t("trends.tab_time"),
        t("trends.tab_change"),
        t("trends.tab_unusual"),
        t("trends.tab_hours"),
    ]
)
with tab_time:
    over_time(f, d)
with tab_change:
    change(view, f)
with tab_unusual:
    unusual(view)
with tab_hours:
    hours(view)
