"""The SCB population grid as an import kind (issue 22.1b): GeoPackage and CSV read, the
square ids decoded by hand, a bad file refused as a whole in Swedish with nothing stored
(another coordinate system, squares of mixed sizes, missing or undecodable ids, ids off
SCB's grid, negative populations, no square in the municipality, a zip), the latest live
grid read back, undo, and the command line's ``--kind befolkningsrutor``. Every file is
written here, in tmp_path."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import box

from lib.ingest.loading import import_bytes, read_file
from lib.store import population

TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
HALLSBERG = (59.067, 15.110)
NOTHING = "Inget sparades."


def corner(size: int, east: int = 0, north: int = 0) -> tuple[int, int]:
    """The lower-left corner of the square ``east``/``north`` squares from the one that
    holds Hallsberg's centre (worked out with pyproj, not the code under test)."""
    x, y = TO_SWEREF.transform(HALLSBERG[1], HALLSBERG[0])
    return (int(x) // size + east) * size, (int(y) // size + north) * size


def rutid(easting: int, northing: int) -> str:
    return f"{easting:06d}{northing:07d}"


def squares(size: int, n: int = 3) -> list[tuple[str, int, int]]:
    out = []
    for k in range(n):
        e, nn = corner(size, east=k)
        out.append((rutid(e, nn), e, nn))
    return out


def csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def gpkg(path, ids, sizes, people, crs="EPSG:3006", size_column=True) -> bytes:
    """A GeoPackage as SCB ships it: rutid_scb, beftotalt, rutstorl and square polygons."""
    geometry = []
    for square, size in zip(ids, sizes, strict=True):
        e, n = int(square[:6]), int(square[6:])
        geometry.append(box(e, n, e + size, n + size))
    columns = {"rutid_scb": ids, "beftotalt": people}
    if size_column:
        columns["rutstorl"] = sizes
    frame = gpd.GeoDataFrame(columns, geometry=geometry, crs="EPSG:3006")
    if crs != "EPSG:3006":
        frame = frame.set_crs(crs, allow_override=True)
    frame.to_file(path, driver="GPKG")
    return path.read_bytes()


def grid_imports(store) -> int:
    log = store.import_log()
    return int((log["kind"] == population.KIND).sum())


def refused(store, muni, data: bytes, name: str, *words: str) -> str:
    """Import; assert nothing is stored and every word is in the Swedish messages."""
    before = grid_imports(store)
    outcome = import_bytes(store, data, None, muni, name)
    text = "\n".join(outcome.messages)
    assert not outcome.ok, text
    assert outcome.messages[-1] == NOTHING
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"
    assert "Traceback" not in text
    assert grid_imports(store) == before == 0
    assert population.read(store).empty
    return text


# --- Good files ---------------------------------------------------------------------------------


def test_a_geopackage_of_1_km_squares_is_stored_and_read_back(store, muni, tmp_path):
    ids = [s[0] for s in squares(1000)]
    data = gpkg(tmp_path / "befolkning_1km.gpkg", ids, [1000] * 3, [120, 0, 3400])
    outcome = import_bytes(store, data, None, muni, "befolkning_1km.gpkg")
    assert outcome.ok, outcome.messages
    assert outcome.rows_added == 3
    assert grid_imports(store) == 1
    grid = population.read(store)
    expected = [(int(s[:6]), int(s[6:])) for s in ids]
    assert list(zip(grid["easting"], grid["northing"], strict=True)) == sorted(expected)
    assert set(grid["size_m"]) == {1000}
    assert grid.set_index("easting")["population"].to_dict() == {
        e: p for (e, _), p in zip(expected, [120.0, 0.0, 3400.0], strict=True)
    }


def test_size_comes_from_the_geometry_without_a_size_column(store, muni, tmp_path):
    ids = [s[0] for s in squares(250)]
    data = gpkg(tmp_path / "g.gpkg", ids, [250] * 3, [5, 6, 7], size_column=False)
    assert import_bytes(store, data, None, muni, "g.gpkg").ok
    assert set(population.read(store)["size_m"]) == {250}


def test_a_swedish_csv_with_scb_headers_is_recognised(store, muni):
    rows = [f"{s[0]};{1000 + k} ;250" for k, s in enumerate(squares(250))]
    data = csv("Rutid;Beftotalt;Rutstorl", *[r.replace(" ;", ";") for r in rows])
    result = read_file(data, None, muni, "rutor.csv", isolated=False)
    assert result.kind == population.KIND and result.ok, result.errors
    assert import_bytes(store, data, None, muni, "rutor.csv").ok
    grid = population.read(store)
    assert grid["population"].tolist() == [1000.0, 1001.0, 1002.0]


def test_squares_outside_the_municipality_are_left_out_with_a_note(store, muni):
    inside = squares(1000, 2)
    far = rutid(*corner(1000, east=200))  # 200 km east: another municipality
    data = csv("rutid;beftotalt", *[f"{s[0]};10" for s in inside], f"{far};99")
    outcome = import_bytes(store, data, None, muni, "rutor.csv")
    assert outcome.ok and outcome.rows_added == 2
    assert "1 ruta utanför Hallsberg lämnades utanför." in outcome.messages


def test_the_latest_live_grid_is_used_and_undo_goes_back(store, muni, tmp_path):
    """SCB's id names a corner only: the 1 km square and the 250 m square in its corner share
    it, and next year's grid names the same squares again. Each grid is kept whole."""
    km = [(rutid(*corner(1000, east=k)), k) for k in range(2)]
    first = csv("rutid;beftotalt;rutstorl", *[f"{s};10;1000" for s, _ in km])
    # The same corners as 250 m squares, and two more.
    quarter = [rutid(*corner(1000, east=k)) for k in range(2)] + [
        s[0] for s in squares(250, 4)[1:3]
    ]
    second = csv("rutid;beftotalt;rutstorl", *[f"{s};7;250" for s in quarter])
    third = csv("rutid;beftotalt;rutstorl", *[f"{s};12;1000" for s, _ in km])  # a year later
    one = import_bytes(store, first, None, muni, "2023-1km.csv")
    two = import_bytes(store, second, None, muni, "2023-250m.csv")
    assert one.ok and two.ok, two.messages
    grid = population.read(store)
    assert len(grid) == 4 and set(grid["size_m"]) == {250}
    three = import_bytes(store, third, None, muni, "2024-1km.csv")
    assert three.ok, three.messages
    assert population.read(store)["population"].tolist() == [12.0, 12.0]
    assert store.undo(three.import_id) == 2
    assert set(population.read(store)["size_m"]) == {250}
    assert store.undo(two.import_id) == 4
    grid = population.read(store)
    assert len(grid) == 2 and set(grid["size_m"]) == {1000}
    assert grid["population"].tolist() == [10.0, 10.0]
    store.undo(one.import_id)
    assert population.read(store).empty


def test_cells_are_the_squares_at_their_own_size():
    frame = pd.DataFrame(
        {"easting": [506000], "northing": [6547000], "size_m": [1000], "population": [5.0]}
    )
    cells, size = population.cells(frame)
    assert size == 1000 and cells.iloc[0].tolist() == [506, 6547, 5.0]


# --- Bad files: refused whole, in Swedish, nothing stored ----------------------------------------


def test_a_geopackage_in_another_crs_is_refused(store, muni, tmp_path):
    ids = [s[0] for s in squares(1000)]
    data = gpkg(tmp_path / "wgs84.gpkg", ids, [1000] * 3, [1, 2, 3], crs="EPSG:4326")
    refused(store, muni, data, "wgs84.gpkg", "EPSG:4326", "SWEREF 99 TM (EPSG:3006)")


def test_a_geopackage_of_mixed_sizes_is_refused(store, muni, tmp_path):
    ids = [squares(1000)[0][0], squares(250)[2][0]]
    data = gpkg(tmp_path / "blandat.gpkg", ids, [1000, 250], [10, 20], size_column=False)
    refused(store, muni, data, "blandat.gpkg", "olika storlek", "250 m och 1\u00a0000 m")


def test_a_csv_of_mixed_sizes_is_refused(store, muni):
    data = csv(
        "rutid;beftotalt;rutstorl",
        f"{squares(1000)[0][0]};10;1000",
        f"{squares(250)[1][0]};10;250",
    )
    refused(store, muni, data, "blandat.csv", "olika storlek")


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("12345", ["”12345” går inte att läsa", "13 siffror"]),
        ("abcdefghijklm", ["går inte att läsa"]),
        ("0000000000000", ["går inte att läsa"]),  # no square in Sweden
        ("", ["värde saknas"]),  # a missing square id
    ],
)
def test_ids_that_do_not_decode_refuse_the_whole_file(store, muni, bad, words):
    good = squares(1000, 2)
    data = csv("rutid;beftotalt", *[f"{s[0]};10" for s in good], f"{bad};10")
    text = refused(store, muni, data, "rutor.csv", "läses bara in helt", "rad 4", *words)
    assert "Rad 4, kolumn rutid" in text


def test_an_id_off_scbs_grid_is_refused(store, muni):
    e, n = corner(1000)
    data = csv("rutid;beftotalt;rutstorl", f"{rutid(e, n)};10;1000", f"{rutid(e + 10, n)};4;1000")
    refused(store, muni, data, "rutor.csv", "ligger inte på SCB:s rutnät om 1000 m")


def test_a_negative_population_is_refused(store, muni):
    good = squares(250, 2)
    data = csv("rutid;beftotalt", f"{good[0][0]};12", f"{good[1][0]};-3")
    text = refused(store, muni, data, "rutor.csv", "inte vara negativt", "rad 3")
    assert text.count("negativt") == 1  # said once, not again as "not a count"


def test_corner_columns_must_agree_with_the_id(store, muni):
    (square, e, n) = squares(1000, 1)[0]
    data = csv("rutid;befolkning;östkoordinat;nordkoordinat", f"{square};5;{e + 1000};{n}")
    refused(store, muni, data, "rutor.csv", "stämmer inte med rutans id")


def test_a_grid_with_no_square_in_the_municipality_is_refused(store, muni):
    far = [rutid(*corner(1000, east=200 + k)) for k in range(2)]
    data = csv("rutid;beftotalt", *[f"{s};10" for s in far])
    refused(store, muni, data, "rutor.csv", "Ingen av filens 2 rutor ligger i Hallsberg")


def test_a_zip_is_refused_with_a_hint(store, muni):
    refused(store, muni, b"PK\x03\x04" + b"\0" * 40, "befolkning.zip", "Packa upp")


def test_geometries_that_are_not_squares_are_refused(store, muni, tmp_path):
    e, n = corner(1000)
    frame = gpd.GeoDataFrame(
        {"rutid_scb": [rutid(e, n)], "beftotalt": [4]},
        geometry=[box(e, n, e + 1000, n + 500)],
        crs="EPSG:3006",
    )
    frame.to_file(tmp_path / "x.gpkg", driver="GPKG")
    refused(store, muni, (tmp_path / "x.gpkg").read_bytes(), "x.gpkg", "inte kvadratiska")


# --- The command line ---------------------------------------------------------------------------


def test_cli_imports_a_grid_by_its_swedish_kind(tmp_path, monkeypatch, capsys):
    from lib.cli import main

    monkeypatch.setenv("TRYGGHET_SAMPLE", "0")
    path = tmp_path / "befolkning.csv"
    path.write_bytes(csv("rutid;beftotalt", *[f"{s[0]};9" for s in squares(1000)]))
    db = str(tmp_path / "cli.db")
    assert main(["--db", db, "import", str(path), "--kind", "befolkningsrutor"]) == 0
    assert "3 rader lästes in" in capsys.readouterr().out
    bad = tmp_path / "fel.csv"
    bad.write_bytes(csv("rutid;beftotalt", f"{squares(1000)[0][0]};-1"))
    assert main(["--db", db, "import", str(bad), "--kind", "befolkningsrutor"]) == 2
    assert "negativt" in capsys.readouterr().err
    from lib.store.store import Store

    grid = population.read(Store(db))
    assert len(grid) == 3 and np.all(grid["population"] == 9)
