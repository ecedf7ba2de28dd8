"""Municipality configuration: everything municipality-specific is read from a TOML file."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_MUNICIPALITY = "hallsberg"


@dataclass(frozen=True)
class Locality:
    name: str
    lat: float
    lon: float
    population: int | None = None  # a locality without a figure gets no rates
    approximate: bool = False


@dataclass(frozen=True)
class PromisePeriod:
    id: str
    start: dt.date
    end: dt.date
    file: Path


@dataclass(frozen=True)
class ComparisonGroup:
    """A group of municipalities the peer comparison may use (``[comparison]`` in the
    municipality's TOML): SKR's municipality group, a configured list, or the county."""

    id: str
    label: str  # as the page names it, e.g. "kommungrupp B4 (pendlingskommuner nära större stad)"
    members: tuple[str, ...] = ()  # names as in data/regions.toml
    county: bool = False  # every municipality in data/regions.toml (the county's)


@dataclass(frozen=True)
class Municipality:
    name: str
    display_name: str
    code: str
    county: str
    population: dict[int, int]
    localities: tuple[Locality, ...]
    peers: tuple[str, ...]
    promise_periods: tuple[PromisePeriod, ...]
    privacy_threshold: int
    bbox: dict[str, float]
    sensitive_categories: frozenset[str]
    sample_files: dict[str, Path] = field(default_factory=dict)
    timezone: str = "Europe/Stockholm"
    # Dates of the local crime-prevention council's (BRÅ's) meetings: the meeting view's
    # default period runs from the previous meeting to the reference day.
    meetings: tuple[dt.date, ...] = ()
    # The municipality's outline as (lat, lon) points; approximate unless a GeoJSON file is
    # given (``outline_file``, its first polygon's outer ring).
    outline: tuple[tuple[float, float], ...] = ()
    outline_approximate: bool = True
    # Peer-comparison groups and the one shown first.
    comparison_groups: tuple[ComparisonGroup, ...] = ()
    default_comparison: str = ""

    @property
    def locality_names(self) -> list[str]:
        return [loc.name for loc in self.localities]

    def locality(self, name: str) -> Locality | None:
        return next((loc for loc in self.localities if loc.name == name), None)

    def population_in(self, year: int) -> int | None:
        """Population for a year; the nearest earlier year, else the earliest known one."""
        if not self.population:
            return None
        earlier = [y for y in self.population if y <= year]
        return self.population[max(earlier) if earlier else min(self.population)]

    def population_of(self, localities: tuple[str, ...], year: int) -> tuple[int | None, list[str]]:
        """Inhabitants of the selected localities (all of the municipality when none is
        selected) and the selected names that have no population figure."""
        if not localities:
            return self.population_in(year), []
        missing = [n for n in localities if not (self.locality(n) and self.locality(n).population)]
        if missing:
            return None, missing
        return sum(self.locality(n).population for n in localities), []

    def current_promise_period(self) -> PromisePeriod | None:
        return self.promise_periods[0] if self.promise_periods else None

    def in_bbox(self, lat: float, lon: float) -> bool:
        b = self.bbox
        return b["lat_min"] <= lat <= b["lat_max"] and b["lon_min"] <= lon <= b["lon_max"]


def config_path(selector: str | None = None) -> Path:
    """Resolve TRYGGHET_KOMMUN (a name in data/ or a path to a TOML file)."""
    selector = selector or os.environ.get("TRYGGHET_KOMMUN") or DEFAULT_MUNICIPALITY
    candidate = Path(selector)
    if candidate.suffix == ".toml" and candidate.exists():
        return candidate.resolve()
    return DATA_DIR / f"{selector.lower()}.toml"


@cache
def load_municipality(selector: str | None = None) -> Municipality:
    path = config_path(selector)
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    base = path.parent
    return Municipality(
        name=raw["name"],
        display_name=raw.get("display_name", raw["name"]),
        code=str(raw["code"]),
        county=raw.get("county", ""),
        population={int(y): int(p) for y, p in raw.get("population", {}).items()},
        localities=tuple(Locality(**loc) for loc in raw.get("localities", [])),
        peers=tuple(raw.get("peers", [])),
        promise_periods=tuple(
            PromisePeriod(p["id"], p["start"], p["end"], base / p["file"])
            for p in raw.get("promise_periods", [])
        ),
        privacy_threshold=int(raw.get("privacy_threshold", 3)),
        bbox=raw["bbox"],
        sensitive_categories=frozenset(raw.get("sensitive_categories", [])),
        sample_files={k: base / v for k, v in raw.get("sample", {}).items()},
        timezone=raw.get("timezone", "Europe/Stockholm"),
        meetings=tuple(sorted(raw.get("bra_meetings", []))),
        **_outline(raw, base),
        **_comparison(raw),
    )


def _comparison(raw: dict) -> dict:
    """``[comparison]``: ``default`` and ``[[comparison.group]]`` entries (id, label, members
    or county = true)."""
    section = raw.get("comparison", {})
    groups = tuple(
        ComparisonGroup(
            id=str(g["id"]),
            label=g["label"],
            members=tuple(g.get("members", [])),
            county=bool(g.get("county", False)),
        )
        for g in section.get("group", [])
    )
    default = section.get("default", groups[0].id if groups else "")
    return {"comparison_groups": groups, "default_comparison": default}


def _outline(raw: dict, base: Path) -> dict:
    """``outline_file`` (GeoJSON, replaces the approximate outline) or ``outline`` points."""
    if raw.get("outline_file"):
        import json

        geo = json.loads((base / raw["outline_file"]).read_text(encoding="utf-8"))
        geometry = geo["features"][0]["geometry"] if "features" in geo else geo.get("geometry", geo)
        ring = geometry["coordinates"][0]
        if geometry["type"] == "MultiPolygon":
            ring = ring[0]
        return {"outline": tuple((lat, lon) for lon, lat, *_ in ring), "outline_approximate": False}
    points = tuple((float(lat), float(lon)) for lat, lon in raw.get("outline", []))
    return {"outline": points, "outline_approximate": bool(raw.get("outline_approximate", True))}


@cache
def known_categories() -> dict[str, str]:
    """Map lower-cased category names to their canonical spelling."""
    with (DATA_DIR / "categories.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    return {name.strip().lower(): name.strip() for names in raw.values() for name in names}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    kind: str  # municipality, county or country
    population: int | None = None


@cache
def regions() -> tuple[Region, ...]:
    """The regions peer statistics may name (``data/regions.toml``)."""
    with (DATA_DIR / "regions.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    return tuple(
        Region(str(r["code"]), r["name"], r["kind"], r.get("population"))
        for r in raw.get("region", [])
    )


@cache
def _region_names() -> dict[str, Region]:
    with (DATA_DIR / "regions.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    by_code = {r.code: r for r in regions()}
    names: dict[str, Region] = {}
    for entry in raw.get("region", []):
        region = by_code[str(entry["code"])]
        for name in (region.name, region.code, *entry.get("aliases", [])):
            names[name.strip().lower()] = region
    return names


def find_region(name: str) -> Region | None:
    """A region by code or name as files write it: 'Askersund', 'Askersunds kommun',
    '1882 Askersund' (Kolada and SCB tables) or 'ASKERSUND'."""
    names = _region_names()
    text = " ".join(str(name).split()).lower()
    candidates = [text]
    first, _, rest = text.partition(" ")
    if first.isdigit() and rest:
        candidates += [first, rest]
    for candidate in list(candidates):
        if candidate.endswith(" kommun"):
            candidate = candidate.removesuffix(" kommun")
            candidates += [candidate, candidate.removesuffix("s")]
    for candidate in candidates:
        if candidate in names:
            return names[candidate]
    return None
