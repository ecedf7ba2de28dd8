"""Municipality configuration as data, and Swedish formatting."""

import datetime as dt

import pytest

from lib import i18n
from lib.config import load_municipality


def test_hallsberg_config(muni):
    assert muni.code == "1861"
    assert muni.population[2018] == 15_954
    assert muni.locality_names[:2] == ["Hallsberg", "Pålsboda"]
    assert set(muni.peers) == {"Kumla", "Lekeberg", "Nora"}
    period = muni.current_promise_period()
    assert (period.start, period.end) == (dt.date(2018, 10, 1), dt.date(2019, 9, 30))
    assert period.file.exists()


def test_population_falls_back_to_nearest_earlier_year(muni):
    assert muni.population_in(2019) == 15_932
    assert muni.population_in(2025) == 15_990
    assert muni.population_in(2010) == 15_932  # earliest known


def test_another_municipality_is_another_file(tmp_path, monkeypatch):
    text = (
        load_municipality("hallsberg").sample_files["incidents"].parent.parent / "hallsberg.toml"
    ).read_text(encoding="utf-8")
    other = tmp_path / "kumla.toml"
    other.write_text(
        text.replace('name = "Hallsberg"', 'name = "Kumla"').replace(
            'code = "1861"', 'code = "1881"'
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("TRYGGHET_KOMMUN", str(other))
    load_municipality.cache_clear()
    try:
        assert load_municipality().code == "1881"
    finally:
        load_municipality.cache_clear()


def test_nothing_municipality_specific_in_code():
    from tests.conftest import ROOT

    for path in [*ROOT.glob("lib/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "dashboard.py"]:
        text = path.read_text(encoding="utf-8")
        for word in ("Hallsberg", "1861", "Pålsboda"):
            assert word not in text, f"{word} hard-coded in {path.name}"


@pytest.mark.parametrize(
    ("value", "expected"), [(1234, "1\u00a0234"), (5, "5"), (1_234_567, "1\u00a0234\u00a0567")]
)
def test_integers_use_space_thousands(value, expected):
    assert i18n.fmt_int(value) == expected


def test_percent_month_and_date():
    assert i18n.fmt_pct(0.053) == "5,3\u00a0%"
    assert i18n.fmt_month(dt.date(2019, 3, 1)) == "mars 2019"
    assert i18n.fmt_date(dt.date(2019, 3, 5)) == "5 mars 2019"
    assert i18n.fmt_num(103.04, 1) == "103,0"
    assert i18n.fmt_coord(59.0671) == "59,0671"


def test_catalogue_placeholders_are_filled():
    assert i18n.t("suppressed", threshold=3) == "färre än 3"
    with pytest.raises(KeyError):
        i18n.t("overview.summary_total", period="x")


def test_the_catalogue_defines_each_key_once():
    """A key written twice in the catalogue's dict literal silently keeps the later text."""
    import ast
    import collections
    from pathlib import Path

    import lib.i18n

    tree = ast.parse(Path(lib.i18n.__file__).read_text(encoding="utf-8"))
    catalogue = max(
        (n for n in ast.walk(tree) if isinstance(n, ast.Dict)), key=lambda n: len(n.keys)
    )
    keys = [k.value for k in catalogue.keys if isinstance(k, ast.Constant)]
    assert len(keys) > 500
    assert [k for k, n in collections.Counter(keys).items() if n > 1] == []
