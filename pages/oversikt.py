"""Overview: the selected period against the same period a year earlier."""

import numpy as np
import pandas as pd
import streamlit as st

from lib import ui
from lib.figures import overview, stats
from lib.figures.filters import Filters
from lib.i18n import fmt_date, fmt_datetime, fmt_num, fmt_period, fmt_signed_pct, source_label, t
from lib.public import charts, views
from lib.public.disclosure import Disclosure


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=ui.KEYS)
def figures(url: str, version: int, filters: Filters, d: Disclosure) -> views.View:
    return views.overview_view(ui.view_data(), filters, d)


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=ui.KEYS)
def trend_figure(url: str, version: int, filters: Filters, d: Disclosure):
    """The monthly chart, built once per view and shared by every session (building it
    took a fifth of a page run): st.plotly_chart only reads a figure (it copies it with
    to_dict), so one object serves all; nothing may change it after it is built."""
    return charts.series_figure(figures(url, version, filters, d).extra["monthly"], d.threshold)


def change_delta(view: views.View) -> tuple[str | None, str]:
    """The badge under the count (the same verdict and change as the sentence) and the
    verdict code that colours it (``ui.delta_style``)."""
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


@st.cache_data(max_entries=4, show_spinner=False, hash_funcs=ui.KEYS)
def sources_table(url: str, version: int, d: Disclosure) -> pd.DataFrame:
    """Depends only on the stored data, not the filters: computed once per data version."""
    table = overview.source_freshness(ui.incidents(), ui.import_log(), d.counter)
    tz = ui.municipality().timezone
    # A source with a hidden count gets no dates either: a first and last incident date
    # beside "färre än 3" would date those few incidents. Every source listed has stored
    # incidents, so a published 0 is a small count too (the noise took it to zero).
    hidden = np.array([not d.exact and n < d.threshold for n in table["incidents"]], dtype=bool)

    def dates(column: str, show) -> list[str]:
        return ["–" if h else show(v) for v, h in zip(table[column], hidden, strict=True)]

    return pd.DataFrame(
        {
            t("col.source"): table["source"].map(lambda s: source_label(str(s))),
            t("col.incidents"): table["incidents"].map(d.text),
            t("col.first"): dates("first", lambda v: fmt_date(v.date())),
            t("col.last"): dates("last", lambda v: fmt_date(v.date())),
            t("col.last_import"): dates("last_import", lambda v: fmt_datetime(v.tz_convert(tz))),
        }
    )


ui.front_door()
muni = ui.municipality()
threshold = muni.privacy_threshold
st.title(t("app.title", municipality=muni.display_name))
ui.sample_banner()
data = ui.cube()
selection = ui.shared_filters(data)
ui.sign_in_box()
if data.empty:
    st.info(t("app.no_data"))
    st.stop()
if selection is None:
    st.stop()

d = ui.disclosure()
url, version = ui.store().url, ui.data_version()
view = figures(url, version, selection, d)
ov = view.extra["overview"]
compared = ov.change.periods
st.caption(
    t(
        "overview.period_caption",
        period=fmt_period(selection.start, selection.end),
        previous=fmt_period(compared.previous.start, compared.previous.end),
    )
)
ui.coverage_note(selection, data)
comparison = ov.change.comparison
if ov.total == 0 and (comparison is None or comparison.previous == 0):
    st.info(t("filter.empty_selection"))
    st.stop()

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
    **ui.delta_style(0 if ratio is None else ratio - 1, code),
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
            days=compared.days_compared,
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
    trend_figure(url, version, selection, d),
    config={"displayModeBar": False},
    width="stretch",
)
st.caption(t("coverage.gap_note"))
st.subheader(t("overview.categories_heading"))
ui.change_table(view.tables["kategorier"].head(8))
st.caption(" ".join([t("change.help"), t("verdict.help_many"), t("verdict.help_hidden")]))
ui.disclosure_note(d)

st.subheader(t("overview.sources_heading"))
st.dataframe(sources_table(url, version, d), hide_index=True, width="stretch")

st.subheader(t("overview.links_heading"))
st.page_link("pages/utveckling.py", label=t("page.trends"), icon=":material/trending_up:")
st.page_link("pages/karta.py", label=t("page.map"), icon=":material/map:")
st.page_link("pages/medborgarloftet.py", label=t("page.promises"), icon=":material/handshake:")
st.page_link("pages/jamforelse.py", label=t("page.peers"), icon=":material/compare_arrows:")
st.page_link("pages/mote.py", label=t("page.meeting"), icon=":material/co_present:")
st.page_link("pages/om.py", label=t("page.about"), icon=":material/info:")
