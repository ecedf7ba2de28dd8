"""The reporting form's map: the municipality's outline, its localities' names, a scale, the
named places and the reporter's own pin, all drawn without a background map (a reporter
must see where to tap even where no tile server is configured or reachable). Only the
signed-in reporter sees it (it shows no one else's reports).

Leaflet comes from the dashboard's own files (``map_assets.map_asset_base``), as on the map
page; the pin is a circle, not Leaflet's default marker image (fetched from a CDN
otherwise). Names from the configuration go into tooltips escaped (``maps.text``), and are
kept apart as on the map page (``maps.Declutter``).
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template

from lib.config import Municipality
from lib.public import maps

# The pin's colour and the word the help text uses for it (``report.map_help``): Okabe-Ito's
# vermillion, which reads as orange. A test holds the two together.
PIN_COLOUR = "#D55E00"
PIN_COLOUR_WORD = "orange"


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (folium's own adds miles)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


def pin_map(
    muni: Municipality,
    asset_base: str,
    pin: tuple[float, float] | None = None,
    tiles: tuple[str, str, str] | None = None,
    height: int = 320,
) -> folium.Map:
    b = muni.bbox
    middle = ((b["lat_min"] + b["lat_max"]) / 2, (b["lon_min"] + b["lon_max"]) / 2)
    centre = pin or muni.centre or middle
    m = folium.Map(
        location=list(centre),
        zoom_start=14 if pin else 11,
        tiles=None,
        height=height,
        zoom_snap=0.25,  # the whole municipality as large as the frame allows
    )
    m.default_js = [("leaflet.js", asset_base + "leaflet.js")]
    m.default_css = [("leaflet.css", asset_base + "leaflet.css")]
    if tiles is not None:
        folium.TileLayer(tiles[0], attr=tiles[1], name=tiles[2]).add_to(m)
    outline = maps.muni_outline(muni)
    if outline:
        folium.PolyLine(
            [*outline, outline[0]],
            color="#333333",
            weight=2,
            dash_array="6 4",
            class_name="trygghet-outline",
        ).add_to(m)
    for loc in muni.localities:
        folium.CircleMarker(
            [loc.lat, loc.lon],
            radius=4,
            color="#000000",
            weight=1,
            fill=True,
            fill_color="#FFFFFF",
            fill_opacity=1,
            tooltip=folium.Tooltip(
                maps.text(loc.name),
                permanent=True,
                direction="right",
                class_name="trygghet-label",
            ),
        ).add_to(m)
    for place in muni.report_places:
        folium.CircleMarker(
            [place.lat, place.lon],
            radius=4,
            color="#0072B2",
            weight=2,
            fill=True,
            fill_opacity=0.6,
            tooltip=folium.Tooltip(maps.text(place.name)),
        ).add_to(m)
    if pin is not None:
        folium.CircleMarker(
            list(pin), radius=12, color=PIN_COLOUR, weight=4, fill=True, fill_opacity=0.3
        ).add_to(m)
    if pin is None:  # the whole outline (the configured box may cut its corners)
        points = [*outline, *((loc.lat, loc.lon) for loc in muni.localities)]
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        if not points:
            lats, lons = [b["lat_min"], b["lat_max"]], [b["lon_min"], b["lon_max"]]
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(12, 12))
    MetricScale().add_to(m)
    maps.Declutter().add_to(m)
    return m
