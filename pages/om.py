"""About the statistics: how the numbers are made and read, localities, loaded files."""

import datetime as dt

import pandas as pd
import streamlit as st

from lib.app import navigation, signin, state, widgets
from lib.i18n import fmt_date, fmt_int, fmt_num, t
from lib.public import views

navigation.front_door()
muni = state.municipality()


st.title(t("about.heading"))
widgets.sample_banner()
signin.sign_in_box()  # accounts are made here: an analyst must be able to sign in here
year = max(muni.population) if muni.population else None
population = muni.population_in(year) if year else None
st.markdown(
    t(
        "about.body",
        population=fmt_int(population) if population else "–",
        year=year or "–",
        per_one=fmt_num(100_000 / population, 1) if population else "–",
        threshold=muni.privacy_threshold,
    )
)

st.subheader(t("about.localities_heading"))
st.dataframe(
    pd.DataFrame(
        {
            t("about.col_locality"): [loc.name for loc in muni.localities],
            t("about.col_population"): [
                fmt_int(loc.population) if loc.population else "–" for loc in muni.localities
            ],
            t("about.col_approx"): [
                t("about.yes") if loc.approximate else t("about.no") for loc in muni.localities
            ],
        }
    ),
    hide_index=True,
)


def calibration_table() -> None:
    """Every verdict's false-alarm rate and power, from the last run of
    ``python -m bench.calibration`` (data/calibration.json), with what each means and the
    targets not met (``lib.public.views.calibration_table`` and friends)."""
    st.subheader(t("about.calibration_heading"))
    document = views.load_calibration()
    if document is None:
        st.caption(t("about.calibration_none"))
        return
    st.markdown(
        t(
            "about.calibration_intro",
            day=fmt_date(dt.date.fromisoformat(document["run_on"])),
            command=document["command"],
        )
    )
    st.markdown(t("about.calibration_explain"))
    rows = document["rows"]
    table = views.calibration_table(rows)
    # Every row at once: a scrolled table would hide the rows a reader came for.
    height = 38 + 35 * len(table)
    st.dataframe(table, hide_index=True, width="stretch", height=height)
    st.markdown(views.calibration_unmet(rows))
    for meaning in views.calibration_meanings(rows):
        st.markdown(f"- {meaning}")
    st.markdown(views.signals_cadence(rows))


calibration_table()

st.subheader(t("about.imports_heading"))
if signin.analyst() is None:
    st.caption(t("about.imports_analysts"))
    st.stop()
log = state.import_log()
st.dataframe(
    pd.DataFrame(
        {
            t("about.col_id"): log["id"],
            t("about.col_when"): log["imported_at"].map(widgets.local_time),
            t("about.col_kind"): log["kind"].map(lambda k: t(f"kind.{k}")),
            t("about.col_file"): log["file_name"],
            t("about.col_rows"): log["rows_added"].map(fmt_int),
            t("about.col_user"): log["user"],
            t("about.col_undone"): log["undone_at"].map(widgets.local_time),
        }
    ),
    hide_index=True,
)
signin.accounts_admin()
