"""The map's JavaScript runs same-origin in the dashboard: the folder it is served from must
be one nobody else can have made or can write to (issue 16, finding 3)."""

from __future__ import annotations

import os
import stat
from importlib.metadata import version

import pytest

from lib.public import maps


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """asset_dir as on a new server process, with its temporary folders under tmp_path."""
    monkeypatch.setattr(maps.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(maps, "_assets", None)
    return tmp_path


def test_the_embedded_copies_are_the_packages_own():
    # The test (not the code) reads folium-offline's internal table, so a release that
    # changes how it embeds files fails here instead of drawing a blank map.
    from offlinefolium.elements import _res

    for name, url in maps.ASSETS.items():
        assert maps.embedded_asset(url).strip() == _res[url].strip(), name
    assert "Leaflet 1.9" in maps.embedded_asset(maps.ASSETS["leaflet.js"])
    with pytest.raises(LookupError):
        maps.embedded_asset("https://example.invalid/none.js")


def test_the_folder_is_private_and_random(fresh):
    folder = maps.asset_dir()
    assert folder.parent == fresh and folder.name.startswith("trygghet-kartfiler-")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert folder.stat().st_uid == os.getuid()
    for name in maps.ASSETS:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert maps.asset_dir() == folder  # kept while it stays trusted


def test_a_folder_planted_at_the_old_predictable_path_is_never_used(fresh):
    planted = fresh / f"trygghet-kartfiler-{version('folium-offline')}"
    planted.mkdir()
    planted.chmod(0o777)
    for name in maps.ASSETS:
        (planted / name).write_text("alert('planted')", encoding="utf-8")
    (planted / ".komplett").touch()
    folder = maps.asset_dir()
    assert folder != planted
    assert "planted" not in (folder / "leaflet.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("tamper", ["world_writable", "other_owner", "symlink", "missing"])
def test_a_tampered_folder_is_replaced(fresh, tamper):
    folder = maps.asset_dir()
    if tamper == "world_writable":
        folder.chmod(0o777)
    elif tamper == "other_owner":
        if os.getuid() != 0:
            pytest.skip("only root can give a folder to another user")
        os.chown(folder, 65534, 65534)
    elif tamper == "symlink":
        evil = fresh / "evil.js"
        evil.write_text("alert('planted')", encoding="utf-8")
        (folder / "leaflet.js").unlink()
        (folder / "leaflet.js").symlink_to(evil)
    else:
        (folder / "leaflet.js").unlink()  # a cleaned-up /tmp while the server runs
    assert not maps.trusted(folder, maps.ASSETS)
    replaced = maps.asset_dir()
    assert replaced != folder and maps.trusted(replaced, maps.ASSETS)
    assert "Leaflet 1.9" in (replaced / "leaflet.js").read_text(encoding="utf-8")


def test_trusted_refuses_group_writable_files(fresh):
    folder = maps.asset_dir()
    (folder / "leaflet.css").chmod(0o620)
    assert not maps.trusted(folder, maps.ASSETS)


# --- Background tiles: off by default, from the configured server, honoured in links -------


def map_json(app, query: dict | None = None, secrets: dict | None = None) -> str:
    """What the map page hands st_folium (everything the browser's map receives)."""
    at = app
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.switch_page("pages/karta.py").run()
    assert not at.exception
    (component,) = list(at.get("component_instance"))
    return component.proto.json_args


@pytest.fixture
def app(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("TRYGGHET_DB", str(tmp_path / "app.db"))
    monkeypatch.delenv("TRYGGHET_TILES_URL", raising=False)
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)


OSM = "tile.openstreetmap.org"
OWN = "https://kartor.example.se/{z}/{x}/{y}.png"


def test_no_background_tiles_unless_asked_for(app):
    assert OSM not in map_json(app)


@pytest.mark.parametrize("word", ["osm", "på", "OpenStreetMap"])
def test_a_link_turns_the_background_on(app, word):
    assert OSM in map_json(app, {"bakgrund": word})


def test_a_configured_tile_server_replaces_openstreetmap(app):
    secrets = {"map": {"tiles_url": OWN, "tiles_attribution": "Kommunens karta"}}
    shown = map_json(app, {"bakgrund": "på"}, secrets)
    assert "kartor.example.se" in shown and "Kommunens karta" in shown and OSM not in shown


def test_no_tile_server_at_all(app):
    shown = map_json(app, {"bakgrund": "osm"}, {"map": {"tiles_url": ""}})
    assert OSM not in shown and "tileLayer" not in shown
