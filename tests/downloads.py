"""Deferred downloads under AppTest: a download button whose ``data`` is a callable has no
file until it is clicked. These helpers record the media file managers AppTest makes per
run and build a button's file as a click would (``MediaFileManager.execute_deferred``)."""

from __future__ import annotations


def record_managers(monkeypatch) -> list:
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import app_test

    managers: list = []

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)
    return managers


def build(managers: list, button) -> bytes:
    """The bytes a click on ``button`` (an AppTest download button) downloads."""
    from streamlit.runtime.media_file_storage import MediaFileStorageError

    file_id = button.proto.deferred_file_id
    assert file_id, "not a deferred download"
    for manager in reversed(managers):
        try:
            url = manager.execute_deferred(file_id)
        except MediaFileStorageError:
            continue
        stored = manager.read_file(url.rsplit("/", 1)[-1].split(".")[0])
        if stored is not None:
            return stored.content
    raise AssertionError(f"no file for {button.proto.label}")
