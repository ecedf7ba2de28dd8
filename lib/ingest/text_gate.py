"""The one gate every free-text field passes before it is stored (issue 24): a report's note,
place, service and reporter, an action's title, owner, place and note, an incident's
description, and a promise activity's kind, unit, responsible, note and link.

What the gate does, in this order:

1. **Unicode normalised (NFKC)**: fullwidth letters and digits, ligatures and compatibility
   forms become their plain characters, so what is stored is what is checked.
2. **Invisible characters removed, and the message says so**: control characters (C0, DEL,
   C1; a tab and line breaks are kept in notes and made spaces elsewhere), format characters
   (zero-width spaces, soft hyphens, byte-order marks) and every bidirectional control
   (U+202A–U+202E overrides and embeddings, U+2066–U+2069 isolates, the direction marks),
   surrogates and noncharacters. They cannot be seen, so a reporter on a phone could not find
   them to take them out: they are removed and the form says how many, from which field. The
   zero-width joiner and non-joiner stay (they hold emoji and some scripts together) and can
   hide nothing: the personal-data check reads the text without them.
3. **A length limit per field** (``lib.store.tables.TEXT_LIMITS``, which the database holds
   too): a longer text is refused with a message naming the field, its limit and its length.
4. **Personal data** (``lib.ingest.personal_data``) in a report's or an action's fields:
   refused with a message naming the field and the kind (identity number, phone number,
   e-mail address), never the value.

Messages are Swedish and name the field as the form or the file does (``name`` in
``problem_message`` and ``removed_message``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.i18n import fmt_int, t
from lib.ingest import personal_data
from lib.store.tables import TEXT_LIMITS


@dataclass(frozen=True)
class Field:
    """One free-text field: where it is stored (whose limit applies), whether it may hold
    line breaks, and whether it is checked for personal data."""

    key: str
    table: str
    column: str
    multiline: bool = False
    personal_data: bool = False

    @property
    def limit(self) -> int:
        return TEXT_LIMITS[self.table][self.column]

    @property
    def label(self) -> str:
        """The field's name in messages (``gate.field.<key>``)."""
        return t(f"gate.field.{self.key}")


FIELDS: dict[str, Field] = {
    f.key: f
    for f in (
        Field("report.note", "reports", "note", multiline=True, personal_data=True),
        Field("report.place", "reports", "place", personal_data=True),
        Field("report.service", "reports", "service", personal_data=True),
        Field("report.reporter", "reports", "reporter", personal_data=True),
        Field("action.title", "report_actions", "title", personal_data=True),
        # Who is responsible: a person or a unit by design, by default the signed-in
        # analyst's name (an OIDC sign-in's is an e-mail address); cleaned and held to the
        # limit, not searched.
        Field("action.owner", "report_actions", "owner"),
        Field("action.place", "report_actions", "place", personal_data=True),
        Field("action.note", "report_actions", "note", multiline=True, personal_data=True),
        Field("incident.description", "incidents", "description", multiline=True),
        Field("activity.kind", "activities", "kind"),
        Field("activity.unit", "activities", "unit"),
        Field("activity.responsible", "activities", "responsible"),
        Field("activity.note", "activities", "note", multiline=True),
        Field("activity.evidence_url", "activities", "evidence_url"),
    )
}
# The free-text columns of an import kind, and their fields.
IMPORT_FIELDS = {
    "incidents": {"description": "incident.description"},
    "activities": {
        "kind": "activity.kind",
        "unit": "activity.unit",
        "responsible": "activity.responsible",
        "note": "activity.note",
        "evidence_url": "activity.evidence_url",
    },
}

# Kept although they are format characters: they join emoji and letters, and move nothing.
_KEPT_FORMAT = {"\u200c", "\u200d"}
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x85\x0b\x0c]")


@functools.cache
def _removed() -> re.Pattern:
    """Every character the gate removes: controls but tab and line breaks (Cc), format
    characters but the joiners (Cf: zero-width, soft hyphen, byte-order mark, the direction
    marks and every bidirectional override, embedding and isolate), surrogates (Cs) and
    noncharacters. Scanned once from Python's Unicode database, in the planes that hold them."""
    codes = [*range(0x10000), *range(0x10000, 0x20000), *range(0xE0000, 0xE1000)]
    found = []
    for code in codes:
        char = chr(code)
        category = unicodedata.category(char)
        if char in "\t\n\r\x0b\x0c\x85" or char in _KEPT_FORMAT:
            continue
        if category in ("Cc", "Cf", "Cs") or _noncharacter(code):
            found.append(char)
    found += [chr(c) for c in range(0x20000, 0x110000) if _noncharacter(c)]
    return re.compile(personal_data.character_class(ord(c) for c in found))


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


_OTHER_BREAKS = ("\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c")


def clean(text: str, multiline: bool = False) -> tuple[str, int]:
    """``text`` normalised (NFKC), line breaks made '\\n' (a space in a one-line field),
    invisible characters removed; and how many were removed. Fast for the usual text (a
    million descriptions in a few seconds): each step runs only when it has work."""
    removed = 0
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    # Every character removed is unprintable to Python (Cc, Cf, Cs, Cn); most text is
    # printable but for its tabs and line breaks, and needs no search.
    if not text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        text, removed = _removed().subn("", text)
    if any(c in text for c in _OTHER_BREAKS) or (not multiline and "\n" in text):
        text = _LINE_BREAKS.sub("\n" if multiline else " ", text)
    if not multiline and "\t" in text:
        text = text.replace("\t", " ")
    return text, removed


@dataclass(frozen=True)
class Checked:
    """A field's text as the gate leaves it, and what it found."""

    field: Field
    text: str | None  # cleaned and stripped; None when empty
    removed: int  # invisible characters removed
    length: int  # characters after cleaning
    problems: tuple[str, ...]  # 'too_long', then personal_data.PROBLEMS found

    @property
    def ok(self) -> bool:
        return not self.problems


def check(key: str, text: object) -> Checked:
    """Put one field's text through the gate (``FIELDS[key]``). Personal data is looked for
    only in text within the limit: a longer text is refused for its length first."""
    spec = FIELDS[key]
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return Checked(spec, None, 0, 0, ())
    cleaned, removed = clean(str(text), spec.multiline)
    cleaned = cleaned.strip()
    problems: list[str] = []
    if len(cleaned) > spec.limit:
        problems.append("too_long")
    elif spec.personal_data:
        problems += personal_data.find(cleaned)
    return Checked(spec, cleaned or None, removed, len(cleaned), tuple(problems))


# --- Messages (Swedish; the field named as the form or the file names it, never the value) ------


def found_text(kinds) -> str:
    """'ett personnummer och en e-postadress'."""
    return t("gate.and").join(t(f"gate.found_{k}") for k in kinds)


def problem_message(checked: Checked, name: str | None = None) -> str | None:
    """Why the field is refused (None when it is not)."""
    if not checked.problems:
        return None
    name = name or checked.field.label
    if "too_long" in checked.problems:
        return t(
            "gate.too_long",
            field=name,
            limit=fmt_int(checked.field.limit),
            length=fmt_int(checked.length),
        )
    return t("gate.personal", field=name, found=found_text(checked.problems))


def removed_message(checked: Checked, name: str | None = None) -> str | None:
    """That invisible characters were removed from the field (None when none were)."""
    if not checked.removed:
        return None
    return t("gate.removed", field=name or checked.field.label, n=fmt_int(checked.removed))


# --- Columns of a file --------------------------------------------------------------------------


@dataclass
class CheckedColumn:
    """A file's column through the gate: the cleaned values (missing stays missing), how
    many characters each row lost, and which rows are too long."""

    field: Field
    values: pd.Series
    removed: pd.Series  # int per row
    too_long: pd.Series  # bool per row
    lengths: pd.Series  # int per row

    def removed_note(self, name: str) -> str | None:
        """One line for the whole file: in how many rows invisible characters were removed
        from the column (None when in none)."""
        rows = int((self.removed > 0).sum())
        if not rows:
            return None
        return t("gate.removed_rows", field=name, rows=fmt_int(rows))

    def too_long_reason(self, index) -> str:
        return t(
            "gate.too_long_cell",
            limit=fmt_int(self.field.limit),
            length=fmt_int(int(self.lengths[index])),
        )


# Characters that NFKC leaves as they are and the gate never removes: printable ASCII, tab
# and line feed, the Latin-1 letters and the punctuation Swedish text is full of. A value made
# only of them needs no look in Python.
_SETTLED_LINE = "\x20-\x7eÀ-ÖØ-öø-ÿ–—‘’“”€§°"
_SETTLED = {True: f"[^\t\n{_SETTLED_LINE}]", False: f"[^{_SETTLED_LINE}]"}  # by multiline


def check_column(key: str, values: pd.Series) -> CheckedColumn:
    """A whole column through the gate at once (an import of a million rows): values made
    only of settled characters are stripped and measured as a column; the others go through
    ``clean`` one by one."""
    spec = FIELDS[key]
    text = values.astype("string")
    unsettled = text.str.contains(_SETTLED[spec.multiline], regex=True)
    unsettled = unsettled.fillna(False).astype(bool)
    cleaned, removed = [], []
    for value in text[unsettled].tolist():
        one, count = clean(value, spec.multiline)
        cleaned.append(one)
        removed.append(count)
    out = text.copy()
    if cleaned:
        out[unsettled] = pd.Series(cleaned, index=text.index[unsettled], dtype="string")
    out = out.str.strip()
    out = out.mask(out == "")
    counts = np.zeros(len(text), dtype="int64")
    counts[unsettled.to_numpy()] = removed
    counts = pd.Series(counts, index=values.index)
    lengths = out.str.len().fillna(0).astype("int64")
    return CheckedColumn(spec, out, counts, lengths > spec.limit, lengths)
