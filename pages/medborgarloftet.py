"""The citizen promise: what was promised, what was done, what came of it."""

import datetime as dt
import uuid

import pandas as pd
import streamlit as st

from lib.app import navigation, signin, state, widgets
from lib.figures import promises
from lib.i18n import fmt_date, fmt_int, fmt_num, fmt_period, t
from lib.ingest import promise_files
from lib.ingest.importers import to_swedish_csv
from lib.ingest.loading import import_bytes
from lib.public import charts, views

navigation.front_door()
FORM_FILE = "formulär i appen"


def choose_period(muni):
    periods = {p.id: p for p in muni.promise_periods}
    if len(periods) == 1:
        return next(iter(periods.values()))
    chosen = st.selectbox(
        t("promise.period"),
        list(periods),
        key="loftesperiod",
        bind="query-params",
        format_func=lambda pid: t(
            "promise.period_label",
            start=fmt_date(periods[pid].start),
            end=fmt_date(periods[pid].end),
        ),
    )
    return periods[chosen]


def choose_date(period) -> dt.date:
    """The day to show; the slider ends on the period's last day, where the final status
    (fulfilled or not) is shown."""
    today = dt.date.today()
    default = min(max(today, period.start), period.end)
    return st.slider(
        t("promise.as_of"),
        min_value=period.start,
        max_value=period.end,
        value=default,
        format="YYYY-MM-DD",
        key=f"per-{period.id}",
        help=t("promise.as_of_help"),
    )


def indicator_block(row, column) -> None:
    column.metric(
        row.indicator_label,
        t(
            "promise.done_of_target",
            done=fmt_num(row.done, 0),
            target=fmt_int(row.target),
            unit=row.unit,
        ),
        delta=t(f"promise.status_{row.status}"),
        delta_color="normal"
        if row.status in (promises.FULFILLED, promises.ON_PACE)
        else ("inverse" if row.status in (promises.BEHIND, promises.NOT_FULFILLED) else "off"),
        delta_arrow="off",
    )
    column.progress(min(row.done / row.target, 1.0))
    column.caption(
        t(
            "promise.pace_required",
            expected=fmt_num(row.expected, 1),
            required=fmt_num(row.required, 0 if float(row.required).is_integer() else 1),
            unit=row.unit,
        )
    )


def outcome_block(number: int, promise_row, column) -> None:
    column.markdown(f"**{t('promise.outcome_heading')}**")
    found = view.extra["outcomes"].get(number)
    if found is None:
        column.caption(promise_row["outcome_note"] or t("promise.outcome_none"))
        return
    result, text = found
    column.text(text)
    scope = []
    if result.filters.categories:
        scope.append(
            t("promise.outcome_categories", categories=", ".join(result.filters.categories))
        )
    if result.filters.localities:
        scope.append(
            t("promise.outcome_localities", localities=", ".join(result.filters.localities))
        )
    column.caption(" ".join([*scope, result.note]))


@state.cached("medborgarloftet")
def figures(period_id: str, as_of: dt.date, d) -> views.View:
    definitions = promise_files.all_definitions(state.municipality())
    activities = promises.period_activities(
        definitions, state.store().read("activities"), period_id
    )
    return views.promises_view(state.view_data(), definitions, activities, period_id, as_of, d)


def record_form(defs: pd.DataFrame, name: str) -> None:
    st.subheader(t("promise.record_heading"))
    options = {r.indicator_id: f"{r.number}. {r.indicator_label}" for r in defs.itertuples()}
    with st.form("registrera", clear_on_submit=True):
        left, right = st.columns(2)
        indicator = left.selectbox(
            t("promise.record_indicator"), list(options), format_func=options.get
        )
        day = right.date_input(t("promise.record_date"), value=None, format="YYYY-MM-DD")
        kind = left.text_input(t("promise.record_kind"))
        quantity = right.number_input(t("promise.record_quantity"), value=1.0, step=1.0)
        locality = left.selectbox(t("promise.record_locality"), muni.locality_names)
        responsible = right.text_input(t("promise.record_responsible"))
        note = st.text_input(t("promise.record_note"))
        link = st.text_input(t("promise.record_link"))
        if not st.form_submit_button(t("promise.record_submit")):
            return
    spec = defs.set_index("indicator_id").loc[indicator]
    row = pd.DataFrame(
        [
            {
                "id": f"app-{uuid.uuid4().hex[:12]}",
                "promise_id": spec["promise_id"],
                "indicator_id": indicator,
                "date": pd.Timestamp(day) if day else pd.NaT,
                "kind": kind,
                "quantity": quantity,
                "unit": spec["unit"],
                "locality": locality,
                "responsible": responsible,
                "note": note,
                "evidence_url": link,
            }
        ]
    )
    # The form goes through exactly the path a file import takes: validation, one logged
    # transaction, undoable.
    outcome = import_bytes(
        state.store(), to_swedish_csv(row, "activities"), "activities", muni, FORM_FILE, user=name
    )
    if outcome.ok:
        st.success(t("promise.record_saved", id=outcome.import_id))
    else:
        st.error("\n\n".join(outcome.messages))


def recent_entries(name: str) -> None:
    log = state.import_log()
    mine = log[(log["file_name"] == FORM_FILE) & log["undone_at"].isna()].tail(5)
    if mine.empty:
        return
    st.subheader(t("promise.recent_heading"))
    for row in mine.itertuples():
        if st.button(t("promise.undo", id=row.id), key=f"angra-{row.id}"):
            state.store().undo(int(row.id), user=name)
            st.rerun()


def survey_block() -> None:
    """Perceived safety from a loaded survey, beside the promises' outputs."""
    table = promises.perceived_safety(state.store().read("survey"))
    if table.empty:
        st.caption(t("promise.survey_none"))
        return
    st.subheader(t("promise.survey_heading"))
    verdicts = {
        None: "–",
        "increase": t("promise.survey_up"),
        "decrease": t("promise.survey_down"),
        "no_change": t("verdict.no_change"),
    }
    shown = pd.DataFrame(
        {
            t("field.question"): table["question"],
            t("field.locality"): table["locality"].replace("", t("promise.survey_all")),
            t("field.year"): table["year"],
            t("field.share"): table["share"].map(lambda v: fmt_num(v, 1)),
            t("promise.survey_interval"): [
                f"{fmt_num(lo, 1)}–{fmt_num(hi, 1)}"
                for lo, hi in zip(table["low"], table["high"], strict=True)
            ],
            t("field.respondents"): table["respondents"].map(fmt_int),
            t("promise.survey_change"): table["verdict"].map(verdicts),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption(t("promise.survey_note"))


muni = state.municipality()
st.title(t("promise.heading"))
widgets.sample_banner()
name = signin.sign_in_box()
if not muni.promise_periods:
    st.info(t("promise.no_periods"))
    st.stop()
try:
    definitions = promise_files.all_definitions(muni)
except promise_files.PromiseFileError as exc:
    st.error(str(exc))
    st.stop()

period = choose_period(muni)
as_of = choose_date(period)
defs = definitions[definitions["period_id"] == period.id]
activities = promises.period_activities(definitions, state.store().read("activities"), period.id)
d = signin.disclosure()
view = figures(period.id, as_of, d)
rows, followup = view.extra["rows"], view.tables["uppfoljning"]

st.markdown(
    t(
        "promise.intro",
        municipality=muni.display_name,
        period=fmt_period(period.start, period.end),
        as_of=fmt_date(as_of),
    )
)
if defs["targets_are_examples"].any():
    st.caption(t("promise.examples_note"))
if defs["texts_are_summaries"].any():
    st.caption(t("promise.summaries_note"))
if activities.empty:
    st.info(t("promise.no_activities"))

for number, group in rows.groupby("number", sort=True):
    first = group.iloc[0]
    with st.container(border=True):
        st.markdown(
            f"**{number}. {first['text']}**  \n{t('promise.responsible_' + first['responsible'])}"
        )
        output, outcome_column = st.columns([3, 2])
        cols = output.columns(len(group))
        for row, column in zip(group.itertuples(), cols, strict=True):
            indicator_block(row, column)
        outcome_block(number, first, outcome_column)
st.markdown(t("promise.rule"))
survey_block()

st.subheader(t("promise.timeline_heading"))
labels = {r.indicator_id: f"{r.number}. {r.indicator_label}" for r in rows.itertuples()}
st.plotly_chart(
    charts.timeline_figure(activities, labels, as_of),
    config={"displayModeBar": False},
    width="stretch",
)

st.subheader(t("promise.where_heading"))
place_indicators = [i for i in labels if i in {"safety_walks", "info_meetings", "school_meetings"}]
if place_indicators:
    table = promises.where(
        activities[activities["date"] <= pd.Timestamp(as_of)], muni, place_indicators
    )
    shown = table.rename(columns=labels).map(
        lambda q: t("promise.where_none") if q == 0 else fmt_num(q, 0)
    )
    st.dataframe(shown.rename_axis(t("col.locality")), width="stretch")

st.subheader(t("promise.followup_heading"))
st.dataframe(followup, hide_index=True, width="stretch")
widgets.download_buttons(followup, f"medborgarlofte-{period.id}-per-{as_of}", "Uppföljning")

if name:
    record_form(defs, name)
    recent_entries(name)
else:
    st.caption(t("promise.record_signed_out"))
