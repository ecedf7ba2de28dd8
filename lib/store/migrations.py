"""Schema versions of the store: a new store is created at the latest version, an older one
is upgraded in place, step by step, in one transaction that other processes queue behind.

A small numbered list of steps in code, with the version in the store's ``meta`` table,
rather than Alembic: the schema is the SQLAlchemy ``metadata`` of ``lib.store`` (every
module's tables), new tables need no step at all (``create_all`` adds them), and the few real
upgrades are short functions that run the same on SQLite and PostgreSQL. Alembic would add a
dependency, a script directory and an ``env.py`` for the same result.

Versions: 1 is every store from before the version was recorded; 2 gives every row a
municipality (the ``owner``, the configured municipality, for rows already there); 3 counts
the incidents into the aggregates the pages read (``lib.store.aggregates``); 4 has the
database hold the length limits of the free-text columns (``lib.store.tables.TEXT_LIMITS``).
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from lib.store import aggregates
from lib.store import tables as st

LATEST = 4
# Tables whose rows belong to one municipality since version 2.
MUNICIPAL = ("incidents", "activities", "cameras", "peers", "surveys", "meetings")


def version(conn) -> int | None:
    """The store's schema version: None for an empty database, 1 for a store from before
    versions were recorded."""
    if not sa.inspect(conn).has_table("meta"):
        return None
    found = conn.execute(sa.select(st.meta.c.value).where(st.meta.c.key == "schema_version"))
    value = found.scalar_one_or_none()
    return 1 if value is None else int(value)


def upgrade(engine: sa.Engine, owner: str) -> list[int]:
    """Bring the store to ``LATEST``; returns the steps run (none when it is current). A new
    store is created as it is now; an older store's rows are given to ``owner``."""
    with engine.connect() as conn:
        if version(conn) == LATEST:
            return []
    with engine.execution_options(write=True).begin() as conn:
        st.lock_writers(conn, 0)  # PostgreSQL: one process upgrades, the others wait
        found = version(conn)  # again, under the lock
        if found is None:
            st.metadata.create_all(conn)
            conn.execute(st.meta.insert().values(key="version_counter", value="0"))
            _set_version(conn, LATEST)
            return []
        ran = []
        for step in range(found + 1, LATEST + 1):
            STEPS[step](conn, owner)
            ran.append(step)
        st.metadata.create_all(conn)  # tables added since, at their current shape
        _set_version(conn, LATEST)
        return ran


def _set_version(conn, number: int) -> None:
    conn.execute(sa.delete(st.meta).where(st.meta.c.key == "schema_version"))
    conn.execute(st.meta.insert().values(key="schema_version", value=str(number)))


def _to_municipalities(conn, owner: str) -> None:
    """Version 2: a municipality on every row, the owner's for the rows there are; the kind
    tables keyed on (municipality, id), the import log's duplicate check per municipality,
    and the data version and first-start mark per municipality."""
    inspector = sa.inspect(conn)
    for name in (*MUNICIPAL, "value_mappings"):
        if inspector.has_table(name):
            _add_municipality(conn, st.metadata.tables[name], owner)
    if inspector.has_table("imports"):
        _add_column(conn, st.imports, owner)
        _create_missing_indexes(conn, st.imports)
    rows = dict(conn.execute(sa.select(st.meta.c.key, st.meta.c.value)).all())
    version_now = rows.get("data_version", "0")
    conn.execute(sa.delete(st.meta).where(st.meta.c.key.in_(["data_version", "initialised"])))
    values = [
        {"key": "version_counter", "value": version_now},
        {"key": f"data_version:{owner}", "value": version_now},
    ]
    if "initialised" in rows:
        values.append({"key": f"initialised:{owner}", "value": rows["initialised"]})
    conn.execute(st.meta.insert(), values)


def _add_municipality(conn, table: sa.Table, owner: str) -> None:
    columns = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
    if "municipality" in columns:
        return
    if conn.dialect.name == "sqlite":
        _rebuild(conn, table, owner)
        return
    _add_column(conn, table, owner)
    quote = conn.dialect.identifier_preparer.quote
    primary = sa.inspect(conn).get_pk_constraint(table.name)["name"]
    keys = ", ".join(quote(c.name) for c in table.primary_key.columns)
    conn.execute(sa.text(f"ALTER TABLE {quote(table.name)} DROP CONSTRAINT {quote(primary)}"))
    conn.execute(sa.text(f"ALTER TABLE {quote(table.name)} ADD PRIMARY KEY ({keys})"))
    _create_missing_indexes(conn, table)


def _add_column(conn, table: sa.Table, owner: str) -> None:
    columns = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
    if "municipality" in columns:
        return
    name = conn.dialect.identifier_preparer.quote(table.name)
    # The owner's code is four digits (store.municipality_code): safe as a literal default.
    conn.execute(
        sa.text(f"ALTER TABLE {name} ADD COLUMN municipality VARCHAR(4) NOT NULL DEFAULT '{owner}'")
    )


def _rebuild(conn, table: sa.Table, owner: str) -> None:
    """SQLite cannot change a primary key in place: the table is made again at its current
    shape and the rows copied over (SQLite's documented way)."""
    quote = conn.dialect.identifier_preparer.quote
    inspector = sa.inspect(conn)
    old = f"old_{table.name}"
    for index in inspector.get_indexes(table.name):  # index names are global in SQLite
        conn.execute(sa.text(f"DROP INDEX {quote(index['name'])}"))
    kept = [c["name"] for c in inspector.get_columns(table.name)]
    conn.execute(sa.text(f"ALTER TABLE {quote(table.name)} RENAME TO {quote(old)}"))
    table.create(conn)  # with the length limits of version 4: longer texts are cut first
    limits = st.TEXT_LIMITS.get(table.name, {})
    _cut_long_texts(conn, old, {c: n for c, n in limits.items() if c in kept})
    listed = ", ".join(quote(c) for c in kept if c in table.c)
    conn.execute(
        sa.text(
            f"INSERT INTO {quote(table.name)} ({listed}, municipality) "
            f"SELECT {listed}, :owner FROM {quote(old)}"
        ),
        {"owner": owner},
    )
    conn.execute(sa.text(f"DROP TABLE {quote(old)}"))


def _create_missing_indexes(conn, table: sa.Table) -> None:
    present = {i["name"] for i in sa.inspect(conn).get_indexes(table.name)}
    for index in table.indexes:
        if index.name not in present:
            index.create(conn)


def cell_key_secret(conn) -> bytes:
    """The store's secret for the record keys, made here if the store has none yet (as
    ``Store.secret`` would on first use)."""
    found = conn.execute(sa.select(st.meta.c.value).where(st.meta.c.key == "cell_key_secret"))
    value = found.scalar_one_or_none()
    if value is None:
        value = secrets.token_hex(32)
        conn.execute(st.meta.insert().values(key="cell_key_secret", value=value))
    return bytes.fromhex(value)


def _count_aggregates(conn, owner: str) -> None:
    """Version 3: the period an import declares it covers; each incident's record key and
    50 m cell on its row; the daily aggregates, counted from the rows already stored."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("imports")}
    for name in ("covers_from", "covers_to"):
        if name not in columns:
            conn.execute(sa.text(f"ALTER TABLE imports ADD COLUMN {name} VARCHAR(10)"))
    columns = {c["name"] for c in sa.inspect(conn).get_columns("incidents")}
    for name, kind in (("key", "FLOAT"), ("cx", "INTEGER"), ("cy", "INTEGER")):
        if name not in columns:
            conn.execute(sa.text(f"ALTER TABLE incidents ADD COLUMN {name} {kind}"))
    _create_missing_indexes(conn, st.incidents)
    st.metadata.create_all(conn, tables=list(aggregates.AGGREGATES))
    aggregates.rebuild(conn, cell_key_secret(conn))


# The end of a text cut to its column's limit when an older store is upgraded.
CUT_MARKER = " […]"


def _limit_texts(conn, owner: str) -> None:
    """Version 4: the database holds the length limits of the free-text columns
    (``st.TEXT_LIMITS``) on tables made before them; tables made since have them as CHECK
    constraints in their definition.

    A text already longer than its limit (stored before the input gate: SQLite ignores
    VARCHAR lengths, and notes and descriptions had none) is cut to the limit, ending in
    ``CUT_MARKER``, so every row meets the rule and later updates of other columns (a
    report's status) never fail on it. Then, on PostgreSQL, the same CHECK constraints as a
    new table's are added (checked against every row). SQLite cannot add a CHECK to a table:
    a trigger per table refuses an insert, or an update of a limited column, that breaks a
    limit, as the constraint would, with the same kind of error (an integrity error). A
    trigger rather than rebuilding the table: a rebuild copies every row (a million
    incidents), must drop and make the indexes again, and gains nothing a trigger does not
    give; a table rebuilt for another reason (version 2) gets the constraints then."""
    inspector = sa.inspect(conn)
    for name, limits in st.TEXT_LIMITS.items():
        if not inspector.has_table(name):
            continue  # made later at its current shape, constraints included
        present = {c["name"] for c in inspector.get_columns(name)}
        limits = {c: n for c, n in limits.items() if c in present}
        if not limits:
            continue
        _cut_long_texts(conn, name, limits)
        checks = {c["name"] for c in inspector.get_check_constraints(name)}
        missing = {c: n for c, n in limits.items() if st.length_check_name(name, c) not in checks}
        if not missing:
            continue
        if conn.dialect.name == "sqlite":
            _length_triggers(conn, name, missing)
        else:
            quote = conn.dialect.identifier_preparer.quote
            for column, limit in missing.items():
                constraint = quote(st.length_check_name(name, column))
                conn.execute(
                    sa.text(
                        f"ALTER TABLE {quote(name)} ADD CONSTRAINT {constraint} "
                        f"CHECK (length({quote(column)}) <= {int(limit)})"
                    )
                )


def _cut_long_texts(conn, table: str, limits: dict[str, int]) -> None:
    quote = conn.dialect.identifier_preparer.quote
    for column, limit in limits.items():
        name = quote(column)
        conn.execute(
            sa.text(
                f"UPDATE {quote(table)} SET {name} = substr({name}, 1, :keep) || :marker "
                f"WHERE length({name}) > :limit"
            ),
            {"keep": limit - len(CUT_MARKER), "marker": CUT_MARKER, "limit": limit},
        )


def length_trigger_names(table: str) -> tuple[str, str]:
    return f"ck_{table}_length_insert", f"ck_{table}_length_update"


def _length_triggers(conn, table: str, limits: dict[str, int]) -> None:
    """SQLite: the length limits of an existing table as triggers (see ``_limit_texts``)."""
    quote = conn.dialect.identifier_preparer.quote
    broken = " OR ".join(f"length(NEW.{quote(c)}) > {int(n)}" for c, n in limits.items())
    columns = ", ".join(quote(c) for c in limits)
    refusal = f"SELECT RAISE(ABORT, 'CHECK constraint failed: length of {table}')"
    on_insert, on_update = length_trigger_names(table)
    for trigger, event in ((on_insert, "INSERT"), (on_update, f"UPDATE OF {columns}")):
        conn.execute(
            sa.text(
                f"CREATE TRIGGER IF NOT EXISTS {quote(trigger)} BEFORE {event} ON {quote(table)} "
                f"FOR EACH ROW WHEN {broken} BEGIN {refusal}; END"
            )
        )


STEPS = {2: _to_municipalities, 3: _count_aggregates, 4: _limit_texts}
