"""Peer comparison: does the municipality stand out? Reported crimes per 100 000 inhabitants
against the county's municipalities, judged with a funnel plot, and the trend over the years."""

import datetime as dt

import pandas as pd
import streamlit as st

from lib import ui
from lib.config import regions
from lib.figures import peers
from lib.i18n import fmt_int, fmt_num, t
from lib.ingest import kolada
from lib.ingest.loading import import_bytes
from lib.public import charts, exports

ui.front_door()


@st.cache_data(show_spinner=False, max_entries=4)
def annual_figures(url: str, version: int) -> pd.DataFrame:
    return peers.whole_years(ui.store().read("peers"))


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
            outcome = import_bytes(ui.store(), data, "peers", muni, f"Kolada {kpi}.json", user=name)
            show = st.success if outcome.ok else st.info
            show("\n\n".join(outcome.messages))


def verdict_sentence(v: peers.Verdict, year: int, category: str) -> str:
    return t(
        f"peers.verdict_{v.code}",
        municipality=muni.name,
        year=year,
        category=category.lower(),
        rate=fmt_num(v.rate, 0),
        group=fmt_num(v.group_rate, 0),
    )


def funnel_table(points: pd.DataFrame, group_rate: float) -> pd.DataFrame:
    rows = []
    for r in points.sort_values("rate_per_100k", ascending=False).itertuples():
        v = peers.verdict(r.n, r.pop, group_rate)
        (lo,), (hi,) = peers.funnel_limits(group_rate, [r.pop], peers.LEVELS[0])
        rows.append(
            {
                t("peers.col_region"): r.region,
                t("peers.col_population"): fmt_int(r.pop),
                t("peers.col_count"): fmt_int(r.n),
                t("peers.col_rate"): fmt_num(r.rate_per_100k, 0),
                t("peers.col_limits"): f"{fmt_num(lo, 0)}–{fmt_num(hi, 0)}",
                t("peers.col_verdict"): t(f"peers.short_{v.code}"),
            }
        )
    return pd.DataFrame(rows)


muni = ui.municipality()
st.title(t("peers.heading"))
ui.sample_banner()
name = ui.sign_in_box()
st.markdown(t("peers.intro", municipality=muni.display_name))

annual = annual_figures(ui.store().url, ui.data_version())
own = muni.code
group = peers.comparison_group(muni)
skr = peers.peer_codes(muni)
if name:
    fetch_box(name, sorted(annual["year"].unique().tolist()) if not annual.empty else [])
if annual.empty or not (annual["region_code"] == own).any():
    st.info(t("peers.no_data", municipality=muni.name))
    st.stop()

categories = sorted(
    annual.loc[annual["region_code"] == own, "category"].unique(),
    key=lambda c: (c != t("peers.all_crimes"), c),
)
left, right = st.columns(2)
category = left.selectbox(t("peers.category"), categories, key="brott", bind="query-params")
years = sorted(
    annual.loc[(annual["region_code"] == own) & (annual["category"] == category), "year"].unique()
)
year = right.selectbox(t("peers.year"), years[::-1], key="ar", bind="query-params", format_func=str)
sources = sorted(annual.loc[annual["category"] == category, "source"].unique())
st.caption(t("peers.sources", sources=", ".join(sources)))

points, group_rate = peers.funnel_data(annual, int(year), category, group)
mine = points[points["region_code"] == own]
if group_rate is None or mine.empty or len(points) < 3:
    st.info(t("peers.too_few", year=year))
else:
    v = peers.verdict(float(mine["n"].iloc[0]), float(mine["pop"].iloc[0]), group_rate)
    st.subheader(t("peers.funnel_heading", year=year))
    st.markdown(f"**{verdict_sentence(v, int(year), category)}**")
    curve = peers.funnel_curve(group_rate, points["pop"])
    st.plotly_chart(
        charts.funnel_figure(points, curve, group_rate, own, skr),
        config={"displayModeBar": False},
        width="stretch",
    )
    st.caption(t("peers.funnel_help", n=len(points), group=fmt_num(group_rate, 0)))
    table = funnel_table(points, group_rate)
    st.dataframe(table, hide_index=True, width="stretch")
    ui.download_buttons(table, f"jamforelse-{year}", t("peers.heading"), key="tratt")

st.subheader(t("peers.trend_heading"))
series = peers.trend(annual, category, own, group)
if series["own"].notna().sum() < 2:
    st.info(t("peers.trend_too_short"))
else:
    st.plotly_chart(
        charts.peer_trend_figure(series, muni.name),
        config={"displayModeBar": False},
        width="stretch",
    )
    names = {r.code: r.name for r in regions()}
    wider = peers.rates(annual[annual["category"] == category])
    wider = wider[wider["region_code"].isin(["18", "00"])]
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
    for code in ("18", "00"):
        part = wider[wider["region_code"] == code].set_index("year")["rate_per_100k"]
        if not part.empty:
            shown[names[code]] = (
                series["year"].map(part).map(lambda v: fmt_num(v, 0) if pd.notna(v) else "–")
            )
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button(
        t("trends.download_csv"),
        exports.csv_bytes(shown),
        file_name="jamforelse-over-tid.csv",
        mime="text/csv",
        key="trend_csv",
    )
st.caption(t("peers.note"))
