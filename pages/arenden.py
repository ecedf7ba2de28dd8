"""Triage of the services' reports (EST), for analysts only: the inbox, a report's status,
merging duplicates, actions (åtgärder, insatser) with owner, day and place, the audit log,
and files of reports to and from other systems. Every change is logged with who and when;
opening a report (its note) is logged as a view.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from lib.app import navigation, signal_panel, signin, state, widgets
from lib.est import cases as est_cases
from lib.est import files as est_files
from lib.est import tables as est_tables
from lib.est import vocabulary as est_vocabulary
from lib.i18n import fmt_date, fmt_datetime, t
from lib.ingest import text_gate
from lib.public import exports

navigation.front_door()

muni = state.municipality()
st.title(t("cases.heading"))
me = signin.sign_in_box()
if me is None:
    st.info(t("cases.analysts_only"))
    st.stop()

store = state.store()
categories = est_vocabulary.load_categories()
labels = {c.id: c.label for c in categories}


def status_label(code: str) -> str:
    return t(f"status.{code}")


def error_text(err: est_tables.ReportError) -> str:
    return t(f"report.error_{err.code}", **err.details)


def text_limit(key: str) -> int:
    """The longest text a field takes (the input gate's and the store's limit)."""
    return text_gate.FIELDS[key].limit


def rate_limit_notice() -> None:
    """When the rate limit on reports stopped someone in the last week: the analyst sees
    it here (the log tab lists each refusal)."""
    stopped = est_cases.limited_recently(store, days=7)
    if stopped.empty:
        return
    last = stopped.iloc[0]
    st.warning(
        t(
            "cases.rate_limited",
            n=len(stopped),
            days=7,
            when=widgets.local_time(last["at"]),
            who=widgets.plain(last["account"]) if isinstance(last["account"], str) else "–",
            rule=widgets.plain(last["detail"] or ""),
        ),
        icon=":material/block:",
    )


def report_label(row) -> str:
    what = labels.get(row.category, row.category)
    return f"{fmt_datetime(row.occurred_at)} · {what} · {row.place}"


def inbox_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("cases.col_when"): frame["occurred_at"].map(fmt_datetime),
            t("cases.col_what"): frame["category"].map(lambda c: labels.get(c, c)),
            t("cases.col_place"): frame["place"],
            t("cases.col_severity"): frame["severity"],
            t("cases.col_status"): frame["status"].map(status_label),
            t("cases.col_service"): frame["service"].fillna(""),
            t("cases.col_action"): frame["action_title"].fillna(""),
        }
    )


def viewed(report_id: str) -> None:
    """Log a view of a report once per session (a rerun is no new view)."""
    seen = st.session_state.setdefault("visade_rapporter", set())
    if report_id not in seen:
        est_tables.log_event(store, "viewed", me, report_id)
        seen.add(report_id)


def detail(row, everything: pd.DataFrame, actions: pd.DataFrame) -> None:
    st.subheader(t("cases.detail_heading"))
    viewed(row.id)
    with st.container(border=True):
        st.text(
            t(
                "cases.detail",
                category=labels.get(row.category, row.category),
                severity=row.severity,
                when=fmt_datetime(row.occurred_at),
                place=row.place,
                locality=row.locality,
                service=row.service or "–",
                reporter=row.reporter or t("cases.reporter_none"),
                status=status_label(row.status),
            )
        )
        st.text(row.note if isinstance(row.note, str) else t("cases.note_none"))
    if isinstance(row.merged_into, str):
        kept = everything[everything["id"] == row.merged_into]
        if len(kept):
            k = kept.iloc[0]
            st.caption(t("cases.merged_into", when=fmt_datetime(k.occurred_at), place=k.place))
        return
    status_form(row)
    merge_form(row, everything)
    link_form(row, actions)


def status_form(row) -> None:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        t("cases.set_status"),
        list(est_tables.STATUSES),
        index=est_tables.STATUSES.index(row.status),
        format_func=status_label,
        key=f"status_{row.id}",
    )
    if right.button(t("cases.save_status"), key=f"spara_status_{row.id}"):
        est_cases.set_status(store, row.id, chosen, me)
        st.toast(t("cases.status_saved"))
        st.rerun()


def merge_form(row, everything: pd.DataFrame) -> None:
    others = everything[(everything["id"] != row.id) & everything["merged_into"].isna()]
    if others.empty:
        return
    st.markdown(f"**{t('cases.merge_heading')}**")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    by_id = {r.id: report_label(r) for r in others.itertuples()}
    keep = left.selectbox(
        t("cases.merge_into"), list(by_id), format_func=by_id.get, key=f"slå_ihop_{row.id}"
    )
    if right.button(t("cases.merge"), key=f"slå_ihop_knapp_{row.id}"):
        try:
            est_cases.merge(store, row.id, keep, me)
        except est_tables.ReportError as err:
            st.error(error_text(err))
            return
        st.toast(t("cases.merged"))
        st.rerun()


def link_form(row, actions: pd.DataFrame) -> None:
    st.markdown(f"**{t('cases.link_heading')}**")
    if len(actions):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        titles = {
            a.id: f"{a.title} · {a.place} · {fmt_date(a.date.date())}" for a in actions.itertuples()
        }
        current = list(titles).index(row.action_id) if row.action_id in titles else 0
        chosen = left.selectbox(
            t("cases.link_to"),
            list(titles),
            index=current,
            format_func=titles.get,
            key=f"koppla_{row.id}",
        )
        if right.button(t("cases.link"), key=f"koppla_knapp_{row.id}"):
            est_cases.link(store, row.id, chosen, me)
            st.toast(t("cases.linked"))
            st.rerun()
    with st.form(f"ny_atgard_{row.id}", clear_on_submit=True):
        st.markdown(t("cases.new_action"))
        title = st.text_input(t("cases.action_title"), max_chars=text_limit("action.title"))
        owner = st.text_input(
            t("cases.action_owner"), value=me, max_chars=text_limit("action.owner")
        )
        day = st.date_input(t("cases.action_date"), value=dt.date.today(), format="YYYY-MM-DD")
        own_place = t("cases.action_place_report")
        place = st.selectbox(
            t("cases.action_place"), [own_place, *est_vocabulary.place_names(muni)]
        )
        note = st.text_area(t("cases.action_note"), max_chars=text_limit("action.note"))
        if not st.form_submit_button(t("cases.create_action")):
            return
    if place == own_place and pd.notna(row.lat):
        action = est_cases.Action(
            title, owner, day, lat=float(row.lat), lon=float(row.lon), note=note
        )
    else:
        chosen_place = row.place if place == own_place else place
        if chosen_place not in est_vocabulary.place_names(muni):
            chosen_place = row.locality
        action = est_cases.Action(title, owner, day, place=chosen_place, note=note)
    try:
        action_id, told = est_cases.add_action_told(store, muni, action, me)
        est_cases.link(store, row.id, action_id, me)
    except est_tables.ReportError as err:
        st.error(error_text(err))
        return
    st.toast(t("cases.linked"))
    if told:
        st.toast(t("cases.removed", lines=" ".join(told)))
    st.rerun()


def inbox(everything: pd.DataFrame, actions: pd.DataFrame) -> None:
    shown_statuses = st.multiselect(
        t("cases.show_statuses"),
        list(est_tables.STATUSES),
        default=["new"],
        format_func=status_label,
        placeholder=t("cases.show_statuses_placeholder"),
        key="inkorg_status",
    )
    frame = everything[everything["status"].isin(shown_statuses)].reset_index(drop=True)
    if frame.empty:
        st.info(t("cases.none"))
        return
    st.caption(t("cases.choose"))
    picked = st.dataframe(
        inbox_table(frame),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="inkorg",
    )
    rows = picked.selection.rows if picked is not None else []
    if rows and rows[0] < len(frame):
        detail(frame.iloc[rows[0]], everything, actions)


def actions_tab(actions: pd.DataFrame) -> None:
    if actions.empty:
        st.info(t("cases.actions_none"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("cases.col_action"): actions["title"],
                t("cases.col_owner"): actions["owner"],
                t("cases.col_date"): actions["date"].map(lambda d: fmt_date(d.date())),
                t("cases.col_place"): actions["place"],
                t("cases.col_status"): actions["status"].map(lambda s: t(f"action_status.{s}")),
                t("cases.col_reports"): actions["reports"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    open_actions = actions[actions["status"] == "planned"]
    if open_actions.empty:
        return
    titles = {a.id: f"{a.title} · {a.place}" for a in open_actions.itertuples()}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        t("cases.action_choose"), list(titles), format_func=titles.get, key="atgard_val"
    )
    if right.button(t("cases.mark_done"), key="atgard_klar"):
        est_cases.set_action_status(store, chosen, "done", me)
        st.toast(t("cases.marked_done"))
        st.rerun()


def log_tab() -> None:
    st.caption(t("cases.log_intro"))
    log = est_cases.read_log(store)
    st.dataframe(
        pd.DataFrame(
            {
                t("cases.col_at"): log["at"].map(widgets.local_time),
                t("cases.col_account"): log["account"].fillna("–"),
                t("cases.col_event"): log["event"].map(lambda e: t(f"log.{e}")),
                t("cases.col_report"): log["report_id"].fillna("").str[:8],
                t("cases.col_detail"): log["detail"].fillna(""),
            }
        ),
        hide_index=True,
        width="stretch",
    )


STATUS_CODES = {
    **{t(f"status.{s}"): s for s in est_tables.STATUSES},
    **{s: s for s in est_tables.STATUSES},
}


def export_frame() -> pd.DataFrame:
    return est_files.export_frame(store, me, status_label, lambda c: labels.get(c, c))


def files_tab() -> None:
    st.caption(t("cases.export_note"))
    left, right = st.columns(2)
    left.download_button(
        t("cases.export_csv"),
        exports.guarded(lambda: exports.csv_bytes(export_frame()), "csv"),
        "rapporter.csv",
        "text/csv",
        icon=":material/download:",
        key="rapporter_csv",
        on_click="ignore",
    )
    right.download_button(
        t("cases.export_excel"),
        exports.guarded(lambda: exports.excel_bytes(export_frame(), t("page.cases")), "xlsx"),
        "rapporter.xlsx",
        widgets.XLSX,
        icon=":material/download:",
        key="rapporter_xlsx",
        on_click="ignore",
    )
    st.subheader(t("cases.import_heading"))
    columns = ", ".join(h + ("*" if req else "") for _n, h, req in est_files.FILE_COLUMNS)
    st.caption(t("cases.import_help", columns=columns))
    st.download_button(
        t("cases.template"),
        lambda: exports.csv_bytes(est_files.template_frame(categories, muni)),
        "mall-rapporter.csv",
        "text/csv",
        key="rapporter_mall",
        on_click="ignore",
    )
    widgets.swedish_uploader(t("upload.types_csv_excel"))
    upload = st.file_uploader(t("cases.upload"), type=["csv", "xlsx"], key="rapporter_fil")
    if upload is None or not st.button(t("cases.import_button"), key="rapporter_las_in"):
        return
    outcome = est_files.import_reports(
        store, muni, upload.getvalue(), upload.name, me, STATUS_CODES
    )
    if outcome.ok:
        st.success(t("cases.imported", rows=outcome.rows, id=outcome.import_id))
        told = [
            t("cases.row_error", row=r, message=error_text(est_tables.ReportError(c, **d)))
            if r is not None
            else error_text(est_tables.ReportError(c, **d))
            for r, c, d in outcome.errors or []
        ]
        if told:  # rows left out (--skip-invalid) and characters the input gate removed
            st.info("\n\n".join(told))
        return
    lines = [t("cases.import_failed")]
    for row_no, code, details in outcome.errors[:50]:
        message = error_text(est_tables.ReportError(code, **details))
        if row_no is not None:
            message = t("cases.row_error", row=row_no, message=message)
        lines.append(message)
    st.error("\n\n".join(lines))


everything = est_cases.read_reports(store)
actions = est_cases.read_actions(store)
# What is new: the space-time scan's alerts as of the latest day with an incident (issue 22).
with st.container(border=True):
    signal_panel.signals_section(state.manager().latest_day(state.data_version()), "arenden")
st.caption(t("cases.retention", days=muni.report_retention_days))
rate_limit_notice()
inbox_tab, action_tab, files, log = st.tabs(
    [t("cases.tab_inbox"), t("cases.tab_actions"), t("cases.tab_files"), t("cases.tab_log")]
)
with inbox_tab:
    inbox(everything, actions)
with action_tab:
    actions_tab(actions)
with files:
    files_tab()
with log:
    log_tab()
