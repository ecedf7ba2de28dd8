"""The EST weekly situation picture (veckolägesbild), for analysts: this week against the
weeks before by place and category, places with repeated signals, open actions and the
tertial's ranking of places by need; on screen, for the projector (``?presentation=1``, one
view at a time in large type), and as PDF and Excel for the meeting.
"""

import datetime as dt
import logging

import streamlit as st

from lib.app import navigation, presentation, signal_panel, signin, state, widgets
from lib.est import cases as est_cases
from lib.est import vocabulary as est_vocabulary
from lib.figures import signals
from lib.i18n import fmt_num, t
from lib.public import weekly
from lib.public.report import local_day

navigation.front_door()

VIEWS = ("summary", "places", "repeated", "actions", "tertial")


def chosen_week(reports) -> dt.date:
    """The week from the link (?vecka=YYYY-MM-DD, any day of it), else the latest week
    with a report (this week when there is none): a picture opened on an empty week says
    nothing."""
    today = local_day(muni.timezone)
    try:
        day = dt.date.fromisoformat(st.query_params.get("vecka", ""))
    except ValueError:
        dates = reports["occurred_at"].dt.date
        day = max(dates[dates <= today], default=today)
    return signals.week_start(min(day, today))


def table(frame) -> None:
    if frame.empty:
        st.caption(t("weekly.none"))
    elif presentation.presenting():
        st.table(widgets.plain_table(frame.set_index(frame.columns[0])))  # cells render Markdown
    else:
        st.dataframe(frame, hide_index=True, width="stretch")


def view_summary() -> None:
    left, right = st.columns(2)
    left.metric(t("weekly.fig_week", week=weekly.week_number(picture.week)), picture.total)
    right.metric(t("weekly.fig_previous", n=picture.previous), fmt_num(picture.previous_mean, 1))
    st.text(weekly.summary(picture))
    if not presentation.presenting():
        st.caption(t("weekly.internal"))


def view_places() -> None:
    table(
        weekly.compare_table(picture.by_place, picture, labels).head(
            10 if presentation.presenting() else 50
        )
    )
    if not presentation.presenting():
        st.subheader(t("weekly.by_category"))
        table(weekly.compare_table(picture.by_category, picture, labels))
        st.subheader(t("weekly.by_both"))
        table(weekly.compare_table(picture.by_place_category, picture, labels))


def view_repeated() -> None:
    shown = weekly.repeated_table(picture, labels)
    if shown.empty:
        st.text(t("weekly.repeated_none"))
    else:
        table(shown.head(8) if presentation.presenting() else shown)
    st.caption(t("weekly.repeated_help", n=signals.REPEAT_MIN, weeks=picture.previous))


def view_actions() -> None:
    shown = weekly.actions_table(actions)
    if shown.empty:
        st.text(t("weekly.actions_none"))
    else:
        table(shown.head(8) if presentation.presenting() else shown)


def view_tertial() -> None:
    st.text(tertial)
    table(weekly.ranking_table(ranking).head(10 if presentation.presenting() else 100))
    st.caption(t("weekly.tertial_rule"))


RENDER = {
    "summary": view_summary,
    "places": view_places,
    "repeated": view_repeated,
    "actions": view_actions,
    "tertial": view_tertial,
}


muni = state.municipality()
me = signin.analyst() if presentation.presenting() else signin.sign_in_box()
if me is None:
    st.title(t("weekly.heading"))
    st.info(t("cases.analysts_only"))
    st.stop()

store = state.store()
labels = {c.id: c.label for c in est_vocabulary.load_categories()}
frame = est_cases.live(est_cases.read_reports(store))
actions = est_cases.read_actions(store)
week = chosen_week(frame)
previous = int(st.query_params.get("veckor", signals.PREVIOUS_WEEKS))
picture = signals.weekly_picture(frame, week, previous=max(1, min(previous, 12)))
start, end = signals.tertial_of(week)
ranking = signals.tertial_ranking(frame, start, end)
tertial = weekly.tertial_label(start, end)

if presentation.presenting():
    presentation.project()
    n, _ = presentation.controls(len(VIEWS), "weekly.view_of", t("weekly.exit"))
    st.title(t(f"weekly.view_{VIEWS[n - 1]}"))
    st.caption(weekly.week_label(picture.week))
    RENDER[VIEWS[n - 1]]()
    st.stop()

st.title(t("weekly.heading"))
st.caption(t("weekly.intro"))
left, right = st.columns(2)
picked = left.date_input(
    t("weekly.week"), value=week, max_value=local_day(muni.timezone), format="YYYY-MM-DD"
)
weeks = right.number_input(t("weekly.previous"), 1, 12, value=picture.previous)
if signals.week_start(picked) != week or weeks != picture.previous:
    st.query_params["vecka"] = signals.week_start(picked).isoformat()
    st.query_params["veckor"] = str(int(weeks))
    st.rerun()
st.subheader(weekly.week_label(picture.week))
st.toggle(
    t("weekly.presentation"),
    value=False,
    key="veckolage_presentation",
    on_change=lambda: presentation.set_presenting(st.session_state["veckolage_presentation"]),
    help=t("weekly.presentation_help"),
)
made_on = local_day(muni.timezone)
try:
    pdf = weekly.weekly_pdf(picture, labels, actions, ranking, tertial, muni.display_name, made_on)
except Exception:  # the picture on screen must not fail with its PDF
    logging.getLogger("trygghet").exception("weekly PDF failed")
    st.error(t("weekly.pdf_failed"))
else:
    stem = f"veckolagesbild-{picture.week.isoformat()}"
    pdf_col, excel_col = st.columns(2)
    pdf_col.download_button(
        t("weekly.download_pdf"),
        pdf,
        f"{stem}.pdf",
        "application/pdf",
        type="primary",
        on_click="ignore",
    )
    excel_col.download_button(
        t("weekly.download_excel"),
        lambda: weekly.weekly_excel(picture, labels, actions, ranking, tertial),
        f"{stem}.xlsx",
        widgets.XLSX,
        on_click="ignore",
    )
for view in VIEWS:
    st.subheader(t(f"weekly.view_{view}"))
    RENDER[view]()
# What is new this week beyond the reports: the space-time scan as of the week's Sunday, the
# same all week, so the weekly picture is a weekly scan (issue 22).
signal_panel.signals_section(picture.week + dt.timedelta(days=6), "veckolage")
