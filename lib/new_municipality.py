"""A starting configuration for any of Sweden's municipalities, from its code alone: name,
county, a point inside it and its bounding box come from the shipped outlines (``lib.geo``),
the county's name from ``data/regions.toml``, and the peer comparison defaults to the
county's municipalities. What only the municipality knows (localities, population, promises,
meeting dates) is left for the analyst to fill in, with a Swedish comment saying so; the file
loads and runs as written."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lib import geo
from lib.config import DATA_DIR, sweden
from lib.i18n import t

PRIVACY_THRESHOLD = 3  # as the first municipality's: counts 1-2 read "färre än 3"
CONFIG_DIR = DATA_DIR  # where a configuration goes by default; TRYGGHET_KOMMUN=<slug> finds it


@dataclass(frozen=True)
class Outcome:
    """What ``write_config`` did: the file written, or the Swedish reason it did not."""

    path: Path | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.path is not None


def default_path(place: geo.Place) -> Path:
    return CONFIG_DIR / f"{geo.slug(place)}.toml"


def write_config(code: str, out: Path | None = None, force: bool = False) -> Outcome:
    """Write the starting configuration of the municipality ``code`` to ``out`` (default
    ``data/<slug>.toml``); refuses an unknown code and an existing file unless ``force``."""
    place = geo.place(code)
    if place is None:
        return Outcome(problem=t("kommun.unknown_code", code=code))
    path = Path(out) if out else default_path(place)
    if path.exists() and not force:
        return Outcome(problem=t("kommun.exists", file=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(config_text(place), encoding="utf-8")
    return Outcome(path=path)


def county_name(county_code: str) -> str:
    county = next((r for r in sweden() if r.kind == "county" and r.code == county_code), None)
    return county.name if county else county_code


def sensitive_default() -> list[str]:
    """Categories a new municipality keeps out of place-level views
    (``data/categories.toml``, ``sensitive_default``)."""
    with (DATA_DIR / "categories.toml").open("rb") as fh:
        return list(tomllib.load(fh).get("sensitive_default", []))


def genitive(name: str) -> str:
    """The name as in "Xbys kommun": no s after s, x, z or a vowel ("Xby kommun", "Xås
    kommun"). The few irregular official names are the analyst's to correct."""
    return name if name[-1].lower() in "sxzaeiouyåäö" else f"{name}s"


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str) -> str:
    return "\n".join(f"# {line}".rstrip() for line in text.splitlines())


def config_text(place: geo.Place) -> str:
    """The configuration file's text for ``place``; it loads as written
    (``lib.config.load_municipality``)."""
    county = county_name(place.county_code)
    b = geo.bbox(place.code)
    box = ", ".join(f"{k} = {v:.2f}" for k, v in b.items())
    sensitive = ", ".join(_s(c) for c in sensitive_default())
    lines = [
        _comment(t("kommun.toml_header", name=place.name, code=place.code)),
        f"name = {_s(place.name)}",
        f"display_name = {_s(t('kommun.display_name', name=genitive(place.name)))}",
        f"code = {_s(place.code)}",
        f"county = {_s(county)}",
        f"county_code = {_s(place.county_code)}",
        'timezone = "Europe/Stockholm"',
        _comment(t("kommun.toml_privacy")),
        f"privacy_threshold = {PRIVACY_THRESHOLD}",
        _comment(t("kommun.toml_centre")),
        f"centre = {{ lat = {place.lat:.4f}, lon = {place.lon:.4f} }}",
        _comment(t("kommun.toml_bbox")),
        f"bbox = {{ {box} }}",
        _comment(t("kommun.toml_sensitive")),
        f"sensitive_categories = [{sensitive}]",
        _comment(t("kommun.toml_meetings")),
        "bra_meetings = []",
        _comment(t("kommun.toml_peers")),
        "peers = []",
        "",
        _comment(t("kommun.toml_population")),
        "[population]",
        "",
        _comment(t("kommun.toml_comparison")),
        "[comparison]",
        'default = "lan"',
        "",
        "[[comparison.group]]",
        'id = "lan"',
        f"label = {_s(t('peers.group_county', county=county))}",
        "county = true",
        "",
        _comment(t("kommun.toml_localities")),
        _comment(
            "\n".join(
                [
                    "[[localities]]",
                    f"name = {_s(place.name)}",
                    "population = 0",
                    f"lat = {place.lat:.3f}",
                    f"lon = {place.lon:.3f}",
                    "approximate = true",
                ]
            )
        ),
        "",
        _comment(t("kommun.toml_promises")),
        _comment(
            "\n".join(
                [
                    "[[promise_periods]]",
                    'id = "2025-2026"',
                    "start = 2025-01-01",
                    "end = 2026-12-31",
                    f'file = "promises/{geo.slug(place)}-2025-2026.toml"',
                ]
            )
        ),
        "",
    ]
    return "\n".join(lines)
