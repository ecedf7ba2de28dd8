"""The one private Streamlit name the app uses (lib.app.navigation.front_door): Streamlit treats
a ``pages/`` folder beside the entry point as a legacy multipage app until ``st.navigation``
has run once in the process. These tests fail when Streamlit changes what front_door relies on,
so the workaround is looked at again rather than silently doing nothing."""

from __future__ import annotations

import inspect


def test_the_legacy_flag_is_where_front_door_reads_it():
    from streamlit.runtime.pages_manager import PagesManager

    assert "uses_pages_directory" in vars(PagesManager)
    source = inspect.getsource(PagesManager.__init__)
    assert 'main_script_parent / "pages"' in source


def test_streamlit_still_runs_the_pages_folder_while_the_flag_is_set():
    from streamlit.runtime.scriptrunner import script_runner

    assert "if PagesManager.uses_pages_directory:" in inspect.getsource(script_runner)


def test_st_navigation_clears_the_flag():
    from streamlit.commands import navigation

    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation)
