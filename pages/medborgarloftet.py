"""The citizen promise: what was promised, what was done, what came of it; for signed-in
analysts also the promise itself to keep (periods, promises, indicators, targets; by form or
file, every change undoable) and the activity log."""

import datetime as dt
import math
import uuid

import pandas as pd
import streamlit as st

from lib.app import navigation, signin, state, widgets
from lib.config import known_categories
from lib.figures import promises
from lib.i18n import fmt_date, fmt_int, fmt_num, fmt_period, t
from lib.ingest import text_gate
from lib.ingest.importers import to_swedish_csv
from lib.ingest.loading import import_bytes
from lib.promises import definitions as promise_defs
from lib.promises import files as promise_file
from lib.public import charts, views

navigation.front_door()
FORM_FILE = "formulär i appen"
FLASH = "medborgarlofte_sparat"  # session_state: a change's message across its rerun


def stored():
    """The promises as the store holds them (periods, definitions), of this data version."""
    return state.manager().promises(state.data_version())


def default_period(periods) -> int:
    """The period the page opens on: the one holding the last day of data (else the latest
    begun by then), so the demo opens on the promise its incidents cover."""
    last = state.view_data().span()[1] or dt.date.today()
    running = [i for i, p in enumerate(periods) if p.start <= last <= p.end]
    begun = [i for i, p in enumerate(periods) if p.start <= last]
    return (running or begun or [0])[-1]


def choose_period(periods):
    by_id = {p.id: p for p in periods}
    if len(by_id) == 1:
        return periods[0]
    chosen = st.selectbox(
        t("promise.period"),
        list(by_id),
        index=default_period(periods),
        key="loftesperiod",
        bind="query-params",
        format_func=lambda pid: t(
            "promise.period_label",
            start=fmt_date(by_id[pid].start),
            end=fmt_date(by_id[pid].end),
        ),
    )
    return by_id[chosen]


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
    """One indicator: done against its target with the status, or, without activities
    recorded, the target and "ingen uppföljning registrerad" (no zero that reads as nothing
    done); without a target, what was done."""
    status = t(f"promise.status_{row.status}")
    if pd.isna(row.indicator_id):
        column.metric(t("promise.no_indicator"), "–", delta=status, delta_color="off")
        return
    has_target = not math.isnan(row.target)
    if row.status == promises.NOT_RECORDED or not has_target:
        if row.status != promises.NOT_RECORDED:
            value = f"{fmt_num(row.done, 0)} {row.unit}"
        elif has_target:
            value = t("promise.target_value", target=fmt_int(row.target), unit=row.unit)
        else:
            value = "–"
        column.metric(
            row.indicator_label, value, delta=status, delta_color="off", delta_arrow="off"
        )
        if not has_target:
            column.caption(t("promise.no_target_caption"))
        return
    column.metric(
        row.indicator_label,
        t(
            "promise.done_of_target",
            done=fmt_num(row.done, 0),
            target=fmt_int(row.target),
            unit=row.unit,
        ),
        delta=status,
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
        note = promise_row["outcome_note"]  # missing (NaN) for a promise made in the editor
        column.text(note if isinstance(note, str) and note.strip() else t("promise.outcome_none"))
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
    column.caption(widgets.plain(" ".join([*scope, result.note])))


@state.cached("medborgarloftet")
def figures(period_id: str, as_of: dt.date, d) -> views.View:
    definitions = stored().definitions
    activities = promises.period_activities(
        definitions, state.store().read("activities"), period_id
    )
    return views.promises_view(state.view_data(), definitions, activities, period_id, as_of, d)


# --- The analysts' part: activities, and the promise itself ---------------------------------------


def record_form(defs: pd.DataFrame, name: str) -> None:
    st.subheader(t("promise.record_heading"))
    indicators = defs[defs["indicator_id"].notna()]
    options = {r.indicator_id: f"{r.number}. {r.indicator_label}" for r in indicators.itertuples()}
    with st.form("registrera", clear_on_submit=True):
        left, right = st.columns(2)
        indicator = left.selectbox(
            t("promise.record_indicator"), list(options), format_func=options.get
        )
        day = right.date_input(t("promise.record_date"), value=None, format="YYYY-MM-DD")
        kind = left.text_input(t("promise.record_kind"), max_chars=text_limit("activity.kind"))
        quantity = right.number_input(t("promise.record_quantity"), value=1.0, step=1.0)
        locality = left.selectbox(t("promise.record_locality"), muni.locality_names)
        responsible = right.text_input(
            t("promise.record_responsible"), max_chars=text_limit("activity.responsible")
        )
        note = st.text_input(t("promise.record_note"), max_chars=text_limit("activity.note"))
        link = st.text_input(
            t("promise.record_link"), max_chars=text_limit("activity.evidence_url")
        )
        if not st.form_submit_button(t("promise.record_submit")):
            return
    spec = indicators.set_index("indicator_id").loc[indicator]
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
        if len(outcome.messages) > 1:  # the input gate's notes: invisible characters removed
            st.info("\n\n".join(outcome.messages[1:]))
    else:
        st.error("\n\n".join(outcome.messages))


def text_limit(key: str) -> int:
    """The longest text an activity's field takes (the input gate's and the store's)."""
    return text_gate.FIELDS[key].limit


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


def saved(change, *args) -> None:
    """Run one change of the definitions; on success say so after the rerun that shows it."""
    try:
        change(state.store(), *args)
    except promise_defs.PromiseError as exc:
        st.error(exc.message())
        return
    st.session_state[FLASH] = t("promise.edit_saved")
    st.rerun()


def target_value(text: str):
    """A target as typed ('4', '2,5', '' for none); NaN for text that is no number (the
    change refuses it in Swedish)."""
    text = str(text or "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return math.inf


def period_forms(period, name: str) -> None:
    with st.form("ny_period", clear_on_submit=True):
        st.markdown(f"**{t('promise.edit_new_period')}**")
        left, right = st.columns(2)
        start = left.date_input(
            t("promise.edit_start"), value=None, format="YYYY-MM-DD", key="ny_period_fran"
        )
        end = right.date_input(
            t("promise.edit_end"), value=None, format="YYYY-MM-DD", key="ny_period_till"
        )
        if st.form_submit_button(t("promise.edit_add_period")):
            saved(promise_defs.add_period, start, end, name)
    if period is None:
        return
    with st.form("periodens_slut"):
        st.markdown(f"**{t('promise.edit_end_period')}**")
        end = st.date_input(
            t("promise.edit_end_day"), value=period.end, format="YYYY-MM-DD", key="periodens_sista"
        )
        if st.form_submit_button(t("promise.edit_save_end")):
            saved(promise_defs.end_period, period.id, end, name)


def promise_form(period, name: str) -> None:
    codes = list(promise_defs.RESPONSIBLE)
    with st.form("nytt_lofte", clear_on_submit=True):
        st.markdown(f"**{t('promise.edit_new_promise')}**")
        text = st.text_area(t("promise.edit_text"), key="nytt_lofte_text")
        who = st.selectbox(
            t("promise.edit_responsible"),
            codes,
            index=codes.index("joint"),
            format_func=lambda c: t(f"promise.responsible_{c}"),
        )
        categories = st.multiselect(
            t("promise.edit_categories"),
            sorted(set(known_categories().values())),
            placeholder=t("promise.edit_choose"),
        )
        localities = st.multiselect(
            t("promise.edit_localities"), muni.locality_names, placeholder=t("promise.edit_choose")
        )
        note = st.text_input(t("promise.edit_note"))
        if st.form_submit_button(t("promise.edit_add_promise")):
            saved(
                promise_defs.add_promise,
                period.id,
                text,
                who,
                name,
                tuple(categories),
                tuple(localities),
                note,
            )


def indicator_forms(period, defs: pd.DataFrame, name: str) -> None:
    points = defs.drop_duplicates("promise_id")
    labels = {r.promise_id: f"{r.number}. {r.text[:70]}" for r in points.itertuples()}
    with st.form("nytt_matt", clear_on_submit=True):
        st.markdown(f"**{t('promise.edit_new_indicator')}**")
        promise_id = st.selectbox(
            t("promise.edit_promise"), list(labels), format_func=labels.get, key="nytt_matt_lofte"
        )
        left, middle, right = st.columns([3, 1, 1])
        label = left.text_input(t("promise.edit_label"), key="nytt_matt_namn")
        unit = middle.text_input(t("promise.edit_unit"), value=t("promise.default_unit"))
        target = right.text_input(t("promise.edit_target"), key="nytt_matt_mal")
        if st.form_submit_button(t("promise.edit_add_indicator")):
            saved(
                promise_defs.add_indicator,
                period.id,
                promise_id,
                label,
                unit,
                target_value(target),
                name,
            )
    indicators = defs[defs["indicator_id"].notna()]
    if indicators.empty:
        return
    names = {
        (r.promise_id, r.indicator_id): f"{r.number}. {r.indicator_label}"
        for r in indicators.itertuples()
    }
    with st.form("andra_mal", clear_on_submit=True):
        st.markdown(f"**{t('promise.edit_set_target')}**")
        left, right = st.columns([3, 1])
        chosen = left.selectbox(
            t("promise.edit_indicator"), list(names), format_func=names.get, key="andra_mal_matt"
        )
        target = right.text_input(t("promise.edit_target"), key="andra_mal_varde")
        if st.form_submit_button(t("promise.edit_save_target")):
            saved(promise_defs.set_target, period.id, *chosen, target_value(target), name)


def removal_form(period, defs: pd.DataFrame, name: str) -> None:
    choices = {}
    for r in defs.drop_duplicates("promise_id").itertuples():
        choices[("promise", r.promise_id, None)] = f"{t('promise.edit_promise')} {r.number}"
    for r in defs[defs["indicator_id"].notna()].itertuples():
        label = f"{t('promise.edit_indicator')} {r.number}. {r.indicator_label}"
        choices[("indicator", r.promise_id, r.indicator_id)] = label
    with st.form("ta_bort", clear_on_submit=True):
        st.markdown(f"**{t('promise.edit_remove')}**")
        chosen = st.selectbox(
            t("promise.edit_remove_what"), list(choices), format_func=choices.get, key="ta_bort_vad"
        )
        if st.form_submit_button(t("promise.edit_remove_button")):
            level, promise_id, indicator_id = chosen
            if level == "promise":
                saved(promise_defs.remove_promise, period.id, promise_id, name)
            else:
                saved(promise_defs.remove_indicator, period.id, promise_id, indicator_id, name)


def file_section(current, name: str) -> None:
    st.markdown(f"**{t('promise.file_heading')}**")
    st.caption(t("promise.file_intro"))
    widgets.download_buttons(
        promise_file.template_frame(current, muni),
        "medborgarlofte-mall",
        t("promise.heading"),
        csv_label=t("promise.template_csv"),
        excel_label=t("promise.template_excel"),
        key="lofte_mall",
    )
    widgets.swedish_uploader(t("upload.types_csv_excel"))
    upload = st.file_uploader(t("promise.file_upload"), type=["csv", "txt", "xlsx"])
    if upload is None or not st.button(t("promise.file_import"), key="las_in_lofte"):
        return
    outcome = promise_file.import_file(state.store(), muni, upload.getvalue(), upload.name, name)
    if not outcome.ok:
        st.error("\n\n".join(outcome.messages))
        return
    st.session_state[FLASH] = outcome.messages[0]
    st.rerun()


def changes_section(name: str) -> None:
    log = promise_defs.changes(state.store()).head(10)
    if log.empty:
        return
    st.markdown(f"**{t('promise.changes_heading')}**")
    for row in log.itertuples():
        label = t("promise.changes_undo", what=widgets.plain(row.file_name))
        if st.button(label, key=f"angra-lofte-{row.id}"):
            state.store().undo(int(row.id), user=name)
            st.rerun()


def editor(current, period, name: str) -> None:
    """The promise itself, for a signed-in analyst: periods, promises, indicators and
    targets by form or file, and the changes made, each undoable."""
    with st.expander(t("promise.edit_heading"), expanded=not current.periods):
        st.caption(t("promise.edit_intro"))
        period_forms(period, name)
        if period is not None:
            defs = current.of_period(period.id)
            promise_form(period, name)
            if not defs.empty:
                indicator_forms(period, defs, name)
                removal_form(period, defs, name)
        file_section(current, name)
        changes_section(name)


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
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))
current = stored()
if not current.periods:
    st.info(t("promise.no_periods"))
    if name:
        editor(current, None, name)
    st.stop()

period = choose_period(current.periods)
as_of = choose_date(period)
defs = current.of_period(period.id)
activities = promises.period_activities(
    current.definitions, state.store().read("activities"), period.id
)
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
if period.id in current.sample_periods:
    st.caption(t("promise.sample_period_note"))
if defs["targets_are_examples"].any():
    st.caption(t("promise.examples_note"))
if defs.empty:
    st.info(t("promise.no_promises"))
elif (rows["status"] == promises.NOT_RECORDED).any():
    if activities.empty:
        st.info(t("promise.no_activities"))
    st.caption(t("promise.not_recorded_note"))

for number, group in rows.groupby("number", sort=True):
    first = group.iloc[0]
    with st.container(border=True):
        st.markdown(f"**{number}. {widgets.plain(first['text'])}**")
        st.caption(t("promise.responsible_" + first["responsible"]))
        output, outcome_column = st.columns([3, 2])
        cols = output.columns(len(group))
        for row, column in zip(group.itertuples(), cols, strict=True):
            indicator_block(row, column)
        outcome_block(number, first, outcome_column)
st.markdown(t("promise.rule"))
survey_block()

labels = {
    r.indicator_id: f"{r.number}. {r.indicator_label}"
    for r in rows.itertuples()
    if pd.notna(r.indicator_id)
}
if not activities.empty:
    st.subheader(t("promise.timeline_heading"))
    st.plotly_chart(
        charts.timeline_figure(activities, labels, as_of),
        config={"displayModeBar": False},
        width="stretch",
    )
    # Where activities that name a place happened, every locality listed (none: "ingen").
    placed = [
        i
        for i in labels
        if activities.loc[activities["indicator_id"] == i, "locality"].notna().any()
    ]
    if placed:
        st.subheader(t("promise.where_heading"))
        table = promises.where(activities[activities["date"] <= pd.Timestamp(as_of)], muni, placed)
        shown = table.rename(columns=labels).map(
            lambda q: t("promise.where_none") if q == 0 else fmt_num(q, 0)
        )
        st.dataframe(shown.rename_axis(t("col.locality")), width="stretch")

st.subheader(t("promise.followup_heading"))
st.dataframe(followup, hide_index=True, width="stretch")
widgets.download_buttons(followup, f"medborgarlofte-{period.id}-per-{as_of}", "Uppföljning")

if name:
    if defs["indicator_id"].notna().any():
        record_form(defs, name)
    recent_entries(name)
    editor(current, period, name)
else:
    st.caption(t("promise.record_signed_out"))
