"""Reading a file and storing it as one logged transaction: the path shared by the CLI,
first-start seeding and (later) the data page."""

from __future__ import annotations

from dataclasses import dataclass, field

from lib.config import Municipality
from lib.i18n import fmt_int, t
from lib.importers import ReadResult, read_table
from lib.promises import all_definitions
from lib.store import Store, StoreError, WriteItem

KINDS = ("incidents", "activities", "cameras")


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
    if err.code in {"unknown_import", "already_undone"}:
        return [t(f"cli.{err.code}", id=err.details["id"])]
    return [t("err.schema", value=err.code, check=err.details)]


def read_file(
    data: bytes, kind: str, muni: Municipality, file_name: str, default_source: str | None = None
) -> ReadResult:
    promises = all_definitions(muni) if kind == "activities" else None
    return read_table(data, kind, muni, file_name, default_source=default_source, promises=promises)


def import_bytes(
    store: Store,
    data: bytes,
    kind: str,
    muni: Municipality,
    file_name: str,
    *,
    user: str | None = None,
    skip_invalid: bool = False,
    default_source: str | None = None,
) -> ImportOutcome:
    """Validate, then store all valid rows in one transaction; on any problem store nothing
    (unless ``skip_invalid``, which stores the valid rows and reports the others)."""
    result = read_file(data, kind, muni, file_name, default_source)
    messages = [e.message(file_name) for e in result.errors]
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
        return ImportOutcome(False, messages=messages + [t("import.nothing_written")], read=result)
    try:
        import_id = store.write(WriteItem(kind, result.valid, file_name, result.sha256), user)
    except StoreError as err:
        return ImportOutcome(
            False, messages=store_error_message(err) + [t("import.nothing_written")], read=result
        )
    if result.errors:
        messages.append(t("import.skipped_invalid", count=fmt_int(result.rejected_rows)))
    ok = t("import.ok", rows=fmt_int(len(result.valid)), file=file_name, id=import_id)
    return ImportOutcome(True, import_id, len(result.valid), [ok, *messages], result)


def seed_sample(
    store: Store, muni: Municipality, user: str | None = None, mark_initialised: bool = True
) -> list[int]:
    """Load the sample files in one transaction; nothing if sample data is already there."""
    items = []
    for kind in KINDS:
        path = muni.sample_files[kind]
        data = path.read_bytes()
        result = read_file(data, kind, muni, path.name)
        if not result.ok:  # our own files must be valid; a failure is a bug, not user input
            raise ValueError(f"invalid sample file {path}: {result.errors[:3]}")
        items.append(WriteItem(kind, result.valid, path.name, result.sha256, is_sample=True))
    return store.write_batch(items, user=user or "exempeldata", mark_initialised=mark_initialised)


def ensure_initialised(store: Store, muni: Municipality) -> None:
    """On the very first start of a store, seed it with the sample data (once, ever: a store
    whose sample data was later undone stays as the analyst left it)."""
    if store.is_initialised():
        return
    try:
        if store.count("incidents") == 0:
            seed_sample(store, muni)
        else:
            store.mark_initialised()
    except StoreError:
        # Another process seeded it between our check and our write.
        store.mark_initialised()
