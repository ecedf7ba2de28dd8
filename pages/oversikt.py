"""Overview: the selected period against the same period a year earlier."""

import pandas as pd
import streamlit as st

from lib import ui
from lib.figures import overview, stats
from lib.figures.filters import Filters
from lib.i18n import fmt_date, fmt_datetime, fmt_int, fmt_num, fmt_pct, fmt_period, source_label, t
from lib.public import charts
from lib.public.disclosure import count_text, is_suppressed


@st.cache_data(max_entries=32, show_spinner=False)
def figures(url: str, version: int, filters: Filters) -> overview.Overview:
    return overview.compute(ui.cube(), filters, ui.municipality())


def change_delta(ov: overview.Overview, threshold: int) -> tuple[str | None, str]:
    total = ov.total
    if is_suppressed(total.current, threshold) or is_suppressed(total.previous, threshold):
        return None, "off"
    if total.change_fraction is None:
        return None, "off"
    text = f"{fmt_pct(total.change_fraction, 0)} – {overview.verdict_text(total.verdict)}"
    text = text if total.change_fraction < 0 else "+" + text
    # Colour only what the test calls a real change; red means more incidents.
    return text, "off" if total.verdict == stats.NO_CHANGE else "inverse"


def rate_metric(ov: overview.Overview, column) -> None:
    if ov.rate is None:
        column.metric(t("overview.metric_rate"), "–")
        column.caption(t("overview.rate_no_population", places=", ".join(ov.missing_population)))
    elif not ov.rate.shown:
        column.metric(t("overview.metric_rate"), t("rate.too_few"))
    else:
        column.metric(
            t("overview.metric_rate"),
            fmt_num(ov.rate.value, 1),
            help=t(
                "overview.metric_rate_help",
                low=fmt_num(ov.rate.low, 1),
                high=fmt_num(ov.rate.high, 1),
            ),
        )
        if not ov.rate.reliable:
            column.caption(t("overview.metric_rate_unreliable"))


@st.cache_data(max_entries=4, show_spinner=False)
def sources_table(url: str, version: int) -> pd.DataFrame:
    """Depends only on the stored data, not the filters: computed once per data version."""
    table = overview.source_freshness(ui.incidents(), ui.import_log())
    tz = ui.municipality().timezone
    return pd.DataFrame(
        {
            t("col.source"): table["source"].map(lambda s: source_label(str(s))),
            t("col.incidents"): table["incidents"].map(fmt_int),
            t("col.first"): table["first"].map(lambda d: fmt_date(d.date())),
            t("col.last"): table["last"].map(lambda d: fmt_date(d.date())),
            t("col.last_import"): table["last_import"].map(
                lambda d: fmt_datetime(d.tz_convert(tz))
            ),
        }
    )


ui.front_door()
muni = ui.municipality()
threshold = muni.privacy_threshold
st.title(t("app.title", municipality=muni.display_name))
ui.sample_banner()
data = ui.cube()
selection = ui.shared_filters(data)
if data.empty:
    st.info(t("app.no_data"))
    st.stop()
if selection is None:
    st.stop()

ov = figures(ui.store().url, ui.data_version(), selection)
st.caption(
    t(
        "overview.period_caption",
        period=fmt_period(selection.start, selection.end),
        previous=fmt_period(ov.previous.start, ov.previous.end),
    )
)
ui.coverage_note(selection, data)
if ov.total.current == 0 and ov.total.previous == 0:
    st.info(t("filter.empty_selection"))
    st.stop()

with st.container(border=True):
    st.markdown(" ".join(ov.summary))

total_col, rate_col, previous_col = st.columns(3)
delta, colour = change_delta(ov, threshold)
total_col.metric(
    t("overview.metric_total"),
    count_text(ov.total.current, threshold),
    delta=delta,
    delta_color=colour,
    help=t("verdict.help"),
)
rate_metric(ov, rate_col)
previous_col.metric(
    t("overview.metric_previous"),
    count_text(ov.total.previous, threshold),
    help=fmt_period(ov.previous.start, ov.previous.end),
)

st.subheader(t("overview.trend_heading"))
st.plotly_chart(
    charts.series_figure(ov.monthly, threshold), config={"displayModeBar": False}, width="stretch"
)
st.subheader(t("overview.categories_heading"))
st.dataframe(overview.category_display(ov.categories, threshold), hide_index=True, width="stretch")
st.caption(
    " ".join(
        [
            t("overview.suppression_note", threshold=threshold),
            t("verdict.help"),
            t("verdict.help_many"),
        ]
    )
)

st.subheader(t("overview.sources_heading"))
st.dataframe(sources_table(ui.store().url, ui.data_version()), hide_index=True, width="stretch")

st.subheader(t("overview.links_heading"))
st.page_link("pages/utveckling.py", label=t("page.trends"), icon=":material/trending_up:")
st.page_link("pages/karta.py", label=t("page.map"), icon=":material/map:")
st.page_link("pages/medborgarloftet.py", label=t("page.promises"), icon=":material/handshake:")
st.page_link("pages/jamforelse.py", label=t("page.peers"), icon=":material/compare_arrows:")
st.page_link("pages/mote.py", label=t("page.meeting"), icon=":material/co_present:")
st.page_link("pages/om.py", label=t("page.about"), icon=":material/info:")
