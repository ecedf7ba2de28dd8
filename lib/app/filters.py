"""The sidebar filters every page shares (period, locality, category, source), kept in the URL,
and the council's meeting dates that the BRÅ page's period follows.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import streamlit as st

from lib.app.signin import analyst
from lib.app.state import may_write, municipality, period_choices, store
from lib.figures import filters as flt
from lib.i18n import fmt_date, fmt_month, fmt_month_short, source_label, t
from lib.ingest.loading import store_error_message
from lib.store.store import StoreError


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
    # One row per import-log entry: undo takes an entry's every date (the demo's six dates
    # are one entry), so its dates stand together beside its one button.
    for import_id, days in entries.groupby("import_id", sort=False)["date"]:
        left, right = box.columns([3, 1])
        left.text(", ".join(fmt_date(d.date()) for d in days))
        right.button(
            t("meetings.undo"),
            key=f"angra_mote_{import_id}",
            on_click=_undo_meeting,
            args=(int(import_id), user),
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
