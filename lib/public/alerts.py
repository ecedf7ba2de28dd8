"""Signals ("signaler") and repeats ("upprepningar") as a viewer may see them (issue 22).

* **Signals** (``lib.figures.scan``, computed by ``DataManager.signals``) are for signed-in
  analysts only: they name a small place and a few days, so they are never on a public page,
  in the PDF or in ``publish``. Here they become records (the CLI's ``signaler --json``), a
  table, sentences in plain Swedish, the incidents behind each alert and a small map.
* **Repeats** (``lib.figures.repeats``, ``DataManager.repeats``): the Knox test per category
  over 12 months. The public sees a category only when it is not sensitive and its published
  count of incidents with a place reaches the detail minimum (``Disclosure.detail``), and then
  only the ratio, the p-value and the verdict, never the pairs counted.

Every string from data (categories, places, notes) reaches the map escaped (``maps.text``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import folium
import numpy as np
import pandas as pd

from lib.config import Municipality
from lib.figures import counting, hotspots, repeats, scan
from lib.figures.filters import Filters, select
from lib.figures.scan import ScanResult
from lib.geo import project, unproject
from lib.i18n import fmt_date, fmt_datetime, fmt_int, fmt_num, source_label, t
from lib.public import maps
from lib.public.disclosure import Disclosure

DAYS_PER_YEAR = 365.25
REPEAT_MIN_EVENTS = 10  # fewer incidents in a category: too few pairs to say anything
REPEAT_FDR = 0.05  # Benjamini-Hochberg across the categories tested
ALERT_COLOUR = "#D62F27"


# --- Signals -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Signals:
    """One analysis as the pages show it: its day, how many incidents it scanned, the alerts
    (``records``) and, per alert, which of the scanned incidents lie in it."""

    day: object
    events: int
    replications: int
    records: list[dict]
    inside: list[np.ndarray]


def place_of(x: float, y: float, muni: Municipality) -> tuple[str, int, str]:
    """The nearest locality of a point (SWEREF metres), its distance and direction."""
    ix, iy = np.floor([x - 0.5]), np.floor([y - 0.5])
    return hotspots.place_names(ix, iy, 1, muni)[0]


def signals(result: ScanResult, points: pd.DataFrame, muni: Municipality) -> Signals:
    """The alerts of a scan (``DataManager.signals``: the result and the incidents it
    scanned) as records with the CLI's keys: plats (nearest locality), lat, lon, radie_m,
    från, till, antal, väntat, återkomsttid_dagar, kategorier (category and count of the
    incidents in the alert, most first)."""
    records, inside = [], []
    flagged = (
        np.flatnonzero(result.clusters["alert"].to_numpy(bool)) if len(result.clusters) else []
    )
    for k in flagged:
        row = result.clusters.iloc[k]
        members = scan.members(result, int(k), points["x"], points["y"], points["day"])
        counts = points.loc[members, "category"].value_counts(sort=False)
        counts = counts.sort_index().sort_values(ascending=False, kind="stable")
        lat, lon = unproject([row["x"]], [row["y"]])
        records.append(
            {
                "plats": place_of(row["x"], row["y"], muni)[0],
                "lat": round(float(lat[0]), 5),
                "lon": round(float(lon[0]), 5),
                "radie_m": int(round(row["radius_m"])),
                "från": _iso(row["first_day"]),
                "till": _iso(row["last_day"]),
                "antal": int(row["observed"]),
                "väntat": round(float(row["expected"]), 2),
                "återkomsttid_dagar": int(round(row["recurrence_days"])),
                "kategorier": [{"kategori": c, "antal": int(n)} for c, n in counts.items()],
            }
        )
        inside.append(members)
    return Signals(result.analysis_day, result.events, result.replications, records, inside)


def _iso(day) -> str:
    return pd.Timestamp(day).date().isoformat()


def recurrence_words(days: float, replications: int) -> str:
    """'en så stark signal ger slumpen ungefär en gång på 2,7 år', and when no replication
    was as strong (the interval is then only a lower bound) that it may be rarer still."""
    years = fmt_num(days / DAYS_PER_YEAR, 1)
    text = t("signals.recurrence", years=years)
    if replications and days >= replications + 1 - 0.5:
        text += " " + t("signals.recurrence_bound", replications=fmt_int(replications))
    return text


def sentence(record: dict, replications: int, muni: Municipality) -> str:
    """One alert in plain Swedish."""
    x, y = project([record["lat"]], [record["lon"]])
    name, distance, direction = place_of(float(x[0]), float(y[0]), muni)
    first, last = (pd.Timestamp(record[k]).date() for k in ("från", "till"))
    return t(
        "signals.sentence",
        place=maps.place_text(name, distance, direction),
        count=record["antal"],
        radius=fmt_int(record["radie_m"]),
        days=(last - first).days + 1,
        first=fmt_date(first),
        last=fmt_date(last),
        expected=fmt_num(record["väntat"], 1),
        recurrence=recurrence_words(record["återkomsttid_dagar"], replications),
    )


def table(found: Signals, muni: Municipality) -> pd.DataFrame:
    """The alerts for a page: place, circle, days, counts, recurrence, categories."""
    rows = []
    for r in found.records:
        x, y = project([r["lat"]], [r["lon"]])
        rows.append(
            {
                t("signals.col_place"): maps.place_text(*place_of(float(x[0]), float(y[0]), muni)),
                t("signals.col_radius"): f"{fmt_int(r['radie_m'])} m",
                t("signals.col_days"): f"{fmt_date(_day(r['från']))} – {fmt_date(_day(r['till']))}",
                t("signals.col_count"): fmt_int(r["antal"]),
                t("signals.col_expected"): fmt_num(r["väntat"], 1),
                t("signals.col_recurrence"): t(
                    "signals.years", years=fmt_num(r["återkomsttid_dagar"] / DAYS_PER_YEAR, 1)
                ),
                t("signals.col_categories"): ", ".join(
                    f"{c['kategori']} {fmt_int(c['antal'])}" for c in r["kategorier"]
                ),
            }
        )
    return pd.DataFrame(rows)


def _day(text: str):
    return pd.Timestamp(text).date()


def incidents_behind(found: Signals, k: int, incidents: pd.DataFrame, muni) -> pd.DataFrame:
    """The incidents of alert ``k`` listed one by one from the incident rows (analysts
    only): those with a place, of no sensitive category, in the alert's circle (its 100 m
    cells, as the scan counts them) and days. As many as the alert's count."""
    record = found.records[k]
    rows = incidents[incidents["lat"].notna() & incidents["lon"].notna()]
    rows = rows[~rows["category"].astype(str).isin(muni.sensitive_categories)]
    day = rows["occurred_at"].dt.normalize()
    rows = rows[(day >= pd.Timestamp(record["från"])) & (day <= pd.Timestamp(record["till"]))]
    x, y = project(rows["lat"].to_numpy(float), rows["lon"].to_numpy(float))
    cx, cy = project([record["lat"]], [record["lon"]])
    size = scan.CELL_M
    centre_x = np.floor(cx[0] / size) * size + size / 2
    centre_y = np.floor(cy[0] / size) * size + size / 2
    near = (
        np.round(
            np.hypot(
                (np.floor(x / size) + 0.5) * size - centre_x,
                (np.floor(y / size) + 0.5) * size - centre_y,
            ),
            6,
        )
        <= record["radie_m"] + 0.5
    )
    chosen = rows[near].sort_values("occurred_at", kind="stable")
    return pd.DataFrame(
        {
            t("signals.col_when"): chosen["occurred_at"].map(fmt_datetime),
            t("signals.col_category"): chosen["category"].astype(str),
            t("signals.col_locality"): chosen["locality"].astype(str),
            t("signals.col_source"): chosen["source"].astype(str).map(source_label),
            "lat": chosen["lat"].astype(float),
            "lon": chosen["lon"].astype(float),
        }
    ).reset_index(drop=True)


def signal_map(
    found: Signals, behind: list[pd.DataFrame], muni: Municipality, asset_base: str, tiles
) -> folium.Map:
    """A small map of the alerts: each circle and its incidents, the localities named. Leaflet
    comes from the dashboard's own files (``asset_base``), as on the map page."""
    lats = [r["lat"] for r in found.records] or [muni.localities[0].lat]
    lons = [r["lon"] for r in found.records] or [muni.localities[0].lon]
    m = folium.Map(location=[float(np.mean(lats)), float(np.mean(lons))], zoom_start=14, tiles=None)
    m.default_js = [("leaflet.js", asset_base + "leaflet.js")]
    m.default_css = [("leaflet.css", asset_base + "leaflet.css")]
    if isinstance(tiles, tuple):
        folium.TileLayer(tiles[0], attr=tiles[1], name="bakgrund").add_to(m)
    for loc in muni.localities:
        folium.CircleMarker(
            [loc.lat, loc.lon],
            radius=4,
            color="#000000",
            weight=1,
            fill=True,
            fill_color="#FFFFFF",
            fill_opacity=1,
            tooltip=folium.Tooltip(maps.text(loc.name), permanent=True, direction="right"),
        ).add_to(m)
    bounds = []
    for k, (record, rows) in enumerate(zip(found.records, behind, strict=True)):
        label = t("signals.map_label", n=k + 1, count=record["antal"], radius=record["radie_m"])
        folium.Circle(
            [record["lat"], record["lon"]],
            radius=max(record["radie_m"], 50),
            color=ALERT_COLOUR,
            weight=3,
            fill=True,
            fill_opacity=0.12,
            tooltip=maps.text(label),
        ).add_to(m)
        for r in rows.itertuples(index=False):
            popup = maps.text(f"{r[0]} · {r[1]}")
            folium.CircleMarker(
                [r.lat, r.lon],
                radius=5,
                color="#000000",
                weight=1,
                fill=True,
                fill_color="#56B4E9",
                fill_opacity=0.9,
                tooltip=popup,
            ).add_to(m)
        delta = (max(record["radie_m"], 100) + 150) / 111_320
        widen = delta / max(np.cos(np.radians(record["lat"])), 0.1)
        bounds += [
            [record["lat"] - delta, record["lon"] - widen],
            [record["lat"] + delta, record["lon"] + widen],
        ]
    if bounds:
        m.fit_bounds(
            [
                [min(b[0] for b in bounds), min(b[1] for b in bounds)],
                [max(b[0] for b in bounds), max(b[1] for b in bounds)],
            ]
        )
    return m


# --- Repeats -----------------------------------------------------------------------------------


def _p_text(p: float) -> str:
    return f"p = {fmt_num(p, 3)}"


def repeats_view(
    found: pd.DataFrame, cells: pd.DataFrame, d: Disclosure, analyst: bool
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The near-repeat tests as the viewer may see them: (table, sentences, notes).

    ``found`` is ``DataManager.repeats``' table, ``cells`` the map's cells of the same 12
    months and filters (the counts the detail rule is applied to, through the viewer's
    counter). Categories with fewer than ``REPEAT_MIN_EVENTS`` incidents are not tested.
    A category is said to repeat when Benjamini-Hochberg at 5 % over the categories tested
    keeps its one-sided Knox p-value and more pairs were seen than expected. The public
    gets no sensitive category and none whose published count is below the detail minimum,
    and never the pair counts or the p-value (a permutation p-value in three decimals moved
    with the day of one incident of a small file: tests/privacy/test_channel10_coverage.py);
    the ratio in one decimal and the verdict."""
    notes: list[str] = []
    rows = found[found["events"] >= REPEAT_MIN_EVENTS]
    if not analyst:  # the rule is always stated: whether it withheld one would tell
        notes.append(t("repeats.withheld", minimum=fmt_int(d.detail_minimum)))
        rows = rows[~rows["category"].astype(str).isin(d.sensitive)]
        published = counting.tally(cells, "category", d.counter) if len(cells) else pd.Series()
        allowed = [d.detail(int(published.get(c, 0))) is None for c in rows["category"]]
        rows = rows[np.asarray(allowed, bool)] if len(rows) else rows
    rows = rows.reset_index(drop=True)
    if rows.empty:
        return pd.DataFrame(), [], notes
    p = rows["p"].to_numpy(float)
    kept = hotspots.benjamini_hochberg(p, REPEAT_FDR) & (rows["ratio"].fillna(0) > 1).to_numpy()
    # In words only what repeats more than chance gives; the table has every category.
    sentences = [
        _repeat_sentence(r, analyst) for r, k in zip(rows.itertuples(), kept, strict=True) if k
    ]
    if not sentences:
        sentences = [t("repeats.none_more")]
    table = pd.DataFrame({t("repeats.col_category"): rows["category"].astype(str)})
    if analyst:
        table[t("repeats.col_events")] = rows["events"].map(fmt_int)
        table[t("repeats.col_pairs")] = rows["observed"].map(fmt_int)
        table[t("repeats.col_expected")] = rows["expected"].map(lambda v: fmt_num(v, 1))
    table[t("repeats.col_ratio")] = rows["ratio"].map(
        lambda v: "–" if pd.isna(v) else fmt_num(v, 1)
    )
    if analyst:  # a permutation p-value in three decimals moves with one incident's day
        table[t("repeats.col_p")] = rows["p"].map(lambda v: fmt_num(v, 3))
    table[t("repeats.col_verdict")] = [
        t("repeats.verdict_more") if k else t("repeats.verdict_chance") for k in kept
    ]
    return table, sentences, notes


def repeats_for(
    found: pd.DataFrame, points: pd.DataFrame, f: Filters, d: Disclosure
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The map page's repeats for a selection (the page and ``publish`` alike): ``found``
    from ``DataManager.repeats`` for the 12 months ending on the selection's last day and
    its localities and sources, cut to its category when it has one; the detail rule
    counts the map's ``points`` of the same months (``repeats_view``)."""
    start = (pd.Timestamp(f.end) - pd.DateOffset(months=repeats.MONTHS)).date()
    start += dt.timedelta(days=1)
    cells = select(points, Filters(start, f.end, f.localities, (), f.sources))
    if f.categories:
        found = found[found["category"].isin(f.categories)]
    return repeats_view(found, cells, d, analyst=d.exact)


def _repeat_sentence(r, analyst: bool) -> str:
    text = t(
        "repeats.more",
        category=str(r.category),
        distance=fmt_int(repeats.DISTANCE_M),
        days=repeats.DAYS,
        ratio=fmt_num(r.ratio, 1),
    )
    return f"{text[:-1]} ({_p_text(r.p)})." if analyst else text
