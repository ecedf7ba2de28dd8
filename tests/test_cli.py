"""The command line, run as analysts run it: a real process, a real database (an SQLite file
and a PostgreSQL server)."""

import os
import subprocess
import sys

import pytest

from lib.store.store import Store
from tests.conftest import FIXTURES, ROOT, table_snapshot


def cli(db, *args):
    env = {**os.environ, "TRYGGHET_DB": str(db), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def db(store_url):
    """The store the command line writes: an SQLite file, then a PostgreSQL database."""
    return store_url


def test_import_swedish_excel_then_export_and_log(db, tmp_path):
    done = cli(db, "import", str(FIXTURES / "excel_cp1252.csv"))
    assert done.returncode == 0, done.stderr
    assert "3 rader lästes in" in done.stdout
    out = tmp_path / "export.csv"
    exported = cli(db, "export", str(out))
    assert exported.returncode == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == "id;datum;kategori;ort;lat;lon;källa;beskrivning"
    assert "Krossad ruta vid Åsbro väg" in text and "59,0671" in text
    log = cli(db, "imports")
    assert log.returncode == 0 and "excel_cp1252.csv;3;" in log.stdout


def test_broken_file_exits_2_with_swedish_messages_and_writes_nothing(db):
    assert cli(db, "import", str(FIXTURES / "excel_cp1252.csv")).returncode == 0
    before = table_snapshot(Store(str(db)))
    failed = cli(db, "import", str(FIXTURES / "excel_broken.csv"))
    assert failed.returncode == 2
    lines = failed.stderr.splitlines()
    assert lines[0] == "4 av 5 rader har fel:"
    assert any(line.startswith("Rad 3, kolumn datum: ogiltigt datum") for line in lines)
    assert lines[-1] == "Inget sparades."
    assert "Traceback" not in failed.stderr
    assert table_snapshot(Store(str(db))) == before


def test_skip_invalid_keeps_the_valid_rows(db):
    done = cli(db, "import", "--skip-invalid", str(FIXTURES / "excel_broken.csv"))
    assert done.returncode == 0
    assert "1 rad lästes in" in done.stdout and "4 rader med fel hoppades över" in done.stdout
    assert Store(str(db)).count("incidents") == 1


def test_seed_undo_and_errors(db, sample_incidents):
    seeded = cli(db, "seed")
    expected = f"{len(sample_incidents):,} händelser".replace(",", "\u00a0")
    assert seeded.returncode == 0 and expected in seeded.stdout
    assert cli(db, "seed").returncode == 2  # already there
    undone = cli(db, "undo", "1")
    assert undone.returncode == 0 and "Import 1 ångrades" in undone.stdout
    assert cli(db, "undo", "1").returncode == 2
    assert cli(db, "undo", "999").stderr.strip() == "Import 999 finns inte."
    assert cli(db, "import", "/nonexistent/file.csv").returncode == 2


def test_bad_command_line_is_swedish_exit_2(db):
    result = cli(db, "undo", "x")
    assert result.returncode == 2
    assert "ogiltigt värde" in result.stderr and "invalid" not in result.stderr


def test_unexpected_failure_exits_1(tmp_path):
    # A directory where the database file should be: SQLite cannot open it.
    (tmp_path / "dir.db").mkdir()
    result = cli(tmp_path / "dir.db", "imports")
    assert result.returncode == 1
    assert result.stderr.startswith("Oväntat fel:") and "Traceback" not in result.stderr


def test_hash_password_prints_a_verifiable_secrets_snippet(tmp_path):
    from lib.passwords import verify_password

    env = {**os.environ, "TRYGGHET_DB": str(tmp_path / "never.db")}
    done = subprocess.run(
        [sys.executable, "-m", "lib.cli", "hash-password"],
        cwd=ROOT,
        env=env,
        input="ett långt lösenord\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    line = next(x for x in done.stdout.splitlines() if x.startswith("password_hash"))
    assert verify_password("ett långt lösenord", line.split('"')[1])
    assert not (tmp_path / "never.db").exists()
    short = subprocess.run(
        [sys.executable, "-m", "lib.cli", "hash-password"],
        cwd=ROOT,
        env=env,
        input="kort\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert short.returncode == 2 and "minst 12 tecken" in short.stderr


def test_argparse_speaks_swedish(capsys):
    """The one private argparse hook (lib.cli.swedish_argparse): fails when argparse stops
    translating its words through the module-level ``_``."""
    import pytest

    from lib.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["--okänd-flagga"])
    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert "användning:" in err and "usage:" not in err


def test_import_of_a_workbook_with_two_shapes_lists_the_sheets_and_takes_sheet(db, tmp_path):
    from tests.test_sheets import CAMERAS, incidents, workbook

    path = tmp_path / "blandat.xlsx"
    path.write_bytes(workbook(("Händelser", incidents(1, 4)), ("Kameror", CAMERAS)))
    refused = cli(db, "import", str(path))
    assert refused.returncode == 2, refused.stdout
    assert "”Händelser” (datum, kategori, ort, källa; 4 rader)" in refused.stderr
    assert "”Kameror” (id, namn, lat, lon, radie_m; 2 rader)" in refused.stderr
    assert "--sheet NAMN" in refused.stderr and "Inget sparades." in refused.stderr
    assert Store(str(db)).count("cameras") == 0
    done = cli(db, "import", str(path), "--sheet", "Kameror")
    assert done.returncode == 0, done.stderr
    assert "2 rader lästes in" in done.stdout and "”Händelser”" in done.stdout
    assert Store(str(db)).count("cameras") == 2


def test_import_of_ambiguous_slash_dates_names_datumordning(db, tmp_path):
    path = tmp_path / "oklar.csv"
    path.write_bytes(
        "datum;kategori;ort;källa\r\n5/3/2024;Stöld;Hallsberg;Polisen\r\n"
        "6/4/2024 kl 8.15;Klotter;Hallsberg;Polisen\r\n".encode()
    )
    refused = cli(db, "import", str(path))
    assert refused.returncode == 2
    assert "”5/3/2024”" in refused.stderr and "--datumordning dm" in refused.stderr
    assert "--datumordning md" in refused.stderr
    done = cli(db, "import", str(path), "--datumordning", "md")
    assert done.returncode == 0, done.stderr
    stored = Store(str(db)).read_incidents()["occurred_at"].sort_values()
    assert stored.dt.strftime("%Y-%m-%d %H:%M").tolist() == ["2024-05-03 00:00", "2024-06-04 08:15"]
