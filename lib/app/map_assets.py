"""What the map's iframe needs: the configured background tiles and the Leaflet files the
dashboard serves itself (so the map draws without internet).
"""

from __future__ import annotations

from lib.app.state import secrets
from lib.i18n import t

# --- Map assets ---------------------------------------------------------------------------------

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def _tiles_setting() -> tuple[dict, str | None]:
    """The ``[map]`` section of the secrets and its ``tiles_url`` (else TRYGGHET_TILES_URL;
    None when neither is set, "" when the operator turned backgrounds off)."""
    import os

    section = secrets().get("map", {})
    return section, section.get("tiles_url", os.environ.get("TRYGGHET_TILES_URL"))


def _described(url: str, section: dict) -> tuple[str, str, str]:
    if url == OSM_TILES:
        return url, t("map.tiles_attribution"), "OpenStreetMap"
    host = url.split("//", 1)[-1].split("/", 1)[0] or url
    return url, str(section.get("tiles_attribution", host)), str(section.get("tiles_name", host))


def map_tiles() -> tuple[str, str, str] | None:
    """The background tile server a viewer may switch on: (URL template, attribution,
    name) from ``[map] tiles_url``, ``tiles_attribution`` and ``tiles_name`` in the secrets
    or TRYGGHET_TILES_URL; OpenStreetMap's public server otherwise. None when
    ``tiles_url = ""``: then the map has no background at all. Off until a viewer asks."""
    section, url = _tiles_setting()
    url = OSM_TILES if url is None else url
    return _described(url, section) if url else None


def configured_tiles() -> tuple[str, str, str] | None:
    """The background map this deployment chose itself (``[map] tiles_url`` or
    TRYGGHET_TILES_URL, e.g. Lantmäteriet's topographic map): the reporting page shows it
    from the start. None when none is configured (OpenStreetMap's public server is then
    only offered) or backgrounds are off."""
    section, url = _tiles_setting()
    return _described(url, section) if url else None


def map_asset_base() -> str:
    """Where the map's iframe finds Leaflet and its plugins: a directory written from the
    installed folium-offline package (lib.public.maps.asset_dir), registered as a component's static
    path, because Streamlit serves a component's files at /component/<name>/ with their proper
    content types. The map's iframe is itself a component (/component/streamlit_folium...),
    hence the relative path; it works under any base URL and without internet. Called on
    every run (a few file checks): should the temporary directory be cleaned away while the
    server runs, the files are written again."""
    from streamlit.components.v1 import declare_component

    from lib.public.maps import asset_dir

    assets = declare_component("kartfiler", path=str(asset_dir()))
    return f"../{assets.name}/"
