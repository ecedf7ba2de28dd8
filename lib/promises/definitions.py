"""Promise definitions in the store: the periods, the promises of each period, the indicators
each promise is followed up by and their targets.

Every change is one entry of the import log (kind ``promises``), undone through
``Store.undo``: the configured promise loaded once (``seed_configured``), a file of
definitions (``lib.promises.files``), one edit in the app (``add_period`` … ``set_target``).
The sample data's promises and example targets are a sample import and leave with
``Store.remove_sample``. A change never rewrites a row: it adds a new version of each period,
promise or indicator it touches (or a removal), and the definitions are the latest live
version of each (``resolve``), so undoing a change brings back what it replaced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import re
import threading
import unicodedata
import uuid
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from lib.config import Municipality, PromisePeriod
from lib.i18n import fmt_date, fmt_num, fmt_period, t
from lib.ingest import promise_files
from lib.store.store import Store, StoreError, WriteItem
from lib.store.tables import (
    TABLES,
    imports,
    insert_missing,
    lock_writers,
    meta,
    metadata,
    municipality_column,
)

KIND = "promises"
PERIOD, PROMISE, INDICATOR = "period", "promise", "indicator"
KEYS = {
    PERIOD: ["period_id"],
    PROMISE: ["period_id", "promise_id"],
    INDICATOR: ["period_id", "promise_id", "indicator_id"],
}
RESPONSIBLE = promise_files.RESPONSIBLE
SEPARATOR = "|"  # between the categories (or localities) of one promise in a cell
TEXT_MAX, LABEL_MAX, UNIT_MAX = 2000, 256, 32

table = sa.Table(
    "promise_definitions",
    metadata,
    sa.Column("id", sa.String(64), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),  # period | promise | indicator
    sa.Column("period_id", sa.String(64), nullable=False),
    sa.Column("promise_id", sa.String(64)),
    sa.Column("indicator_id", sa.String(64)),
    sa.Column("starts_on", sa.String(10)),  # a period's first and last day, ISO
    sa.Column("ends_on", sa.String(10)),
    sa.Column("number", sa.Integer),
    sa.Column("text", sa.Text),
    sa.Column("responsible", sa.String(16)),
    sa.Column("label", sa.String(LABEL_MAX)),
    sa.Column("unit", sa.String(UNIT_MAX)),
    sa.Column("target", sa.Float),  # None: no target set
    sa.Column("outcome_categories", sa.Text),
    sa.Column("outcome_localities", sa.Text),
    sa.Column("outcome_note", sa.Text),
    sa.Column("removed", sa.Boolean, nullable=False),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False, index=True),
    municipality_column(),
    sa.PrimaryKeyConstraint("municipality", "id"),
)
TABLES.setdefault(KIND, table)

# One row per indicator (a promise without indicators is one row without one): what the
# figures (``lib.figures.promises``), the views and the pages read.
COLUMNS = (
    *promise_files.COLUMNS,
    "targets_are_examples",  # the target comes from the sample data
    "period_is_sample",  # the whole period is the sample data's
)


class PromiseError(Exception):
    """A change refused for a reason the analyst can fix; ``promise.error_<code>``."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details

    def message(self) -> str:
        return t(f"promise.error_{self.code}", **self.details)


@dataclass(frozen=True)
class Promises:
    """The municipality's promises as they stand: the periods (by start) and the flattened
    definitions (``COLUMNS``)."""

    periods: tuple[PromisePeriod, ...]
    definitions: pd.DataFrame
    sample_periods: frozenset[str] = frozenset()

    def period(self, period_id: str) -> PromisePeriod | None:
        return next((p for p in self.periods if p.id == period_id), None)

    def of_period(self, period_id: str) -> pd.DataFrame:
        return self.definitions[self.definitions["period_id"] == period_id]

    def indicators(self, period_id: str | None = None) -> pd.DataFrame:
        """The rows that are indicators (of one period, or all)."""
        defs = self.definitions if period_id is None else self.of_period(period_id)
        return defs[defs["indicator_id"].notna()]


# --- Making the table ---------------------------------------------------------------------------

_made: set[str] = set()
_made_lock = threading.Lock()


def ensure_tables(store: Store) -> None:
    """Create the table in the store once per process (queued behind other writers)."""
    with _made_lock:
        if store.url in _made:
            return
        with store.engine.execution_options(write=True).begin() as conn:
            lock_writers(conn, 0)
            metadata.create_all(conn, tables=[table], checkfirst=True)
        _made.add(store.url)


# --- Reading ------------------------------------------------------------------------------------


def read_rows(store: Store) -> pd.DataFrame:
    """Every stored version of the municipality's definitions, in the order written, with
    whether its import is the sample data's."""
    ensure_tables(store)
    columns = [c for c in table.columns if c.name != "municipality"]
    query = (
        sa.select(*columns, imports.c.is_sample)
        .select_from(table.join(imports, imports.c.id == table.c.import_id))
        .where(table.c.municipality == store.municipality)
        .order_by(table.c.import_id, table.c.id)
    )
    with store.engine.connect() as conn:
        found = conn.execute(query).all()
    return pd.DataFrame(found, columns=[*(c.name for c in columns), "is_sample"])


def read(store: Store) -> Promises:
    """The municipality's promises as they stand (the data manager caches this)."""
    return resolve(read_rows(store))


def _current(rows: pd.DataFrame, level: str) -> pd.DataFrame:
    """The latest version of each key of a level, removals dropped, in the order the keys
    first appeared (a new target does not move an indicator to the end)."""
    versions = rows[rows["level"] == level]
    keys = KEYS[level]
    first = versions.drop_duplicates(keys, keep="first")[keys].reset_index(drop=True)
    first["order"] = range(len(first))
    latest = versions.drop_duplicates(keys, keep="last").merge(first, on=keys)
    return latest[~latest["removed"].astype(bool)].sort_values("order").reset_index(drop=True)


def _split(text) -> tuple[str, ...]:
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text):
        return ()
    return tuple(part for part in str(text).split(SEPARATOR) if part)


def resolve(rows: pd.DataFrame) -> Promises:
    """The definitions as they stand from their stored versions (``read_rows``)."""
    if rows.empty:
        return Promises((), pd.DataFrame(columns=list(COLUMNS)))
    periods = _current(rows, PERIOD)
    promises = _current(rows, PROMISE)
    promises = promises[promises["period_id"].isin(periods["period_id"])]
    indicators = _current(rows, INDICATOR)
    indicators = indicators.merge(promises[["period_id", "promise_id"]], how="inner")
    by_period = periods.set_index("period_id")
    sample = sample_periods(rows)
    out = []
    for p in promises.sort_values("number", kind="stable").itertuples():
        period = by_period.loc[p.period_id]
        mine = indicators[
            (indicators["period_id"] == p.period_id) & (indicators["promise_id"] == p.promise_id)
        ]
        base = {
            "period_id": p.period_id,
            "period_start": pd.Timestamp(period["starts_on"]),
            "period_end": pd.Timestamp(period["ends_on"]),
            "promise_id": p.promise_id,
            "number": int(p.number),
            "text": p.text,
            "responsible": p.responsible,
            "outcome_categories": _split(p.outcome_categories),
            "outcome_localities": _split(p.outcome_localities),
            "outcome_note": p.outcome_note or "",
            "period_is_sample": p.period_id in sample,
        }
        if mine.empty:
            out.append({**base, "target": math.nan, "targets_are_examples": False})
        for i in mine.itertuples():
            target = math.nan if i.target is None or pd.isna(i.target) else float(i.target)
            out.append(
                {
                    **base,
                    "indicator_id": i.indicator_id,
                    "indicator_label": i.label,
                    "target": target,
                    "unit": i.unit or "",
                    "targets_are_examples": bool(i.is_sample) and not math.isnan(target),
                }
            )
    frame = pd.DataFrame(out, columns=list(COLUMNS))
    if len(frame):
        frame = frame.sort_values(["period_start", "number"], kind="stable")
        frame["number"] = frame["number"].astype(int)
        frame["target"] = frame["target"].astype(float)
    chosen = periods.sort_values("starts_on", kind="stable")
    listed = tuple(
        PromisePeriod(
            r.period_id, dt.date.fromisoformat(r.starts_on), dt.date.fromisoformat(r.ends_on)
        )
        for r in chosen.itertuples()
    )
    return Promises(listed, frame.reset_index(drop=True), sample_periods(rows))


def sample_periods(rows: pd.DataFrame) -> frozenset[str]:
    """Periods only the sample data defines (every version of them is a sample import's)."""
    versions = rows[rows["level"] == PERIOD]
    real = set(versions.loc[~versions["is_sample"].astype(bool), "period_id"])
    return frozenset(set(versions["period_id"]) - real)


# --- Rows -------------------------------------------------------------------------------------


def _blank(level: str, period_id: str) -> dict:
    return {c.name: None for c in table.columns if c.name not in ("id", "import_id")} | {
        "level": level,
        "period_id": period_id,
        "removed": False,
    }


def period_row(period_id: str, start: dt.date, end: dt.date) -> dict:
    row = _blank(PERIOD, period_id)
    return row | {"starts_on": start.isoformat(), "ends_on": end.isoformat()}


def promise_row(
    period_id: str,
    promise_id: str,
    number: int,
    text: str,
    responsible: str,
    categories: tuple[str, ...] = (),
    localities: tuple[str, ...] = (),
    note: str = "",
) -> dict:
    return _blank(PROMISE, period_id) | {
        "promise_id": promise_id,
        "number": int(number),
        "text": text,
        "responsible": responsible,
        "outcome_categories": SEPARATOR.join(categories) or None,
        "outcome_localities": SEPARATOR.join(localities) or None,
        "outcome_note": note or None,
    }


def indicator_row(
    period_id: str, promise_id: str, indicator_id: str, label: str, unit: str, target
) -> dict:
    return _blank(INDICATOR, period_id) | {
        "promise_id": promise_id,
        "indicator_id": indicator_id,
        "label": label,
        "unit": unit,
        "target": None if target is None or pd.isna(target) else float(target),
    }


def removal(level: str, period_id: str, promise_id=None, indicator_id=None) -> dict:
    return _blank(level, period_id) | {
        "promise_id": promise_id,
        "indicator_id": indicator_id,
        "removed": True,
    }


def rows_from_definitions(frame: pd.DataFrame) -> list[dict]:
    """Stored rows for a flattened definition frame (``promise_files.COLUMNS``): each
    period, promise and indicator once."""
    rows = []
    for _, period in frame.drop_duplicates("period_id").iterrows():
        rows.append(
            period_row(
                period["period_id"], period["period_start"].date(), period["period_end"].date()
            )
        )
    for _, p in frame.drop_duplicates(["period_id", "promise_id"]).iterrows():
        rows.append(
            promise_row(
                p["period_id"],
                p["promise_id"],
                p["number"],
                p["text"],
                p["responsible"],
                tuple(p["outcome_categories"]),
                tuple(p["outcome_localities"]),
                p["outcome_note"],
            )
        )
    for _, i in frame[frame["indicator_id"].notna()].iterrows():
        rows.append(
            indicator_row(
                i["period_id"],
                i["promise_id"],
                i["indicator_id"],
                i["indicator_label"],
                i["unit"],
                i["target"],
            )
        )
    return rows


def write(
    store: Store,
    rows: list[dict],
    description: str,
    user: str | None,
    *,
    digest: str | None = None,
    is_sample: bool = False,
) -> int:
    """Store one change (rows of new versions) as one entry of the import log; returns its
    id. ``digest`` identifies a file (the same file is refused twice); an edit in the app
    gets a fresh one."""
    return store.write(item(rows, description, digest, is_sample), user)


def item(rows: list[dict], description: str, digest: str | None, is_sample: bool) -> WriteItem:
    """The change as the store writes it (``seed_sample`` writes it with the other files)."""
    ensure_columns = [c.name for c in table.columns if c.name not in ("id", "import_id")]
    frame = pd.DataFrame(rows, columns=ensure_columns)
    token = digest or hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    frame.insert(0, "id", [f"{token[:16]}-{i:04d}" for i in range(len(frame))])
    frame["removed"] = frame["removed"].astype(bool)
    frame["number"] = frame["number"].astype("Int64")  # whole numbers on PostgreSQL too
    return WriteItem(KIND, frame, description[:512], token, is_sample=is_sample)


def preview(rows: pd.DataFrame, change: WriteItem) -> Promises:
    """The promises as they would stand once ``change`` is stored after ``rows`` (what a
    file's activities are checked against before both are stored together)."""
    after = int(rows["import_id"].max()) + 1 if len(rows) else 1
    extra = change.frame.assign(import_id=after, is_sample=change.is_sample)
    return resolve(pd.concat([rows, extra], ignore_index=True) if len(rows) else extra)


# --- The configured promise ---------------------------------------------------------------------


def configured_loaded(store: Store) -> bool:
    """Has the configured promise been loaded into this store (``seed_configured``)?"""
    key = f"promises_configured:{store.municipality}"
    with store.engine.connect() as conn:
        return conn.execute(sa.select(meta.c.key).where(meta.c.key == key)).first() is not None


def as_they_would_stand(store: Store, muni: Municipality) -> Promises:
    """The promises with the configured one loaded, without writing anything: what a file
    is checked against before the store has loaded it (a failed import must leave the store
    exactly as it was)."""
    ensure_tables(store)
    rows = read_rows(store)
    if configured_loaded(store):
        return resolve(rows)
    try:
        frame = promise_files.all_definitions(muni)
    except promise_files.PromiseFileError:
        return resolve(rows)
    if frame.empty:
        return resolve(rows)
    return preview(rows, item(rows_from_definitions(frame), "", None, False))


def seed_configured(store: Store, muni: Municipality) -> int | None:
    """Load the promise the configuration names into the store, once per store and
    municipality (an analyst who undoes it is not overruled on the next start); returns the
    import's id, None when there was nothing to do."""
    ensure_tables(store)
    key = f"promises_configured:{store.municipality}"
    with store.engine.connect() as conn:
        if conn.execute(sa.select(meta.c.key).where(meta.c.key == key)).first() is not None:
            return None
    try:
        frame = promise_files.all_definitions(muni)
    except promise_files.PromiseFileError as exc:  # the operator's to fix; pages still run
        logging.getLogger("trygghet").error("%s", exc)
        return None
    import_id = None
    if not frame.empty:
        files = [p.file for p in muni.promise_periods if p.file is not None]
        digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
        names = ", ".join(f.name for f in files)
        try:
            import_id = write(
                store,
                rows_from_definitions(frame),
                names,
                t("promise.configured_by"),
                digest=digest,
            )
        except StoreError as err:  # another process loaded it at the same moment
            if err.code != "already_imported":
                raise
    with store.writing() as conn:
        insert_missing(conn, meta, key=key, value=dt.datetime.now(dt.UTC).isoformat())
    return import_id


# --- Changes in the app -------------------------------------------------------------------------


def slug(text: str, limit: int = 40) -> str:
    """An id from a name: 'Trygghetsvandringar i Östansjö' -> 'trygghetsvandringar-i-ostansjo'."""
    folded = unicodedata.normalize("NFKD", str(text).lower())
    ascii_text = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:limit].strip("-") or "x"


def unique(wanted: str, taken: set[str]) -> str:
    found, n = wanted, 2
    while found in taken:
        found, n = f"{wanted}-{n}", n + 1
    return found


def _target(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise PromiseError("target", value=fmt_num(number, 1))
    return number


def _text(value: str, limit: int, code: str) -> str:
    text = " ".join(str(value or "").split())
    if not text or len(text) > limit:
        raise PromiseError(code, limit=limit)
    return text


def _period(current: Promises, period_id: str) -> PromisePeriod:
    found = current.period(period_id)
    if found is None:
        raise PromiseError("unknown_period")
    return found


def _promise(current: Promises, period_id: str, promise_id: str) -> pd.Series:
    found = current.of_period(period_id)
    found = found[found["promise_id"] == promise_id]
    if found.empty:
        raise PromiseError("unknown_promise")
    return found.iloc[0]


def _indicator(current: Promises, period_id: str, promise_id: str, indicator_id: str):
    found = current.indicators(period_id)
    found = found[(found["promise_id"] == promise_id) & (found["indicator_id"] == indicator_id)]
    if found.empty:
        raise PromiseError("unknown_indicator")
    return found.iloc[0]


def add_period(store: Store, start: dt.date, end: dt.date, user: str) -> str:
    """A new promise period; returns its id ('2024-2025')."""
    if start is None or end is None or end < start:
        raise PromiseError("period_order")
    taken = {r for r in read_rows(store)["period_id"]}
    period_id = unique(f"{start.year}-{end.year}", taken)
    what = t("promise.change_add_period", period=fmt_period(start, end))
    write(store, [period_row(period_id, start, end)], what, user)
    return period_id


def end_period(store: Store, period_id: str, end: dt.date, user: str) -> None:
    """The period ends on ``end`` (earlier or later than planned): from that day on its
    status is final."""
    period = _period(read(store), period_id)
    if end is None or end < period.start:
        raise PromiseError("period_order")
    what = t(
        "promise.change_end_period", period=fmt_period(period.start, period.end), day=fmt_date(end)
    )
    write(store, [period_row(period_id, period.start, end)], what, user)


def add_promise(
    store: Store,
    period_id: str,
    text: str,
    responsible: str,
    user: str,
    categories: tuple[str, ...] = (),
    localities: tuple[str, ...] = (),
    note: str = "",
) -> str:
    """A new promise of a period, numbered after the others; returns its id."""
    current = read(store)
    _period(current, period_id)
    if responsible not in RESPONSIBLE:
        raise PromiseError("responsible")
    text = _text(text, TEXT_MAX, "text")
    numbers = current.of_period(period_id)["number"]
    number = int(numbers.max()) + 1 if len(numbers) else 1
    taken = set(read_rows(store)["promise_id"].dropna())
    promise_id = unique(f"{period_id}-{number}", taken)
    row = promise_row(
        period_id, promise_id, number, text, responsible, categories, localities, note
    )
    write(store, [row], t("promise.change_add_promise", number=number), user)
    return promise_id


def remove_promise(store: Store, period_id: str, promise_id: str, user: str) -> None:
    """The promise is no longer part of the period (its activities stay in the log)."""
    found = _promise(read(store), period_id, promise_id)
    what = t("promise.change_remove_promise", number=int(found["number"]))
    write(store, [removal(PROMISE, period_id, promise_id)], what, user)


def add_indicator(
    store: Store,
    period_id: str,
    promise_id: str,
    label: str,
    unit: str,
    target,
    user: str,
) -> str:
    """A new indicator of a promise (target optional); returns its id."""
    current = read(store)
    found = _promise(current, period_id, promise_id)
    label = _text(label, LABEL_MAX, "label")
    unit = _text(unit or t("promise.default_unit"), UNIT_MAX, "unit")
    target = _target(target)
    taken = set(read_rows(store)["indicator_id"].dropna())
    indicator_id = unique(slug(label), taken)
    row = indicator_row(period_id, promise_id, indicator_id, label, unit, target)
    what = t("promise.change_add_indicator", number=int(found["number"]), label=label)
    write(store, [row], what, user)
    return indicator_id


def set_target(
    store: Store, period_id: str, promise_id: str, indicator_id: str, target, user: str
) -> None:
    """The indicator's target (None: no target)."""
    found = _indicator(read(store), period_id, promise_id, indicator_id)
    target = _target(target)
    row = indicator_row(
        period_id, promise_id, indicator_id, found["indicator_label"], found["unit"], target
    )
    shown = fmt_num(target, 0 if float(target or 0).is_integer() else 1) if target else "–"
    what = t("promise.change_target", label=found["indicator_label"], target=shown)
    write(store, [row], what, user)


def remove_indicator(
    store: Store, period_id: str, promise_id: str, indicator_id: str, user: str
) -> None:
    found = _indicator(read(store), period_id, promise_id, indicator_id)
    what = t("promise.change_remove_indicator", label=found["indicator_label"])
    write(store, [removal(INDICATOR, period_id, promise_id, indicator_id)], what, user)


def changes(store: Store) -> pd.DataFrame:
    """The import log's live changes of the definitions that are not the sample data's,
    newest first: what an analyst may undo on the promise page."""
    log = store.import_log()
    live = log[(log["kind"] == KIND) & log["undone_at"].isna() & ~log["is_sample"].astype(bool)]
    return live.sort_values("id", ascending=False).reset_index(drop=True)
