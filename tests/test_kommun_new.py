"""A new municipality in one command: ``python -m lib.cli kommun new CODE`` writes a
configuration that loads as written, and the app runs on it at once. Heby (0331, Uppsala
län) is the municipality from another county: its pages on a fresh store, then with a few
incidents and the county's peer figures."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from shapely.geometry import MultiPoint, Point

from lib import geo
from lib.cli import main
from lib.config import load_municipality
from lib.figures import hotspots, peers
from lib.new_municipality import config_text
from tests.test_pages import assert_ok

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("oversikt", "utveckling", "karta", "medborgarloftet", "jamforelse", "mote", "om")
UPPSALA_COUNTY = {"0305", "0319", "0330", "0331", "0360", "0380", "0381", "0382"}


def new(tmp_path, *args: str) -> int:
    return main(["kommun", "new", *args])


# --- The command ------------------------------------------------------------------------------


def test_new_writes_a_configuration_that_loads(tmp_path, capsys):
    out = tmp_path / "heby.toml"
    assert new(tmp_path, "0331", "--out", str(out)) == 0
    assert "Heby" in capsys.readouterr().out
    muni = load_municipality(str(out))
    assert (muni.name, muni.display_name, muni.code) == ("Heby", "Heby kommun", "0331")
    assert (muni.county, muni.county_code) == ("Uppsala län", "03")
    assert muni.promise_periods == () and muni.population == {}
    # No localities in the file yet: the whole municipality is its one place, at its centre.
    (place,) = muni.localities
    assert (place.name, place.population, place.approximate) == ("Heby", None, True)
    assert geo.outline("0331").contains(Point(place.lon, place.lat))
    assert "Sexualbrott" in muni.sensitive_categories  # privacy is not left to fill in
    assert hotspots.outline_source(muni) == "shipped"
    # The box holds the whole outline; the centre lies inside it.
    shape = geo.outline("0331")
    lon0, lat0, lon1, lat1 = shape.bounds
    b = muni.bbox
    assert b["lat_min"] < lat0 < lat1 < b["lat_max"] and b["lon_min"] < lon0 < lon1 < b["lon_max"]
    raw = tomllib.loads(out.read_text(encoding="utf-8"))
    assert shape.contains(Point(raw["centre"]["lon"], raw["centre"]["lat"]))
    # The default comparison group is the county's municipalities, named by the county.
    (group,) = peers.comparison_groups(muni)
    assert group.county and group.label == "kommunerna i Uppsala län"
    assert set(peers.group_codes(group, muni)) == UPPSALA_COUNTY


def test_the_locality_list_is_empty_with_a_swedish_comment(tmp_path):
    out = tmp_path / "x.toml"
    assert new(tmp_path, "331", "--out", str(out)) == 0  # the leading zero may be left out
    text = out.read_text(encoding="utf-8")
    assert "# Orter: lägg till en [[localities]] per ort" in text
    assert "\n[[localities]]" not in text  # the example is commented out


def test_default_path_is_the_slug_in_data(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("lib.new_municipality.CONFIG_DIR", tmp_path)
    assert new(tmp_path, "1881") == 0
    assert (tmp_path / "kumla.toml").exists()
    assert "TRYGGHET_KOMMUN=kumla" in capsys.readouterr().out


def test_unknown_code_is_refused_in_swedish(tmp_path, capsys):
    for code in ("9999", "abc", "12345"):
        assert new(tmp_path, code, "--out", str(tmp_path / "x.toml")) == 2
        assert f"Okänd kommunkod: {code}" in capsys.readouterr().err
    assert not (tmp_path / "x.toml").exists()


def test_an_existing_file_is_kept_unless_forced(tmp_path, capsys):
    out = tmp_path / "heby.toml"
    out.write_text("# mine\n", encoding="utf-8")
    assert new(tmp_path, "0331", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "finns redan" in err and "--force" in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "# mine\n"
    assert new(tmp_path, "0331", "--out", str(out), "--force") == 0
    assert load_municipality(str(out)).name == "Heby"


def test_every_municipality_gets_a_loadable_configuration(tmp_path):
    """All 290: the text parses, and the loader accepts it with its own name and county."""
    for code, place in geo.places().items():
        path = tmp_path / f"{code}.toml"
        path.write_text(config_text(place), encoding="utf-8")
        muni = load_municipality(str(path))
        assert muni.code == code and muni.name == place.name and muni.county.endswith(" län")
        assert muni.county_code == code[:2]
    load_municipality.cache_clear()


# --- Heby in the app --------------------------------------------------------------------------


@pytest.fixture
def heby(tmp_path, monkeypatch):
    """The app on Heby's generated configuration and a fresh store."""
    from streamlit.testing.v1 import AppTest

    out = tmp_path / "heby.toml"
    assert main(["kommun", "new", "0331", "--out", str(out)]) == 0
    monkeypatch.setenv("TRYGGHET_KOMMUN", str(out))
    monkeypatch.setenv("TRYGGHET_DB", str(tmp_path / "app.db"))
    monkeypatch.chdir(ROOT)
    load_municipality.cache_clear()

    def open_page(page: str):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
        return at.switch_page(f"pages/{page}.py").run()

    yield open_page
    load_municipality.cache_clear()


def texts(at) -> str:
    parts = [
        e.value for kind in ("title", "markdown", "info", "caption", "text") for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_heby_pages_on_a_fresh_store_show_their_empty_state(heby):
    empty = {
        "oversikt": "Det finns inga händelser ännu",
        "utveckling": "Det finns inga händelser ännu",
        "karta": "Det finns inga händelser ännu",
        "medborgarloftet": "Inga löftesperioder finns",
        "jamforelse": "Det finns ingen jämförelsestatistik för Heby",
    }
    for page in PAGES:
        at = heby(page)
        assert_ok(at)
        shown = texts(at)
        assert "Hallsberg" not in shown and "Örebro" not in shown, page
        if page in empty:
            assert empty[page] in shown, (page, shown[:500])
    assert "Heby kommun" in heby("oversikt").title[0].value


def heby_incidents() -> bytes:
    """40 incidents in 2019 around Heby's main town, all inside its outline."""
    rows = ["id;datum;kategori;lat;lon;källa"]
    for k in range(40):
        lat, lon = 60.05 + 0.005 * (k % 10), 16.95 + 0.01 * (k % 8)
        assert geo.outline("0331").contains(Point(lon, lat))
        rows.append(
            f"h{k};2019-{1 + k % 9:02d}-{10 + k % 10} 12:00;Skadegörelse;{lat};{lon};Polisen"
        )
    return ("\n".join(rows) + "\n").encode("utf-8")


def peer_file() -> bytes:
    """BRÅ's municipality file for 2019: Uppsala county's municipalities, the county, the
    country, and one municipality elsewhere (left out)."""
    rows = ["Kommun;Antal;Per 100 000 inv."]
    for k, code in enumerate(sorted(UPPSALA_COUNTY)):
        population = 10_000 + 5_000 * k
        count = round(population * (0.08 + 0.004 * k))
        rows.append(f"{geo.place(code).name};{count};{count / population * 100_000:.1f}")
    rows += ["Uppsala län;30 000;7 800,0", "Riket;1 500 000;14 500,0", "Kiruna;1 000;4 000"]
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_heby_with_data_shows_its_outline_and_county_group(heby):
    from lib.ingest.loading import import_bytes
    from lib.store.store import Store
    from tests.test_page_map import map_data

    muni = load_municipality()
    assert muni.name == "Heby"
    store = Store()
    assert import_bytes(store, heby_incidents(), "incidents", muni, "heby.csv").ok
    outcome = import_bytes(store, peer_file(), "peers", muni, "bra.csv", year=2019)
    assert outcome.ok and outcome.rows_added == 10, outcome.messages  # Kiruna left out

    at = heby("karta")
    assert_ok(at)
    drawn = map_data(at)
    outline = MultiPoint([(lon, lat) for lat, lon in drawn["outline"]])
    lon0, lat0, lon1, lat1 = geo.outline("0331").bounds
    assert outline.bounds == pytest.approx((lon0, lat0, lon1, lat1), abs=1e-4)
    assert drawn["outline_label"].startswith("Kommungräns (förenklad")

    at = heby("jamforelse")
    assert_ok(at)
    group = at.selectbox(key="grupp")
    assert list(group.options) == ["kommunerna i Uppsala län"]
    shown = texts(at)
    assert "Heby" in shown and "8" in shown
    funnel = at.dataframe[0].value  # the county's eight, populations from count and rate
    assert set(funnel["Kommun"]) == {geo.place(c).name for c in UPPSALA_COUNTY}

    at = heby("oversikt")
    assert_ok(at)
    assert "Heby" in at.title[0].value
