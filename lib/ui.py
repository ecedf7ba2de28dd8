"""Streamlit glue shared by every page: the store and its caches, the shared filters (kept
in the URL), and the sample-data banner. The only lib module that imports streamlit."""

from __future__ import annotations

import datetime as dt
import functools
import re
import runpy

import pandas as pd
import streamlit as st

from lib.config import Municipality, load_municipality
from lib.figures import filters as flt
from lib.i18n import fmt_date, fmt_datetime, fmt_month, fmt_month_short, source_label, t
from lib.ingest.loading import ensure_initialised, store_error_message
from lib.ingest.store import Store, StoreError, database_url
from lib.public import exports


def front_door() -> None:
    """Run every page through dashboard.py. Streamlit treats a ``pages/`` folder beside the
    entry point as an old-style multipage app until ``st.navigation`` has run once in the
    process, so the first visit after a server start straight to a sub-page URL would run
    that page alone (no page config, file names as navigation) and keep doing so. Then we
    run the front door in place and stop, so the visit renders as intended; no rerun, so a
    button or form pressed in that run keeps its value. Seen with Streamlit 1.67; the flag
    is internal, hence the defensive imports."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # a future Streamlit without the old mode
        return
    ctx = get_script_run_ctx()
    if ctx is None or not getattr(PagesManager, "uses_pages_directory", False):
        return
    PagesManager.uses_pages_directory = False
    runpy.run_path(ctx.main_script_path, run_name="__main__")
    st.stop()


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

    policy = _secrets().get("kommuner")
    return allowed(name, municipality().code, policy, load_municipality().code)


# The frozen dataclasses pages pass to their caches, hashed by their repr (every field, in
# order): Streamlit's generic hasher walks a public Disclosure's periods date by date and
# took 5 ms a call, three calls a page run (bench/profile_overview.py).
KEYS = {"lib.public.disclosure.Disclosure": repr, "lib.figures.filters.Filters": repr}


# Large read-only frames are shared with cache_resource, keyed on the data version: a write
# anywhere (the CLI, another session) changes the version and so the key.
@st.cache_resource(max_entries=2, show_spinner=False)
def _incidents(url: str, version: int) -> pd.DataFrame:
    return _store(url).read_incidents()


@st.cache_resource(max_entries=2, show_spinner=False)
def _cube(url: str, version: int) -> pd.DataFrame:
    return flt.daily_cube(_incidents(url, version))


@st.cache_resource(max_entries=2, show_spinner=False)
def _timed(url: str, version: int) -> pd.DataFrame:
    return flt.timed_frame(_incidents(url, version))


@st.cache_resource(max_entries=2, show_spinner=False)
def _map_points(url: str, version: int) -> pd.DataFrame:
    from lib.figures.hotspots import points_frame

    return points_frame(_incidents(url, version), municipality())


@st.cache_resource(max_entries=2, show_spinner=False)
def _off_map(url: str, version: int) -> pd.DataFrame:
    from lib.figures.hotspots import off_map_cube

    return off_map_cube(_incidents(url, version), municipality())


def off_map() -> pd.DataFrame:
    """The cube of incidents the map cannot draw (no coordinates or a sensitive category),
    shown per locality (read-only, shared)."""
    return _off_map(store().url, data_version())


@st.cache_resource(max_entries=2, show_spinner=False)
def _coverage(url: str, version: int):
    from lib.figures.coverage import coverage_of

    return coverage_of(_incidents(url, version))


@st.cache_data(max_entries=4, show_spinner=False)
def _import_log(url: str, version: int) -> pd.DataFrame:
    return _store(url).import_log()


@st.cache_data(max_entries=4, show_spinner=False)
def _has_sample(url: str, version: int) -> bool:
    return bool(_store(url).sample_import_ids())


def data_version() -> int:
    return store().data_version()


def incidents() -> pd.DataFrame:
    """All stored incidents (read-only, shared: never modify in place)."""
    return _incidents(store().url, data_version())


def cube() -> pd.DataFrame:
    return _cube(store().url, data_version())


def timed() -> pd.DataFrame:
    """Incidents with a known time of day, sorted by day (read-only, shared)."""
    return _timed(store().url, data_version())


def map_points() -> pd.DataFrame:
    """Incidents with a place, projected to SWEREF 99 TM and sorted by day, sensitive
    categories left out: the map's and the meeting's (read-only, shared)."""
    return _map_points(store().url, data_version())


def coverage():
    """Which days each source covers (``lib.figures.coverage``), shared."""
    return _coverage(store().url, data_version())


@st.cache_data(max_entries=4, show_spinner=False)
def _meetings(url: str, version: int) -> tuple[dt.date, ...]:
    return _store(url).meetings()


def meetings() -> tuple[dt.date, ...]:
    """The council's meeting dates (stored in the store, entered on the BRÅ page)."""
    return _meetings(store().url, data_version())


def meetings_editor() -> None:
    """Signed-in analysts keep the council's meeting dates here: each added date is an entry
    of the import log (who, when), and each can be undone. Changes happen in callbacks, before
    the page runs, so the meeting page's period follows at once (since the latest meeting)."""
    user = analyst()
    if user is None or not may_write(user):
        return
    done = st.session_state.pop("_meeting_message", None)
    box = st.expander(t("meetings.heading"), expanded=done is not None)
    box.caption(t("meetings.intro"))
    if done:
        (box.error if done[0] == "error" else box.success)(done[1])
    with box.form("motesdatum", clear_on_submit=True):
        st.date_input(t("meetings.day"), value=dt.date.today(), format="YYYY-MM-DD", key="motesdag")
        st.form_submit_button(t("meetings.add"), on_click=_add_meeting, args=(user,))
    entries = store().read("meetings").sort_values("date", ascending=False)
    if entries.empty:
        box.caption(t("meetings.none"))
    for row in entries.itertuples():
        left, right = box.columns([3, 1])
        left.text(fmt_date(row.date.date()))
        right.button(
            t("meetings.undo"),
            key=f"angra_mote_{row.import_id}",
            on_click=_undo_meeting,
            args=(int(row.import_id), user),
        )


def _add_meeting(user: str) -> None:
    day = st.session_state["motesdag"]
    try:
        import_id = store().add_meeting(day, user=user)
    except StoreError as err:
        st.session_state["_meeting_message"] = ("error", "\n".join(store_error_message(err)))
        return
    message = t("meetings.added", day=fmt_date(day), id=import_id)
    st.session_state["_meeting_message"] = ("success", message)
    _period_follows_meetings()


def _undo_meeting(import_id: int, user: str) -> None:
    store().undo(import_id, user=user)
    _period_follows_meetings()


def _period_follows_meetings() -> None:
    from lib.figures.periods import meeting_default

    chosen = meeting_default(period_choices()).id
    st.session_state["motesperiod"] = st.session_state["motesperiod.vald"] = chosen


def view_data():
    """The frames every public view is computed from, all of one data version."""
    return _view_data(store().url, data_version())


def _view_data(url: str, version: int):
    from lib.public.views import Data

    frames = _cube(url, version), _timed(url, version), _coverage(url, version)
    return Data(*frames, municipality(), _meetings(url, version), _off_map(url, version))


@st.cache_data(max_entries=8, show_spinner=False)
def _period_choices(url: str, version: int, code: str, today: dt.date) -> list:
    return _view_data(url, version).presets(today)


def period_choices() -> list:
    """The periods anyone may choose (``lib.figures.periods``), the default first; worked
    out once per data version, municipality and day, not on each call of each run."""
    return _period_choices(store().url, data_version(), municipality().code, dt.date.today())


def disclosure():
    """The viewer's disclosure rules: exact for a signed-in analyst, public otherwise (with
    the periods the public may ask about)."""
    from lib.public.disclosure import Disclosure, public

    threshold = municipality().privacy_threshold
    if analyst() is not None:
        return Disclosure(threshold, exact=True)
    return public(threshold, period_choices())


# Characters Markdown (and Streamlit's directives such as :red[...] and $...$) give a meaning.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>:~$=])")


def plain(text: object) -> str:
    """A string from data made safe for places that render Markdown (captions, st.table
    cells): every Markdown character escaped, so a link, an image or a heading in a file's
    text shows as the characters it is."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and header of a table through ``plain`` (for st.table)."""
    out = frame.map(lambda v: plain(v) if isinstance(v, str) else v)
    out.columns = [plain(c) for c in out.columns]
    if pd.api.types.is_string_dtype(out.index) or out.index.dtype == object:
        out.index = [plain(v) for v in out.index]
    return out


def disclosure_note(d) -> None:
    """One sentence on what the viewer sees and why."""
    if d.exact:
        st.caption(t("disclosure.exact_note"))
    else:
        st.caption(t("disclosure.public_note", threshold=d.threshold))


def import_log() -> pd.DataFrame:
    return _import_log(store().url, data_version())


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_buttons(
    frame: pd.DataFrame,
    stem: str,
    sheet: str,
    csv_label: str | None = None,
    excel_label: str | None = None,
    key: str | None = None,
) -> None:
    """A table's CSV and Excel downloads side by side, holding exactly what is shown. The
    files are built when a button is clicked (a callable as ``data``), not on every rerun."""
    left, right = st.columns(2)
    left.download_button(
        csv_label or t("trends.download_csv"),
        lambda: exports.csv_bytes(frame),
        f"{stem}.csv",
        "text/csv",
        icon=":material/download:",
        key=f"{key}_csv" if key else None,
    )
    right.download_button(
        excel_label or t("trends.download_excel"),
        lambda: exports.excel_bytes(frame, sheet),
        f"{stem}.xlsx",
        XLSX,
        icon=":material/download:",
        key=f"{key}_xlsx" if key else None,
    )


def local_time(stamp) -> str:
    """An import-log timestamp (UTC, ISO) as Swedish local time; empty when missing."""
    if not isinstance(stamp, str):
        return ""
    return fmt_datetime(pd.Timestamp(stamp).tz_convert(municipality().timezone))


def has_sample() -> bool:
    """The store holds the fictional sample data (an import of it not undone)."""
    return _has_sample(store().url, data_version())


def sample_banner() -> None:
    """Every page that shows sample data says so, visibly, at the top."""
    if has_sample():
        st.warning(t("app.sample_banner", municipality=municipality().display_name), icon="⚠️")


def short_span(start: dt.date, end: dt.date) -> str:
    """Whole months as "aug 2025–jul 2026" (a sidebar is narrow); a period that ends
    inside a month ends on its day."""
    from lib.figures.periods import month_end

    first = f"{fmt_month_short(start)} {start.year}"
    if end == month_end(end):
        return f"{first}–{fmt_month_short(end)} {end.year}"
    return f"{first}–{fmt_date(end)}"


@functools.lru_cache(maxsize=1024)  # every preset's label on every run, from pandas' Period
def preset_label(p) -> str:
    """A period preset as the viewer reads it."""
    from lib.figures import periods as pr

    span = short_span(p.start, p.end)
    if p.kind == pr.LAST_12:
        return t("period.last12", period=span)
    if p.kind == pr.THIS_YEAR:
        return t("period.this_year", period=span)
    if p.kind == pr.LAST_YEAR:
        return t("period.last_year", year=p.about)
    if p.kind == pr.MEETING:
        return t("period.meeting", day=fmt_date(p.about))
    if p.kind == pr.PROMISE:
        return t("period.promise", period=span)
    if p.kind == pr.YEAR:
        return t("period.year", year=p.about)
    return t("period.month", month=fmt_month(p.about))


CUSTOM = "egen"


def _custom_period(sidebar, data: pd.DataFrame, default) -> tuple[dt.date, dt.date] | None:
    """An analyst's own dates: any day up to today; a day after the data is clamped to the
    last day with data, and the page says so."""
    today = dt.date.today()
    first = data["day"].min().date() if not data.empty else today
    last = data["day"].max().date() if not data.empty else today
    with sidebar:
        picked = date_range_input(
            t("period.custom_dates"),
            value=default,
            min_value=min(first, default[0]) - dt.timedelta(days=366),
            max_value=max(today, last),
            key="datum",
        )
    if picked is None:
        st.info(t("filter.incomplete_period"))
        return None
    start, end = picked
    if end > last >= start:
        st.caption(t("period.clamped", last=fmt_date(last)))
        end = last
    return start, end


def url_select(container, label: str, options: list, format_func, key: str, help=None, **kw):
    """A selectbox whose raw value (a stable id, not its label, as ``bind="query-params"``
    would store) is kept in the URL under ``key`` and, for the other pages, in the session;
    the first option is the default and leaves the URL clean. An unknown value in a link
    falls back to the default."""
    remembered = f"{key}.vald"
    if st.session_state.get(remembered) not in options:
        wanted = st.query_params.get(key)
        st.session_state[remembered] = wanted if wanted in options else options[0]
    value = container.selectbox(
        label,
        options,
        index=options.index(st.session_state[remembered]),
        format_func=format_func,
        key=key,
        help=help,
        **kw,
    )
    st.session_state[remembered] = value
    if value == options[0]:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value
    return value


def _one_or_all(sidebar, label: str, options: list[str], key: str, exact: bool, fmt=str):
    """The public chooses one or all (fixed tables); a signed-in analyst any set."""
    if exact:
        chosen = sidebar.multiselect(
            label,
            options,
            key=f"{key}_fler",
            format_func=fmt,
            placeholder=t("filter.all"),
            bind="query-params",
        )
        return tuple(chosen)
    one = sidebar.selectbox(
        label,
        [None, *options],
        key=key,
        format_func=lambda v: t("filter.all") if v is None else fmt(v),
        bind="query-params",
    )
    return () if one is None else (one,)


def shared_filters(data: pd.DataFrame) -> flt.Filters | None:
    """The sidebar filters every page shares, bound to the URL so a link reproduces the view.
    The public chooses a period from a fixed list and one or all of each filter (see
    ``lib.public.disclosure``); a signed-in analyst may also choose any dates and several of
    each. Returns None (after saying why) while a custom period is incomplete."""
    muni = municipality()
    exact = analyst() is not None
    choices = period_choices()
    labels = {p.id: preset_label(p) for p in choices}
    if exact:
        labels[CUSTOM] = t("period.custom")
    sidebar = st.sidebar
    sidebar.header(t("filter.header"))
    chosen = url_select(
        sidebar, t("filter.period"), list(labels), labels.get, "period", t("filter.period_help")
    )
    if chosen == CUSTOM:
        default = choices[0].span
        span = _custom_period(sidebar, data, default)
        if span is None:
            return None
    else:
        span = next(p.span for p in choices if p.id == chosen)
    categories = sorted(map(str, data["category"].unique())) if not data.empty else []
    sources = sorted(map(str, data["source"].unique())) if not data.empty else []
    localities = _one_or_all(sidebar, t("filter.locality"), muni.locality_names, "ort", exact)
    chosen_categories = _one_or_all(sidebar, t("filter.category"), categories, "kategori", exact)
    chosen_sources = _one_or_all(
        sidebar, t("filter.source"), sources, "kalla", exact, fmt=source_label
    )
    if not exact:
        sidebar.caption(t("period.public_note"))
    sidebar.caption(t("filter.share_hint"))
    return flt.Filters(span[0], span[1], localities, chosen_categories, chosen_sources)


def coverage_note(filters: flt.Filters, data: pd.DataFrame) -> None:
    """Police open events are no crime statistics: say so whenever they are included."""
    included = filters.sources or tuple(map(str, data["source"].unique()))
    if "police_open_events" in included:
        st.caption(t("source.coverage_note"))


# --- Analysts' sign-in ------------------------------------------------------------------------
# The rules live in lib.auth; this is the glue: where the browser's cookies, the secrets and
# the session come from, and the sidebar box.

SIGNED_IN = "_konto"  # session_state: lib.auth.SignedIn of this browser's sign-in


def _secrets() -> dict:
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return {}


def _accounts():
    from lib.auth import Accounts

    return Accounts(store())


def _bootstrap():
    from lib.auth import bootstrap_from

    return bootstrap_from(_secrets().get("analyst"), t("auth.default_name"))


def _browser() -> tuple[str | None, str]:
    """This run's browser: its binding (lib.auth.browser_binding) and client address."""
    from lib.auth import browser_binding, client_address

    headers = st.context.headers
    return browser_binding(st.context.cookies, headers), client_address(
        st.context.ip_address, headers
    )


def _idle_seconds() -> float:
    import os

    from lib.auth import idle_seconds

    return idle_seconds(_secrets().get("analyst"), os.environ)


# Streamlit's frontend speaks English. These are its words that a viewer meets, on screen or
# read out by a screen reader, with the catalogue key of each one's Swedish: attribute values
# (aria-label, aria-valuetext, title, placeholder) and an element's whole text, matched whole
# (labels for attributes, texts for texts) or by a pattern with one part kept (both).
# tests/browser/test_swedish_frontend.py looks for the Swedish on real pages, so it fails when
# Streamlit changes a word.
FRONTEND_LABELS = {
    "App pages": "frontend.app_pages",
    "Sidebar": "frontend.sidebar",
    "Collapse sidebar": "frontend.collapse_sidebar",
    "Expand sidebar": "frontend.expand_sidebar",
    "Main menu": "frontend.main_menu",
    "Link to heading": "frontend.link_to_heading",
    "Open": "frontend.open",
    "Close": "frontend.close",
    "Clear value": "frontend.clear_value",
    "Clear all": "frontend.clear_all",
    "Choose an option": "frontend.choose_option",
    "Search": "frontend.search",
    "Download as CSV": "frontend.download_csv",
    "Show/hide columns": "frontend.show_hide_columns",
    "Fullscreen": "frontend.fullscreen",
    "Close fullscreen": "frontend.close_fullscreen",
    "Show password": "frontend.show_password",
    "Hide password": "frontend.hide_password",
    "Choose date": "frontend.choose_date",
    "Choose date range": "frontend.choose_date_range",
    "Previous month": "frontend.previous_month",
    "Next month": "frontend.next_month",
    "Previous": "frontend.previous",
    "Next": "frontend.next",
    "year": "frontend.year",
    "month": "frontend.month",
    "day": "frontend.day",
    "Stop": "frontend.stop",
    "progress": "frontend.progress",
    "streamlit_folium.st_folium": "frontend.map_frame",
}
FRONTEND_PATTERNS = {
    r"^Help for (.+)$": "frontend.help_for",
    r"^(.+) start date$": "frontend.start_date",
    r"^(.+) end date$": "frontend.end_date",
    r"^year, (.+)$": "frontend.year_of",
    r"^month, (.+)$": "frontend.month_of",
    r"^day, (.+)$": "frontend.day_of",
    r"^Choose date, (.+)$": "frontend.choose_date_in",
    r"^Choose date range, (.+)$": "frontend.choose_date_range_in",
}
FRONTEND_TEXTS = {
    "Page not found": "notfound.title",
    "The page that you have requested does not seem to exist. Running the app's main page.": (
        "notfound.text"
    ),
    "Skip to main content": "frontend.skip_to_main",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.": "frontend.date_keys",
    "No results": "frontend.no_results",
    "Running...": "frontend.running",
    "Connecting": "frontend.connecting",
    "Please wait...": "frontend.please_wait",
    "Connection error": "frontend.connection_error",
    "Stop": "frontend.stop",
    "yyyy": "frontend.yyyy",
}
FRONTEND_SCRIPT = """<script>
document.documentElement.lang = "sv";
if (!window.trygghetSwedish) {
  window.trygghetSwedish = true;
  const labels = LABELS, patterns = PATTERNS, texts = TEXTS;
  const attrs = ["aria-label", "aria-valuetext", "title", "placeholder"];
  const swedish = (value, table = labels) => {
    if (table[value] !== undefined) return table[value];
    for (const [source, words] of patterns) {
      const found = value.match(new RegExp(source));
      if (found) return words.replace("{}", found[1]);
    }
    return undefined;
  };
  const label = (e, attr) => {
    const value = e.getAttribute(attr);
    const words = value === null ? undefined : swedish(value);
    if (words !== undefined && words !== value) e.setAttribute(attr, words);
  };
  const text = (e) => {
    // The text node itself changes (React keeps its reference and may set it again).
    const node = e.childNodes.length === 1 ? e.firstChild : null;
    const words = node && node.nodeType === 3 ? swedish(node.nodeValue.trim(), texts) : undefined;
    if (words !== undefined) node.nodeValue = words;
  };
  const sweep = (root) => {
    for (const attr of attrs) {
      if (root.hasAttribute(attr)) label(root, attr);
      for (const e of root.querySelectorAll("[" + attr + "]")) label(e, attr);
    }
    text(root);
    for (const e of root.querySelectorAll("*")) text(e);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") label(r.target, r.attributeName);
      else if (r.type === "characterData") {
        if (r.target.parentElement) text(r.target.parentElement);
      }
      else for (const n of r.addedNodes) {
        if (n.nodeType === 1) sweep(n);
        else if (n.parentElement) text(n.parentElement);
      }
    }
  }).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: attrs,
  });
  sweep(document.body);
}
</script>"""


def month_patterns() -> list[list[str]]:
    """The date field's month segment as a screen reader hears it ("06 – June": the field is
    pinned to American English), as patterns that keep the number and put in the Swedish
    month name."""
    from babel.dates import get_month_names

    english, swedish = get_month_names("wide", locale="en"), get_month_names("wide", locale="sv")
    return [[rf"^(\d+) – {english[m]}$", f"{{}} – {swedish[m]}"] for m in range(1, 13)]


def swedish_frontend() -> None:
    """The words of Streamlit's own frontend in Swedish, and the document's language
    (lang="en" would make screen readers read Swedish with English rules): one constant
    script whose words all come from the catalogue (nothing from data) puts the Swedish in
    as the elements appear. React keeps an attribute or text it has not changed itself, and
    puts its English back only when it changes the value, which the script sees again."""
    st.html(_frontend_script(), unsafe_allow_javascript=True)


@functools.cache
def _frontend_script() -> str:
    """The script, built once per process (it is the same for every run and session)."""
    import json

    def words(table: dict[str, str]) -> str:
        return json.dumps({k: t(v) for k, v in table.items()}, ensure_ascii=False)

    patterns = [[k, t(v, part="{}")] for k, v in FRONTEND_PATTERNS.items()] + month_patterns()
    script = FRONTEND_SCRIPT
    for name, value in (
        ("LABELS", words(FRONTEND_LABELS)),
        ("PATTERNS", json.dumps(patterns, ensure_ascii=False)),
        ("TEXTS", words(FRONTEND_TEXTS)),
    ):
        script = script.replace(name, value, 1)
    return script


def sign_in_mode() -> str | None:
    """'oidc' when [auth] is configured (e.g. the municipality's Entra ID), 'password' when a
    bootstrap analyst hash or local accounts are, otherwise None: then nothing can be
    written in the app."""
    if "auth" in _secrets():
        return "oidc"
    if _bootstrap() is not None or _accounts().has_accounts():
        return "password"
    return None


def account():
    """This browser's signed-in account (lib.auth.Account), or None. Checked on every run: a
    sign-in presented by another browser (a replayed session id) or idle for too long is
    dropped and logged."""
    import time

    from lib.auth import check_session

    if "auth" in _secrets() and st.user.is_logged_in:
        return _oidc_account()
    signed = st.session_state.get(SIGNED_IN)
    if signed is None:
        return None
    binding, client = _browser()
    problem = check_session(signed, binding, time.time(), _idle_seconds())
    if problem is None and signed.account.source == "local":
        found = _accounts().find(signed.account.name)  # removed by another analyst?
        problem = "removed" if found is None else None
    if problem is not None:
        st.session_state.pop(SIGNED_IN, None)
        _accounts().log(problem, signed.account.name, client)
        return None
    signed.last_seen = time.time()
    return signed.account


def _oidc_account():
    """The OIDC user as an analyst when the allow-list says so; logged once per session.
    Streamlit itself refuses a reconnect whose identity cookie differs from the session's."""
    import time

    from lib.auth import oidc_verdict

    section = _secrets().get("analyst", {})
    verdict, reason = oidc_verdict(
        st.user.to_dict(), section.get("allowed_emails"), section.get("allowed_domains")
    )
    email = str(st.user.get("email") or "")
    now = time.time()
    seen = st.session_state.get("_oidc_seen")
    if seen is not None and now - seen[1] > _idle_seconds():
        _accounts().log("idle", email, _browser()[1])
        st.session_state.pop("_oidc_seen", None)
        st.logout()
        return None
    if seen is None or seen[0] != email:
        event = "oidc_sign_in" if verdict else "oidc_refused"
        _accounts().log(event, email, _browser()[1], None if verdict else reason)
    st.session_state["_oidc_seen"] = (email, now)
    return verdict


def analyst() -> str | None:
    """The signed-in analyst's name, or None (a reporter is no analyst, nor an analyst in a
    municipality the sign-in does not cover: ``may_write``)."""
    found = account()
    return found.name if found is not None and found.is_analyst and may_write(found.name) else None


def _sign_out(found) -> None:
    _accounts().log("sign_out", found.name, _browser()[1])
    st.session_state.pop(SIGNED_IN, None)
    if found.source == "oidc":
        st.session_state.pop("_oidc_seen", None)
        st.logout()
    st.rerun()


def sign_in_box(container=None, expanded: bool = False) -> str | None:
    """The sign-in in the sidebar (or ``container``: the reporting page puts it on the page,
    for phones); returns the analyst's name when an analyst is signed in. Shown only when
    some sign-in is configured: how to configure one is in the README, for the operator,
    never on a public page."""
    mode = sign_in_mode()
    found = account()
    if mode is None and found is None:
        return None
    opened = expanded or (found is not None and found.must_change)
    box = (container or st.sidebar).expander(t("auth.heading"), expanded=opened)
    if found is not None:
        if found.must_change:
            _change_password_form(box, found)
        box.write(t("auth.signed_in_as", name=found.name))
        if found.is_analyst and not may_write(found.name):
            box.caption(t("tenancy.read_only", municipality=municipality().display_name))
        if box.button(t("auth.sign_out"), key="logga_ut"):
            _sign_out(found)
        return found.name if found.is_analyst and may_write(found.name) else None
    if mode == "oidc":
        box.button(t("auth.sign_in_oidc"), on_click=st.login, key="logga_in_oidc")
    if _bootstrap() is not None or _accounts().has_accounts():
        _password_form(box)
    return None


def _password_form(box) -> None:
    import time

    from lib.auth import SignedIn

    with_names = _accounts().has_accounts()
    with box.form("analytikerinloggning", clear_on_submit=True):
        name = st.text_input(t("auth.name")) if with_names else ""
        password = st.text_input(t("auth.password"), type="password")
        if not st.form_submit_button(t("auth.sign_in")):
            return
    binding, client = _browser()
    if binding is None:  # XSRF protection off: nothing to bind the sign-in to
        _accounts().log("unavailable", name, client, "no xsrf cookie")
        box.error(t("auth.unavailable"))
        return
    outcome = _accounts().sign_in(name, password, client, _bootstrap())
    if outcome.code == "ok":
        st.session_state[SIGNED_IN] = SignedIn(outcome.account, binding, time.time())
        st.rerun()
    elif outcome.code == "locked":
        minutes = max(1, round(outcome.wait_seconds / 60))
        box.error(t("auth.locked", minutes=minutes))
    elif outcome.code == "unavailable":
        box.error(t("auth.unavailable"))
    else:
        box.error(t("auth.wrong_name_or_password" if with_names else "auth.wrong_password"))


def _change_password_form(box, found) -> None:
    """The first sign-in's password change (or a later one): until it is done, the account
    has no rights."""
    from lib.auth import AuthError

    box.warning(t("auth.must_change"))
    with box.form("bytlosenord", clear_on_submit=True):
        old = st.text_input(t("auth.old_password"), type="password")
        new = st.text_input(t("auth.new_password"), type="password")
        again = st.text_input(t("auth.new_password_again"), type="password")
        if not st.form_submit_button(t("auth.change_password")):
            return
    if new != again:
        box.error(t("auth.passwords_differ"))
        return
    try:
        _accounts().change_password(found.name, old, new, _browser()[1])
    except AuthError as exc:
        box.error(t(f"auth.error_{exc.code}"))
        return
    from dataclasses import replace

    signed = st.session_state[SIGNED_IN]
    signed.account = replace(signed.account, must_change=False)
    st.rerun()


def accounts_admin() -> None:
    """For a signed-in analyst: the local accounts (create, remove, unlock) and the audit
    log of sign-ins. Shown on the Om page under the import log."""
    from lib.auth import ROLES, AuthError
    from lib.passwords import temporary_password

    me = analyst()
    if me is None:
        return
    accounts = _accounts()
    with st.expander(t("admin.heading")):
        listed = accounts.list()
        st.dataframe(
            pd.DataFrame(
                {
                    t("admin.col_name"): listed["name"],
                    t("admin.col_role"): listed["role"].map(lambda r: t(f"admin.role_{r}")),
                    t("admin.col_service"): listed["service"].fillna(""),
                    t("admin.col_must_change"): listed["must_change"].map(
                        lambda v: t("about.yes") if v else t("about.no")
                    ),
                    t("admin.col_created"): listed["created_at"].map(local_time),
                }
            ),
            hide_index=True,
        )
        with st.form("nytt_konto", clear_on_submit=True):
            st.markdown(t("admin.new_heading"))
            name = st.text_input(t("admin.col_name"))
            role = st.selectbox(
                t("admin.col_role"), list(ROLES), format_func=lambda r: t(f"admin.role_{r}")
            )
            service = st.text_input(t("admin.col_service"))
            if st.form_submit_button(t("admin.create")):
                password = temporary_password()
                try:
                    accounts.create(name, role, password, me, service or None)
                except AuthError as exc:
                    st.error(t(f"auth.error_{exc.code}"))
                else:
                    st.success(t("admin.created", name=plain(name)))
                    st.code(password, language=None)
        names = list(listed["name"])
        if names:
            left, right = st.columns(2)
            chosen = left.selectbox(t("admin.choose"), names, key="konto_val")
            if right.button(t("admin.unlock"), key="konto_las_upp"):
                accounts.unlock(chosen, me)
                st.success(t("admin.unlocked", name=plain(chosen)))
            if right.button(t("admin.remove"), key="konto_ta_bort"):
                accounts.remove(chosen, me)
                st.rerun()
        st.markdown(t("admin.log_heading"))
        log = accounts.log_frame()
        st.dataframe(
            pd.DataFrame(
                {
                    t("admin.col_when"): log["at"].map(local_time),
                    t("admin.col_event"): log["event"].map(lambda e: t(f"admin.event_{e}")),
                    t("admin.col_name"): log["account"].fillna(""),
                    t("admin.col_client"): log["client"].fillna(""),
                    t("admin.col_detail"): log["detail"].fillna(""),
                }
            ),
            hide_index=True,
            width="stretch",
        )


# --- The municipality's own signal reporting (lib.ingest.reports) -------------------------------


@st.cache_resource(max_entries=2, show_spinner=False)
def _purged_on(url: str, day) -> int | None:
    from lib.ingest.reports import purge_if_due

    return purge_if_due(_store(url), municipality().report_retention_days, "system", day)


def purge_reports_if_due() -> None:
    """Remove notes and reporters' names past the retention time, at most once a day (the
    store remembers the day across processes; this process asks once a day)."""
    from lib.public.report import local_day

    _purged_on(store().url, local_day(municipality().timezone))


# --- Map assets ---------------------------------------------------------------------------------

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def map_tiles() -> tuple[str, str, str] | None:
    """The background tile server the operator configured: (URL template, attribution,
    name) from ``[map] tiles_url``, ``tiles_attribution`` and ``tiles_name`` in the secrets
    or TRYGGHET_TILES_URL; OpenStreetMap's public server otherwise. None when
    ``tiles_url = ""``: then the map has no background at all. Off until a viewer asks."""
    import os

    section = _secrets().get("map", {})
    url = section.get("tiles_url", os.environ.get("TRYGGHET_TILES_URL", OSM_TILES))
    if not url:
        return None
    if url == OSM_TILES:
        return url, t("map.tiles_attribution"), "OpenStreetMap"
    host = url.split("//", 1)[-1].split("/", 1)[0]
    return url, str(section.get("tiles_attribution", host)), str(section.get("tiles_name", host))


def map_asset_base() -> str:
    """Where the map's iframe finds Leaflet and its plugins: a directory written from the
    installed folium-offline package (lib.public.maps.asset_dir), registered as a component's static
    path, because Streamlit serves a component's files at /component/<name>/ with their proper
    content types. The map's iframe is itself a component (/component/streamlit_folium...),
    hence the relative path; it works under any base URL and without internet. Called on
    every run (a few file checks): should the temporary directory be cleaned away while the
    server runs, the files are written again."""
    from streamlit.components.v1 import declare_component

    from lib.public.maps import asset_dir

    assets = declare_component("kartfiler", path=str(asset_dir()))
    return f"../{assets.name}/"


# --- Change tables on any screen (issue 14.9) ---------------------------------------------------


def verdict_first(table: pd.DataFrame) -> pd.DataFrame:
    """A change table with its verdict as the second column: on a phone the label and the
    verdict are what fits without scrolling sideways."""
    verdict = t("col.verdict")
    if verdict not in table.columns or table.columns[0] == verdict:
        return table
    rest = [c for c in table.columns[1:] if c != verdict]
    return table[[table.columns[0], verdict, *rest]]


def change_table(table: pd.DataFrame) -> pd.DataFrame:
    """A change table as a grid: label (pinned) and verdict first in widths that fit a
    390 px phone together; returns the table as shown, for its downloads."""
    shown = verdict_first(table)
    config = {shown.columns[0]: st.column_config.TextColumn(width=110, pinned=True)}
    if t("col.verdict") in shown.columns:
        config[t("col.verdict")] = st.column_config.TextColumn(width=200)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    return shown


def delta_style(change: float, verdict: str) -> dict[str, str]:
    """``st.metric``'s colour and arrow for a change badge. Our numbers carry a real minus
    sign (−), which Streamlit reads as positive (an up arrow beside "−1"), so the arrow is set
    from the change itself. Only a change the test calls gets an arrow and a colour; red
    means more incidents."""
    from lib.figures import stats

    if verdict not in (stats.INCREASE, stats.DECREASE) or change == 0:
        return {"delta_color": "off", "delta_arrow": "off"}
    up = change > 0
    return {"delta_color": "red" if up else "green", "delta_arrow": "up" if up else "down"}


# --- Dates (issue 14.7) -------------------------------------------------------------------------


def date_range_input(label, value, min_value, max_value, key, help=None):
    """A first and last day, or None while only one is chosen.

    Streamlit 1.67's date picker (react-aria) takes its locale from the browser's
    ``navigator.language``: in a Swedish browser, as the municipality's computers and phones
    are, the calendar names months and weekdays in Swedish and starts weeks on Monday. No
    public option sets it from the app, so a browser set to English shows an English
    calendar; the typed field is ISO (ÅÅÅÅ-MM-DD) either way, and the help says so."""
    picked = st.date_input(
        label,
        value=value,
        min_value=min_value,
        max_value=max_value,
        format="YYYY-MM-DD",
        key=key,
        help=help or t("date.help"),
    )
    if not isinstance(picked, tuple | list) or len(picked) != 2:
        return None
    return picked[0], picked[1]


# --- Presentation mode (the BRÅ meeting and the weekly EST picture) -----------------------------


def presenting() -> bool:
    """``?presentation=1``: large type, one view at a time, for a projector."""
    return st.query_params.get("presentation") in ("1", "true", "ja")


def set_presenting(on: bool) -> None:
    if on:
        st.query_params["presentation"] = "1"
    else:
        st.query_params.pop("presentation", None)
        st.query_params.pop("vy", None)


def presentation_view(count: int) -> int:
    """The view shown (``?vy=N``, 1..count)."""
    try:
        n = int(st.query_params.get("vy", "1"))
    except ValueError:
        n = 1
    return min(max(n, 1), count)


def go_to_view(n: int) -> None:
    st.query_params["vy"] = str(n)
