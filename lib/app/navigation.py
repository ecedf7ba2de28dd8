"""The one private Streamlit call of the app: a first visit to a sub-page after a server start
is routed through ``dashboard.py`` (see ``front_door``). Isolated here, tested in
``tests/test_navigation.py``, explained in ``docs/architecture.md``.
"""

from __future__ import annotations

import runpy

import streamlit as st


def front_door() -> None:
    """Run every page through dashboard.py. Streamlit treats a ``pages/`` folder beside the
    entry point as an old-style multipage app until ``st.navigation`` has run once in the
    process, so the first visit after a server start straight to a sub-page URL would run
    that page alone (no page config, file names as navigation) and keep doing so. Then we
    run the front door in place and stop, so the visit renders as intended; no rerun, so a
    button or form pressed in that run keeps its value. Seen with Streamlit 1.67; the flag
    is internal, hence the defensive imports."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # a future Streamlit without the old mode
        return
    ctx = get_script_run_ctx()
    if ctx is None or not getattr(PagesManager, "uses_pages_directory", False):
        return
    PagesManager.uses_pages_directory = False
    runpy.run_path(ctx.main_script_path, run_name="__main__")
    st.stop()
