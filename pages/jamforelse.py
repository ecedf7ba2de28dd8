"""Peer comparison: does the municipality stand out? Reported crimes per 100 000 inhabitants
against a chosen group of municipalities (the configured default first: SKR's municipality
group, or the county's municipalities), judged with a funnel plot whose limits are widened for
overdispersion, and the trend over the years."""

import datetime as dt

import pandas as pd
import streamlit as st

from lib.app import navigation, signin, state, widgets
from lib.config import COUNTRY, regions
from lib.figures import peers
from lib.i18n import fmt_num, t
from lib.ingest import kolada
from lib.ingest.loading import import_bytes
from lib.public import charts, exports, views

navigation.front_door()


@state.cached("jamforelse")
def annual_figures() -> pd.DataFrame:
    return peers.whole_years(state.store().read("peers"))


def fetch_box(name: str, years: list[int]) -> None:
    """An analyst with network may fetch Kolada's crime key figures directly."""
    with st.expander(t("peers.fetch_heading")):
        st.caption(t("peers.fetch_help"))
        if not st.button(t("peers.fetch_button"), key="hamta_kolada"):
            return
        wanted = list(range(min(years), max(years) + 1)) if years else [dt.date.today().year - 1]
        for kpi in kolada.CRIME_KPIS:
            try:
                data = kolada.fetch(kpi, wanted)
            except kolada.KoladaUnavailable:
                st.warning(t("peers.fetch_offline"))
                return
            outcome = import_bytes(
                state.store(), data, "peers", muni, f"Kolada {kpi}.json", user=name
            )
            show = st.success if outcome.ok else st.info
            show("\n\n".join(outcome.messages))


muni = state.municipality()
st.title(t("peers.heading"))
widgets.sample_banner()
name = signin.sign_in_box()
st.markdown(t("peers.intro", municipality=muni.display_name))

annual = annual_figures()
own = muni.code
groups = {g.id: g for g in peers.comparison_groups(muni)}
if name:
    fetch_box(name, sorted(annual["year"].unique().tolist()) if not annual.empty else [])
if annual.empty or not (annual["region_code"] == own).any():
    st.info(t("peers.no_data", municipality=muni.name))
    st.stop()

categories = sorted(
    annual.loc[annual["region_code"] == own, "category"].unique(),
    key=lambda c: (c != t("peers.all_crimes"), c),
)
left, middle, right = st.columns([2, 2, 1])
group_id = left.selectbox(
    t("peers.group"),
    list(groups),
    key="grupp",
    bind="query-params",
    format_func=lambda g: views.group_label(muni, groups[g]),
)
group = groups[group_id]
codes = peers.group_codes(group, muni)
category = middle.selectbox(t("peers.category"), categories, key="brott", bind="query-params")
years = sorted(
    annual.loc[(annual["region_code"] == own) & (annual["category"] == category), "year"].unique()
)
year = right.selectbox(t("peers.year"), years[::-1], key="ar", bind="query-params", format_func=str)
sources = sorted(annual.loc[annual["category"] == category, "source"].unique())
st.caption(t("peers.sources", sources=", ".join(widgets.plain(s) for s in sources)))

result = peers.comparison(annual, int(year), category, codes)
points = result.points if result is not None else pd.DataFrame(columns=["region_code"])
mine = points[points["region_code"] == own]
st.subheader(t("peers.funnel_heading", year=year))
st.text(views.group_sentence(muni, group, codes, points))
if result is None or len(points) < 3:
    st.info(t("peers.too_few", year=year))
elif mine.empty:
    st.info(t("peers.own_missing", municipality=muni.name, year=year))
else:
    own_row = next(mine.itertuples())
    st.text(views.verdict_sentence(muni, own_row, result.group_rate, int(year), category))
    st.text(views.dispersion_text(result.dispersion, len(points)))
    # The limits drawn are the ones the verdicts use: widened by phi and tau alike.
    curve = peers.funnel_curve(
        result.group_rate,
        points["pop"],
        tau_relative=result.tau_relative,
        phi=result.phi_width,
    )
    # Outline the municipality's SKR peers only when they are part of a wider group.
    outlined = [] if set(codes) <= {own, *peers.peer_codes(muni)} else peers.peer_codes(muni)
    st.plotly_chart(
        charts.funnel_figure(points, curve, result.group_rate, own, outlined),
        config={"displayModeBar": False},
        width="stretch",
    )
    st.caption(
        t(
            "peers.funnel_help",
            n=len(points),
            group=fmt_num(result.group_rate, 0),
            municipality=muni.name,
        )
        + " "
        + (views.funnel_calibration(views.load_calibration()) or "")
    )
    table = views.funnel_table(points)
    st.dataframe(table, hide_index=True, width="stretch")
    widgets.download_buttons(table, f"jamforelse-{year}", t("peers.heading"), key="tratt")

st.subheader(t("peers.trend_heading"))
series = peers.trend(annual, category, own, codes)
if series["own"].notna().sum() < 2:
    st.info(t("peers.trend_too_short"))
else:
    st.plotly_chart(
        charts.peer_trend_figure(series, muni.name),
        config={"displayModeBar": False},
        width="stretch",
    )
    names = {r.code: r.name for r in regions(muni)}
    wider = peers.rates(annual[annual["category"] == category])
    wider = wider[wider["region_code"].isin([muni.county_code, COUNTRY])]
    shown = pd.DataFrame(
        {
            t("peers.col_year"): series["year"].astype(int),
            muni.name: series["own"].map(lambda v: fmt_num(v, 0) if pd.notna(v) else "–"),
            t("peers.median"): series["median"].map(lambda v: fmt_num(v, 0)),
            t("peers.band"): [
                f"{fmt_num(a, 0)}–{fmt_num(b, 0)}"
                for a, b in zip(series["q1"], series["q3"], strict=True)
            ],
        }
    )
    for code in (muni.county_code, COUNTRY):
        part = wider[wider["region_code"] == code].set_index("year")["rate_per_100k"]
        if not part.empty:
            shown[names[code]] = (
                series["year"].map(part).map(lambda v: fmt_num(v, 0) if pd.notna(v) else "–")
            )
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button(
        t("trends.download_csv"),
        lambda: exports.csv_bytes(shown),
        file_name="jamforelse-over-tid.csv",
        mime="text/csv",
        key="trend_csv",
        on_click="ignore",
    )
st.caption(t("peers.note"))
