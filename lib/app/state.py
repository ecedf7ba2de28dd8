"""The store and the municipality in view, and the shared, read-only data pages read from it
(through the data manager, ``lib.datamanager``), cached per process and keyed explicitly on the
store, the municipality and the data version.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import streamlit as st

from lib.config import Municipality, load_municipality
from lib.datamanager import DataManager, incident_rows
from lib.ingest.loading import ensure_initialised
from lib.store.store import Store, database_url

# --- The store and the municipality in view (issue 15.3: several in one deployment) ---------
KOMMUN = "kommun"  # ?kommun=<code> chooses among the municipalities served (lib.tenancy)


@st.cache_resource(show_spinner=False)
def _base_store(url: str) -> Store:
    """One Store, and so one connection pool, per database for the whole process."""
    return Store(url)


@st.cache_resource(show_spinner=False)
def _municipal_store(url: str, code: str) -> Store:
    from lib.tenancy import served

    store = _base_store(url).for_municipality(code)
    ensure_initialised(store, load_municipality(served()[code]))
    return store


def _store(url: str) -> Store:
    """The store at ``url`` as the municipality in view sees it. The caches below key on the
    URL and the data version only: versions are unique across municipalities
    (``Store.data_version``), so each municipality's frames are cached apart and memory
    follows the municipalities being viewed."""
    return _municipal_store(url, municipality().code)


_URLS: dict[tuple[str | None, str], str] = {}


def store() -> Store:
    # database_url resolves the path and creates its folder; a page run asks for the store
    # some thirty times, so the URL is worked out once per setting and working directory.
    import os

    key = (os.environ.get("TRYGGHET_DB"), os.getcwd())
    if key not in _URLS:
        _URLS[key] = database_url(key[0])
    return _store(_URLS[key])


def municipality() -> Municipality:
    """The municipality in view: ``?kommun=<code>`` when the deployment serves it
    (TRYGGHET_KOMMUNER), else the configured one (TRYGGHET_KOMMUN). Kept for the other pages
    in the session, and put back in the URL so a link shows the same municipality."""
    from lib.tenancy import chosen, served

    serving = served()
    remembered = f"{KOMMUN}.vald"
    code = chosen(st.query_params.get(KOMMUN) or st.session_state.get(remembered), serving)
    st.session_state[remembered] = code
    default = next(iter(serving))
    if code != default and st.query_params.get(KOMMUN) != code:
        st.query_params[KOMMUN] = code
    return load_municipality(serving[code])


def may_write(name: str | None) -> bool:
    """May this signed-in name write to (and see exactly) the municipality in view? The
    ``[kommuner]`` section of the secrets says (``lib.tenancy``)."""
    from lib.tenancy import allowed

    policy = secrets().get("kommuner")
    return allowed(name, municipality().code, policy, load_municipality().code)


# The frozen dataclasses pages pass to their chart caches, hashed by their repr (every field,
# in order): Streamlit's generic hasher walks a public Disclosure's periods date by date and
# took 5 ms a call, three calls a page run (bench/profile_overview.py).
KEYS = {"lib.public.disclosure.Disclosure": repr, "lib.figures.filters.Filters": repr}


# --- The data manager (lib.datamanager): every number a page shows comes through it ---------


@st.cache_resource(show_spinner=False)
def _manager(url: str, code: str) -> DataManager:
    """One data manager per store and municipality for the whole process: its caches are
    keyed on the data version, which any write (the CLI, another session) changes."""
    from lib.tenancy import served

    return DataManager(_municipal_store(url, code), load_municipality(served()[code]))


def manager() -> DataManager:
    return _manager(store().url, municipality().code)


def data_version() -> int:
    return store().data_version()


def cube() -> pd.DataFrame:
    """The daily cube (read-only, shared)."""
    return manager().cube(data_version())


def coverage():
    """Which months each source covers (``lib.figures.coverage``), shared."""
    return manager().coverage(data_version())


def off_map() -> pd.DataFrame:
    """The cube of incidents the map cannot draw (no coordinates or a sensitive category),
    shown per locality (read-only, shared)."""
    return manager().off_map(data_version())


def meetings() -> tuple[dt.date, ...]:
    """The council's meeting dates (stored in the store, entered on the BRÅ page)."""
    return manager().meetings(data_version())


def view_data():
    """The frames every public view is computed from, all of one data version."""
    return manager().data(data_version())


def period_choices() -> list:
    """The periods anyone may choose (``lib.figures.periods``), the default first; worked
    out once per data version, municipality and day."""
    return manager().presets(data_version())


def view(page: str, make, *key):
    """A page's view, made once per data version and ``key`` and shared by every session
    (``DataManager.view``): ``make`` builds it when it is not cached."""
    return manager().view(data_version(), page, make, *key)


def cached(page: str):
    """A page's figure function, computed once per data version and arguments by the data
    manager and shared by every session (its arguments are the key, so it must read nothing
    else that varies; what it returns must never be changed in place)."""

    def wrap(fn):
        @functools.wraps(fn)
        def call(*args):
            return view(f"{page}.{fn.__name__}", lambda: fn(*args), *args)

        return call

    return wrap


def import_log() -> pd.DataFrame:
    return manager().import_log(data_version())


def has_sample() -> bool:
    """The store holds the fictional sample data (an import of it not undone)."""
    return manager().has_sample(data_version())


@st.cache_resource(max_entries=2, show_spinner=False)
def _incidents(url: str, code: str, version: int) -> pd.DataFrame:
    return incident_rows(_municipal_store(url, code))


def incidents() -> pd.DataFrame:
    """Every incident row, for the pages that list incidents (analysts' views): never for
    a figure (read-only, shared)."""
    return _incidents(store().url, municipality().code, data_version())


def map_points() -> pd.DataFrame:
    """Incidents with a place per day and 50 m cell, sensitive categories left out: the
    map's and the meeting's (read-only, shared; ``DataManager.cells``)."""
    return manager().cells(data_version(), *_span(view_data()))


def _span(data) -> tuple[dt.date, dt.date]:
    first, last = data.span()
    today = dt.date.today()
    return (first or today) - dt.timedelta(days=366 * 4), max(last or today, today)


def secrets() -> dict:
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return {}


# --- The municipality's own signal reporting (lib.est) -------------------------------


@st.cache_resource(max_entries=2, show_spinner=False)
def _purged_on(url: str, day) -> int | None:
    from lib.est.cases import purge_if_due

    return purge_if_due(_store(url), municipality().report_retention_days, "system", day)


def purge_reports_if_due() -> None:
    """Remove notes and reporters' names past the retention time, at most once a day (the
    store remembers the day across processes; this process asks once a day)."""
    from lib.public.report import local_day

    _purged_on(store().url, local_day(municipality().timezone))
