"""Command line for analysts and automation: ``python -m lib.cli --help``.

Exit status: 0 success, 2 invalid input (a Swedish message per problem on stderr, nothing
written), 1 anything unexpected.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from lib.config import load_municipality
from lib.i18n import ARGPARSE, fmt_int, t
from lib.ingest.dates import DATE_ORDERS
from lib.ingest.importers import excel_csv_bytes, to_swedish_csv
from lib.ingest.loading import (
    IMPORT_KINDS,
    KINDS,
    import_bytes,
    seed_sample,
    store_error_message,
    too_large,
)
from lib.ingest.schemas import SOURCES
from lib.ingest.values import MapFileError, read_map_file, unmapped_messages
from lib.passwords import hash_password
from lib.store import population
from lib.store.store import Store, StoreError, current_user

OK, UNEXPECTED, INVALID = 0, 1, 2
# Swedish words for import kinds on the command line: ``--kind befolkningsrutor``.
KIND_WORDS = {"befolkningsrutor": population.KIND}


class InvalidInput(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def period_arg(text: str) -> tuple[dt.date, dt.date]:
    """``--tacker 2024-01-01:2024-12-31``: the period a file says it covers."""
    try:
        first, last = (dt.date.fromisoformat(part.strip()) for part in text.split(":"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(t("cli.bad_covers", value=text)) from exc
    if last < first:
        raise argparse.ArgumentTypeError(t("cli.bad_covers", value=text))
    return first, last


def swedish_argparse() -> None:
    """argparse's own words (usage, errors) in Swedish. argparse translates them through
    ``gettext`` under the module-level name ``_`` and offers no public hook short of a
    compiled gettext catalogue for the whole process; this one private assignment is the
    whole dependency, and ``tests/test_cli.py::test_argparse_speaks_swedish`` fails when
    argparse changes it."""
    argparse._ = lambda text: ARGPARSE.get(text, text)  # the one private call


swedish_argparse()


class SwedishParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own messages are English
        self.print_usage(sys.stderr)
        self.exit(INVALID, t("cli.bad_command", message=message) + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = SwedishParser(prog="python -m lib.cli", description=t("cli.description"))
    parser.add_argument("--db", help=t("cli.help_db"))
    parser.add_argument("--kommun", help=t("cli.help_kommun"))
    parser.add_argument("--user", help=t("cli.help_user"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=SwedishParser)
    sub.add_parser("seed", help=t("cli.help_seed"))
    imp = sub.add_parser("import", help=t("cli.help_import"))
    imp.add_argument("path", type=Path)
    imp.add_argument(
        "--kind", choices=(*IMPORT_KINDS, *KIND_WORDS, "reports"), help=t("cli.help_kind")
    )
    imp.add_argument("--year", type=int, help=t("cli.help_year"))
    imp.add_argument("--source", choices=SOURCES, help=t("cli.help_source"))
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help=t("cli.help_skip_invalid"),
    )
    imp.add_argument("--map", type=Path, metavar="FIL", help=t("cli.help_map"))
    imp.add_argument("--keep-sample", action="store_true", help=t("cli.help_keep_sample"))
    imp.add_argument(
        "--sheet", action="append", metavar="NAMN", dest="sheets", help=t("cli.help_sheet")
    )
    imp.add_argument(
        "--datumordning", choices=DATE_ORDERS, dest="date_order", help=t("cli.help_date_order")
    )
    imp.add_argument(
        "--tacker", type=period_arg, metavar="FRÅN:TILL", dest="covers", help=t("cli.help_covers")
    )
    sample = sub.add_parser("sample", help=t("cli.help_sample"))
    sample.add_argument("action", choices=["load", "remove"])
    exp = sub.add_parser("export", help=t("cli.help_export"))
    exp.add_argument("path", type=Path)
    exp.add_argument("--kind", choices=(*IMPORT_KINDS, *KIND_WORDS, "reports"), default="incidents")
    purge = sub.add_parser("purge", help=t("cli.help_purge"))
    purge.add_argument("--days", type=int, help=t("cli.help_purge_days"))
    sub.add_parser("imports", help=t("cli.help_imports"))
    migrate = sub.add_parser("migrate", help=t("cli.help_migrate"))
    migrate.add_argument("--rebuild", action="store_true", help=t("cli.help_rebuild"))
    sub.add_parser("hash-password", help=t("cli.help_hash_password"))
    users = sub.add_parser("user", help=t("cli.help_accounts"))
    users.add_argument("action", choices=("add", "list", "remove", "unlock", "log"))
    users.add_argument("name", nargs="?", default="")
    users.add_argument("--role", choices=("analyst", "reporter"), default="analyst")
    users.add_argument("--service", help=t("cli.help_user_service"))
    undo = sub.add_parser("undo", help=t("cli.help_undo"))
    undo.add_argument("id", type=int)
    kommun = sub.add_parser("kommun", help=t("cli.help_kommun_cmd"))
    kommun_sub = kommun.add_subparsers(dest="action", required=True, parser_class=SwedishParser)
    new = kommun_sub.add_parser("new", help=t("cli.help_kommun_new"))
    new.add_argument("code", help=t("cli.help_kommun_code"))
    new.add_argument("--out", type=Path, help=t("cli.help_kommun_out"))
    new.add_argument("--force", action="store_true", help=t("cli.help_kommun_force"))
    signals = sub.add_parser("signaler", help=t("cli.help_signals"))
    signals.add_argument("--per", type=_date, metavar="ÅÅÅÅ-MM-DD", help=t("cli.help_signals_per"))
    signals.add_argument("--json", action="store_true", help=t("cli.help_signals_json"))
    pub = sub.add_parser("publish", help=t("cli.help_publish"))
    pub.add_argument("out_dir", type=Path)
    pub.add_argument("--period", help=t("cli.help_period"))
    pub.add_argument("--from", dest="start", type=_date)
    pub.add_argument("--to", dest="end", type=_date)
    pub.add_argument("--ort", action="append", default=[], help=t("cli.help_ort"))
    pub.add_argument("--kategori", action="append", default=[], help=t("cli.help_kategori"))
    pub.add_argument("--kalla", action="append", default=[], choices=SOURCES)
    return parser


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(t("cli.bad_date", value=text)) from exc


def cmd_seed(store, muni, args) -> list[str]:
    live = store.sample_import_ids()
    if live:
        raise InvalidInput([t("cli.already_seeded", id=min(live))])
    seed_sample(store, muni, user=args.user)
    counts = {kind: fmt_int(store.count(kind)) for kind in KINDS}
    return [t("cli.seeded", **counts)]


def _value_map(store, muni, args) -> tuple[dict, dict]:
    """The remembered value mapping with ``--map FIL``'s entries over it, and those entries."""
    remembered = store.saved_value_map("incidents")
    if args.map is None:
        return remembered, {}
    if not args.map.is_file():
        raise InvalidInput([t("import.file_error", file=args.map, reason=t("err.file_missing"))])
    try:
        given = read_map_file(args.map.read_bytes(), args.map.name, muni)
    except MapFileError as exc:
        raise InvalidInput(exc.messages) from exc
    merged = {c: {**remembered.get(c, {}), **given.get(c, {})} for c in {*remembered, *given}}
    return merged, given


def cmd_import(store, muni, args) -> list[str]:
    args.kind = KIND_WORDS.get(args.kind, args.kind)
    if not args.path.is_file():
        raise InvalidInput([t("import.file_error", file=args.path, reason=t("err.file_missing"))])
    if args.kind == "reports":
        return _import_reports(store, muni, args)
    problem = too_large(args.path.stat().st_size)  # before reading it into memory
    if problem:
        raise InvalidInput([t("import.file_error", file=args.path, reason=problem)])
    value_map, given = _value_map(store, muni, args)
    outcome = import_bytes(
        store,
        args.path.read_bytes(),
        args.kind,
        muni,
        args.path.name,
        user=args.user,
        skip_invalid=args.skip_invalid,
        default_source=args.source,
        year=args.year,
        value_map=value_map,
        replace_sample=not args.keep_sample,
        date_order=args.date_order,
        sheets=tuple(args.sheets) if args.sheets else None,
        covers=args.covers,
    )
    read = outcome.read
    unknown = read.unknown_values if read is not None else None
    hints = [] if unknown is None or unknown.empty else unmapped_messages(unknown, value_map)
    if read is not None and read.needs_sheet:
        hints.append(t("cli.sheet_hint"))
    if read is not None and read.needs_date_order:
        hints.append(t("cli.date_order_hint"))
    if not outcome.ok:
        raise InvalidInput([*outcome.messages[:-1], *hints, *outcome.messages[-1:]])
    if given:
        store.save_value_map("incidents", given)
    return [*outcome.messages, *hints]


def cmd_sample(store, muni, args) -> list[str]:
    """The demo data: ``sample load`` puts it in, ``sample remove`` takes all of it out."""
    if args.action == "load":
        return cmd_seed(store, muni, args)
    removed = store.remove_sample(user=args.user)
    if not removed:
        return [t("sample.none_to_remove")]
    return [t("sample.removed", ids=", ".join(map(str, removed)))]


def _report_labels():
    from lib.est import tables as est_tables
    from lib.est import vocabulary as est_vocabulary

    labels = {c.id: c.label for c in est_vocabulary.load_categories()}
    statuses = {s: t(f"status.{s}") for s in est_tables.STATUSES}
    return labels, statuses


def _import_reports(store, muni, args) -> list[str]:
    """``import FIL --kind reports``: the municipality's own reports from another system
    (``lib.est``), one undoable import."""
    from lib.est import files as est_files

    _labels, statuses = _report_labels()
    codes = {**{label: code for code, label in statuses.items()}, **{s: s for s in statuses}}
    by = args.user or current_user()
    outcome = est_files.import_reports(
        store, muni, args.path.read_bytes(), args.path.name, by, codes, args.skip_invalid
    )
    lines = []
    for row, code, details in outcome.errors or []:
        if code == "note":
            found = t("report.found_and").join(t(f"report.found_{p}") for p in details["problems"])
            message = t("report.error_note", found=found)
        else:
            message = t(f"report.error_{code}", **details)
        lines.append(message if row is None else t("cases.row_error", row=row, message=message))
    if not outcome.ok:
        raise InvalidInput(lines)
    return [t("cases.imported", rows=fmt_int(outcome.rows), id=outcome.import_id), *lines]


def cmd_purge(store, muni, args) -> list[str]:
    """Remove notes and reporters' names from reports older than the retention time."""
    from lib.est import cases as est_cases

    days = muni.report_retention_days if args.days is None else args.days
    count = est_cases.purge(store, days, args.user or current_user())
    return [t("cli.purged", count=fmt_int(count), days=days)]


def cmd_export(store, muni, args) -> list[str]:
    if args.kind == "reports":
        from lib.est import files as est_files

        labels, statuses = _report_labels()
        by = args.user or current_user()
        frame = est_files.export_frame(store, by, statuses.get, lambda c: labels.get(c, c))
        args.path.write_bytes(excel_csv_bytes(frame))
        return [t("cli.exported", rows=fmt_int(len(frame)), file=args.path)]
    args.kind = KIND_WORDS.get(args.kind, args.kind)
    if args.kind == population.KIND:
        population.ensure_table(store)  # a store made before the grid's table existed
    frame = store.read(args.kind)
    args.path.write_bytes(to_swedish_csv(frame, args.kind))
    return [t("cli.exported", rows=fmt_int(len(frame)), file=args.path)]


def cmd_imports(store, muni, args) -> list[str]:
    log = store.import_log()
    if log.empty:
        return [t("cli.no_imports")]
    lines = [t("cli.imports_header")]
    for row in log.itertuples():
        undone = row.undone_at if isinstance(row.undone_at, str) else ""
        lines.append(
            f"{row.id};{row.imported_at};{t('kind.' + row.kind)};{row.file_name};"
            f"{row.rows_added};{row.user};{row.sha256[:12]};{undone}"
        )
    return lines


def cmd_undo(store, muni, args) -> list[str]:
    removed = store.undo(args.id, user=args.user)
    return [t("cli.undone", id=args.id, rows=fmt_int(removed))]


def cmd_hash_password(store, muni, args) -> list[str]:
    if sys.stdin.isatty():
        first = getpass.getpass(t("cli.password_prompt"))
        second = getpass.getpass(t("cli.password_again"))
    else:  # piped in (automation): one line, asked once
        first = second = sys.stdin.readline().rstrip("\n")
    if first != second:
        raise InvalidInput([t("cli.password_mismatch")])
    if len(first) < 12:
        raise InvalidInput([t("cli.password_too_short")])
    return [
        t("cli.password_snippet"),
        "[analyst]",
        f'name = "{t("cli.default_analyst_name")}"',
        f'password_hash = "{hash_password(first)}"',
    ]


def _new_password() -> str:
    """A password typed twice at a terminal, or one line when piped in (automation)."""
    if sys.stdin.isatty():
        first = getpass.getpass(t("cli.password_prompt"))
        second = getpass.getpass(t("cli.password_again"))
    else:
        first = second = sys.stdin.readline().rstrip("\n")
    if first != second:
        raise InvalidInput([t("cli.password_mismatch")])
    return first


def cmd_user(store, muni, args) -> list[str]:
    """Local accounts: ``user add NAME --role analyst`` (the password is asked for and must
    be changed at the first sign-in), ``user list``, ``user remove NAME``, ``user unlock
    NAME`` and ``user log`` (the sign-in audit log)."""
    from lib.auth import Accounts, AuthError

    accounts = Accounts(store)
    by = args.user or current_user()
    if args.action in ("add", "remove", "unlock") and not args.name.strip():
        raise InvalidInput([t("auth.error_bad_name")])
    try:
        if args.action == "add":
            made = accounts.create(args.name, args.role, _new_password(), by, args.service)
            return [t("cli.user_created", name=made.name, role=t(f"admin.role_{made.role}"))]
        if args.action == "remove":
            accounts.remove(args.name, by)
            return [t("cli.user_removed", name=args.name)]
        if args.action == "unlock":
            accounts.unlock(args.name, by)
            return [t("cli.user_unlocked", name=args.name)]
    except AuthError as exc:
        raise InvalidInput([t(f"auth.error_{exc.code}")]) from exc
    if args.action == "log":
        log = accounts.log_frame()
        rows = log[["at", "event", "account", "client", "detail"]].fillna("")
        return [t("cli.auth_log_header"), *(";".join(map(str, r)) for r in rows.values)]
    listed = accounts.list()
    if listed.empty:
        return [t("cli.no_users")]
    rows = listed[["name", "role", "service", "must_change", "created_at", "created_by"]]
    return [t("cli.users_header"), *(";".join(map(str, r)) for r in rows.fillna("").values)]


def cmd_signals(store, muni, args) -> list[str]:
    """``signaler [--per DAG] [--json]``: the alerts of the space-time scan as of the day
    (default: the latest day with an incident), as sentences or, with ``--json``, a list of
    objects (``lib.public.alerts.signals``). For analysts: it names places and days."""
    import json

    from lib.datamanager import DataManager
    from lib.public import alerts

    manager = DataManager(store, muni)
    version = manager.version()
    day = args.per or manager.latest_day(version)
    if day is None:
        return ["[]"] if args.json else [t("cli.signals_no_data")]
    result, points = manager.signals(version, day)
    found = alerts.signals(result, points, muni)
    if args.json:
        return [json.dumps(found.records, ensure_ascii=False, indent=1)]
    lines = [t("signals.as_of", day=day.isoformat(), events=fmt_int(found.events))]
    if not found.records:
        return [*lines, t("signals.none", day=day.isoformat())]
    return [*lines, *(alerts.sentence(r, found.replications, muni) for r in found.records)]


def cmd_publish(store, muni, args) -> list[str]:
    from lib.figures import periods
    from lib.figures.filters import Filters
    from lib.public.publish import load_data, publish

    data, points = load_data(store, muni)
    choices = data.presets()
    if args.period:
        preset = periods.find(choices, args.period)
    elif args.start and args.end:
        preset = next((p for p in choices if p.span == (args.start, args.end)), None)
    else:
        preset = choices[0]
    if preset is None:
        raise InvalidInput(
            [t("cli.period_not_public"), *(f"  {p.id}: {p.start} – {p.end}" for p in choices)]
        )
    unknown = [n for n in args.ort if n not in muni.locality_names]
    if unknown:
        raise InvalidInput([t("cli.unknown_locality", names=", ".join(unknown))])
    if max(len(args.ort), len(args.kategori), len(args.kalla)) > 1:
        raise InvalidInput([t("cli.one_or_all")])
    filters = Filters(
        preset.start, preset.end, tuple(args.ort), tuple(args.kategori), tuple(args.kalla)
    )
    written = publish(store, muni, filters, args.out_dir, loaded=(data, points))
    return [t("cli.published", files=", ".join(p.name for p in written), folder=args.out_dir)]


def cmd_kommun(store, muni, args) -> list[str]:
    """``kommun new CODE``: a municipality's starting configuration (``lib.new_municipality``)."""
    from lib import geo
    from lib.new_municipality import county_name, write_config

    outcome = write_config(args.code, args.out, force=args.force)
    if not outcome.ok:
        raise InvalidInput([outcome.problem])
    place = geo.place(args.code)
    selector = outcome.path.stem if args.out is None else outcome.path
    return [
        t(
            "kommun.written",
            name=place.name,
            county=county_name(place.county_code),
            file=outcome.path,
            selector=selector,
        )
    ]


def cmd_migrate(store, muni, args) -> list[str]:
    """Create the store or upgrade its schema (``lib.store.migrations``); rows of an older
    store go to the ``--kommun`` municipality (else TRYGGHET_KOMMUN's)."""
    import sqlalchemy as sa

    from lib.store import migrations
    from lib.store.store import database_url

    url = database_url(args.db)
    before = None
    engine = sa.create_engine(url)
    if engine.dialect.name != "sqlite" or Path(engine.url.database or "").is_file():
        with engine.connect() as conn:
            before = migrations.version(conn)
    engine.dispose()
    store = Store(url, municipality=muni.code, owner=muni.code)
    if getattr(args, "rebuild", False):
        from lib.store import aggregates

        secret = store.secret()
        with store.writing() as conn:
            counted = aggregates.rebuild(conn, secret, muni.code)
            store.bump_version(conn)
        store.engine.dispose()
        return [t("cli.rebuilt", count=fmt_int(counted), code=muni.code)]
    store.engine.dispose()
    if before == migrations.LATEST:
        return [t("cli.schema_current", version=migrations.LATEST)]
    if before is None:
        return [t("cli.schema_created", version=migrations.LATEST)]
    return [t("cli.schema_upgraded", before=before, after=migrations.LATEST, code=muni.code)]


# Commands that write a municipality's data: held to the [kommuner] policy (lib.tenancy).
WRITING = ("seed", "sample", "import", "undo")


def check_tenancy(muni, args) -> None:
    from lib.tenancy import cli_allowed, secrets_policy

    name = args.user or current_user()
    if not cli_allowed(name, muni.code, secrets_policy()):
        raise InvalidInput([t("tenancy.cli_refused", name=name, municipality=muni.display_name)])


COMMANDS = {
    "seed": cmd_seed,
    "sample": cmd_sample,
    "import": cmd_import,
    "export": cmd_export,
    "imports": cmd_imports,
    "undo": cmd_undo,
    "hash-password": cmd_hash_password,
    "user": cmd_user,
    "publish": cmd_publish,
    "signaler": cmd_signals,
    "purge": cmd_purge,
    "kommun": cmd_kommun,
    "migrate": cmd_migrate,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        # Writing a new municipality's configuration needs neither a configured one nor a store.
        muni = None if args.command == "kommun" else load_municipality(args.kommun)
        if args.command in WRITING:
            check_tenancy(muni, args)
        # --kommun selects the municipality's rows in a shared store (lib.tenancy).
        opened = args.command not in ("hash-password", "kommun", "migrate")
        store = Store(args.db, muni.code, owner=muni.code) if opened else None
        lines = COMMANDS[args.command](store, muni, args)
    except InvalidInput as exc:
        print("\n".join(exc.messages), file=sys.stderr)
        return INVALID
    except StoreError as exc:
        print("\n".join(store_error_message(exc)), file=sys.stderr)
        return INVALID
    except Exception as exc:
        print(t("cli.unexpected", error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return UNEXPECTED
    print("\n".join(lines))
    return OK


if __name__ == "__main__":
    sys.exit(main())
