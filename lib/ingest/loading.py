"""Reading a file and storing it as one logged transaction: the path shared by the CLI,
first-start seeding and (later) the data page."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field

import pandas as pd

from lib.config import Municipality
from lib.est import tables as est_tables  # registers the kind 'reports' (the sample's)
from lib.geo import project
from lib.i18n import fmt_int, fmt_rows, t
from lib.ingest.formats import Raw
from lib.ingest.importers import (
    ReadResult,
    RowError,
    excel_csv_bytes,
    read_raw,
    read_table,
    sha256_of,
)
from lib.ingest.limits import COMMAND_LINE, Limits, TooComplex, run_isolated
from lib.ingest.limits import too_large as _too_large
from lib.ingest.promise_files import all_definitions
from lib.ingest.schemas import swedish_headers
from lib.promises import definitions as promise_definitions
from lib.promises.definitions import as_they_would_stand, seed_configured
from lib.store import population
from lib.store.store import Store, StoreError, WriteItem

KINDS = ("incidents", "activities", "cameras", "peers")  # the sample data's kinds
IMPORT_KINDS = ("incidents", "activities", "cameras", "peers", "survey", population.KIND)


@dataclass
class ImportOutcome:
    ok: bool
    import_id: int | None = None
    rows_added: int = 0
    messages: list[str] = field(default_factory=list)  # Swedish, one problem per line
    read: ReadResult | None = None


def store_error_message(err: StoreError) -> list[str]:
    """Swedish messages for a refused write."""
    if err.code == "already_imported":
        return [t("import.already_imported", id=err.details["id"], when=err.details["when"])]
    if err.code == "existing_ids":
        ids = err.details["ids"]
        lines = [t("err.existing_id", value=i) for i in ids[:20]]
        if len(ids) > 20:
            lines.append(t("import.more_ids", count=len(ids) - 20))
        return lines
    if err.code == "no_new_rows":
        return [t("import.no_new_rows")]
    if err.code in {"unknown_import", "already_undone"}:
        return [t(f"cli.{err.code}", id=err.details["id"])]
    return [t("err.schema", value=err.code, check=err.details)]


def too_large(size: int, limits: Limits = COMMAND_LINE) -> str | None:
    """The Swedish refusal for a file over the size limit, or None."""
    return _too_large(size, limits)


def parse_file(
    data: bytes,
    file_name: str,
    muni: Municipality,
    limits: Limits,
    sheets: tuple[str, ...] | None = None,
) -> Raw:
    """The file as a string table, parsed in a child process within ``limits``: a file
    that needs more memory or time than they allow is refused in Swedish, and the process
    reading it (the app's, with every other session in it) is never at risk. ``sheets``:
    the worksheets of a workbook to read, None for the reader's own choice."""
    try:
        return run_isolated(read_raw, (data, file_name, muni, limits, sheets), limits)
    except TooComplex:
        return Raw(problem=t("err.too_complex"))


def read_file(
    data: bytes,
    kind: str | None,
    muni: Municipality,
    file_name: str,
    default_source: str | None = None,
    *,
    mapping: dict[str, str | None] | None = None,
    year: int | None = None,
    value_map: dict[str, dict[str, str]] | None = None,
    raw: Raw | None = None,
    limits: Limits = COMMAND_LINE,
    isolated: bool = True,
    date_order: str | None = None,
    sheets: tuple[str, ...] | None = None,
    promises: pd.DataFrame | None = None,
) -> ReadResult:
    """Read and validate a file: parsed in a child process (``isolated``) unless ``raw``,
    the file already parsed, is given; ``value_map`` maps the file's own words for
    sources, categories and localities (column -> file value -> known value);
    ``date_order`` ('dm', 'md') reads slash dates the file cannot tell the order of;
    ``sheets`` names the worksheets of a workbook to read. Activities are checked against
    ``promises``, the stored definitions (``lib.promises.definitions``; the configured
    ones when not given)."""
    problem = too_large(len(data), limits)
    if problem:
        result = ReadResult(kind=kind, file_name=file_name, sha256=sha256_of(data))
        result.errors.append(RowError(None, None, problem))
        return result
    if promises is None and kind in (None, "activities"):
        promises = all_definitions(muni)
    return read_table(
        data,
        kind,
        muni,
        file_name,
        default_source=default_source,
        promises=promises,
        mapping=mapping,
        year=year,
        value_map=value_map,
        raw=raw
        if raw is not None or not isolated
        else parse_file(data, file_name, muni, limits, sheets),
        limits=limits,
        date_order=date_order,
        sheets=sheets,
    )


def import_bytes(
    store: Store,
    data: bytes,
    kind: str | None,
    muni: Municipality,
    file_name: str,
    *,
    user: str | None = None,
    skip_invalid: bool = False,
    default_source: str | None = None,
    mapping: dict[str, str | None] | None = None,
    year: int | None = None,
    progress=None,
    replace_sample: bool = False,
    value_map: dict[str, dict[str, str]] | None = None,
    limits: Limits = COMMAND_LINE,
    date_order: str | None = None,
    sheets: tuple[str, ...] | None = None,
    covers: tuple[dt.date, dt.date] | None = None,
) -> ImportOutcome:
    """Validate, then store all valid rows in one transaction; on any problem store nothing
    (unless ``skip_invalid``, which stores the valid rows and reports the others).
    ``covers``: the period the file says it covers (its coverage then, instead of the months
    of its first and last incident, ``lib.figures.coverage``)."""
    result = read_file(
        data,
        kind,
        muni,
        file_name,
        default_source,
        mapping=mapping,
        year=year,
        value_map=value_map,
        limits=limits,
        date_order=date_order,
        sheets=sheets,
        promises=_stored_promises(store, muni) if kind in (None, "activities") else None,
    )
    outcome = store_result(
        store,
        result,
        user=user,
        skip_invalid=skip_invalid,
        progress=progress,
        replace_sample=replace_sample,
        covers=covers,
    )
    if outcome.ok and result.kind == "activities":
        seed_configured(store, muni)  # the activities point at its indicators
    return outcome


def _stored_promises(store: Store, muni: Municipality) -> pd.DataFrame:
    """The definitions activities are checked against: the store's, with the configured
    promise as it will be loaded (for a store the app has not opened yet: the command line).
    Nothing is written here: the promise is loaded once the import has succeeded."""
    return as_they_would_stand(store, muni).definitions


def store_result(
    store: Store,
    result: ReadResult,
    *,
    user: str | None = None,
    skip_invalid: bool = False,
    progress=None,
    replace_sample: bool = False,
    covers: tuple[dt.date, dt.date] | None = None,
) -> ImportOutcome:
    """Store a file already read and validated (the data page's preview) as one logged
    transaction, or nothing. With ``replace_sample`` the sample data goes in the same
    transaction; ``covers`` is the period the file declares it covers."""
    file_name = result.file_name
    messages = [e.message(file_name) for e in result.errors]
    if result.kind == population.KIND:
        population.ensure_table(store)
    if result.file_failed or (result.errors and not skip_invalid) or result.valid.empty:
        if result.errors and not result.file_failed:
            messages.insert(
                0,
                t(
                    "import.rejected_summary",
                    count=fmt_int(result.rejected_rows),
                    total=fmt_int(result.total_rows),
                ),
            )
        if not result.errors and result.valid.empty:
            messages.append(t("import.no_valid_rows"))
        return ImportOutcome(False, messages=messages + [t("import.nothing_written")], read=result)
    try:
        item = WriteItem(
            result.kind,
            result.valid,
            file_name,
            result.sha256,
            skip_existing=result.skip_existing,
            covers=covers if result.kind == "incidents" else None,
        )
        had_sample = replace_sample and bool(store.sample_import_ids())
        import_id = store.write(item, user, progress=progress, replace_sample=replace_sample)
    except StoreError as err:
        return ImportOutcome(
            False, messages=store_error_message(err) + [t("import.nothing_written")], read=result
        )
    if result.errors:
        messages.append(t("import.skipped_invalid", count=fmt_rows(result.rejected_rows)))
    added = store.import_log().set_index("id").at[import_id, "rows_added"]
    if added < len(result.valid):
        messages.append(t("import.already_there", count=fmt_rows(len(result.valid) - added)))
    ok = t("import.ok", rows=fmt_rows(added), file=file_name, id=import_id)
    if had_sample:
        messages.append(t("sample.removed_with_import"))
    return ImportOutcome(True, import_id, int(added), [ok, *result.notes, *messages], result)


def seed_sample(
    store: Store, muni: Municipality, user: str | None = None, mark_initialised: bool = True
) -> list[int]:
    """Load the sample files in one transaction; nothing if sample data is already there.
    The configured promise is loaded first (``seed_configured``): the sample's example
    targets and its second promise period are versions on top of it, and its activities
    are checked against both."""
    seed_configured(store, muni)
    items, promises = [], None
    if "promises" in muni.sample_files:
        promise_item, promises = _sample_promises(store, muni)
        items.append(promise_item)
    for kind in KINDS:
        path = muni.sample_files[kind]
        data = path.read_bytes()
        result = read_file(data, kind, muni, path.name, isolated=False, promises=promises)
        if not result.ok:  # our own files must be valid; a failure is a bug, not user input
            raise ValueError(f"invalid sample file {path}: {result.errors[:3]}")
        covers = None
        if kind == "incidents":  # the generator covers every day of its months
            days = result.valid["occurred_at"]
            covers = (days.min().date().replace(day=1), pd.Period(days.max(), "M").end_time.date())
        items.append(
            WriteItem(kind, result.valid, path.name, result.sha256, is_sample=True, covers=covers)
        )
    if muni.meetings:  # the example council meetings belong to the demo too
        days = pd.to_datetime(list(muni.meetings))
        frame = pd.DataFrame({"id": [d.date().isoformat() for d in days], "date": days})
        digest = hashlib.sha256(repr(muni.meetings).encode()).hexdigest()
        items.append(WriteItem("meetings", frame, "bra_meetings", digest, is_sample=True))
    if "reports" in muni.sample_files:
        items.append(_sample_reports(store, muni))
    return store.write_batch(items, user=user or "exempeldata", mark_initialised=mark_initialised)


def _sample_promises(store: Store, muni: Municipality) -> tuple[WriteItem, pd.DataFrame]:
    """The sample's promise definitions as a sample import, and the definitions as they
    will stand with it (what the sample's activities are checked against)."""
    from lib.promises import files as promise_file

    path = muni.sample_files["promises"]
    data = path.read_bytes()
    rows = promise_definitions.read_rows(store)
    read = promise_file.read_file(data, path.name, muni, promise_definitions.resolve(rows))
    if not read.ok:
        raise ValueError(f"invalid sample file {path}: {read.messages()[:3]}")
    digest = hashlib.sha256(data).hexdigest()
    item = promise_definitions.item(read.rows, path.name, digest, is_sample=True)
    return item, promise_definitions.preview(rows, item).definitions


def _sample_reports(store: Store, muni: Municipality) -> WriteItem:
    """The sample's signal reports (EST) as a sample import of kind 'reports': read as an
    analyst's file of reports is (``lib.est.files``), stored with the other sample files
    and removed with them. Notes and reporters are fictional and say so."""
    from lib.est import files as est_files
    from lib.est.vocabulary import resolve_place

    est_tables.ensure_tables(store)
    path = muni.sample_files["reports"]
    data = path.read_bytes()
    codes = {t(f"status.{s}"): s for s in est_tables.STATUSES}
    subs, statuses, reporters, errors = est_files.read_report_file(data, path.name, muni, codes)
    if errors:
        raise ValueError(f"invalid sample file {path}: {errors[:3]}")
    now = est_tables.now_utc()
    rows = []
    for sub, status, reporter in zip(subs, statuses, reporters, strict=True):
        where = resolve_place(muni, sub.place, sub.lat, sub.lon)
        rows.append(
            {
                "id": sub.id,
                "created_at": now,
                "occurred_at": pd.Timestamp(sub.occurred_at),
                "category": sub.category,
                "severity": sub.severity,
                "locality": where.locality,
                "place": where.place,
                "lat": where.lat,
                "lon": where.lon,
                "note": sub.note or None,
                "reporter": reporter,
                "service": sub.service,
                "status": status,
            }
        )
    frame = pd.DataFrame(rows)
    digest = hashlib.sha256(data).hexdigest()
    return WriteItem("reports", frame, path.name, digest, is_sample=True)


def ensure_initialised(store: Store, muni: Municipality) -> None:
    """On the very first start of a store, seed it with the sample data (once, ever: a store
    whose sample data was later undone stays as the analyst left it). ``TRYGGHET_SAMPLE=0``
    starts with an empty store instead, for real data only. Either way the configured
    promise is loaded into the store once (``seed_configured``)."""
    seed_configured(store, muni)
    population.ensure_table(store)  # a store made before the population grid existed
    if store.is_initialised():
        return
    try:
        # A municipality without sample files (a new one, `kommun new`) starts empty.
        wanted = os.environ.get("TRYGGHET_SAMPLE", "1") != "0"  # 0: real data only
        if store.count("incidents") == 0 and muni.sample_files and wanted:
            seed_sample(store, muni)
        else:
            store.mark_initialised()
    except StoreError:
        # Another process seeded it between our check and our write.
        store.mark_initialised()


def template_rows(kind: str, muni: Municipality) -> dict[str, str]:
    """One example row per kind, as an analyst would type it (Swedish formats); every
    template reads back as one valid row."""
    place = muni.localities[0]
    if kind == "incidents":
        return {
            "id": "",
            "occurred_at": "2019-03-05 22:15",
            "category": "Skadegörelse",
            "locality": place.name,
            "lat": f"{place.lat:.5f}".replace(".", ","),
            "lon": f"{place.lon:.5f}".replace(".", ","),
            "source": t("source.municipal_report"),
            "description": "Krossad busskurs",
        }
    if kind == "activities":
        defs = all_definitions(muni).iloc[0]
        return {
            "id": "",
            "promise_id": defs["promise_id"],
            "indicator_id": defs["indicator_id"],
            "date": defs["period_start"].date().isoformat(),
            "kind": defs["indicator_label"],
            "quantity": "1",
            "unit": defs["unit"],
            "locality": place.name,
            "responsible": "Polisen",
            "note": "",
            "evidence_url": "",
        }
    if kind == "cameras":
        return {
            "id": "K9",
            "name": "Exempelkamera",
            "lat": f"{place.lat:.5f}".replace(".", ","),
            "lon": f"{place.lon:.5f}".replace(".", ","),
            "installed_on": "2019-01-15",
            "radius_m": "150",
            "note": "",
        }
    if kind == "peers":
        return {
            "region_code": muni.code,
            "region": muni.display_name,
            "year": "2019",
            "period": t("peers.whole_year"),
            "category": t("peers.all_crimes"),
            "count": "1 234",
            "rate": "7 735,0",
            "population": "15 954",
            "source": "BRÅ",
        }
    if kind == population.KIND:  # the 1 km square the main locality's centre lies in
        x, y = project([place.lat], [place.lon])
        easting, northing = int(x[0]) // 1000 * 1000, int(y[0]) // 1000 * 1000
        return {
            "id": f"{easting:06d}{northing:07d}",
            "population": "1 234",
            "size_m": "1000",
            "easting": str(easting),
            "northing": str(northing),
        }
    return {
        "year": "2019",
        "locality": place.name,
        "question": "Känner sig trygg utomhus en sen kväll",
        "share": "62,5",
        "respondents": "312",
        "source": "Polisens trygghetsmätning",
    }


def template_bytes(kind: str, muni: Municipality) -> bytes:
    """A CSV template for Excel: UTF-8 with BOM, ';', Swedish headers, one example row."""
    headers = swedish_headers(kind)
    example = template_rows(kind, muni)
    frame = pd.DataFrame([[example.get(c, "") for c in headers]], columns=list(headers.values()))
    return excel_csv_bytes(frame)
