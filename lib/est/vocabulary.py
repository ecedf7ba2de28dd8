"""What a report names: the EST categories (``data/est_categories.toml``, each mapped to a
known incident category) and the places a reporter may choose or pin."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lib.config import DATA_DIR, Locality, Municipality, known_categories
from lib.est.tables import SNAP_METRES, ReportError

# --- EST categories ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    incident_category: str
    hint: str = ""


def load_categories(path: Path | None = None) -> tuple[Category, ...]:
    """The EST categories (data/est_categories.toml), each mapped to a known incident
    category; a file naming an unknown one is an error for the operator."""
    path = path or DATA_DIR / "est_categories.toml"
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    known = known_categories()
    out = []
    for entry in raw.get("category", []):
        target = known.get(str(entry["incident_category"]).strip().lower())
        if target is None:
            raise ValueError(f"{path.name}: unknown incident category {entry['incident_category']}")
        out.append(Category(entry["id"], entry["label"], target, entry.get("hint", "")))
    return tuple(out)


def category_by_id(categories: tuple[Category, ...]) -> dict[str, Category]:
    return {c.id: c for c in categories}


def find_category(categories: tuple[Category, ...], text: str) -> Category | None:
    """A category by its id or label, ignoring case (for files from other systems)."""
    wanted = str(text).strip().lower()
    return next((c for c in categories if wanted in (c.id.lower(), c.label.lower())), None)


# --- Places --------------------------------------------------------------------------------------


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two (lat, lon) points, equirectangular (fine within a municipality)."""
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6_371_000 * math.hypot(dlat, dlon)


def nearest(places: tuple[Locality, ...], lat: float, lon: float) -> tuple[Locality, float]:
    best = min(places, key=lambda p: metres((p.lat, p.lon), (lat, lon)))
    return best, metres((best.lat, best.lon), (lat, lon))


def place_names(muni: Municipality) -> list[str]:
    """What a reporter may choose instead of a pin: the named places, then the localities."""
    return [p.name for p in muni.report_places] + muni.locality_names


@dataclass(frozen=True)
class Where:
    place: str
    locality: str
    lat: float | None
    lon: float | None


def resolve_place(
    muni: Municipality, place: str | None, lat: float | None, lon: float | None
) -> Where:
    """A pin (kept, at its nearest locality, and at a named place within SNAP_METRES) or a
    chosen place (a named place keeps its point; a locality has none: the report counts for
    the locality, never at its centre)."""
    if lat is not None and lon is not None:
        if not muni.in_bbox(lat, lon):
            raise ReportError("outside")
        locality = nearest(muni.localities, lat, lon)[0].name if muni.localities else muni.name
        name = locality
        if muni.report_places:
            found, distance = nearest(muni.report_places, lat, lon)
            if distance <= SNAP_METRES:
                name = found.name
        return Where(name, locality, float(lat), float(lon))
    if place:
        named = next((p for p in muni.report_places if p.name == place), None)
        if named is not None:
            locality = nearest(muni.localities, named.lat, named.lon)[0].name
            return Where(named.name, locality, named.lat, named.lon)
        if place in muni.locality_names:
            return Where(place, place, None, None)
        raise ReportError("unknown_place")
    raise ReportError("no_place")
