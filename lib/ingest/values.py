"""Analysts' own words for known values: a source column saying "Polis" or "Kommun", a
category spelled as in their own system, a locality without its diacritics.

An unknown value gets a suggestion (a common synonym, the same word in another case,
spacing or without diacritics, or a small spelling variant) that the analyst confirms or
changes; the confirmed mapping is remembered in the store (``Store.saved_value_map``) and
applied to the next file. Nothing here guesses silently: a value is read as a known one
only when it matches it exactly (ignoring case) or the analyst mapped it.
"""

from __future__ import annotations

import csv
import difflib
import io
import tomllib
import unicodedata

import pandas as pd

from lib.config import Municipality, known_categories
from lib.i18n import fmt_rows, source_label, t
from lib.ingest.schemas import SOURCES, swedish_headers

# The columns of an incidents file whose values must be known ones.
VALUE_COLUMNS = ("source", "category", "locality")
CUTOFF = 0.8  # difflib ratio for a spelling variant: "Skadegörlese" -> "Skadegörelse"
# How organisations name themselves in their own exports (folded: see ``fold``).
SOURCE_SYNONYMS = {
    "polis": "police",
    "polisen": "police",
    "polismyndigheten": "police",
    "polismyndighet": "police",
    "lokalpolisomradet": "police",
    "lpo": "police",
    "kommun": "municipal_report",
    "kommunen": "municipal_report",
    "kommunal rapportering": "municipal_report",
    "kommunens rapport": "municipal_report",
    "est": "municipal_report",
    "trygghetsvard": "municipal_report",
    "vaktare": "security_guard",
    "vakt": "security_guard",
    "vaktbolag": "security_guard",
    "bevakning": "security_guard",
    "bevakningsbolag": "security_guard",
    "ordningsvakt": "security_guard",
    "securitas": "security_guard",
    "avarn": "security_guard",
    "oppna handelser": "police_open_events",
    "polisen.se": "police_open_events",
    "polisens handelser": "police_open_events",
    "annan": "other",
    "annat": "other",
    "ovrigt": "other",
    "ovriga": "other",
}


def fold(text: str) -> str:
    """Case, spacing and diacritics away: "  Skadegörelse " and "skadegorelse" fold alike."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").split())


def vocabulary(column: str, muni: Municipality) -> dict[str, str]:
    """Known value (as stored) -> how a person reads it, for one column."""
    if column == "source":
        return {code: source_label(code) for code in SOURCES}
    if column == "category":
        return {name: name for name in sorted(set(known_categories().values()))}
    return {name: name for name in muni.locality_names}


def exact_lookup(column: str, muni: Municipality) -> dict[str, str]:
    """Lower-cased spelling -> known value: what the importer reads without asking."""
    known = vocabulary(column, muni)
    lookup = {label.lower(): value for value, label in known.items()}
    lookup.update({value.lower(): value for value in known})
    return lookup


def suggest(value: str, column: str, muni: Municipality) -> str | None:
    """The known value an unknown one most likely means, or None."""
    folded = fold(value)
    if column == "source" and folded in SOURCE_SYNONYMS:
        return SOURCE_SYNONYMS[folded]
    candidates: dict[str, str] = {}
    for known, label in vocabulary(column, muni).items():
        candidates.setdefault(fold(label), known)
        candidates.setdefault(fold(known), known)
    if folded in candidates:
        return candidates[folded]
    close = difflib.get_close_matches(folded, list(candidates), n=1, cutoff=CUTOFF)
    return candidates[close[0]] if close else None


def apply(values: pd.Series, mapping: dict[str, str] | None) -> pd.Series:
    """The file's values with the mapped ones replaced (matched as written, spaces around
    them ignored); missing stays missing."""
    if not mapping:
        return values
    stripped = values.astype("string").str.strip()
    return stripped.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v).astype("string")


def unknown_table(texts: dict[str, pd.Series], muni: Municipality) -> pd.DataFrame:
    """Each distinct value that is not a known one, per column, with its row count and a
    suggestion: columns ``column``, ``value``, ``rows``, ``suggestion``. ``texts`` holds each
    value column's cleaned text (missing values as NA)."""
    records = []
    for column, values in texts.items():
        lookup = exact_lookup(column, muni)
        present = values.dropna().astype(str).str.strip()
        present = present[present != ""]
        unknown = present[~present.str.lower().isin(lookup.keys())]
        for value, rows in unknown.value_counts(sort=False).items():
            records.append((column, value, int(rows), suggest(value, column, muni)))
    frame = pd.DataFrame(records, columns=["column", "value", "rows", "suggestion"], dtype=object)
    frame = frame.sort_values(["column", "rows", "value"], ascending=[True, False, True])
    return frame.reset_index(drop=True)


def label(column: str, known: str | None) -> str:
    """A known value as a person reads it (a source by its Swedish name)."""
    if known is None:
        return t("values.leave")
    return source_label(known) if column == "source" else known


def column_header(column: str) -> str:
    return swedish_headers("incidents")[column]


def unmapped_messages(unknown: pd.DataFrame, value_map: dict[str, dict[str, str]]) -> list[str]:
    """Swedish lines for the command line: each unknown value nobody mapped, with its
    suggestion, and how to map them."""
    lines = []
    for row in unknown.itertuples(index=False):
        if row.value in value_map.get(row.column, {}):
            continue
        fields = {"column": column_header(row.column), "value": row.value}
        fields["rows"] = fmt_rows(row.rows)
        if row.suggestion:
            lines.append(
                t("values.suggestion", **fields, suggestion=label(row.column, row.suggestion))
            )
        else:
            lines.append(t("values.unknown", **fields))
    return [*lines, t("values.how_to_map")] if lines else []


# --- Mapping files for the command line ----------------------------------------------------


class MapFileError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _column_of(text: str) -> str | None:
    names = {fold(c): c for c in VALUE_COLUMNS}
    names.update({fold(column_header(c)): c for c in VALUE_COLUMNS})
    names.update({"kalla": "source", "kategori": "category", "ort": "locality"})
    return names.get(fold(text))


def _known_of(text: str, column: str, muni: Municipality) -> str | None:
    return exact_lookup(column, muni).get(" ".join(text.split()).lower())


def _map_rows(data: bytes, file_name: str) -> list[tuple[int, list[str]]]:
    """A mapping file's rows: TOML (``[[map]]`` tables with column, value, known, or
    ``[källa]`` tables of file value = known value) or CSV (``;`` or ``,``)."""
    text = data.decode("utf-8-sig")
    if file_name.lower().endswith(".toml"):
        raw = tomllib.loads(text)
        rows = [
            (0, [str(e.get(k, "")) for k in ("column", "value", "known")])
            for e in raw.get("map", [])
        ]
        for column, entries in raw.items():
            if isinstance(entries, dict):
                rows += [(0, [column, str(v), str(k)]) for v, k in entries.items()]
        return rows
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [(n, row) for n, row in enumerate(reader, start=1) if any(c.strip() for c in row)]


def read_map_file(data: bytes, file_name: str, muni: Municipality) -> dict[str, dict[str, str]]:
    """column -> file value -> known value, from a mapping file; raises MapFileError with
    a Swedish message per bad line. A header line (``kolumn;värde i filen;känt värde``)
    is skipped."""
    try:
        rows = _map_rows(data, file_name)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, csv.Error) as exc:
        raise MapFileError([t("values.bad_map_file", file=file_name, reason=str(exc))]) from exc
    mapping: dict[str, dict[str, str]] = {}
    errors = []
    for number, row in rows:
        fields = [c.strip() for c in row]
        if len(fields) != 3 or not all(fields):
            errors.append((number, t("values.bad_map_shape")))
            continue
        column = _column_of(fields[0])
        if column is None:
            if number == 1:  # a header line
                continue
            errors.append((number, t("values.bad_map_column", value=fields[0])))
            continue
        known = _known_of(fields[2], column, muni)
        if known is None:
            reason = t("values.bad_map_target", value=fields[2], column=column_header(column))
            errors.append((number, reason))
            continue
        mapping.setdefault(column, {})[fields[1]] = known
    if errors:
        lines = [t("values.bad_map_line", line=n or "–", reason=r) for n, r in errors]
        raise MapFileError([t("values.bad_map_file", file=file_name, reason=lines[0]), *lines[1:]])
    return mapping
