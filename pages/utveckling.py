"""Trends: what went up, what went down, and what is just chance."""

import streamlit as st

from lib import ui
from lib.figures import stats, trends
from lib.figures.filters import Filters
from lib.i18n import fmt_pct, fmt_period, fmt_signed, t
from lib.public import charts, views
from lib.public.disclosure import Disclosure

ui.front_door()


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=ui.KEYS)
def figures(url: str, version: int, f: Filters, d: Disclosure) -> views.View:
    return views.trends_view(ui.view_data(), f, d)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=ui.KEYS)
def series(url: str, version: int, f: Filters, freq: str, d: Disclosure):
    data = trends.period_series(ui.cube(), f, freq, ui.coverage(), d.counter)
    return data


# Charts are built once per view and shared by every session (building the four took most
# of a page run): st.plotly_chart only reads a figure (it copies it with to_dict), so one
# object serves all; nothing may change a figure after it is built.


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=ui.KEYS)
def series_chart(url: str, version: int, f: Filters, freq: str, measure: str, d: Disclosure):
    """The series over time as counts or rates; None when a rate needs a population the
    configuration lacks."""
    data = series(url, version, f, freq, d)
    if measure == "rate":
        data = trends.add_rates(data, ui.municipality(), f.localities)
        if data is None:
            return None
    return charts.series_figure(views.series_points(data, d), d.threshold, freq=freq, value=measure)


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=ui.KEYS)
def view_chart(url: str, version: int, f: Filters, d: Disclosure, kind: str, category: str = ""):
    """The view's control chart for ``category``, its hour heat map or its night shares."""
    view = figures(url, version, f, d)
    if kind == "control":
        chart = view.extra["chart"]
        return charts.control_figure(chart[chart["category"] == category], d.threshold)
    if kind == "hours":
        return charts.heatmap_figure(view.extra["hours"])
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
    if measure == "rate" and series_chart(url, version, f, freq, measure, d) is None:
        missing = [n for n in f.localities if not muni.population_of((n,), f.midyear)[0]]
        st.info(t("trends.no_rate", places=", ".join(missing)))
        measure = "n"
    st.plotly_chart(
        series_chart(url, version, f, freq, measure, d),
        config={"displayModeBar": False},
        width="stretch",
    )
    st.caption(t("coverage.gap_note"))


def change(view: views.View, f: Filters) -> None:
    by = st.radio(
        t("trends.breakdown"),
        ["category", "locality"],
        horizontal=True,
        key="uppdelning",
        format_func=lambda v: t(f"trends.by_{v}"),
    )
    table = ui.change_table(view.tables["kategorier" if by == "category" else "orter"])
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
    ui.download_buttons(table, f"forandring-{by}-{f.start}-{f.end}", t("trends.tab_change"))


def unusual(view: views.View) -> None:
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
        view_chart(url, version, view.filters, d, "control", chosen),
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
    raw, night = view.extra["night_raw"], view.extra["night"]
    if raw.timed == 0:
        st.info(t("trends.no_times"))
        return
    st.subheader(t("trends.hours_heading"))
    st.plotly_chart(
        view_chart(url, version, view.filters, d, "hours"),
        config={"displayModeBar": False},
        width="stretch",
    )
    # The share with a known time is a share of counts: shown only when both are (a share
    # beside a hidden count would give it back).
    known = "–" if d.any_hidden(raw.timed, raw.total) else fmt_pct(raw.timed / max(raw.total, 1), 0)
    st.caption(t("trends.hours_help", share=known, threshold=d.threshold))
    st.subheader(t("trends.night_heading"))
    if night is None:
        st.metric(t("trends.night_metric"), t("verdict.too_few"))
    else:
        delta, style = None, ui.delta_style(0, stats.NO_CHANGE)
        previous = "–"
        if night.previous_share is not None and not d.any_hidden(
            night.previous_night, night.previous_timed - night.previous_night
        ):
            previous = fmt_pct(night.previous_share, 0)
            points = round((night.share - night.previous_share) * 100)
            verdict = t(f"verdict.{night.comparison.verdict}")
            delta = t("trends.night_delta", change=fmt_signed(points), verdict=verdict)
            style = ui.delta_style(points, night.comparison.verdict)
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
        view_chart(url, version, view.filters, d, "night"),
        config={"displayModeBar": False},
        width="stretch",
    )


muni = ui.municipality()
st.title(t("trends.heading"))
ui.sample_banner()
data = ui.cube()
f = ui.shared_filters(data)
ui.sign_in_box()
if data.empty:
    st.info(t("app.no_data"))
    st.stop()
if f is None:
    st.stop()
d = ui.disclosure()
url, version = ui.store().url, ui.data_version()
view = figures(url, version, f, d)
ov = view.extra["overview"]
compared = ov.change.periods
st.caption(
    t(
        "overview.period_caption",
        period=fmt_period(f.start, f.end),
        previous=fmt_period(compared.previous.start, compared.previous.end),
    )
)
ui.coverage_note(f, data)
comparison = ov.change.comparison
if ov.total == 0 and (comparison is None or comparison.previous == 0):
    st.info(t("filter.empty_selection"))
    st.stop()

with st.container(border=True):
    st.text(" ".join(view.sentences))
    for note in view.notes:
        st.caption(note)
ui.disclosure_note(d)

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
