"""About the statistics: how the numbers are made and read, localities, loaded files."""

import pandas as pd
import streamlit as st

from lib import ui
from lib.i18n import fmt_int, fmt_num, t

ui.front_door()
muni = ui.municipality()


st.title(t("about.heading"))
ui.sample_banner()
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

st.subheader(t("about.imports_heading"))
log = ui.import_log()
st.dataframe(
    pd.DataFrame(
        {
            t("about.col_id"): log["id"],
            t("about.col_when"): log["imported_at"].map(ui.local_time),
            t("about.col_kind"): log["kind"].map(lambda k: t(f"kind.{k}")),
            t("about.col_file"): log["file_name"],
            t("about.col_rows"): log["rows_added"].map(fmt_int),
            t("about.col_user"): log["user"],
            t("about.col_undone"): log["undone_at"].map(ui.local_time),
        }
    ),
    hide_index=True,
)
