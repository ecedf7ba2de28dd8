"""Small pieces of page furniture shared by every page: data shown as plain text, the sample
banner, change tables that fit a phone, downloads built on click, change badges.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from lib.app.state import has_sample, municipality
from lib.i18n import fmt_datetime, t
from lib.ingest.limits import MAX_UPLOAD_MB
from lib.public import exports

# Characters Markdown (and Streamlit's directives such as :red[...] and $...$) give a meaning.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>:~$=])")


def plain(text: object) -> str:
    """A string from data made safe for places that render Markdown (captions, st.table
    cells): every Markdown character escaped, so a link, an image or a heading in a file's
    text shows as the characters it is."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and header of a table through ``plain`` (for st.table)."""
    out = frame.map(lambda v: plain(v) if isinstance(v, str) else v)
    out.columns = [plain(c) for c in out.columns]
    if pd.api.types.is_string_dtype(out.index) or out.index.dtype == object:
        out.index = [plain(v) for v in out.index]
    return out


def disclosure_note(d) -> None:
    """One sentence on what the viewer sees and why."""
    if d.exact:
        st.caption(t("disclosure.exact_note"))
    else:
        st.caption(t("disclosure.public_note", threshold=d.threshold))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_buttons(
    frame: pd.DataFrame,
    stem: str,
    sheet: str,
    csv_label: str | None = None,
    excel_label: str | None = None,
    key: str | None = None,
) -> None:
    """A table's CSV and Excel downloads side by side, holding exactly what is shown. The
    files are built when a button is clicked (a callable as ``data``), not on every rerun;
    a file that cannot be made is a file with a Swedish message (``exports.guarded``)."""
    left, right = st.columns(2)
    left.download_button(
        csv_label or t("trends.download_csv"),
        exports.guarded(lambda: exports.csv_bytes(frame), "csv"),
        f"{stem}.csv",
        "text/csv",
        icon=":material/download:",
        key=f"{key}_csv" if key else None,
        on_click="ignore",
    )
    right.download_button(
        excel_label or t("trends.download_excel"),
        exports.guarded(lambda: exports.excel_bytes(frame, sheet), "xlsx"),
        f"{stem}.xlsx",
        XLSX,
        icon=":material/download:",
        key=f"{key}_xlsx" if key else None,
        on_click="ignore",
    )


def local_time(stamp) -> str:
    """An import-log timestamp (UTC, ISO) as Swedish local time; empty when missing."""
    if not isinstance(stamp, str):
        return ""
    return fmt_datetime(pd.Timestamp(stamp).tz_convert(municipality().timezone))


def sample_banner() -> None:
    """Every page that shows sample data says so, visibly, at the top."""
    if has_sample():
        st.warning(t("app.sample_banner", municipality=municipality().display_name), icon="⚠️")


# --- Change tables on any screen (issue 14.9) ---------------------------------------------------


def verdict_first(table: pd.DataFrame) -> pd.DataFrame:
    """A change table with its verdict as the second column: on a phone the label and the
    verdict are what fits without scrolling sideways."""
    verdict = t("col.verdict")
    if verdict not in table.columns or table.columns[0] == verdict:
        return table
    rest = [c for c in table.columns[1:] if c != verdict]
    return table[[table.columns[0], verdict, *rest]]


def change_table(table: pd.DataFrame) -> pd.DataFrame:
    """A change table as a grid: label (pinned) and verdict first in widths that fit a
    390 px phone together; returns the table as shown, for its downloads."""
    shown = verdict_first(table)
    config = {shown.columns[0]: st.column_config.TextColumn(width=110, pinned=True)}
    if t("col.verdict") in shown.columns:
        config[t("col.verdict")] = st.column_config.TextColumn(width=200)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    return shown


def delta_style(change: float, verdict: str) -> dict[str, str]:
    """``st.metric``'s colour and arrow for a change badge. Our numbers carry a real minus
    sign (−), which Streamlit reads as positive (an up arrow beside "−1"), so the arrow is set
    from the change itself. Only a change the test calls gets an arrow and a colour; red
    means more incidents."""
    from lib.figures import stats

    if verdict not in (stats.INCREASE, stats.DECREASE) or change == 0:
        return {"delta_color": "off", "delta_arrow": "off"}
    up = change > 0
    return {"delta_color": "red" if up else "green", "delta_arrow": "up" if up else "down"}


def swedish_uploader(types: str) -> None:
    """Streamlit writes the file uploader's button ("Upload") and instructions in English and
    has no setting for them: replace the words on this page, from the catalogue, with CSS
    generated content. ``types``: the file types the page's uploader takes, as the hint
    names them. Call it on every page with an uploader (Data, Ärenden, Medborgarlöftet)."""
    button = t("data.upload_button").replace('"', "'")
    hint = t("data.upload_hint", limit=MAX_UPLOAD_MB, types=types).replace('"', "'")
    st.html(
        f"""<style>
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p {{
  font-size: 0 !important; }}
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p::after {{
  content: "{button}"; font-size: 1rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0 !important; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "{hint}"; font-size: 0.875rem; }}
</style>"""
    )
