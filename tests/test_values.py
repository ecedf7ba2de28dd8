"""Value mapping (issue 14.5): an analyst's own words for sources, categories and localities
get a suggestion, a confirmed mapping is remembered in the store and applied to the next
file, on the data page and on the command line."""

from __future__ import annotations

import pytest

from lib import cli
from lib.ingest.importers import read_table
from lib.ingest.values import MapFileError, read_map_file, suggest, unknown_table
from lib.store.store import Store
from tests.conftest import table_snapshot
from tests.test_pages import assert_ok

PASSWORD = "ett långt lösenord"
OWN_WORDS = (
    "datum;kategori;ort;källa\r\n"
    "2019-03-05 22:15;Skadegorelse;Hallsberg;Polis\r\n"
    "2019-03-06;Klotter;palsboda;Polis\r\n"
    "2019-03-07;Klotter;Hallsberg;Kommunen\r\n"
    "2019-03-08;Stöld;Hallsberg;Polisen\r\n"
).encode()


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("source", "Polis", "police"),
        ("source", "POLISMYNDIGHETEN", "police"),
        ("source", "Kommun", "municipal_report"),
        ("source", " kommunen ", "municipal_report"),
        ("source", "Securitas", "security_guard"),
        ("source", "Kommunens  rapportering", "municipal_report"),  # spacing
        ("category", "Skadegorelse", "Skadegörelse"),  # diacritics
        ("category", "Skadegörlese", "Skadegörelse"),  # a small spelling variant
        ("category", "trafikolycka,  vilt", "Trafikolycka, vilt"),
        ("locality", "palsboda", "Pålsboda"),
        ("source", "Bananer", None),
        ("category", "Inbrott i bil på natten", None),
    ],
)
def test_suggestions(muni, column, value, expected):
    assert suggest(value, column, muni) == expected


def test_unknown_values_are_counted_per_column(muni):
    from lib.ingest.importers import clean_text

    frame = {
        "source": clean_text(
            __import__("pandas").Series(["Polis", "Polis", "Polisen", "police", "", "Kommun"])
        )
    }
    table = unknown_table(frame, muni)
    assert table[["column", "value", "rows", "suggestion"]].values.tolist() == [
        ["source", "Polis", 2, "police"],
        ["source", "Kommun", 1, "municipal_report"],
    ]


def test_a_value_map_makes_the_rows_valid(muni):
    plain = read_table(OWN_WORDS, "incidents", muni, "egna.csv")
    assert len(plain.valid) == 1 and plain.rejected_rows == 3
    assert set(plain.unknown_values["value"]) == {"Skadegorelse", "palsboda", "Polis", "Kommunen"}
    value_map = {
        "source": {"Polis": "police", "Kommunen": "municipal_report"},
        "category": {"Skadegorelse": "Skadegörelse"},
        "locality": {"palsboda": "Pålsboda"},
    }
    mapped = read_table(OWN_WORDS, "incidents", muni, "egna.csv", value_map=value_map)
    assert mapped.ok and len(mapped.valid) == 4
    assert mapped.valid["source"].tolist() == ["police", "police", "municipal_report", "police"]
    assert mapped.valid["category"].tolist()[0] == "Skadegörelse"
    assert mapped.valid["locality"].tolist()[1] == "Pålsboda"


def test_a_value_mapped_to_an_unknown_value_stays_an_error(muni):
    result = read_table(
        OWN_WORDS, "incidents", muni, "egna.csv", value_map={"source": {"Polis": "banan"}}
    )
    assert any("okänd källa ”banan”" in e.reason for e in result.errors)


def test_the_store_remembers_and_forgets(store):
    assert store.saved_value_map("incidents") == {}
    store.save_value_map("incidents", {"source": {"Polis": "police", "Kommun": "other"}})
    store.save_value_map("incidents", {"source": {"Kommun": "municipal_report"}})
    assert store.saved_value_map("incidents") == {
        "source": {"Polis": "police", "Kommun": "municipal_report"}
    }
    store.save_value_map("incidents", {"source": {"Polis": None}})
    assert store.saved_value_map("incidents") == {"source": {"Kommun": "municipal_report"}}
    assert store.saved_value_map("activities") == {}


def test_map_files_csv_and_toml(muni):
    csv_text = (
        "kolumn;värde i filen;känt värde\nkälla;Polis;Polisen\n"
        "kategori;Skadegorelse;skadegörelse\nort;palsboda;Pålsboda\nsource;Vakt;security_guard\n"
    )
    assert read_map_file(csv_text.encode(), "karta.csv", muni) == {
        "source": {"Polis": "police", "Vakt": "security_guard"},
        "category": {"Skadegorelse": "Skadegörelse"},
        "locality": {"palsboda": "Pålsboda"},
    }
    toml_text = (
        '["källa"]\nPolis = "Polisen"\n\n'
        '[[map]]\ncolumn = "ort"\nvalue = "palsboda"\nknown = "Pålsboda"\n'
    )
    assert read_map_file(toml_text.encode(), "karta.toml", muni) == {
        "source": {"Polis": "police"},
        "locality": {"palsboda": "Pålsboda"},
    }


def test_a_bad_map_file_names_each_line(muni):
    text = "källa;Polis;Banan\nfärg;röd;blå\nkälla;Polis\n"
    with pytest.raises(MapFileError) as caught:
        read_map_file(text.encode(), "fel.csv", muni)
    lines = caught.value.messages
    assert "fel.csv" in lines[0] and "rad 1: ”Banan” är inget känt värde för källa" in lines[0]
    assert lines[1] == "rad 2: kolumnen ”färg” kan inte kopplas (använd källa, kategori eller ort)"
    assert lines[2].startswith("rad 3: en rad ska ha tre fält")


# --- Command line ---------------------------------------------------------------------------


def run_cli(capsys, db, *args):
    code = cli.main(["--db", str(db), *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_reports_unknown_values_with_suggestions_then_takes_a_map_file(tmp_path, capsys, muni):
    db = tmp_path / "cli.db"
    data = tmp_path / "egna.csv"
    data.write_bytes(OWN_WORDS)
    store = Store(str(db))
    before = table_snapshot(store)
    code, _, err = run_cli(capsys, db, "import", data)
    assert code == 2
    assert "Okänt värde i kolumnen källa: ”Polis” (2 rader) – menar du ”Polisen”?" in err
    assert (
        "Okänt värde i kolumnen kategori: ”Skadegorelse” (1 rad) – menar du ”Skadegörelse”?" in err
    )
    assert "--map FIL" in err and err.rstrip().endswith("Inget sparades.")
    assert table_snapshot(store) == before
    mapping = tmp_path / "karta.csv"
    mapping.write_text(
        "källa;Polis;Polisen\nkälla;Kommunen;Kommunens rapportering\n"
        "kategori;Skadegorelse;Skadegörelse\nort;palsboda;Pålsboda\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(capsys, db, "import", data, "--map", mapping)
    assert code == 0, err
    assert "4 rader lästes in" in out and "Okänt värde" not in out
    assert Store(str(db)).saved_value_map("incidents")["source"] == {
        "Polis": "police",
        "Kommunen": "municipal_report",
    }
    # The next file uses the remembered mapping without --map.
    again = tmp_path / "nästa.csv"
    again.write_bytes(OWN_WORDS.replace(b"2019-03", b"2019-04"))
    code, out, err = run_cli(capsys, db, "import", again)
    assert code == 0, err
    stored = Store(str(db)).read("incidents")
    assert (stored["source"] == "police").sum() == 6


def test_cli_refuses_a_bad_map_file_in_swedish(tmp_path, capsys):
    data = tmp_path / "egna.csv"
    data.write_bytes(OWN_WORDS)
    mapping = tmp_path / "karta.csv"
    mapping.write_text("källa;Polis;Banan\n", encoding="utf-8")
    code, _, err = run_cli(capsys, tmp_path / "cli.db", "import", data, "--map", mapping)
    assert code == 2 and "”Banan” är inget känt värde för källa" in err
    assert "Traceback" not in err


# --- The data page ---------------------------------------------------------------------------


def value_box(at, column: str, value: str):
    from lib.ingest.importers import sha256_of

    return at.selectbox(key=f"varde-{column}-{sha256_of(value.encode())[:12]}")


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_data_page_maps_polis_to_the_police(open_app):
    at = open_app("pages/data.py", PASSWORD, True)
    data = (
        "datum;kategori;ort;källa\r\n"
        "2019-05-01 10:00;Klotter;Hallsberg;Polis\r\n"
        "2019-05-02 11:00;Stöld;Pålsboda;Polis\r\n"
        "2019-05-03 12:00;Klotter;Hallsberg;Polisen\r\n"
    ).encode()
    at.file_uploader[0].set_value(("egna.csv", data, "text/csv")).run()
    assert_ok(at)
    assert any("Källa: Polis (2 rader)" in x.value for x in at.text)
    polis = value_box(at, "source", "Polis")
    assert polis.value == "police"  # the suggestion, preselected
    polis.select_index(0).run()  # "(lämna som fel)": the two rows are rejected
    assert metrics(at)["Rader med fel"] == "2"
    value_box(at, "source", "Polis").set_value("police").run()
    assert metrics(at) == {"Rader i filen": "3", "Godkända rader": "3", "Rader med fel": "0"}
    next(b for b in at.button if b.label.startswith("Spara 3 rader")).click().run()
    assert_ok(at)
    store = Store()
    assert store.count("incidents") == 3 and not store.sample_import_ids()  # replaced the demo
    assert store.saved_value_map("incidents") == {"source": {"Polis": "police"}}
    new = store.read("incidents").query("import_id == @store.import_log().id.max()")
    assert set(new["source"]) == {"police"}
    # The next file: the remembered mapping is applied, shown and editable.
    later = data.replace(b"2019-05", b"2019-06")
    at.file_uploader[0].set_value(("senare.csv", later, "text/csv")).run()
    assert_ok(at)
    assert any("sparades för en tidigare fil" in c.value for c in at.caption)
    assert value_box(at, "source", "Polis").value == "police"
    assert metrics(at)["Godkända rader"] == "3"
