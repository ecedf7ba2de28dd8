"""The hotspot map as a folium map: the grid (counts, or hot and cold classes), a heat map
from the binned counts, the context layers and, for a signed-in analyst only, clustered points.

Three rules hold for everything here:

* privacy: a cell below the threshold carries no count, only "färre än 3"; the heat map has
  no such cells at all; points exist only when the caller passes them (analysts);
* escaping: every string from data is HTML-escaped, then embedded as JSON with ``<``, ``>``
  and ``&`` written as ``\\u003c`` etc., so it can close neither an attribute nor the script;
* offline: no CDN. Leaflet and its plugins are written from the installed ``folium-offline``
  package (which embeds them) into a directory the dashboard serves itself; the map links
  them from ``asset_base``. Only map tiles come from outside, and they are optional.

The data are sent compactly (one short array per cell, labels deduplicated) and drawn by a
small script, so the payload follows the number of cells, not the number of incidents.
"""

from __future__ import annotations

import atexit
import html
import json
import math
import os
import re
import shutil
import stat
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from lib.config import Municipality
from lib.figures import hotspots
from lib.i18n import fmt_int, fmt_signed, t
from lib.public.disclosure import Disclosure, is_suppressed

# Local file name -> the URL folium links it from, which is also the key under which
# folium-offline keeps its embedded copy.
ASSETS = {
    "leaflet.js": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    "leaflet.css": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
    "leaflet-heat.js": (
        "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/"
        "leaflet_heat.min.js"
    ),
    "markercluster.js": (
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
        "leaflet.markercluster.js"
    ),
    "MarkerCluster.css": (
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css"
    ),
    "MarkerCluster.Default.css": (
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
        "MarkerCluster.Default.css"
    ),
}

# Sequential counts (light to dark, colour-blind safe) and ArcGIS's hot/cold colours.
COUNT_COLOURS = ("#FEE391", "#FEC44F", "#FE9929", "#EC7014", "#993404")
SUPPRESSED_COLOUR = "#BDBDBD"
GI_COLOURS = {
    3: "#D62F27",
    2: "#ED7551",
    1: "#FAB984",
    -1: "#B5C9DF",
    -2: "#7B9FCF",
    -3: "#4575B5",
}
# A hot cell holding fewer than FEW_EVENTS events itself, or a cold one where fewer than that
# were expected, is drawn and named in a class of its own, with no confidence level: "99 %
# konfidens" beside a cell of four events reads as a certainty about those four, while the
# test was about the cell's neighbourhood. The BRIEF's rule for rates: fewer than 20 events
# is unreliable.
FEW_EVENTS = 20
FEW_HOT, FEW_COLD = 4, -4
FEW_COLOURS = {FEW_HOT: "#F6D5C8", FEW_COLD: "#DCE5F0"}
HOTSPOT_ORDER = (3, 2, 1, FEW_HOT, FEW_COLD, -1, -2, -3)
VIEWS = ("grid", "hotspots", "heat")
MAX_POINTS = 5000  # analysts' clustered points: the latest ones, so the page stays usable


# --- Offline assets ----------------------------------------------------------------------------


_assets: Path | None = None
_assets_lock = threading.Lock()


def asset_dir() -> Path:
    """A directory with Leaflet and the plugins as files, written from the installed
    folium-offline package (outside the repository: nothing is copied into it). The map's
    pages run its scripts same-origin, so nobody else may be able to write there: the
    directory is made by ``tempfile.mkdtemp`` (a random name, mode 0700, so no other user
    can have made it first) once per process, and checked (``trusted``) on every call; a
    directory that went missing, changed hands or became writable to others is replaced by
    a new one. Removed when the process ends."""
    global _assets
    with _assets_lock:
        if _assets is not None and trusted(_assets, ASSETS):
            return _assets
        target = Path(tempfile.mkdtemp(prefix="trygghet-kartfiler-"))
        for name, url in ASSETS.items():
            descriptor = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
                fh.write(embedded_asset(url).strip() + "\n")
        atexit.register(shutil.rmtree, target, True)
        _assets = target
        return target


def trusted(folder: Path, names=()) -> bool:
    """The folder and each named file in it exist, are no symbolic links, belong to this
    process's user and are writable by nobody else."""
    uid = os.getuid()
    for path, kind in [(folder, stat.S_ISDIR), *((folder / n, stat.S_ISREG) for n in names)]:
        try:
            info = os.lstat(path)
        except OSError:
            return False
        if not kind(info.st_mode) or info.st_uid != uid or info.st_mode & 0o022:
            return False
    return bool(stat.S_IMODE(os.lstat(folder).st_mode) & 0o077 == 0)


def embedded_asset(url: str) -> str:
    """folium-offline's embedded copy of ``url``, through its public rendering: a
    ``JSCSSMixin`` element in a branca ``Figure`` writes each linked file inline, as
    ``<script>``/``<style>``. tests/test_map_assets.py fails when the package changes."""
    from branca.element import Figure
    from offlinefolium.elements import JSCSSMixin

    is_css = url.endswith(".css")
    element = JSCSSMixin()
    element.default_js = [] if is_css else [("asset", url)]
    element.default_css = [("asset", url)] if is_css else []
    figure = Figure()
    figure.add_child(element)
    try:
        html = figure.render()
    except KeyError as exc:
        raise LookupError(f"folium-offline embeds no {url}") from exc
    opening, closing = ("<style>", "</style>") if is_css else ("<script>", "</script>")
    start = html.index(opening) + len(opening)
    return html[start : html.index(closing, start)]


def asset_bytes(names=tuple(ASSETS)) -> int:
    """The constant library code a browser loads for the map (cached after the first time)."""
    return sum((asset_dir() / name).stat().st_size for name in names)


# --- Escaping ----------------------------------------------------------------------------------


def text(value: object) -> str:
    """A data string made safe for innerHTML (Leaflet tooltips and popups)."""
    return html.escape("" if value is None or value is pd.NA else str(value), quote=True)


def script_json(value: object) -> str:
    """JSON that cannot end the <script> element it sits in, nor open a tag."""
    raw = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- Map data ----------------------------------------------------------------------------------


@dataclass
class MapData:
    """Everything the map script draws; built from counts by ``map_data``."""

    view: str
    # One short array per cell: [south-west corner's lat and lon in 1e-5 degrees from
    # ``origin``, style index, place index]; a style is [class, count text].
    cells: list = field(default_factory=list)
    origin: list = field(default_factory=list)
    styles: list = field(default_factory=list)  # [class, "färre än 3" or "12 händelser"]
    places: list = field(default_factory=list)  # nearest locality names
    colours: dict = field(default_factory=dict)  # class -> colour
    legend: list = field(default_factory=list)  # [colour, text]
    legend_title: str = ""
    heat: list = field(default_factory=list)  # [lat, lon, weight], cells at/above threshold
    step: list = field(default_factory=list)  # lat/lon change for one cell east and north
    bounds: list = field(default_factory=list)
    outline: list = field(default_factory=list)
    outline_label: str = ""
    localities: list = field(default_factory=list)  # [lat, lon, name]
    cameras: list = field(default_factory=list)  # [lat, lon, radius, label]
    points: list = field(default_factory=list)  # [lat, lon, popup] (analysts only)
    # Incidents without a place on the map, per locality: [lat, lon, radius, label, hidden].
    off_map: list = field(default_factory=list)
    off_map_legend: str = ""
    legend_toggle: str = field(default_factory=lambda: text(t("map.legend_toggle")))

    def as_json(self) -> str:
        return script_json(self.__dict__)


def count_label(n: int, threshold: int) -> str:
    if is_suppressed(n, threshold):
        return t("suppressed", threshold=threshold)
    return t("map.count_label", count=fmt_int(n))


def count_breaks(counts: np.ndarray, threshold: int, classes: int = len(COUNT_COLOURS)) -> list:
    """Upper limits of the count classes above the threshold: quantiles of the shown counts,
    made distinct, so each colour holds about as many cells."""
    shown = counts[counts >= threshold]
    if len(shown) == 0:
        return []
    qs = np.quantile(shown, np.linspace(0, 1, classes + 1)[1:], method="higher")
    return sorted({int(q) for q in qs})


def _grid_classes(n: np.ndarray, threshold: int) -> tuple[np.ndarray, dict, list]:
    breaks = count_breaks(n, threshold)
    classes = np.where(n < threshold, 0, np.searchsorted(breaks, n, side="left") + 1)
    colours = {0: SUPPRESSED_COLOUR}
    # The grey class is listed only when a cell is drawn in it (never in the public view,
    # which leaves such cells out; never for an analyst, who sees every count).
    legend = []
    if (classes == 0).any():
        legend.append([SUPPRESSED_COLOUR, t("suppressed", threshold=threshold)])
    lower = threshold
    for k, upper in enumerate(breaks, start=1):
        colour = COUNT_COLOURS[min(k - 1, len(COUNT_COLOURS) - 1)]
        colours[k] = colour
        span = fmt_int(lower) if lower == upper else f"{fmt_int(lower)}–{fmt_int(upper)}"
        legend.append([colour, span])
        lower = upper + 1
    return classes, colours, legend


def _styles_and_places(frame: pd.DataFrame, classes, cell: int, muni: Municipality, threshold):
    """Each cell's style (class and count text) and nearest locality, as indexes into short
    deduplicated lists: most cells share both."""
    keys = [
        (int(c), count_label(int(v), threshold)) for c, v in zip(classes, frame["n"], strict=True)
    ]
    styles = list(dict.fromkeys(keys))
    style_index = {v: i for i, v in enumerate(styles)}
    names = [p[0] for p in hotspots.place_names(frame["ix"], frame["iy"], cell, muni)]
    places = list(dict.fromkeys(names))
    place_index = {v: i for i, v in enumerate(places)}
    return (
        [style_index[k] for k in keys],
        [[c, text(label)] for c, label in styles],
        [place_index[v] for v in names],
        [text(v) for v in places],
    )


def _records(frame: pd.DataFrame, cell: int, origin: list, styles, places) -> list:
    lat, lon = hotspots.unproject(frame["ix"].to_numpy(float) * cell, frame["iy"] * cell)
    dlat = np.round((lat - origin[0]) * 1e5).astype(int)
    dlon = np.round((lon - origin[1]) * 1e5).astype(int)
    return [
        [int(a), int(b), int(c), int(d)]
        for a, b, c, d in zip(dlat, dlon, styles, places, strict=True)
    ]


def _step(frame: pd.DataFrame, cell: int) -> list:
    """Degrees per cell east and north at the middle of the data: the script draws each cell
    from its exact south-west corner with this step (off by far less than a metre)."""
    ix = float(frame["ix"].median()) if len(frame) else 0.0
    iy = float(frame["iy"].median()) if len(frame) else 0.0
    xs = [ix * cell, (ix + 1) * cell, ix * cell]
    lat, lon = hotspots.unproject(xs, [iy * cell, iy * cell, (iy + 1) * cell])
    return [
        round(float(lat[1] - lat[0]), 7),
        round(float(lon[1] - lon[0]), 7),
        round(float(lat[2] - lat[0]), 7),
        round(float(lon[2] - lon[0]), 7),
    ]


def map_data(
    counts: pd.DataFrame,
    cell: int,
    muni: Municipality,
    view: str = "grid",
    result: hotspots.HotspotResult | None = None,
    cameras: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None,
    area: str = "",
    threshold: int | None = None,
    localities: pd.DataFrame | None = None,
    result_cell: int | None = None,
) -> MapData:
    """What the map shows for the counts per cell (``lib.figures.hotspots.grid_counts``); the map
    opens on the locality ``area`` or, when that is empty, on all cells shown. The hotspot
    view falls back to counts when there were too few incidents to test. ``threshold``: the
    smallest count shown as a number (the municipality's privacy threshold by default; 1 for
    a signed-in analyst, who sees every count). ``result_cell``: the size of the hot/cold
    result's cells when a baseline was tested on coarser squares than the map's (the
    population grid's 1 km)."""
    threshold = muni.privacy_threshold if threshold is None else threshold
    data = MapData(view=view, step=_step(counts, cell))
    b = muni.bbox
    data.origin = [float(np.floor(b["lat_min"] * 10) / 10), float(np.floor(b["lon_min"] * 10) / 10)]
    locality = muni.locality(area) if area else None
    data.bounds = _around(locality) if locality else _bounds(counts, cell, muni, threshold)
    if view == "hotspots" and result is not None and result.enough:
        size = result_cell or cell  # a baseline tested on coarser squares is drawn on them
        data.step = _step(result.cells, size)
        _hotspot_layer(data, result, size, muni, threshold)
    elif view in ("grid", "hotspots"):
        _count_layer(data, counts, cell, muni, threshold)
    elif view == "heat":
        _heat_layer(data, counts, cell, threshold)
    _context_layers(data, muni, cameras)
    if localities is not None and len(localities):
        _off_map_layer(data, localities, muni)
        if not data.cells and not data.heat:  # nothing in cells: the legend is the places'
            data.legend, data.legend_title = [], text(t("map.off_map_heading"))
    if points is not None:
        data.points = point_records(points)
    return data


def _shown_number(value: object) -> int | None:
    """A count as the public table shows it, or None where it is hidden."""
    shown = str(value)
    digits = re.sub(r"\D", "", shown)
    return int(digits) if digits and not re.search(r"färre|dold", shown) else None


def _off_map_layer(data: MapData, rows: pd.DataFrame, muni: Municipality) -> None:
    """A circle per locality for the incidents the map cannot place (the rows of
    ``views.off_map_rows``, already through the public layer): its area follows the shown
    count; a hidden count gets the smallest circle, grey, so its size tells nothing."""
    name, count, verdict = t("col.locality"), t("col.total_period"), t("col.verdict")
    for r in rows.to_dict("records"):
        place = muni.locality(str(r[name]))
        if place is None:
            continue
        n = _shown_number(r[count])
        if n == 0:  # listed in the table (a fixed list of localities), but nothing to draw
            continue
        radius = 7 if n is None else min(9 + 3 * math.sqrt(n), 45)
        label = t("map.off_map_label", locality=r[name], count=r[count], verdict=r[verdict])
        data.off_map.append([place.lat, place.lon, round(radius, 1), text(label), n is None])
    data.off_map_legend = text(t("map.off_map_legend"))


def shown_bins(cells: pd.DataFrame) -> np.ndarray:
    """The class each cell of a hotspot result (columns bin, n, expected) is drawn and named
    in: its hot/cold class, or FEW_HOT where a hot cell holds fewer than FEW_EVENTS events,
    FEW_COLD where fewer than that were expected in a cold cell's window. The statistics are
    the test's (``hotspots.hotspots``); only the words and the colour change."""
    bins = cells["bin"].to_numpy().astype(int)
    few_hot = (bins > 0) & (cells["n"].to_numpy(float) < FEW_EVENTS)
    few_cold = (bins < 0) & (cells["expected"].to_numpy(float) < FEW_EVENTS)
    return np.where(few_hot, FEW_HOT, np.where(few_cold, FEW_COLD, bins))


def _hotspot_layer(
    data: MapData, result: hotspots.HotspotResult, cell: int, muni, threshold: int
) -> None:
    sig = result.significant()
    classes = shown_bins(sig)
    style_idx, data.styles, place_idx, data.places = _styles_and_places(
        sig, classes, cell, muni, threshold
    )
    data.cells = _records(sig, cell, data.origin, style_idx, place_idx)
    colours = {**GI_COLOURS, **FEW_COLOURS}
    data.colours = {int(k): v for k, v in colours.items()}
    present = set(classes.tolist()) or set(GI_COLOURS)  # no cell: the scale it would use
    data.legend = [[colours[k], bin_text(k)] for k in HOTSPOT_ORDER if k in present]
    # Named by what hot and cold are measured against (``lib.figures.baselines``).
    baseline = getattr(result, "baseline", None)
    data.legend_title = t(f"map.legend_baseline_{baseline}" if baseline else "map.legend_hotspots")


def _count_layer(data: MapData, counts: pd.DataFrame, cell: int, muni, threshold: int) -> None:
    classes, data.colours, data.legend = _grid_classes(counts["n"].to_numpy(), threshold)
    style_idx, data.styles, place_idx, data.places = _styles_and_places(
        counts, classes, cell, muni, threshold
    )
    data.cells = _records(counts, cell, data.origin, style_idx, place_idx)
    data.legend_title = t("map.legend_counts", cell=fmt_int(cell))


def _heat_layer(data: MapData, counts: pd.DataFrame, cell: int, threshold: int) -> None:
    """Cell centres weighted by their counts: as many points as cells, and none for a cell
    below the threshold (a faint blob would still say "someone, here")."""
    shown = counts[counts["n"] >= threshold]
    lat, lon = hotspots.cell_centres(shown["ix"], shown["iy"], cell)
    data.heat = [
        [round(float(a), 5), round(float(b), 5), int(w)]
        for a, b, w in zip(lat, lon, shown["n"], strict=True)
    ]
    data.legend_title = t("map.legend_where", threshold=threshold)  # density, never "het"


def _context_layers(data: MapData, muni: Municipality, cameras: pd.DataFrame | None) -> None:
    data.outline = [[round(a, 5), round(b, 5)] for a, b in muni_outline(muni)]
    label = {"file": "map.outline_label_exact", "shipped": "map.outline_label_shipped"}
    data.outline_label = text(t(label.get(hotspots.outline_source(muni), "map.outline_label")))
    data.localities = [[loc.lat, loc.lon, text(loc.name)] for loc in muni.localities]
    if cameras is not None:
        data.cameras = [
            [
                float(c.lat),
                float(c.lon),
                float(c.radius_m or 200),
                text(t("map.camera_label", name=c.name, radius=fmt_int(c.radius_m or 200))),
            ]
            for c in cameras.itertuples()
        ]


def point_records(points: pd.DataFrame, limit: int = MAX_POINTS) -> list:
    """Analysts' points with escaped popups: the latest ``limit`` incidents."""
    latest = points.nlargest(limit, "occurred_at") if len(points) > limit else points
    return [
        [
            round(float(p.lat), 5),
            round(float(p.lon), 5),
            "<b>"
            + text(p.category)
            + "</b><br>"
            + text(p.occurred_at.strftime("%Y-%m-%d %H:%M"))
            + ("<br>" + text(p.description) if isinstance(p.description, str) else ""),
        ]
        for p in latest.itertuples()
    ]


def _bounds(counts: pd.DataFrame, cell: int, muni: Municipality, threshold: int) -> list:
    """The cells that are shown with a count (else all cells, else the municipality's
    outline as the map draws it: the configured box can be smaller than the shipped outline,
    which then ran off the map)."""
    shown = counts[counts["n"] >= threshold]
    counts = shown if len(shown) else counts
    if len(counts):
        lat, lon = hotspots.unproject(
            [counts["ix"].min() * cell, (counts["ix"].max() + 1) * cell],
            [counts["iy"].min() * cell, (counts["iy"].max() + 1) * cell],
        )
        return [[float(lat[0]), float(lon[0])], [float(lat[1]), float(lon[1])]]
    lats, lons = zip(*muni_outline(muni), strict=True)
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _around(locality, half_km: float = 2.0) -> list:
    """A box of about 4 km around a locality's centre: a town at a glance."""
    dlat = half_km / 111.32
    dlon = dlat / np.cos(np.radians(locality.lat))
    return [[locality.lat - dlat, locality.lon - dlon], [locality.lat + dlat, locality.lon + dlon]]


def muni_outline(muni: Municipality) -> list[tuple[float, float]]:
    """The municipality's outline, the one the hotspot test's study region is cut from
    (``lib.figures.hotspots.outline_latlon``)."""
    return hotspots.outline_latlon(muni)


# --- The folium map ----------------------------------------------------------------------------

# Locality names are permanent tooltips; at a municipality's zoom on a phone, neighbouring
# towns' names lie over each other. After every zoom or move each name, in the order the
# localities are listed (the largest first), takes the first side of its dot (right, left,
# above, below) where it covers no name placed before it, no other place's dot and no map
# control (legend, scale, zoom buttons), inside the map; a name with no such side is hidden
# until the map is zoomed in.
DECLUTTER_JS = """
function trygghetDeclutter(map) {
  if (!document.getElementById("trygghet-label-style")) {
    var style = document.createElement("style");
    style.id = "trygghet-label-style";  // names small enough for several towns on a phone
    style.textContent = ".trygghet-label{font-size:12px;line-height:1.2;padding:2px 5px}";
    document.head.appendChild(style);
  }
  var overlaps = function (a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  };
  var run = function () {
    var box = map.getContainer().getBoundingClientRect();
    if (!box.width || !box.height) return;  // not laid out yet: the observer runs it again
    var taken = [];
    map.getContainer().querySelectorAll(".leaflet-control").forEach(function (c) {
      taken.push({owner: null, box: c.getBoundingClientRect()});
    });
    var named = [];
    map.eachLayer(function (layer) {
      var tip = layer.getTooltip && layer.getTooltip();
      if (tip && tip.options.permanent && tip.getElement && tip.getElement()) {
        named.push([layer, tip]);
        var dot = layer.getElement && layer.getElement();
        if (dot) taken.push({owner: layer, box: dot.getBoundingClientRect()});
      }
    });
    named.forEach(function (pair) {
      var layer = pair[0], tip = pair[1], el = tip.getElement();
      var placed = ["right", "left", "top", "bottom"].some(function (side) {
        tip.options.direction = side;
        tip.update();
        var r = el.getBoundingClientRect();
        if (r.left < box.left || r.right > box.right || r.top < box.top ||
            r.bottom > box.bottom) return false;
        if (taken.some(function (t) { return t.owner !== layer && overlaps(r, t.box); }))
          return false;
        taken.push({owner: layer, box: r});
        return true;
      });
      if (!placed) {
        tip.options.direction = "right";
        tip.update();
      }
      el.style.visibility = placed ? "" : "hidden";
      el.classList.toggle("trygghet-label-hidden", !placed);
    });
  };
  map.on("zoomend moveend resize", run);
  if (window.ResizeObserver) new ResizeObserver(run).observe(map.getContainer());
  map.whenReady(function () { setTimeout(run, 0); });
}
"""


class Declutter(MacroElement):
    """Keeps the map's permanent names apart (``DECLUTTER_JS``); added after every layer
    and control, so it sees them all."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        + DECLUTTER_JS
        + "trygghetDeclutter({{ this._parent.get_name() }});"
        + "{% endmacro %}"
    )

    def __init__(self):
        super().__init__()
        self._name = "Declutter"


class DataLayers(MacroElement):
    """Draws MapData onto its parent map. One element, one JSON literal, no per-cell folium
    objects: a folium Polygon per cell would put ~1 kB of script per cell on the wire."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
"""
        + DECLUTTER_JS
        + """
(function () {
  var map = {{ this._parent.get_name() }};
  var d = {{ this.data }};
  var outline = L.polygon(d.outline, {color: "#333333", weight: 2, fill: false,
    dashArray: "6 4", interactive: true, className: "trygghet-outline"});
  outline.bindTooltip(d.outline_label, {sticky: true});
  outline.addTo(map);
  var cells = L.featureGroup([], {className: "trygghet-grid"});
  d.cells.forEach(function (c) {
    var sw = [d.origin[0] + c[0] / 1e5, d.origin[1] + c[1] / 1e5], s = d.step;
    var style = d.styles[c[2]];
    var corners = [sw, [sw[0] + s[0], sw[1] + s[1]],
      [sw[0] + s[0] + s[2], sw[1] + s[1] + s[3]], [sw[0] + s[2], sw[1] + s[3]]];
    L.polygon(corners, {color: "#555555", weight: 0.4, fillColor: d.colours[style[0]],
      fillOpacity: 0.75, className: "trygghet-cell"})
      .bindTooltip(style[1] + "<br>" + d.places[c[3]], {sticky: true})
      .addTo(cells);
  });
  cells.addTo(map);
  if (d.heat.length && L.heatLayer) {
    var max = Math.max.apply(null, d.heat.map(function (h) { return h[2]; }));
    L.heatLayer(d.heat, {radius: 22, blur: 18, max: max, minOpacity: 0.3}).addTo(map);
  }
  d.cameras.forEach(function (c) {
    L.circle([c[0], c[1]], {radius: c[2], color: "#0072B2", weight: 2, fillOpacity: 0.05,
      className: "trygghet-camera"}).bindTooltip(c[3]).addTo(map);
  });
  d.localities.forEach(function (p) {
    L.circleMarker([p[0], p[1]], {radius: 4, color: "#000000", weight: 1, fillColor: "#FFFFFF",
      fillOpacity: 1, className: "trygghet-locality"})
      .bindTooltip(p[2], {permanent: true, direction: "right", className: "trygghet-label"})
      .addTo(map);
  });
  d.off_map.forEach(function (p) {
    L.circleMarker([p[0], p[1]], {radius: p[2], color: p[4] ? "#757575" : "#5E3C99",
      weight: 2, fillColor: p[4] ? "#BDBDBD" : "#B2ABD2", fillOpacity: 0.55,
      className: "trygghet-off-map"}).bindTooltip(p[3], {sticky: true}).addTo(map);
  });
  if (d.points.length && L.markerClusterGroup) {
    var cluster = L.markerClusterGroup({chunkedLoading: true});
    d.points.forEach(function (p) {
      cluster.addLayer(L.circleMarker([p[0], p[1]], {radius: 5, color: "#000000",
        weight: 1, fillColor: "#56B4E9", fillOpacity: 0.9}).bindPopup(p[2]));
    });
    cluster.addTo(map);
  }
  // The legend opens by its title; on a narrow map (a phone) it starts closed, one line
  // instead of a third of the map.
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "trygghet-legend");
    div.style.cssText = "background:rgba(255,255,255,0.92);padding:6px 8px;font:13px/1.4 " +
      "'Source Sans Pro',Arial,sans-serif;border-radius:4px;box-shadow:0 1px 4px #0004;" +
      "max-width:60vw";
    var html = "";
    d.legend.forEach(function (l) {
      html += "<span style='display:inline-block;width:12px;height:12px;margin-right:6px;" +
        "vertical-align:middle;background:" + l[0] + "'></span>" + l[1] + "<br>";
    });
    if (d.off_map.length) {
      html += "<span style='display:inline-block;width:12px;height:12px;margin-right:6px;" +
        "vertical-align:middle;border-radius:50%;border:2px solid #5E3C99;background:#B2ABD2'>" +
        "</span>" + d.off_map_legend;
    }
    div.innerHTML = "<button type='button' class='trygghet-legend-toggle' title='" +
      d.legend_toggle + "' style='all:unset;cursor:pointer;font-weight:700;display:block'>" +
      "</button><div class='trygghet-legend-body'>" + html + "</div>";
    var button = div.firstChild, body = div.lastChild;
    var show = function (open) {
      body.style.display = open ? "" : "none";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.innerHTML = (open ? "\u25be " : "\u25b8 ") + d.legend_title;
    };
    show(map.getSize().x >= 560);
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.on(button, "click", function () { show(body.style.display === "none"); });
    return div;
  };
  legend.addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  map.fitBounds(d.bounds);
  trygghetDeclutter(map);
})();
{% endmacro %}
"""
    )

    def __init__(self, data: MapData):
        super().__init__()
        self._name = "DataLayers"
        self.data = data.as_json()


def build_map(
    data: MapData, asset_base: str, tiles: bool | tuple[str, str] = True, height: int = 560
) -> folium.Map:
    """The folium map for ``data``, linking Leaflet (and only the plugins in use) from
    ``asset_base`` instead of folium's CDN defaults. ``tiles``: False for no background
    map, True for OpenStreetMap's, or a tile server's (URL template, attribution)."""
    centre = [
        (data.bounds[0][0] + data.bounds[1][0]) / 2,
        (data.bounds[0][1] + data.bounds[1][1]) / 2,
    ]
    m = folium.Map(location=centre, zoom_start=12, tiles=None, height=height)
    js, css = ["leaflet.js"], ["leaflet.css"]
    if data.heat:
        js.append("leaflet-heat.js")
    if data.points:
        js.append("markercluster.js")
        css += ["MarkerCluster.css", "MarkerCluster.Default.css"]
    # Instance attributes: folium's class defaults (jQuery, Bootstrap, Font Awesome from
    # CDNs) are left untouched for anyone else, and none of them is needed here.
    m.default_js = [(name, asset_base + name) for name in js]
    m.default_css = [(name, asset_base + name) for name in css]
    if isinstance(tiles, tuple):
        folium.TileLayer(tiles[0], attr=tiles[1], name="bakgrund").add_to(m)
    elif tiles:
        folium.TileLayer(
            "OpenStreetMap", attr=t("map.tiles_attribution"), name="OpenStreetMap"
        ).add_to(m)
    DataLayers(data).add_to(m)
    return m


def map_html(m: folium.Map) -> str:
    """The map as a standalone HTML document (what the payload benchmark measures)."""
    return m.get_root().render()


# --- Tables as shown (and downloaded) ----------------------------------------------------------


def place_text(locality: str, distance_m: int, direction: str) -> str:
    if distance_m < 100:
        return t("map.place_centre", locality=locality)
    return t("map.place", locality=locality, distance=fmt_int(distance_m), direction=direction)


def bin_text(level: int) -> str:
    """The hot/cold class in words ("het, 95 % konfidens"; FEW_HOT: "het, men få händelser
    i rutan (färre än 20)")."""
    return t(f"map.bin_{level}".replace("-", "minus"), few=FEW_EVENTS)


def top_places_view(
    table: pd.DataFrame, cell: int, d: Disclosure, cells: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The top places for people and downloads: counts below the threshold as "färre än 3",
    and no change or verdict where either count is hidden (they would give it away). With
    the hotspot result's ``cells``, a class resting on few events is named as on the map
    (``shown_bins``)."""
    hidden = table["n"].map(d.hidden) | table["previous"].map(d.hidden)
    bins = table["bin"].to_numpy().astype(int)
    if cells is not None and len(table):
        basis = table[["ix", "iy", "n"]].merge(
            cells[["ix", "iy", "expected"]], on=["ix", "iy"], how="left"
        )
        basis["bin"] = bins
        bins = shown_bins(basis.fillna({"expected": FEW_EVENTS}))
    change = ["–" if h else fmt_signed(c) for c, h in zip(table["change"], hidden, strict=True)]
    return pd.DataFrame(
        {
            t("col.place"): [
                place_text(*row)
                for row in table[["place", "distance_m", "direction"]].itertuples(index=False)
            ],
            t("col.cell"): [
                hotspots.cell_id(a, b, cell) for a, b in table[["ix", "iy"]].to_numpy()
            ],
            t("col.current"): [d.text(int(v)) for v in table["n"]],
            t("col.previous"): [d.text(int(v)) for v in table["previous"]],
            t("col.change"): change,
            t("col.verdict"): [
                t("verdict.too_few") if h else t(f"verdict.{v}")
                for v, h in zip(table["verdict"], hidden, strict=True)
            ],
            t("col.hotspot"): [bin_text(int(b)) for b in bins],
        }
    )
