"""Trends: what went up, what went down, and what is just chance."""

import streamlit as st

from lib import ui
from lib.figures import overview, stats, trends
from lib.figures.filters import Filters
from lib.i18n import fmt_int, fmt_num, fmt_pct, fmt_period, t
from lib.public import charts

ui.front_door()


@st.cache_data(max_entries=32, show_spinner=False)
def figures(url: str, version: int, f: Filters):
    cube, timed, muni = ui.cube(), ui.timed(), ui.municipality()
    return {
        "overview": overview.compute(cube, f, muni),
        "category": trends.change_table(cube, f, muni, "category"),
        "locality": trends.change_table(cube, f, muni, "locality"),
        "chart": trends.control_chart(cube, f),
        "hours": trends.weekday_hour(timed, f),
        "night": trends.night_share(timed, cube, f),
        "night_monthly": trends.night_share_by_month(timed, f),
    }


@st.cache_data(max_entries=32, show_spinner=False)
def series(url: str, version: int, f: Filters, freq: str):
    return trends.period_series(ui.cube(), f, freq)


def over_time(f: Filters) -> None:
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
    data = series(ui.store().url, ui.data_version(), f, freq)
    if measure == "rate":
        with_rates = trends.add_rates(data, muni, f.localities)
        if with_rates is None:
            missing = [n for n in f.localities if not muni.population_of((n,), f.midyear)[0]]
            st.info(t("trends.no_rate", places=", ".join(missing)))
            measure = "n"
        else:
            data = with_rates
    st.plotly_chart(
        charts.series_figure(data, threshold, freq, measure),
        config={"displayModeBar": False},
        width="stretch",
    )


def change(fig: dict) -> None:
    by = st.radio(
        t("trends.breakdown"),
        ["category", "locality"],
        horizontal=True,
        key="uppdelning",
        format_func=lambda v: t(f"trends.by_{v}"),
    )
    table = fig[by]
    view = trends.change_view(table, by, threshold)
    counts = [t("col.current"), t("col.previous"), t("col.change")]
    styled = (
        view.style.format(fmt_int, subset=counts, na_rep=t("suppressed", threshold=threshold))
        .format(lambda v: fmt_num(v, 0), subset=[t("col.change_pct")], na_rep="–")
        .format(lambda v: fmt_num(v, 1), subset=[t("col.rate")], na_rep="–")
        .format(trends.p_text, subset=[t("col.p_value")])
    )
    st.dataframe(styled, hide_index=True, width="stretch")
    st.caption(
        " ".join(
            [
                t("trends.change_help"),
                t("verdict.help"),
                t("verdict.help_many"),
                t("overview.suppression_note", threshold=threshold),
            ]
        )
    )
    download = trends.change_download(table, by, threshold)
    ui.download_buttons(download, f"forandring-{by}-{f.start}-{f.end}", t("trends.tab_change"))


def unusual(fig: dict, f: Filters) -> None:
    chart, flagged = fig["chart"], trends.unusual_months(fig["chart"])
    categories = sorted(chart["category"].unique())
    if not categories:
        st.info(t("filter.empty_selection"))
        return
    default = flagged["category"].iloc[0] if not flagged.empty else fig["category"]["key"].iloc[0]
    chosen = st.selectbox(
        t("trends.control_category"),
        categories,
        key="kontrollkategori",
        index=categories.index(str(default)) if str(default) in categories else 0,
    )
    st.plotly_chart(
        charts.control_figure(chart[chart["category"] == chosen], threshold),
        config={"displayModeBar": False},
        width="stretch",
    )
    baseline = f.previous_year()
    st.caption(t("trends.control_help", baseline=fmt_period(baseline.start, baseline.end)))
    st.subheader(t("trends.unusual_heading"))
    if flagged.empty:
        st.write(t("trends.no_unusual"))
        return
    st.dataframe(trends.unusual_view(flagged, threshold), hide_index=True, width="stretch")


def hours(fig: dict) -> None:
    night = fig["night"]
    if night.timed == 0:
        st.info(t("trends.no_times"))
        return
    st.subheader(t("trends.hours_heading"))
    st.plotly_chart(
        charts.heatmap_figure(fig["hours"], threshold),
        config={"displayModeBar": False},
        width="stretch",
    )
    st.caption(
        t(
            "trends.hours_help",
            share=fmt_pct(night.timed / max(night.total, 1), 0),
            threshold=threshold,
        )
    )
    st.subheader(t("trends.night_heading"))
    previous = fmt_pct(night.previous_share, 0) if night.previous_share is not None else "–"
    delta = None
    if night.previous_share is not None:
        points = round((night.share - night.previous_share) * 100)
        verdict = t(f"verdict.{night.comparison.verdict}")
        delta = t("trends.night_delta", change=f"{points:+d}".replace("-", "−"), verdict=verdict)
    st.metric(
        t("trends.night_metric"),
        fmt_pct(night.share, 0),
        delta=delta,
        delta_color="off" if night.comparison.verdict == stats.NO_CHANGE else "inverse",
        help=t(
            "trends.night_metric_help",
            low=fmt_pct(night.low, 0),
            high=fmt_pct(night.high, 0),
            previous=previous,
        ),
    )
    st.plotly_chart(
        charts.night_figure(fig["night_monthly"]), config={"displayModeBar": False}, width="stretch"
    )


muni = ui.municipality()
threshold = muni.privacy_threshold
st.title(t("trends.heading"))
ui.sample_banner()
data = ui.cube()
f = ui.shared_filters(data)
if data.empty:
    st.info(t("app.no_data"))
    st.stop()
if f is None:
    st.stop()
fig = figures(ui.store().url, ui.data_version(), f)
ov = fig["overview"]
st.caption(
    t(
        "overview.period_caption",
        period=fmt_period(f.start, f.end),
        previous=fmt_period(ov.previous.start, ov.previous.end),
    )
)
ui.coverage_note(f, data)
if ov.total.current == 0 and ov.total.previous == 0:
    st.info(t("filter.empty_selection"))
    st.stop()

with st.container(border=True):
    flagged_months = trends.unusual_months(fig["chart"])
    st.markdown(
        " ".join(
            trends.summary(ov.summary, fig["locality"], flagged_months, fig["night"], threshold)
        )
    )

tab_time, tab_change, tab_unusual, tab_hours = st.tabs(
    [
        t("trends.tab_time"),
        t("trends.tab_change"),
        t("trends.tab_unusual"),
        t("trends.tab_hours"),
    ]
)
with tab_time:
    over_time(f)
with tab_change:
    change(fig)
with tab_unusual:
    unusual(fig, f)
with tab_hours:
    hours(fig)
