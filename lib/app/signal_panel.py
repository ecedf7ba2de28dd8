"""Signals ("signaler") on the analysts' pages (Ärenden, Veckolägesbild, and the BRÅ page
when signed in): the alerts of the space-time scan as of one day, in words, in a table, on a
small map, and the incidents behind each. Never on a public page: every caller shows it only
to a signed-in analyst (``signin.analyst``).

The scan is computed by the data manager (``DataManager.signals``), cached on the data
version and the day, and seeded from the day, so every page and session shows the same
signals for the same data; the alerts' words and incidents come from ``lib.public.alerts``.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

from lib.app import map_assets, state, widgets
from lib.i18n import fmt_date, fmt_int, t
from lib.public import alerts


def found_on(day: dt.date) -> alerts.Signals:
    """The alerts as of ``day`` (shared by every session through the data manager)."""
    manager, version = state.manager(), state.data_version()

    def make():
        result, points = manager.signals(version, day)
        return alerts.signals(result, points, state.municipality())

    return state.view("signaler", make, day)


def signals_section(day: dt.date | None, key: str, heading: bool = True) -> None:
    """The section: what was scanned, each alert in plain Swedish with its recurrence
    interval, a table, a map with the incidents, and the incidents listed per alert."""
    muni = state.municipality()
    if heading:
        st.subheader(t("signals.heading"))
    if day is None:
        st.info(t("cli.signals_no_data"))
        return
    st.caption(t("signals.intro", day=fmt_date(day)))
    found = found_on(day)
    if found.events == 0:
        st.info(t("signals.no_data", day=fmt_date(day)))
        return
    st.text(t("signals.as_of", day=fmt_date(day), events=fmt_int(found.events)))
    if not found.records:
        st.success(t("signals.none", day=fmt_date(day)))
        st.caption(t("signals.help"))
        return
    for k, record in enumerate(found.records, start=1):
        # st.warning renders Markdown: the place's name is made plain.
        st.warning(widgets.plain(f"{k}. {alerts.sentence(record, found.replications, muni)}"))
    st.dataframe(alerts.table(found, muni), hide_index=True, width="stretch")
    incidents = state.incidents()
    behind = [alerts.incidents_behind(found, k, incidents, muni) for k in range(len(found.records))]
    st_folium(
        alerts.signal_map(found, behind, muni, map_assets.map_asset_base(), tiles=False),
        height=420,
        use_container_width=True,
        returned_objects=[],
        key=f"signalkarta-{key}",
    )
    for k, rows in enumerate(behind, start=1):
        with st.expander(t("signals.behind", n=k), expanded=len(behind) == 1):
            # Plain cells: categories and places come from data.
            st.dataframe(rows.drop(columns=["lat", "lon"]), hide_index=True, width="stretch")
    st.caption(t("signals.help"))
