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
    )


@cache
def known_categories() -> dict[str, str]:
    """Map lower-cased category names to their canonical spelling."""
    with (DATA_DIR / "categories.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    return {name.strip().lower(): name.strip() for names in raw.values() for name in names}
