"""Map: where incidents concentrate, whether that is more than chance, and what happened near
the cameras, without ever showing where one person was a victim.

The map goes through ``st_folium`` (``returned_objects=[]``, so panning and zooming never
rerun the script). st_folium loads a map's libraries from the links folium puts in the map
and drops inline scripts, so a map with the libraries embedded (folium-offline) stays blank
("L is not defined"). Instead the libraries are files the dashboard serves itself: written
from the installed folium-offline package into a directory that is registered as a
component's static path, and linked from there (``lib.maps``, ``map_assets.map_asset_base``).
Nothing is fetched from a CDN.
"""

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from lib.app import filters, map_assets, navigation, signin, state, widgets
from lib.figures import hotspots, interventions, repeats
from lib.figures.filters import Filters, select
from lib.figures.hotspots import points_frame
from lib.i18n import fmt_date, fmt_int, t
from lib.public import alerts, maps, views
from lib.public.disclosure import Disclosure
from lib.public.views import map_view

navigation.front_door()

MONTHS = (3, 6, 12)  # calendar months compared before and after a camera
RADII = [0, 100, 200, 300, 500]  # 0: each camera's own radius
ALL_AREA = ""  # the whole municipality; otherwise the map opens on one locality


@state.cached("karta")
def cameras() -> pd.DataFrame:
    return state.store().read("cameras")


@state.cached("karta")
def measures() -> pd.DataFrame:
    """Cameras and the placed actions of the signal reporting (issue 13), evaluated alike:
    an action is a dated measure at a place, as a camera is."""
    from lib.est.cases import actions_as_interventions

    shape = ["id", "name", "lat", "lon", "installed_on", "radius_m"]
    actions = actions_as_interventions(state.store())
    actions = actions.assign(
        id="atgard-" + actions["id"].astype(str),
        name=[t("interventions.action_name", name=n) for n in actions["name"]],
        installed_on=pd.to_datetime(actions["installed_on"]),
    )
    return pd.concat([cameras()[shape], actions[shape]], ignore_index=True)


@state.cached("karta")
def figures(f: Filters, cell: int, d: Disclosure, baseline: str | None = None) -> dict:
    return map_view(
        state.map_points(),
        state.cube(),
        f,
        cell,
        state.municipality(),
        d,
        state.coverage(),
        state.off_map(),
        population=state.manager().population(state.data_version()),
        baseline=baseline,
    )


BASELINE_KEY = "jamforelse"  # ?jamforelse=own_history|residents: what hot and cold are against


def baseline_choice(fig: dict) -> None:
    """What hot and cold are measured against, when the data allow both (a population grid
    loaded and at least two earlier years); the choice reruns the page."""
    available = fig["baseline"].available
    if len(available) < 2:
        return
    st.radio(
        t("map.baseline_choice"),
        list(available),
        key=BASELINE_KEY,
        horizontal=True,
        format_func=views.baseline_name,
        help=t("map.baseline_choice_help"),
        bind="query-params",
    )


@state.cached("karta")
def repeat_figures(f: Filters, d: Disclosure) -> tuple:
    """Near-repeats per category over the 12 months ending on the selection's last day, as
    the viewer may see them (``lib.public.alerts.repeats_for``): analysts get every
    category, the public no sensitive one and none below the detail minimum."""
    manager, version = state.manager(), state.data_version()
    found = manager.repeats(version, f.end, f.localities, f.sources, sensitive=d.exact)
    return alerts.repeats_for(found, state.map_points(), f, d)


def repeats_panel(f: Filters) -> None:
    """Upprepningar: on the map page because it is about places and days together."""
    st.subheader(t("repeats.heading"))
    st.caption(
        t(
            "repeats.intro",
            end=fmt_date(f.end),
            distance=fmt_int(repeats.DISTANCE_M),
            days=repeats.DAYS,
        )
    )
    table, sentences, notes = repeat_figures(f, d)
    if table.empty:
        st.info(t("repeats.none"))
    else:
        for sentence in sentences:
            st.text(sentence)  # category names come from data: plain text
        st.dataframe(table, hide_index=True, width="stretch")
    st.caption(" ".join([*notes, t("repeats.help", minimum=alerts.REPEAT_MIN_EVENTS)]))


@state.cached("karta")
def camera_table(f: Filters, months: int, radius: int, d: Disclosure) -> pd.DataFrame:
    found = interventions.evaluate(
        state.map_points(),
        interventions.from_cameras(measures(), radius or None),
        f,
        months=months,
        coverage=state.coverage(),
        counter=d.counter,
    )
    return views.camera_view(found, d)


def controls(signed_in: bool, placed: bool) -> tuple[str, int, tuple | bool, bool, str]:
    """The map's own controls. It opens on the main town when incidents have places there,
    on the whole municipality when none has (a feed that gives only localities)."""
    left, middle, area_col, right = st.columns([4, 2, 2, 2])
    view = left.segmented_control(
        t("map.view"),
        list(maps.VIEWS),
        default="grid",
        key="vy",
        format_func=lambda v: t(f"map.view_{v}"),
        bind="query-params",
    )
    cell = middle.selectbox(
        t("map.cell"),
        list(hotspots.CELL_SIZES),
        key="ruta",
        format_func=lambda v: t("map.cell_option", size=fmt_int(v)),
        bind="query-params",
    )
    area = area_col.selectbox(
        t("map.area"),
        [ALL_AREA, *muni.locality_names],
        index=1 if muni.localities and placed else 0,  # the first locality is the main town
        key="omrade",
        format_func=lambda v: t("map.area_all") if v == ALL_AREA else v,
        bind="query-params",
    )
    server = map_assets.map_tiles()
    backgrounds = ["none", "tiles"] if server else ["none"]
    background_from_link(backgrounds)
    background = right.radio(
        t("map.background"),
        backgrounds,
        key="bakgrund",
        format_func=lambda v: server[2] if v == "tiles" else t("map.background_none"),
        help=t("map.background_help_tiles", name=server[2]) if server else None,
        bind="query-params",
    )
    show_points = signed_in and st.toggle(t("map.points"), key="punkter")
    cell = hotspots.clamp_cell(int(cell))
    tiles = server[:2] if server and background == "tiles" else False
    return view or "grid", cell, tiles, show_points, area


# Short words a shared link may use for the background besides the labels the bound radio
# writes itself: ?bakgrund=osm or ?bakgrund=av.
BACKGROUND_WORDS = {"none": "none", "av": "none", "ingen": "none"}
BACKGROUND_WORDS |= {"osm": "tiles", "på": "tiles", "pa": "tiles", "karta": "tiles"}


def background_from_link(backgrounds: list[str]) -> None:
    """The background is off unless the viewer, or the link, turns it on (the browser
    then asks a tile server for images, which tells it where the viewer looks)."""
    word = str(st.query_params.get("bakgrund", "")).strip().lower()
    chosen = BACKGROUND_WORDS.get(word)
    if chosen in backgrounds and "bakgrund" not in st.session_state:
        st.session_state["bakgrund"] = chosen


def camera_panel(f: Filters) -> None:
    st.subheader(t("interventions.heading"))
    if measures()["installed_on"].notna().sum() == 0:
        st.info(t("interventions.none"))
        return
    left, right = st.columns(2)
    months = left.selectbox(
        t("interventions.months"),
        list(MONTHS),
        index=2,
        key="kamerafonster",
        format_func=lambda m: t("interventions.months_option", months=m),
    )
    radius = right.selectbox(
        t("interventions.radius"),
        RADII,
        key="kameraradie",
        format_func=lambda r: t("interventions.radius_own") if r == 0 else f"{r} m",
    )
    table = camera_table(f, months, radius, d)
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(
        t(
            "interventions.help",
            buffer=fmt_int(interventions.DEFAULT_BUFFER_M),
            minimum=interventions.MIN_TARGET,
        )
    )


def top_table(fig: dict, f: Filters, cell: int) -> None:
    st.subheader(t("map.top_heading"))
    view = fig["top_view"]
    st.dataframe(view, hide_index=True, width="stretch")
    st.caption(t("map.top_help", threshold=threshold) + " " + t("verdict.help"))
    widgets.download_buttons(
        view,
        f"platser-{cell}m-{f.start}-{f.end}",
        t("map.sheet"),
        t("map.download_csv"),
        t("map.download_excel"),
    )


muni = state.municipality()
threshold = muni.privacy_threshold
st.title(t("map.heading"))
widgets.sample_banner()
data = state.cube()
f = filters.shared_filters(data)
analyst = signin.sign_in_box()
if data.empty:
    st.info(t("app.no_data"))
    st.stop()
if f is None:
    st.stop()
filters.coverage_note(f, data)

# The map comes first, its controls and the long text under it: on a phone the map is then
# on the first screen. The slot is filled once the controls have been read.
map_slot = st.container()
placed = not select(state.map_points(), f).empty
view, cell, tiles, show_points, area = controls(analyst is not None, placed)
d = signin.disclosure()
fig = figures(f, cell, d, st.session_state.get(BASELINE_KEY) or st.query_params.get(BASELINE_KEY))
by_locality = fig["localities"]
if fig["incidents"] == 0 and by_locality.empty:
    st.info(t("map.no_points"))
    st.stop()
with st.container(border=True):
    st.text(t("map.only_off_map") if fig["incidents"] == 0 else views.map_summary(fig, cell, d))

# Analysts' points are incidents, listed one by one: read from the incident rows.
selected = select(points_frame(state.incidents(), muni), f) if show_points else None
map_data = maps.map_data(
    fig["counts"],
    cell,
    muni,
    view,
    fig["baseline"].result,  # hot and cold against a baseline; land density is the heat map
    cameras(),
    selected,
    area,
    threshold=1 if d.exact else d.threshold,
    localities=by_locality,
    result_cell=fig["baseline"].cell,
)
with map_slot:
    st_folium(
        maps.build_map(map_data, map_assets.map_asset_base(), tiles=tiles),
        height=600,
        use_container_width=True,
        returned_objects=[],
        key="karta",
    )
if view == "hotspots":
    baseline_choice(fig)
notes = [t("map.privacy_note", threshold=threshold)]
if view == "hotspots" and fig["baseline"].kind != "none":
    help_key = f"map.baseline_help_{fig['baseline'].kind}"
    notes.append(t(help_key, minimum=fmt_int(hotspots.MIN_INCIDENTS)))
notes.append(t("map.excluded_note", excluded=d.text(fig["excluded"])))
if not by_locality.empty:
    notes.append(t("map.off_map_note"))
if hotspots.outline_source(muni) in ("config", "bbox"):
    notes.append(t("map.outline_note"))
if show_points:
    notes.append(t("map.points_note", limit=fmt_int(maps.MAX_POINTS)))
st.caption(" ".join(notes))
widgets.disclosure_note(d)
if fig["incidents"]:
    top_table(fig, f, cell)
if not by_locality.empty:
    st.subheader(t("map.off_map_heading"))
    widgets.change_table(by_locality)
repeats_panel(f)
camera_panel(f)
