"""The reporting page's map (issue 21.6): the municipality's outline, its localities' names and
a scale are drawn without any background; a background map the deployment configured
(``[map] tiles_url``) is on from the start and the map comes first; without one the place
list comes first. The help text names the pin's colour as it is drawn."""

from __future__ import annotations

import colorsys
import json

import pytest

from lib.auth import Accounts
from lib.config import load_municipality
from lib.i18n import t
from lib.passwords import MIN_ITERATIONS, hash_password
from lib.public import report_map
from lib.store.store import Store

PASSWORD = "ett-långt-lösenord-2025"
OWN = "https://kartor.example.se/topowebb/{z}/{y}/{x}.png"


@pytest.fixture
def reporter(tmp_path, monkeypatch):
    """The reporting page for a signed-in reporter, with the secrets given."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    db = tmp_path / "app.db"
    monkeypatch.setenv("TRYGGHET_DB", str(db))
    monkeypatch.delenv("TRYGGHET_TILES_URL", raising=False)
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("lib.auth.hash_password", lambda pw: hash_password(pw, MIN_ITERATIONS))
    Accounts(Store(str(db))).create("Rita", "reporter", PASSWORD, "test", "Fritid", False)

    def open_page(secrets: dict | None = None):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        for key, value in (secrets or {}).items():
            at.secrets[key] = value
        at.run()
        at.switch_page("pages/rapportera.py").run()
        fields = {w.label: w for w in at.text_input}
        fields["Namn"].input("Rita")
        fields["Lösenord"].input(PASSWORD)
        next(b for b in at.button if b.label == "Logga in").click().run()
        assert not at.exception
        return at

    return open_page


def where(at):
    return next(r for r in at.radio if r.label == "Var?")


def map_json(at) -> str:
    """What the page hands st_folium (everything the browser's map receives), decoded."""
    (component,) = list(at.get("component_instance"))
    return json.dumps(json.loads(component.proto.json_args), ensure_ascii=False)


def test_without_a_configured_background_the_list_comes_first(reporter):
    at = reporter()
    radio = where(at)
    assert radio.options[0] == t("report.where_list") and radio.value == "list"
    assert not list(at.get("component_instance"))  # no map until asked for


def test_the_map_draws_outline_names_and_scale_without_tiles(reporter):
    at = reporter()
    where(at).set_value("map").run()
    assert not at.exception
    drawn = map_json(at)
    assert "tileLayer" not in drawn and "openstreetmap" not in drawn.lower()
    assert "trygghet-outline" in drawn  # the municipality's outline
    for locality in load_municipality("hallsberg").localities:
        assert locality.name in drawn
    assert "L.control.scale({imperial: false})" in drawn
    assert "trygghetDeclutter" in drawn  # names kept apart
    toggle = next(w for w in at.toggle if w.label == t("report.background"))
    assert toggle.value is False  # OpenStreetMap only when the reporter asks
    captions = " ".join(c.value for c in at.caption)
    assert "orange ring" in captions and "röd" not in captions


def test_a_configured_background_is_on_and_the_map_first(reporter):
    at = reporter({"map": {"tiles_url": OWN, "tiles_name": "Lantmäteriets topografiska karta"}})
    radio = where(at)
    assert radio.options[0] == t("report.where_map") and radio.value == "map"
    toggle = next(w for w in at.toggle if w.label == t("report.background"))
    assert toggle.value is True
    assert "Lantmäteriets topografiska karta" in toggle.help
    drawn = map_json(at)
    assert "kartor.example.se" in drawn and "trygghet-outline" in drawn
    toggle.set_value(False).run()
    assert "kartor.example.se" not in map_json(at)


def test_no_background_at_all_offers_no_switch(reporter):
    at = reporter({"map": {"tiles_url": ""}})
    assert where(at).value == "list"
    where(at).set_value("map").run()
    assert not [w for w in at.toggle if w.label == t("report.background")]
    assert "tileLayer" not in map_json(at)


def test_the_help_names_the_colour_the_pin_is_drawn_in():
    red, green, blue = (int(report_map.PIN_COLOUR[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue = colorsys.rgb_to_hsv(red, green, blue)[0] * 360
    assert 15 <= hue <= 45  # orange, not red (0-15) nor yellow
    assert report_map.PIN_COLOUR_WORD == "orange"
    assert "orange ring" in t("report.map_help", colour=report_map.PIN_COLOUR_WORD)
