"""Fixtures of the attack suite: a store with the sample data plus the planted incidents (made
once per session and copied per module), the municipality at threshold 3 and at 5, and a
viewer that opens a page with AppTest as a member of the public (never signed in) and reads
what the browser receives: metrics, text, tables, chart specs, the map payload, downloads."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from lib.config import DATA_DIR, load_municipality
from lib.i18n import MESSAGES, t
from lib.ingest.loading import import_bytes, seed_sample
from lib.store.store import Store
from tests.conftest import sample_coverage
from tests.privacy import planted

ROOT = Path(__file__).resolve().parents[2]


def _t5_config(directory: Path) -> Path:
    """A copy of the municipality's configuration with privacy_threshold = 5; relative file
    names made absolute, so the copy can live anywhere."""
    text = (DATA_DIR / "hallsberg.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^privacy_threshold\s*=\s*\d+", "privacy_threshold = 5", text)

    def absolute(match: re.Match) -> str:
        return f'{match.group(1)}"{(DATA_DIR / match.group(2)).as_posix()}"'

    text = re.sub(
        r'(?m)^(\s*[\w_]+\s*=\s*)"([^"/][^"]*\.(?:toml|csv|geojson|json))"', absolute, text
    )
    path = directory / "hallsberg-t5.toml"
    path.write_text(text, encoding="utf-8")
    return path


# The cell-key secret of every store the suite builds: fixed, so every run attacks the same
# noise and a recovery rate is a measurement, not a draw. Derived once from a fixed phrase (not
# searched for: any secret is as good as any other to an attacker who does not know it).
SUITE_SECRET = hashlib.sha256(b"privacy-suite").hexdigest()


def fix_secret(store: Store) -> None:
    """Give a new store the suite's secret before anything asks for one."""
    if not hasattr(store, "secret"):  # an older store without cell keys: nothing to fix
        return
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO meta (key, value) VALUES ('cell_key_secret', :v)"),
            {"v": SUITE_SECRET},
        )
    assert store.secret() == bytes.fromhex(SUITE_SECRET)


@pytest.fixture(scope="session")
def planted_db(tmp_path_factory) -> Path:
    """A store file with the sample data and the planted incidents."""
    directory = tmp_path_factory.mktemp("privacy")
    path = directory / "planted.db"
    store = Store(str(path))
    fix_secret(store)
    muni = load_municipality("hallsberg")
    seed_sample(store, muni)
    outcome = import_bytes(store, planted.planted_csv(), "incidents", muni, "planterat.csv")
    assert outcome.ok, outcome.messages
    if hasattr(store, "secret"):
        assert store.secret() == bytes.fromhex(SUITE_SECRET)  # every copy shares it
    store.engine.dispose()
    return path


@pytest.fixture(scope="session")
def t5_config(tmp_path_factory) -> Path:
    return _t5_config(tmp_path_factory.mktemp("privacy-config"))


@pytest.fixture(scope="session")
def incidents(planted_db) -> pd.DataFrame:
    """The ground truth: everything stored, as stored."""
    frame = Store(str(planted_db)).read("incidents")
    frame["time_known"] = frame["time_known"].astype(bool)
    return frame


def _environment(tmp_path_factory, planted_db, threshold: int, t5_config: Path | None):
    mp = pytest.MonkeyPatch()
    copy = tmp_path_factory.mktemp(f"privacy-t{threshold}") / "app.db"
    shutil.copy(planted_db, copy)
    mp.setenv("TRYGGHET_DB", str(copy))
    if threshold == 5:
        mp.setenv("TRYGGHET_KOMMUN", str(t5_config))
    else:
        mp.delenv("TRYGGHET_KOMMUN", raising=False)
    mp.chdir(ROOT)
    load_municipality.cache_clear()  # the app reads load_municipality() without arguments
    assert load_municipality().privacy_threshold == threshold
    return mp, copy


@pytest.fixture(scope="module")
def public(tmp_path_factory, planted_db, t5_config, request):
    """The public view of a fresh copy of the planted store at threshold 3 (or 5 when the
    module sets THRESHOLD = 5): yields a factory of viewers."""
    threshold = getattr(request.module, "THRESHOLD", 3)
    mp, copy = _environment(tmp_path_factory, planted_db, threshold, t5_config)
    yield Public(threshold, copy, t5_config if threshold == 5 else None)
    mp.undo()
    load_municipality.cache_clear()


class Public:
    def __init__(self, threshold: int, db: Path, config: Path | None):
        self.threshold = threshold
        self.db = db
        self.config = config

    def page(self, path: str) -> Viewer:
        return Viewer(path, self.threshold, self.db)

    @property
    def hidden(self) -> str:
        return t("suppressed", threshold=self.threshold)


# --- Reading what the browser receives ---------------------------------------------------------

_STORAGES: list = []


def _recording_storage():
    """AppTest keeps download bytes in a MemoryMediaFileStorage made per run: record them."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _STORAGES.append(self)
            del _STORAGES[:-4]

    return Recording


_MANAGERS: list = []


@pytest.fixture(autouse=True, scope="session")
def _record_downloads():
    """Downloads are built when clicked (a deferred file): record AppTest's media file
    managers too, so a download can be built as a click would (``tests.downloads.build``)."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.media_file_manager import MediaFileManager

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _MANAGERS.append(self)
            del _MANAGERS[:-4]

    original = app_test.MemoryMediaFileStorage, app_test.MediaFileManager
    app_test.MemoryMediaFileStorage = _recording_storage()
    app_test.MediaFileManager = Recording
    yield
    app_test.MemoryMediaFileStorage, app_test.MediaFileManager = original


def number(text) -> int | None:
    """A count as shown ("1 234", "12 händelser") or None when hidden or not a number."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    if isinstance(text, int | float | np.integer | np.floating):
        return int(text) if float(text).is_integer() else None
    match = re.match(r"^\s*([−-]?[\d\s\u00a0\u202f]+)(?:\s|$)", str(text))
    if not match or "färre" in str(text):
        return None
    digits = re.sub(r"[\s\u00a0\u202f]", "", match.group(1)).replace("−", "-")
    return int(digits) if digits.lstrip("-").isdigit() else None


def decode(values) -> list:
    """Plotly's JSON arrays, plain or typed ({"dtype", "bdata"[, "shape"]}); nulls as None."""
    if values is None:
        return []
    if isinstance(values, dict) and "bdata" in values:
        raw = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        return raw.tolist()
    if values and isinstance(values[0], list):  # a matrix (a heat map's z)
        return [v for row in values for v in row]
    return list(values)


def parse_day(label: str) -> dt.date:
    """A chart's week label ("4 mars 2019", ``lib.i18n.fmt_date``) as a date."""
    from lib.i18n import fmt_date

    names = {fmt_date(dt.date(2000, m, 1)).split()[1]: m for m in range(1, 13)}
    parts = str(label).split()
    if len(parts) != 3 or parts[1] not in names:
        raise ValueError(label)
    return dt.date(int(parts[2]), names[parts[1]], int(parts[0]))


COUNT = r"(?:färre än \d+|[−-]?\d[\d\u00a0\u202f ]*?)"


def pattern(key: str, **groups: str) -> re.Pattern:
    """A regular expression from a catalogue text, its placeholders as named groups; a noun
    in the number of a count ("{n:händelse|händelser}") as either form."""
    text = re.escape(MESSAGES[key])
    text = re.sub(
        r"\\\{\w+:((?:[^\\]|\\[^}])*?)\\\}",
        lambda m: "(?:" + m.group(1).replace("\\|", "|") + ")",
        text,
    )
    for name in dict.fromkeys(re.findall(r"\\\{(\w+)\\\}", text)):
        placeholder = f"\\{{{name}\\}}"
        text = text.replace(placeholder, f"(?P<{name}>{groups.get(name, '.+?')})", 1)
        text = text.replace(placeholder, ".+?")
    return re.compile(text)


class Viewer:
    """One AppTest session on a page, as a viewer who is not signed in. The public chooses a
    period from a fixed list and one or all of each filter: a question outside that (free
    dates, several categories) cannot be asked, and the viewer then reads nothing."""

    def __init__(self, page: str, threshold: int, db: Path):
        from streamlit.testing.v1 import AppTest

        self.threshold = threshold
        self.db = db
        self.refused = False
        self.at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        self.at.run()
        if page != "dashboard.py":
            self.at.switch_page(page).run()
        self.check()

    def check(self):
        errors = [e.value for e in self.at.exception] + [e.value for e in self.at.error]
        assert not errors, errors

    def preset(self, start: dt.date, end: dt.date) -> str | None:
        """The id of the period the public can choose for these dates, if any: the app's own
        list (``DataManager.presets``), so the attack asks exactly what the sidebar offers."""
        return next((p.id for p in self.presets() if p.span == (start, end)), None)

    def presets(self) -> list:
        if not hasattr(self, "_presets"):
            self._presets = self.presets_of(self.db)
        return self._presets

    @staticmethod
    def presets_of(db) -> list:
        """The periods the public may choose in the store at ``db`` (the app's list)."""
        from lib.datamanager import DataManager

        manager = DataManager(Store(str(db)), load_municipality())
        return manager.presets(manager.version())

    def filters(
        self,
        start: dt.date,
        end: dt.date,
        ort=(),
        kategori=(),
        kalla=(),
        **widgets,
    ) -> Viewer:
        preset = self.preset(start, end)
        self.refused = preset is None or max(len(ort), len(kategori), len(kalla)) > 1
        if self.refused:
            return self
        at = self.at
        at.selectbox(key="period").set_value(preset)
        at.selectbox(key="ort").set_value(ort[0] if ort else None)
        at.selectbox(key="kategori").set_value(kategori[0] if kategori else None)
        at.selectbox(key="kalla").set_value(kalla[0] if kalla else None)
        for key, value in widgets.items():
            self.widget(key).set_value(value)
        at.run()
        self.check()
        return self

    def set(self, **widgets) -> Viewer:
        for key, value in widgets.items():
            self.widget(key).set_value(value)
        self.at.run()
        self.check()
        return self

    def widget(self, key: str):
        for kind in ("radio", "selectbox", "button_group", "multiselect", "date_input", "toggle"):
            try:
                return getattr(self.at, kind)(key=key)
            except KeyError:
                continue
        raise KeyError(key)

    def options(self, key: str) -> list[str]:
        return [o for o in self.at.selectbox(key=key).options if o != t("filter.all")]

    # -- reading --------------------------------------------------------------------------

    def metric(self, label: str) -> str | None:
        if self.refused:
            return None
        for m in self.at.metric:
            if m.label == label:
                return m.value
        return None

    def texts(self) -> list[str]:
        if self.refused:
            return []
        elements = (*self.at.markdown, *self.at.caption, *self.at.info, *self.at.text)
        return [e.value for e in elements]

    def tables(self) -> list[pd.DataFrame]:
        if self.refused:
            return []
        return [d.value for d in self.at.dataframe]

    def table_with(self, *columns: str) -> pd.DataFrame | None:
        for frame in self.tables():
            if all(c in frame.columns for c in columns):
                return frame
        return None

    def charts(self) -> list[dict]:
        if self.refused:
            return []
        return [json.loads(c.proto.spec) for c in self.at.get("plotly_chart")]

    def chart_with_trace(self, name: str) -> dict | None:
        for spec in self.charts():
            if any(trace.get("name") == name for trace in spec.get("data", [])):
                return spec
        return None

    def downloads(self) -> dict[str, bytes]:
        """Label -> bytes of every download button on the page."""
        out = {}
        if self.refused:
            return out
        for button in self.at.get("download_button"):
            if button.proto.deferred_file_id:
                from tests.downloads import build

                out[button.proto.label] = build(_MANAGERS, button)
                continue
            name = button.proto.url.rsplit("/", 1)[-1]
            for storage in reversed(_STORAGES):
                try:
                    out[button.proto.label] = storage.get_file(name).content
                    break
                except Exception:
                    continue
        return out

    def refusals(self) -> list[str]:
        """The page's notes saying that a breakdown is not shown for this selection (the
        detail rule, ``views.detail_note``): what an attacker reads where a table was."""
        notes = {t(f"detail.{reason}", minimum=self.minimum) for reason in ("small", "sensitive")}
        return [text for text in self.texts() if text in notes]

    def empty(self) -> bool:
        """The page stopped at "no incidents in the selection" (published 0 both years)."""
        return t("filter.empty_selection") in self.texts()

    @property
    def minimum(self) -> int:
        return load_municipality().detail_minimum

    def weekly(self) -> dict[dt.date, int | None] | None:
        """The weekly series the trends page draws (upplosning = W): the Monday of each week
        -> its count, None where the chart leaves a gap. None when the chart is of months
        (the detail rule refused the weeks)."""
        spec = self.chart_with_trace(t("overview.trend_current"))
        if spec is None:
            return None
        trace = next(tr for tr in spec["data"] if tr.get("name") == t("overview.trend_current"))
        xs, ys = decode(trace.get("x")), decode(trace.get("y"))
        days = {}
        for x, y in zip(xs, ys, strict=True):
            try:
                day = parse_day(x)
            except ValueError:
                return None  # month labels: the page fell back to months
            days[day] = None if y is None or (isinstance(y, float) and np.isnan(y)) else int(y)
        return days

    def hours(self) -> np.ndarray | None:
        """The weekday × hour heat map as the browser receives it (7 × 24, NaN where hidden),
        or None where the page shows none."""
        for spec in self.charts():
            for trace in spec.get("data", []):
                if trace.get("type") == "heatmap":
                    return np.array(decode(trace.get("z")), dtype=float).reshape(7, 24)
        return None

    def map_payload(self) -> dict | None:
        if self.refused:
            return None
        components = [
            c
            for c in self.at.get("component_instance")
            if c.proto.component_name == "streamlit_folium.st_folium"
        ]
        if not components:
            return None
        script = json.loads(components[0].proto.json_args)["script"]
        start = script.index("var d = ") + len("var d = ")
        return json.loads(script[start : script.index(";\n", start)])


# --- Inference shared by the attacks -----------------------------------------------------------


def solve(residual: int, hidden: int, threshold: int) -> list[int | None]:
    """Hidden cells each in 1..threshold-1 that must add up to ``residual``: the value each
    must have (the same in every solution), or None where more than one value is possible.
    No solution at all: nothing is inferred."""
    if hidden == 0:
        return []
    low, high = hidden, hidden * (threshold - 1)
    if not low <= residual <= high:
        return [None] * hidden
    out = []
    for _ in range(hidden):
        values = [
            v
            for v in range(1, threshold)
            if (hidden - 1) <= residual - v <= (hidden - 1) * (threshold - 1)
        ]
        out.append(values[0] if len(values) == 1 else None)
    return out


# A differencing attack on the cell-key method guesses right when the noises it subtracts
# happen to cancel: for two cells Σp² = 0.26 of the time, less with more cells. A leak (exact
# counts, or a statistic computed from them) gives back every cell. With 30 or more planted
# cells per channel the bound below separates the two: a chance-level defence stays under it
# (26 % of 30 cells is 8, the bound 12), the original main (all of them) does not.
MAX_SHARE = 0.40
FIGURES: list[str] = []


def share_line(channel: str, targets: list, recovered: list) -> str:
    share = len(recovered) / max(len(targets), 1)
    return f"{channel}: recovered {len(recovered)} of {len(targets)} ({share:.0%})"


def assert_observed(channel: str, targets: list, observed: list) -> None:
    """Before an attack may say it learned nothing it must have looked: it read something of
    at least one planted target (a row, a chart point, a total; not a refusal, which is
    asserted as such with ``assert_refused``)."""
    assert targets, f"{channel}: no planted targets"
    assert observed, f"{channel}: the attack observed none of its {len(targets)} targets"


def assert_refused(channel: str, questions: list, refused: list) -> None:
    """Every question in ``questions`` was refused, and the refusal was seen as such (the
    page's note, the command's exit status, ``NotPublic``), not merely an empty answer."""
    assert questions, f"{channel}: asked nothing"
    missing = [q for q in questions if q not in refused]
    print(f"\nPRIVACY {channel}: refused {len(questions) - len(missing)} of {len(questions)}")
    assert not missing, f"{channel}: not refused: {missing[:12]}"


def assert_chance(channel: str, targets: list, recovered: list, inferred, observed) -> None:
    """At most MAX_SHARE of the planted hidden cells recovered; the share measured is part of
    the message and printed (``pytest -s`` shows every channel's figure). ``observed``: the
    targets the attack read something of (``assert_observed``)."""
    assert len(targets) >= 30, f"{channel}: only {len(targets)} planted cells"
    assert_observed(channel, targets, observed)
    line = share_line(channel, targets, recovered)
    print(f"\nPRIVACY {line} (observed {len(observed)})")
    assert len(recovered) <= MAX_SHARE * len(targets), report(
        channel, targets, recovered, f"bound {MAX_SHARE:.0%}; inferred: {inferred}"
    )


def assert_none(channel: str, targets: list, recovered: list, inferred, observed) -> None:
    """A channel that must publish nothing: no planted cell recovered at all, after the
    attack observed at least one target (``assert_observed``)."""
    assert_observed(channel, targets, observed)
    print(f"\nPRIVACY {share_line(channel, targets, recovered)} (observed {len(observed)})")
    assert not recovered, report(channel, targets, recovered, f"inferred: {inferred}")


def report(channel: str, targets: list, recovered: list, extra: str = "") -> str:
    share = len(recovered) / max(len(targets), 1)
    lines = [
        f"{channel}: recovered {len(recovered)} of {len(targets)} planted hidden cells"
        f" ({share:.0%})"
    ]
    lines += [f"  {r}" for r in recovered[:12]]
    if extra:
        lines.append(extra)
    return "\n".join(lines)


@pytest.fixture(scope="session")
def muni_coverage(incidents):
    """What an attacker knows besides the pages: the configuration (populations, cameras) and
    which days each source covers (the data page and the pages' notes say so)."""
    return load_municipality("hallsberg"), sample_coverage(incidents)
