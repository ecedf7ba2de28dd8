"""The data model: one table of canonical columns, Swedish headers and aliases, and the
pandera schemas every stored frame must satisfy.

Swedish labels for each column live in the catalogue (``lib.i18n``) under ``field.<name>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from lib.config import Municipality, known_categories
from lib.i18n import t

# Canonical source codes; labels are ``source.<code>`` in the catalogue.
SOURCES = ("police", "municipal_report", "security_guard", "police_open_events", "other")
OLDEST_DATE = pd.Timestamp("1990-01-01")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an importable table: the canonical name used in code and the store,
    the Swedish header written in templates and exports, and accepted aliases."""

    name: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def label(self) -> str:
        """The Swedish label shown in tables and forms, from the catalogue."""
        return t(f"field.{self.name}")


COLUMNS: dict[str, tuple[ColumnSpec, ...]] = {
    "incidents": (
        ColumnSpec("id", "id", ("händelse-id", "händelseid", "ärendenummer", "incident_id")),
        ColumnSpec(
            "occurred_at",
            "datum",
            ("tid", "tidpunkt", "datum och tid", "date", "datetime", "occurred_at", "time"),
            required=True,
        ),
        ColumnSpec(
            "category",
            "kategori",
            ("typ", "händelsetyp", "brottstyp", "category", "type"),
            required=True,
        ),
        ColumnSpec("locality", "ort", ("tätort", "plats", "område", "locality", "place")),
        ColumnSpec("lat", "lat", ("latitud", "latitude")),
        ColumnSpec("lon", "lon", ("longitud", "longitude", "lng")),
        ColumnSpec("source", "källa", ("kalla", "rapportör", "source")),
        ColumnSpec("description", "beskrivning", ("kommentar", "notering", "text", "description")),
    ),
    "activities": (
        ColumnSpec("id", "id", ("aktivitets-id", "activity_id")),
        ColumnSpec("promise_id", "löfte", ("lofte", "promise", "promise_id"), required=True),
        ColumnSpec("indicator_id", "indikator", ("indicator", "indicator_id"), required=True),
        ColumnSpec("date", "datum", ("date",), required=True),
        ColumnSpec("kind", "aktivitet", ("typ", "kind", "activity")),
        ColumnSpec("quantity", "antal", ("mängd", "quantity", "count"), required=True),
        ColumnSpec("unit", "enhet", ("unit",)),
        ColumnSpec("locality", "ort", ("plats", "locality", "place")),
        ColumnSpec("responsible", "ansvarig", ("av", "responsible")),
        ColumnSpec("note", "anteckning", ("kommentar", "note")),
        ColumnSpec("evidence_url", "länk", ("url", "evidence", "evidence_url")),
    ),
    "cameras": (
        ColumnSpec("id", "id", ("kamera-id", "camera_id"), required=True),
        ColumnSpec("name", "namn", ("name", "plats"), required=True),
        ColumnSpec("lat", "lat", ("latitud", "latitude"), required=True),
        ColumnSpec("lon", "lon", ("longitud", "longitude", "lng"), required=True),
        ColumnSpec("installed_on", "installerad", ("installationsdatum", "installed_on", "date")),
        ColumnSpec("radius_m", "radie_m", ("radie", "radius", "radius_m")),
        ColumnSpec("note", "anteckning", ("kommentar", "note")),
    ),
    # Reported crimes per municipality (BRÅ, Kolada), for the peer comparison.
    "peers": (
        ColumnSpec("region_code", "kommunkod", ("kod", "regionkod", "region_code", "code")),
        ColumnSpec(
            "region", "kommun", ("region", "kommunnamn", "municipality", "name"), required=True
        ),
        # Required, but a BRÅ municipality file has none: the year is then given at import.
        ColumnSpec("year", "år", ("ar", "year")),
        ColumnSpec("period", "period", ("månad", "month")),
        ColumnSpec("category", "brott", ("brottskategori", "kategori", "category", "kpi")),
        ColumnSpec("count", "antal", ("count", "anmälda brott")),
        ColumnSpec(
            "rate",
            "per 100 000 inv.",
            ("/100 000 inv", "per 100 000 inv", "per 100 000", "rate", "value", "värde"),
        ),
        ColumnSpec("population", "folkmängd", ("invånare", "population")),
        ColumnSpec("source", "källa", ("kalla", "source")),
    ),
    # Perceived safety from a survey (e.g. the police's trygghetsmätning).
    "survey": (
        ColumnSpec("year", "år", ("ar", "year"), required=True),
        ColumnSpec("locality", "ort", ("område", "locality", "area")),
        ColumnSpec("question", "fråga", ("fraga", "indikator", "question"), required=True),
        ColumnSpec("share", "andel", ("andel %", "procent", "share", "percent"), required=True),
        ColumnSpec("respondents", "antal svar", ("svar", "n", "respondents"), required=True),
        ColumnSpec("source", "källa", ("kalla", "source")),
    ),
    # SCB's open grid statistics: people per 250 m or 1 km square (lib.ingest.population_grid)
    "population_grid": (
        ColumnSpec(
            "id",
            "rutid",
            ("rut_id", "rutid_scb", "rut-id", "ruta", "ruta_id", "rutkod", "square_id"),
            required=True,
        ),
        ColumnSpec(
            "population",
            "befolkning",
            ("beftotalt", "bef_totalt", "befolkning totalt", "folkmängd", "pop", "population"),
            required=True,
        ),
        ColumnSpec("size_m", "rutstorlek", ("rutstorl", "storlek", "size_m", "size")),
        ColumnSpec("easting", "östkoordinat", ("ostkoordinat", "x", "easting", "e_sweref")),
        ColumnSpec("northing", "nordkoordinat", ("y", "northing", "n_sweref")),
    ),
}

DATE_COLUMNS = {"occurred_at", "date", "installed_on"}
NUMBER_COLUMNS = {
    "lat",
    "lon",
    "quantity",
    "radius_m",
    "year",
    "count",
    "rate",
    "population",
    "share",
    "respondents",
    "size_m",
    "easting",
    "northing",
}
TEXT_COLUMNS = {
    "category",
    "locality",
    "source",
    "description",
    "kind",
    "unit",
    "responsible",
    "note",
    "name",
    "evidence_url",
    "promise_id",
    "indicator_id",
    "id",
    "region_code",
    "region",
    "period",
    "question",
}


def header_map(kind: str) -> dict[str, str]:
    """Lower-cased header or alias -> canonical column name."""
    mapping: dict[str, str] = {}
    for spec in COLUMNS[kind]:
        for alias in (spec.name, spec.header, *spec.aliases):
            mapping.setdefault(alias.strip().lower(), spec.name)
    return mapping


def swedish_headers(kind: str) -> dict[str, str]:
    """Canonical column name -> Swedish header, for templates and exports."""
    return {spec.name: spec.header for spec in COLUMNS[kind]}


def _isin(values: set[str], name: str) -> pa.Check:
    return pa.Check(lambda s: s.isin(values), name=name, element_wise=False)


def incident_schema(muni: Municipality) -> pa.DataFrameSchema:
    """Contract of a stored incident frame (``occurred_at`` is Europe/Stockholm wall time)."""
    latest = pd.Timestamp(dt.date.today() + dt.timedelta(days=1))
    return pa.DataFrameSchema(
        {
            "id": pa.Column(
                str,
                unique=True,
                nullable=False,
                checks=pa.Check.str_length(min_value=1, max_value=200),
            ),
            "occurred_at": pa.Column(
                "datetime64[ns]",
                [
                    pa.Check(lambda s: s >= OLDEST_DATE, name="too_old"),
                    pa.Check(lambda s: s <= latest, name="future_date"),
                ],
            ),
            "time_known": pa.Column(bool),
            "category": pa.Column(str, _isin(set(known_categories().values()), "unknown_category")),
            "locality": pa.Column(str, _isin(set(muni.locality_names), "unknown_locality")),
            "lat": pa.Column(float, pa.Check.in_range(-90, 90), nullable=True),
            "lon": pa.Column(float, pa.Check.in_range(-180, 180), nullable=True),
            "source": pa.Column(str, _isin(set(SOURCES), "unknown_source")),
            "description": pa.Column(str, nullable=True),
        },
        strict="filter",
        coerce=True,
    )


def activity_schema(promises: pd.DataFrame) -> pa.DataFrameSchema:
    """Contract of promise activities; ``promises`` is a flattened promise definition frame."""
    return pa.DataFrameSchema(
        {
            "id": pa.Column(str, unique=True),
            "promise_id": pa.Column(str, _isin(set(promises["promise_id"]), "unknown_promise")),
            "indicator_id": pa.Column(
                str, _isin(set(promises["indicator_id"]), "unknown_indicator")
            ),
            "date": pa.Column(
                "datetime64[ns]", pa.Check(lambda s: s >= OLDEST_DATE, name="too_old")
            ),
            "kind": pa.Column(str, nullable=True),
            "quantity": pa.Column(float, pa.Check(lambda s: s >= 0, name="negative")),
            "unit": pa.Column(str, nullable=True),
            "locality": pa.Column(str, nullable=True),
            "responsible": pa.Column(str, nullable=True),
            "note": pa.Column(str, nullable=True),
            "evidence_url": pa.Column(str, nullable=True),
        },
        strict="filter",
        coerce=True,
    )


def camera_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "id": pa.Column(str, unique=True),
            "name": pa.Column(str),
            "lat": pa.Column(float, pa.Check.in_range(-90, 90)),
            "lon": pa.Column(float, pa.Check.in_range(-180, 180)),
            "installed_on": pa.Column("datetime64[ns]", nullable=True),
            "radius_m": pa.Column(
                float, pa.Check(lambda s: s > 0, name="out_of_range"), nullable=True
            ),
            "note": pa.Column(str, nullable=True),
        },
        strict="filter",
        coerce=True,
    )


def _whole(name: str) -> pa.Check:
    return pa.Check(lambda s: s.isna() | ((s >= 0) & (s == s.round())), name=name)


def peer_schema() -> pa.DataFrameSchema:
    """Reported crimes per region and year; a count may be suppressed ('..': missing) but
    then the rate must be there, and BRÅ's '-' has already been read as 0."""
    this_year = dt.date.today().year
    return pa.DataFrameSchema(
        {
            "id": pa.Column(str, unique=True),
            "region_code": pa.Column(str),
            "region": pa.Column(str),
            "year": pa.Column(
                int, pa.Check(lambda s: (s >= 1990) & (s <= this_year), name="year_range")
            ),
            "period": pa.Column(str),
            "category": pa.Column(str),
            "count": pa.Column(float, _whole("not_a_count"), nullable=True),
            "rate": pa.Column(float, pa.Check(lambda s: s >= 0, name="negative"), nullable=True),
            "population": pa.Column(float, _whole("not_a_count"), nullable=True),
            "source": pa.Column(str),
        },
        checks=pa.Check(lambda df: df["count"].notna() | df["rate"].notna(), name="count_or_rate"),
        strict="filter",
        coerce=True,
    )


def survey_schema() -> pa.DataFrameSchema:
    this_year = dt.date.today().year
    return pa.DataFrameSchema(
        {
            "id": pa.Column(str, unique=True),
            "year": pa.Column(
                int, pa.Check(lambda s: (s >= 1990) & (s <= this_year), name="year_range")
            ),
            "locality": pa.Column(str, nullable=True),
            "question": pa.Column(str),
            "share": pa.Column(
                float, pa.Check(lambda s: (s >= 0) & (s <= 100), name="share_range")
            ),
            "respondents": pa.Column(
                float, [pa.Check(lambda s: s >= 1, name="no_respondents"), _whole("not_a_count")]
            ),
            "source": pa.Column(str, nullable=True),
        },
        strict="filter",
        coerce=True,
    )


def population_grid_schema() -> pa.DataFrameSchema:
    """One square of a population grid: its id, lower-left corner and size in SWEREF 99 TM
    metres, and how many live there (a whole number, never negative)."""
    return pa.DataFrameSchema(
        {
            "id": pa.Column(str, unique=True),
            "easting": pa.Column(int),
            "northing": pa.Column(int),
            "size_m": pa.Column(int, pa.Check.isin([250, 1000])),
            "population": pa.Column(
                float,
                [
                    pa.Check(lambda s: s >= 0, name="negative"),
                    # A negative count is told once, as negative.
                    pa.Check(lambda s: (s < 0) | (s == s.round()), name="not_a_count"),
                ],
            ),
        },
        strict="filter",
        coerce=True,
    )


PROMISE_SCHEMA = pa.DataFrameSchema(
    {
        "period_id": pa.Column(str),
        "period_start": pa.Column("datetime64[ns]"),
        "period_end": pa.Column("datetime64[ns]"),
        "promise_id": pa.Column(str),
        "number": pa.Column(int, pa.Check.ge(1)),
        "text": pa.Column(str, pa.Check.str_length(min_value=1)),
        "responsible": pa.Column(str, pa.Check.isin(["police", "municipality", "joint"])),
        "indicator_id": pa.Column(str, unique=True),
        "indicator_label": pa.Column(str),
        "target": pa.Column(float, pa.Check(lambda s: s > 0, name="target_not_positive")),
        "unit": pa.Column(str),
        "targets_are_examples": pa.Column(bool),
        "texts_are_summaries": pa.Column(bool),
        "outcome_categories": pa.Column(object),
        "outcome_localities": pa.Column(object),
        "outcome_note": pa.Column(str),
    },
    checks=pa.Check(lambda df: df["period_start"] <= df["period_end"], name="period_order"),
    coerce=True,
)
