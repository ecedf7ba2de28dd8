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
# The whole country ("riket") in SCB's and the peer files' codes; Kolada writes it 0000.
COUNTRY = "00"


@dataclass(frozen=True)
class Locality:
    name: str
    lat: float
    lon: float
    population: int | None = None  # a locality without a figure gets no rates
    approximate: bool = False


@dataclass(frozen=True)
class PromisePeriod:
    """A citizen-promise period. The configuration names the file that defines it (loaded
    into the store once, ``lib.promises.definitions.seed_configured``); the periods pages
    show are the store's (``lib.promises.definitions.Promises.periods``), without a file."""

    id: str
    start: dt.date
    end: dt.date
    file: Path | None = None


@dataclass(frozen=True)
class ComparisonGroup:
    """A group of municipalities the peer comparison may use (``[comparison]`` in the
    municipality's TOML): SKR's municipality group, a configured list, or the county."""

    id: str
    label: str  # as the page names it, e.g. "kommungrupp B4 (pendlingskommuner nära större stad)"
    members: tuple[str, ...] = ()  # municipality names or codes
    county: bool = False  # every municipality of the municipality's county


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
    # The county's two-digit code: the first two digits of the municipality code.
    county_code: str = ""
    # A point inside the municipality (lat, lon): ``centre`` in the file, else the shipped one.
    centre: tuple[float, float] | None = None
    # The municipality's own signal reporting (``[reports]``): how long notes and reporter
    # names are kept, and named places a reporter may pick instead of a pin.
    report_retention_days: int = 365
    report_places: tuple[Locality, ...] = ()
    # At most this many reports in the app per reporter, and per client address, in
    # ``report_rate_minutes`` (lib.est.cases.RateLimit; 0: no limit).
    report_rate_per_reporter: int = 20
    report_rate_per_client: int = 60
    report_rate_minutes: int = 60
    # The public sees a breakdown finer than the fixed monthly tables (weeks, weekday × hour,
    # night share, lists inside a selection) only where the selection's published total
    # reaches this (``lib.public.disclosure``; chosen from tests/privacy/test_detail.py).
    detail_minimum: int = 20
    # The incident sources the default period follows (the latest month they cover in full):
    # a report filed today or a small source never moves it.
    main_sources: tuple[str, ...] = ("police", "police_open_events")

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
    """Resolve TRYGGHET_KOMMUN (a name in data/, a municipality code or a path to a TOML
    file)."""
    selector = selector or os.environ.get("TRYGGHET_KOMMUN") or DEFAULT_MUNICIPALITY
    candidate = Path(selector)
    if candidate.suffix == ".toml" and candidate.exists():
        return candidate.resolve()
    if selector.isdigit() and not (DATA_DIR / f"{selector}.toml").exists():
        from lib import geo  # a municipality code: the file `kommun new` writes for it

        place = geo.place(selector)
        if place is not None:
            return DATA_DIR / f"{geo.slug(place)}.toml"
    return DATA_DIR / f"{selector.lower()}.toml"


@cache
def load_municipality(selector: str | None = None) -> Municipality:
    path = config_path(selector)
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    base = path.parent
    code = str(raw["code"]).zfill(4)
    county_code = str(raw.get("county_code") or code[:2]).zfill(2)
    name = raw.get("name") or _place_name(code)
    return Municipality(
        name=name,
        display_name=raw.get("display_name", name),
        code=code,
        county=raw.get("county") or _county_name(county_code),
        county_code=county_code,
        population={int(y): int(p) for y, p in raw.get("population", {}).items()},
        localities=_localities(raw, name, code),
        centre=_centre(raw, code),
        peers=tuple(raw.get("peers", [])),
        promise_periods=tuple(
            PromisePeriod(p["id"], p["start"], p["end"], base / p["file"])
            for p in raw.get("promise_periods", [])
        ),
        privacy_threshold=int(raw.get("privacy_threshold", 3)),
        detail_minimum=int(raw.get("detail_minimum", 20)),
        main_sources=tuple(raw.get("main_sources", ("police", "police_open_events"))),
        bbox=raw.get("bbox") or _shipped_bbox(code),
        sensitive_categories=frozenset(raw.get("sensitive_categories", [])),
        sample_files={k: base / v for k, v in raw.get("sample", {}).items()},
        timezone=raw.get("timezone", "Europe/Stockholm"),
        meetings=tuple(sorted(raw.get("bra_meetings", []))),
        **_reports(raw),
        **_outline(raw, base),
        **_comparison(raw),
    )


def _reports(raw: dict) -> dict:
    """``[reports]``: ``retention_days`` (default 365), ``[[reports.places]]`` (name, lat,
    lon) that reporters may choose from besides the localities, and the rate limit on
    reports made in the app: ``max_per_reporter`` (default 20) and ``max_per_client``
    (default 60) in ``rate_window_minutes`` (default 60); 0 turns a limit off."""
    section = raw.get("reports", {})
    places = tuple(
        Locality(p["name"], float(p["lat"]), float(p["lon"])) for p in section.get("places", [])
    )
    limits = {
        "report_rate_per_reporter": max(0, int(section.get("max_per_reporter", 20))),
        "report_rate_per_client": max(0, int(section.get("max_per_client", 60))),
        "report_rate_minutes": max(1, int(section.get("rate_window_minutes", 60))),
    }
    return {
        "report_retention_days": int(section.get("retention_days", 365)),
        "report_places": places,
        **limits,
    }


def _comparison(raw: dict) -> dict:
    """``[comparison]``: ``default`` and ``[[comparison.group]]`` entries (id, label, members
    or county = true)."""
    section = raw.get("comparison", {})
    groups = tuple(
        ComparisonGroup(
            id=str(g["id"]),
            label=g.get("label", ""),
            members=tuple(g.get("members", [])),
            county=bool(g.get("county", False)),
        )
        for g in section.get("group", [])
    )
    default = section.get("default", groups[0].id if groups else "")
    return {"comparison_groups": groups, "default_comparison": default}


def _centre(raw: dict, code: str) -> tuple[float, float] | None:
    if "centre" in raw:
        return float(raw["centre"]["lat"]), float(raw["centre"]["lon"])
    from lib import geo

    place = geo.place(code)
    return (place.lat, place.lon) if place else None


def _localities(raw: dict, name: str, code: str) -> tuple[Locality, ...]:
    """The configured localities; until there are any (a new municipality's file), the whole
    municipality is its one place, at its centre and without a population, so incidents can
    be imported and every page runs."""
    configured = tuple(Locality(**loc) for loc in raw.get("localities", []))
    centre = _centre(raw, code)
    if configured or centre is None:
        return configured
    return (Locality(name, centre[0], centre[1], None, approximate=True),)


def _place_name(code: str) -> str:
    from lib import geo

    place = geo.place(code)
    return place.name if place else code


def _county_name(county_code: str) -> str:
    county = next((r for r in sweden() if r.kind == "county" and r.code == county_code), None)
    return county.name if county else ""


def _shipped_bbox(code: str) -> dict[str, float]:
    """The box around the shipped outline; a configuration without ``bbox`` and without a
    shipped outline has none to offer, which is a configuration error."""
    from lib import geo

    box = geo.bbox(code)
    if box is None:
        raise KeyError("bbox")
    return box


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
    county: str = ""  # the county's code (a county's own), "" for the country
    aliases: tuple[str, ...] = ()


@cache
def sweden() -> tuple[Region, ...]:
    """Every region a peer file may name: the country and the 21 counties
    (``data/regions.toml``), and the 290 municipalities (the shipped outlines, ``lib.geo``)
    with population and aliases from ``data/regions.toml`` where it gives them. The
    country first, then counties and municipalities by code."""
    from lib import geo

    with (DATA_DIR / "regions.toml").open("rb") as fh:
        raw = {str(r["code"]): r for r in tomllib.load(fh).get("region", [])}
    listed = []
    for code, r in raw.items():
        if r["kind"] == "municipality":
            continue
        county = code if r["kind"] == "county" else ""
        aliases = (*r.get("aliases", []), code.zfill(4))  # Kolada writes 0000 and 0018
        listed.append(Region(code, r["name"], r["kind"], r.get("population"), county, aliases))
    for place in geo.places().values():
        r = raw.get(place.code, {})
        listed.append(
            Region(
                place.code,
                r.get("name", place.name),
                "municipality",
                r.get("population"),
                place.county_code,
                tuple(r.get("aliases", [])),
            )
        )
    order = {"country": 0, "county": 1, "municipality": 2}
    return tuple(sorted(listed, key=lambda r: (order[r.kind], r.code)))


def regions(muni: Municipality | None = None) -> tuple[Region, ...]:
    """The regions the peer comparison keeps for ``muni`` (default: the configured one):
    the country, its county, the county's municipalities and any municipality its comparison
    groups or peers name (SKR's groups cross county borders). Rows for other regions in a
    peer file are left out."""
    muni = muni or load_municipality()
    named = {n for g in muni.comparison_groups for n in g.members} | set(muni.peers)
    return _scope(muni.code, muni.county_code, tuple(sorted(named)))


@cache
def _scope(code: str, county: str, named: tuple[str, ...]) -> tuple[Region, ...]:
    everywhere = _names(sweden())
    extra = {_lookup(everywhere, n).code for n in named if _lookup(everywhere, n)}
    return tuple(
        r
        for r in sweden()
        if r.kind == "country"
        or (r.kind == "county" and r.code == county)
        or (r.kind == "municipality" and (r.county == county or r.code in {code, *extra}))
    )


@cache
def _names(scope: tuple[Region, ...]) -> dict[str, Region]:
    names: dict[str, Region] = {}
    for region in scope:
        for name in (region.name, region.code, *region.aliases):
            names[name.strip().lower()] = region
    return names


def find_region(name: str, muni: Municipality | None = None) -> Region | None:
    """A region of ``regions(muni)`` by code or name as files write it: 'Xby', 'Xby kommun',
    'Xbys kommun', '1234 Xby' (Kolada and SCB tables) or 'XBY'."""
    return _lookup(_names(regions(muni)), name)


def _lookup(names: dict[str, Region], name: str) -> Region | None:
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
