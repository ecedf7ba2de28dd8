"""Presentation mode for a projector (the BRÅ meeting and the weekly EST picture): the URL
flags, the current view and the step to another.
"""

from __future__ import annotations

import streamlit as st

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
