"""The BRÅ meeting: a projector view, one message at a time, and the situation report as PDF.

``?presentation=1`` opens it without the sidebar and Streamlit's chrome, in large type; the
period is chosen once and holds for the whole sequence of views.
"""

import logging

import pandas as pd
import streamlit as st

from lib.app import filters as shared_filters
from lib.app import navigation, presentation, signal_panel, signin, state, widgets
from lib.figures import periods
from lib.figures.filters import Filters
from lib.i18n import t
from lib.public import charts
from lib.public.briefing import Briefing, brief
from lib.public.disclosure import Disclosure, for_municipality
from lib.public.report import local_day, situation_report
from lib.public.views import FEW_EVENTS

navigation.front_door()

VIEWS = ("overview", "trend", "hotspots", "promise", "since")


def choose_period(label_visibility: str = "visible") -> tuple[Filters, str]:
    """Since the latest council meeting by default (when it lies within the last year of
    data), or any other period a viewer may choose; chosen once for the whole sequence."""
    choices = state.period_choices()
    first = periods.meeting_default(choices)
    order = [first.id] + [p.id for p in choices if p.id != first.id]
    labels = {p.id: shared_filters.preset_label(p) for p in choices}
    chosen = periods.find(
        choices,
        shared_filters.url_select(
            st,
            t("meeting.period"),
            order,
            labels.get,
            "motesperiod",
            label_visibility=label_visibility,
        ),
    )
    return Filters(chosen.start, chosen.end), labels[chosen.id]


@state.cached("mote")
def briefing(filters: Filters, d: Disclosure) -> Briefing:
    return brief(
        state.view_data(),
        state.map_points(),
        state.store().read("activities"),
        state.manager().promises(state.data_version()).definitions,
        filters,
        d,
        sample=state.has_sample(),
    )


@state.cached("mote")
def pdf(filters: Filters, day) -> bytes:
    """Always the public version: minutes are public documents. ``day`` (today in Swedish
    time) dates the report and keys the cache, so a report is never dated yesterday."""
    b = briefing(filters, for_municipality(state.municipality(), state.period_choices()))
    return situation_report(b, made_on=day)


def verdict_first(frame: pd.DataFrame) -> pd.DataFrame:
    """The verdict (and the hot-spot class) right after the row's name: on a phone the grid
    shows its first columns, and the verdict is what the room needs."""
    first = [t("col.verdict"), t("col.hotspot")]
    moved = [c for c in first if c in frame.columns and c != frame.columns[0]]
    rest = [c for c in frame.columns[1:] if c not in moved]
    return frame[[frame.columns[0], *moved, *rest]]


def table(frame: pd.DataFrame) -> None:
    """An HTML table in presentation mode (its type scales with the page), else a grid."""
    if presentation.presenting():
        st.table(widgets.plain_table(frame.set_index(frame.columns[0])))  # cells render Markdown
    else:
        st.dataframe(verdict_first(frame), hide_index=True, width="stretch")


def view_overview(b: Briefing) -> None:
    a, c, d = st.columns(3)
    a.metric(t("meeting.fig_total"), b.total)
    c.metric(t("meeting.fig_change"), b.change, help=b.verdict)
    c.caption(b.verdict)
    d.metric(t("meeting.fig_rate"), b.rate)
    st.text(" ".join(b.summary[:2]))


def view_trend(b: Briefing) -> None:
    fig = charts.series_figure(b.monthly, b.threshold)
    if presentation.presenting():
        fig = charts.projector(fig)
    st.plotly_chart(fig, config={"displayModeBar": False, "staticPlot": presentation.presenting()})
    for sentence in b.summary[2:4]:
        st.text(sentence)


def view_hotspots(b: Briefing) -> None:
    if b.hotspots is not None and not b.hotspots.empty:
        shown = b.hotspots.iloc[:, [0, 2, 3, 5, 6]]  # place, counts, verdict, hotspot
        table(shown.head(3 if presentation.presenting() else 5))
    st.caption(b.hotspot_note)


def view_promise(b: Briefing) -> None:
    st.caption(b.promise_heading)
    if b.promise_status is None or b.promise_status.empty:
        return
    shown = b.promise_status
    if (
        presentation.presenting()
    ):  # the promise's text is long: its number, the outcome and the status
        shown = shown.iloc[:, [0, 2, 3]].copy()
        shown.iloc[:, 0] = shown.iloc[:, 0].str.split(".").str[0] + "."
    table(shown)


def view_since(b: Briefing) -> None:
    st.text(t("meeting.since_text", period=b.period_text, previous=b.previous_text))
    shown = b.categories
    if shown.empty:  # no data, too few events to break down, or no incident
        st.caption(b.categories_note or t("meeting.no_incidents"))
        return
    if (
        presentation.presenting()
    ):  # what the room needs: the verdict first, then the change and counts
        wanted = ["col.verdict", "col.change_ci", "col.total_period", "col.previous"]
        columns = [shown.columns[0], *(t(c) for c in wanted if t(c) in shown.columns)]
        shown = shown[columns]
    table(shown.head(5 if presentation.presenting() else 8))
    if b.coverage_note:
        st.caption(t("source.coverage_note"))


RENDER = {
    "overview": view_overview,
    "trend": view_trend,
    "hotspots": view_hotspots,
    "promise": view_promise,
    "since": view_since,
}


muni = state.municipality()
threshold = muni.privacy_threshold

if presentation.presenting():
    presentation.project()
    n, period_column = presentation.controls(
        len(VIEWS), "meeting.view_of", t("meeting.exit"), extra=True
    )
    with period_column:
        filters, label = choose_period(label_visibility="collapsed")
    b = briefing(filters, signin.disclosure())
    if b.sample:
        st.warning(t("app.sample_banner", municipality=muni.display_name), icon="⚠️")
    view = VIEWS[n - 1]
    st.title(t(f"meeting.view_{view}"))
    st.caption(f"{label} · {b.period_text}")
    RENDER[view](b)
    st.stop()

st.title(t("meeting.heading"))
widgets.sample_banner()
st.caption(t("meeting.intro"))
filters, label = choose_period()
if not state.meetings():
    st.caption(t("meeting.no_meeting"))
shared_filters.meetings_editor()
st.toggle(
    t("meeting.presentation"),
    value=False,
    key="presentationslage",
    on_change=lambda: presentation.set_presenting(st.session_state["presentationslage"]),
    help=t("meeting.presentation_help"),
)
b = briefing(filters, signin.disclosure())
try:
    report = pdf(filters, local_day(muni.timezone))
except Exception:  # a report that cannot be made must not take the page with it
    logging.getLogger("trygghet").exception("situation report failed")
    st.error(t("meeting.pdf_failed"))
else:
    st.download_button(
        t("meeting.download_pdf"),
        report,
        file_name=f"lagesbild-{filters.start.isoformat()}-{filters.end.isoformat()}.pdf",
        mime="application/pdf",
        type="primary",
        key="lagesbild",
        on_click="ignore",
    )
for view in VIEWS:
    st.subheader(t(f"meeting.view_{view}"))
    RENDER[view](b)
if signin.analyst() is not None:  # signals name places and days: analysts only (issue 22)
    signal_panel.signals_section(state.manager().latest_day(state.data_version()), "mote")
if b.details:  # the intervals of changes too uncertain to size in the sentences and tables
    with st.expander(t("change.details_heading")):
        st.caption(t("change.details_intro", few=FEW_EVENTS))
        for line in b.details:
            st.text(line)
