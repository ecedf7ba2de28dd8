"""Presentation mode for a projector (the BRÅ meeting and the weekly EST picture): the URL
flags, the current view, the step to another, and the one stylesheet and keyboard script
both pages present with; and the phone stylesheet every page gets.
"""

from __future__ import annotations

import streamlit as st

from lib.i18n import t

# --- Presentation mode (the BRÅ meeting and the weekly EST picture) -----------------------------


def presenting() -> bool:
    """``?presentation=1``: large type, one view at a time, for a projector."""
    return st.query_params.get("presentation") in ("1", "true", "ja")


def set_presenting(on: bool) -> None:
    if on:
        st.query_params["presentation"] = "1"
    else:
        st.query_params.pop("presentation", None)
        st.query_params.pop("vy", None)


def presentation_view(count: int) -> int:
    """The view shown (``?vy=N``, 1..count)."""
    try:
        n = int(st.query_params.get("vy", "1"))
    except ValueError:
        n = 1
    return min(max(n, 1), count)


def go_to_view(n: int) -> None:
    st.query_params["vy"] = str(n)


# Read from the back of a room: every text at least 28 px (body 30 px), black on white, tables
# across the whole width. Charts are SVG drawn by Plotly at its own sizes (``charts.projector``)
# and are left alone: a stylesheet size would move Plotly's text off the places it measured.
# The period picker's list opens outside the main section (the selectbox's dropdown), hence
# its own rule; its rows have a fixed height, so its lines are tighter.
PROJECTOR_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"] { display: none !important; }
.stApp { background: #FFFFFF; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 2.5rem 4rem 2rem 4rem; }
@media (max-width: 1600px) {
  [data-testid="stMainBlockContainer"] { padding-left: 2rem; padding-right: 2rem; }
}
[data-testid="stMain"] *:not(svg, svg *) {
  font-size: 30px !important; line-height: 1.35 !important; color: #000000 !important;
}
[data-testid="stSelectboxVirtualDropdown"] [role="option"],
[data-testid="stSelectboxVirtualDropdown"] [role="option"] * {
  font-size: 30px !important; line-height: 1.15 !important; color: #000000 !important;
}
[data-testid="stMain"] h1, [data-testid="stMain"] h1 * {
  font-size: 64px !important; line-height: 1.2 !important;
}
[data-testid="stMain"] h2, [data-testid="stMain"] h2 * {
  font-size: 48px !important; line-height: 1.2 !important;
}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * { opacity: 1 !important; }
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] * {
  font-size: 112px !important; line-height: 1.1 !important;
}
[data-testid="stBaseButton-primary"]:not(:disabled) { background: #004C78 !important;
  border-color: #004C78 !important; }
[data-testid="stMain"] [data-testid="stBaseButton-primary"]:not(:disabled) * {
  color: #FFFFFF !important; }
[data-testid="stMain"] button:disabled { background: #EDEDED !important;
  border-color: #C8C8C8 !important; cursor: not-allowed; }
[data-testid="stMain"] button:disabled * { color: #6E6E6E !important; }
[data-testid="stTable"], [data-testid="stTable"] table { width: 100% !important;
  max-width: none !important; }
[data-testid="stTable"] td [data-testid="stMarkdownContainer"],
[data-testid="stTable"] th [data-testid="stMarkdownContainer"] { max-width: none !important; }
[data-testid="stMain"] td, [data-testid="stMain"] th { padding: 0.35em 0.6em !important; }
</style>
"""

# A presenter's clicker sends PageDown/PageUp, a keyboard the arrows: each clicks the
# Next/Previous button (found by its key's documented CSS class, st-key-<key>), so a step is
# exactly a click. Keys typed into a field (the period picker) are left alone.
KEYS_JS = """<script>
(() => {
  if (window.__trygghetKeys) return;
  window.__trygghetKeys = true;
  const steps = {ArrowRight: "fram", PageDown: "fram", ArrowLeft: "bak", PageUp: "bak"};
  document.addEventListener("keydown", (event) => {
    const key = steps[event.key];
    if (!key || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target && target.closest && target.closest(
        "input, textarea, select, [role=combobox], [role=listbox], [contenteditable=true]"))
      return;
    const button = document.querySelector(".st-key-" + key + " button");
    if (!button) return;  // not presenting
    event.preventDefault();
    if (!button.disabled) button.click();
  });
})();
</script>"""


def project() -> None:
    """The projector's stylesheet and keys, for a page in presentation mode."""
    st.html(PROJECTOR_CSS)
    st.html(KEYS_JS, unsafe_allow_javascript=True)


def controls(count: int, where_key: str, exit_label: str, extra: bool = False):
    """The row above a presented view: previous, "n av N", next (keys ``bak``/``fram``,
    which the keyboard script clicks), an optional column for the caller (the meeting's
    period) and the way out. Returns the view shown and the caller's column (or None)."""
    n = presentation_view(count)
    # The same columns with or without the caller's, so the buttons sit where they sat; in
    # proportion to their words at 30 px ("← Föregående", "1 av 5", "Nästa →", a period,
    # "Avsluta presentationen"), so none is cut short on a 1366 px projector.
    columns = st.columns([5, 2, 3.5, 10, 8.5], vertical_alignment="center")
    back, where, forward, leave = columns[0], columns[1], columns[2], columns[-1]
    back.button(
        t("meeting.previous_view"), on_click=go_to_view, args=(n - 1,), disabled=n == 1, key="bak"
    )
    where.markdown(t(where_key, n=n, total=count))
    forward.button(
        t("meeting.next_view"),
        on_click=go_to_view,
        args=(n + 1,),
        disabled=n == count,
        key="fram",
        type="primary",
    )
    leave.button(exit_label, on_click=set_presenting, args=(False,), key="avsluta")
    return n, (columns[3] if extra else None)


# --- Phones ------------------------------------------------------------------------------------

# On a narrow screen a table's toolbar (search, download, full screen), which Streamlit floats
# across the table's top edge, lies over the heading above it and the table's own column
# names: there it takes a line of its own, above the table. Every page gets this
# (``dashboard.py``); the map and the charts handle their own width.
PHONE_CSS = """
<style>
@media (max-width: 640px) {
  [data-testid="stElementContainer"]:has([data-testid="stElementToolbar"]) {
    padding-top: 2.75rem;
  }
  [data-testid="stElementContainer"] [data-testid="stElementToolbar"] {
    top: -2.75rem !important;
  }
}
</style>
"""


def phone_styles() -> None:
    st.html(PHONE_CSS)
