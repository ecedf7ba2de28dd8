"""Several municipalities in one store (issue 15.3) and the schema upgrade of an older store:
rows, versions, undo and duplicate checks per municipality, on SQLite and PostgreSQL; who
may write where, in the app and on the command line."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from lib import tenancy
from lib.ingest.loading import import_bytes
from lib.store import migrations
from lib.store.store import Store, StoreError
from tests.conftest import FIXTURES, ROOT
from tests.test_cli import cli

LEGACY = FIXTURES / "legacy_store.sql"
KUMLA = "1881"


def excel_bytes() -> bytes:
    return (FIXTURES / "excel_cp1252.csv").read_bytes()


def legacy_excel_bytes() -> bytes:
    """The file the legacy store holds, as it was imported then (the shared fixture has
    since an unambiguous 15/3/2019 where this file had 5/3/2019)."""
    return excel_bytes().replace(b"\n15/3/2019;", b"\n5/3/2019;")


@pytest.fixture
def legacy_url(store_url, tmp_path) -> str:
    """A store as written before the municipality column: the SQLite dump, loaded as is
    into a file, or copied table by table (as SQLite reflects them) into PostgreSQL."""
    source = tmp_path / "legacy.db"
    with sqlite3.connect(source) as conn:
        conn.executescript(LEGACY.read_text("utf-8"))
    if "://" not in store_url:
        source.rename(store_url)
        return store_url
    old, new = sa.create_engine(f"sqlite:///{source}"), sa.create_engine(store_url)
    shape = sa.MetaData()
    shape.reflect(old)
    shape.create_all(new)
    with old.connect() as read, new.begin() as write:
        for table in shape.sorted_tables:
            rows = [dict(r._mapping) for r in read.execute(sa.select(table))]
            if rows:
                write.execute(table.insert(), rows)
    old.dispose()
    new.dispose()
    return store_url


def test_an_older_store_upgrades_in_place_to_the_configured_municipality(legacy_url, muni):
    store = Store(legacy_url, owner="1861")
    assert store.municipality == "1861"
    assert set(store.read("incidents")["id"]) == {
        "hc953f0e57e530b77",
        "hc1ecd850e96637a9",
        "h6a99de5040665289",
    }
    assert list(store.import_log()["id"]) == [1, 2]
    assert store.meetings()[0].isoformat() == "2019-05-01"
    assert store.data_version() == 2 and store.is_initialised()
    with store.engine.connect() as conn:
        assert migrations.version(conn) == migrations.LATEST
        assert {r[0] for r in conn.execute(sa.text("select municipality from incidents"))} == {
            "1861"
        }
        tables = sa.inspect(conn).get_table_names()
    assert {"value_mappings", "accounts", "auth_log"} <= set(tables)  # added since
    # The old store's data stays its own: another municipality sees none of it, and the
    # same file is new there.
    other = store.for_municipality(KUMLA)
    assert other.count("incidents") == 0 and not other.is_initialised()
    again = import_bytes(store, legacy_excel_bytes(), "incidents", muni, "x.csv", date_order="dm")
    assert not again.ok and "redan inläst" in again.messages[0]
    # Opening again changes nothing.
    assert migrations.upgrade(store.engine, "1861") == []
    assert Store(legacy_url).data_version() == 2


def test_municipalities_in_one_store_are_apart(store, muni):
    kumla = store.for_municipality(KUMLA)
    version = kumla.data_version()
    mine = import_bytes(store, excel_bytes(), "incidents", muni, "excel.csv")
    assert mine.ok
    assert kumla.count("incidents") == 0 and kumla.import_log().empty
    assert kumla.data_version() == version  # their caches stay valid
    assert kumla.data_version() != store.data_version()  # versions never coincide
    # The same file (same ids) is new for another municipality.
    theirs = import_bytes(kumla, excel_bytes(), "incidents", muni, "excel.csv")
    assert theirs.ok and kumla.count("incidents") == 3
    assert kumla.data_version() != version
    # Undo reaches only the municipality's own imports.
    with pytest.raises(StoreError) as info:
        kumla.undo(mine.import_id)
    assert info.value.code == "unknown_import"
    assert store.count("incidents") == 3
    assert kumla.undo(theirs.import_id) == 3
    assert store.count("incidents") == 3 and kumla.count("incidents") == 0


def test_remembered_values_and_meetings_are_per_municipality(store):
    import datetime as dt

    kumla = store.for_municipality(KUMLA)
    store.save_value_map("incidents", {"locality": {"palsboda": "Pålsboda"}})
    assert kumla.saved_value_map("incidents") == {}
    kumla.add_meeting(dt.date(2024, 3, 1))
    assert store.meetings() == () and len(kumla.meetings()) == 1


@pytest.mark.parametrize(
    ("name", "code", "allowed"),
    [
        ("Anna Berg", "1861", True),
        ("anna berg", "1881", False),  # listed for Hallsberg only
        ("lan@region.se", "1881", True),  # a county's two digits: all of Örebro län
        ("lan@region.se", "0180", False),
        ("drift", "0180", True),  # "*"
        ("Okänd", "1861", True),  # not listed: the deployment's own municipality only
        ("Okänd", "1881", False),
        (None, "1861", False),
    ],
)
def test_who_may_write_where(name, code, allowed):
    policy = {"Anna Berg": ["1861"], "lan@region.se": ["18"], "drift": "*"}
    assert tenancy.allowed(name, code, policy, home="1861") is allowed


def test_the_deployment_serves_listed_municipalities_and_falls_back(monkeypatch, tmp_path):
    monkeypatch.setenv("TRYGGHET_KOMMUNER", str(kumla_config(tmp_path)))
    serving = tenancy.served()
    assert list(serving) == ["1861", KUMLA]
    assert tenancy.chosen(KUMLA, serving) == KUMLA
    assert tenancy.chosen("0180", serving) == "1861"  # not served
    assert tenancy.chosen(None, serving) == "1861"


def kumla_config(tmp_path):
    path = tmp_path / "kumla.toml"
    if not path.exists():
        done = cli(tmp_path / "unused.db", "kommun", "new", KUMLA, "--out", str(path))
        assert done.returncode == 0, done.stderr
    return path


def test_the_command_line_writes_only_where_its_user_may(tmp_path, store_url, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[kommuner]\n"anna" = ["1861"]\n', encoding="utf-8")
    monkeypatch.setenv("TRYGGHET_SECRETS", str(secrets))
    kumla = str(kumla_config(tmp_path))
    refused = cli(
        store_url, "--kommun", kumla, "--user", "Anna", "import", str(FIXTURES / "excel_cp1252.csv")
    )
    assert refused.returncode == 2
    assert "Anna får inte ändra data för Kumla kommun" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert Store(store_url, KUMLA).count("incidents") == 0
    done = cli(store_url, "--user", "anna", "import", str(FIXTURES / "excel_cp1252.csv"))
    assert done.returncode == 0, done.stderr
    assert Store(store_url, "1861").count("incidents") == 3
    # Reading another municipality is no write: the log is shown (empty).
    assert cli(store_url, "--kommun", kumla, "imports").returncode == 0


def test_migrate_command_upgrades_and_then_says_current(legacy_url):
    first = cli(legacy_url, "migrate")
    assert first.returncode == 0, first.stderr
    assert f"från schemaversion 1 till {migrations.LATEST}" in first.stdout
    assert "1861" in first.stdout
    again = cli(legacy_url, "migrate")
    assert again.returncode == 0 and "redan den senaste schemaversionen" in again.stdout


# --- the app: ?kommun= and the analyst's municipalities --------------------------------------


def data_page(kommun: str | None, password: str):
    """The data page with a bootstrap analyst whose [kommuner] entry names Hallsberg only,
    opened on ``?kommun=`` and signed in."""
    from streamlit.testing.v1 import AppTest

    from lib.passwords import MIN_ITERATIONS, hash_password
    from tests.conftest import analyst_sign_in

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.secrets["analyst"] = {
        "name": "Testanalytiker",
        "password_hash": hash_password(password, MIN_ITERATIONS),
    }
    at.secrets["kommuner"] = {"Testanalytiker": ["1861"]}
    if kommun:
        at.query_params["kommun"] = kommun
    at.run()
    at.switch_page("pages/data.py").run()
    return analyst_sign_in(at, password)


def test_an_analyst_of_one_municipality_cannot_write_to_another_in_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("TRYGGHET_DB", str(tmp_path / "app.db"))
    monkeypatch.setenv("TRYGGHET_KOMMUNER", str(kumla_config(tmp_path)))
    monkeypatch.chdir(ROOT)
    own = data_page(None, "rätt häst batteri")
    assert not own.exception and len(own.file_uploader) == 1
    other = data_page(KUMLA, "rätt häst batteri")
    assert not other.exception
    assert len(other.file_uploader) == 0  # signed in, but no writing in Kumla
    shown = " ".join(c.value for c in other.sidebar.caption)
    assert "får inte ändra data för Kumla kommun" in shown
    # The page showed Kumla's (empty) store, not Hallsberg's sample.
    assert Store(str(tmp_path / "app.db"), KUMLA).count("incidents") == 0
    assert other.query_params["kommun"] == KUMLA
