"""The analysts' data page: read a file, see what would be stored, store it or nothing; the
import log with undo; templates and export. Everything here needs a signed-in analyst."""

import pandas as pd
import streamlit as st

from lib.app import filters, navigation, signin, state, widgets
from lib.i18n import fmt_date, fmt_int, fmt_num, fmt_rows, source_label, t
from lib.ingest import values
from lib.ingest.dates import DATE_ORDERS, both_readings
from lib.ingest.formats import Raw, Sheet, recognise_kind, sheet_choices
from lib.ingest.importers import (
    ReadResult,
    duplicate_header_problem,
    find_unknown_values,
    format_dates,
    sha256_of,
    suggest_mapping,
    to_swedish_csv,
)
from lib.ingest.limits import MAX_UPLOAD_MB, UPLOAD
from lib.ingest.loading import (
    IMPORT_KINDS,
    parse_file,
    read_file,
    seed_sample,
    store_result,
    template_bytes,
    too_large,
)
from lib.ingest.schemas import COLUMNS, SOURCES
from lib.public import exports

navigation.front_door()
PREVIEW_ROWS = 50
VALUES_SHOWN = 50  # unknown values offered for mapping per column; the rest stay errors


def choose_kind() -> str | None:
    options = [None, *IMPORT_KINDS]
    return st.selectbox(
        t("data.kind"),
        options,
        key="datatyp",
        format_func=lambda k: t("data.kind_auto") if k is None else t(f"kind.{k}").capitalize(),
    )


def column_mapping(store, kind: str, header: list[str], raw_frame) -> dict[str, str | None]:
    """The mapping of the file's columns, suggested from the alias table or remembered from
    a file with the same header, editable in a table."""
    remembered = store.saved_mapping(kind, header)
    mapping = remembered or suggest_mapping(header, kind)
    labels = {spec.name: spec.label for spec in COLUMNS[kind]}
    unused = t("data.unused")
    by_label = {v: k for k, v in labels.items()}
    examples = (
        [raw_frame[h].iloc[0] if raw_frame is not None and len(raw_frame) else "" for h in header]
        if raw_frame is not None
        else [""] * len(header)
    )
    table = pd.DataFrame(
        {
            t("data.col_file"): header,
            t("data.col_example"): [str(e)[:40] for e in examples],
            t("data.col_means"): [labels.get(mapping.get(h) or "", unused) for h in header],
        }
    )
    st.markdown(f"**{t('data.mapping_heading')}**")
    st.caption(t("data.mapping_help"))
    if remembered:
        st.caption(t("data.mapping_remembered"))
    edited = st.data_editor(
        table,
        hide_index=True,
        disabled=[t("data.col_file"), t("data.col_example")],
        column_config={
            t("data.col_means"): st.column_config.SelectboxColumn(
                options=[unused, *labels.values()], required=True
            )
        },
        key=f"koppling-{kind}-{sha256_of(chr(31).join(header).encode())[:8]}",
        width="stretch",
    )
    return {h: by_label.get(m) for h, m in zip(header, edited[t("data.col_means")], strict=True)}


def parsed(data: bytes, file_name: str, muni, sheets: tuple[str, ...] | None = None) -> Raw:
    """The upload parsed once (in a child process, within the upload limits) and kept by
    its sha256, name and chosen sheets while the analyst maps columns and values: every
    rerun of the page validates the same parse instead of reading the file again."""
    key = (sha256_of(data), file_name, sheets)
    cached = st.session_state.get("_parsed")
    if cached is not None and cached[0] == key:
        return cached[1]
    with st.spinner(t("data.progress_reading")):
        raw = parse_file(data, file_name, muni, UPLOAD, sheets)
    st.session_state["_parsed"] = (key, raw)
    return raw


def workbook_sheets(data: bytes, file_name: str, muni) -> tuple[list[Sheet], tuple[str, ...]]:
    """A workbook's sheets and the ones the reader chose itself, kept for the file while
    the analyst tries other sheets (empty for a file that is no workbook)."""
    key = (sha256_of(data), file_name)
    kept = st.session_state.get("_sheets")
    if kept is None or kept[0] != key:
        raw = parsed(data, file_name, muni)
        kept = (key, raw.sheets, raw.chosen)
        st.session_state["_sheets"] = kept
    return kept[1], kept[2]


def sheet_label(choice: tuple[str, ...], sheets: list[Sheet]) -> str:
    rows = fmt_rows(sum(s.rows for s in sheets if s.name in choice))
    if len(choice) > 1:
        return t("data.sheets_together", sheets=", ".join(choice), rows=rows)
    return t("data.sheet_alone", sheet=choice[0], rows=rows)


def sheet_box(sheets: list[Sheet], own: tuple[str, ...], key: str):
    """The workbook's sheets and a choice of which to read: the sheets with the same header
    together (the reader's choice, preselected), or one sheet. Returns the sheets to read
    (None: the reader's choice) and whether the analyst has yet to choose."""
    choices = sheet_choices(sheets)
    if len(choices) < 2:
        return None, False
    st.markdown(f"**{t('data.sheets_heading')}**")
    choice = st.selectbox(
        t("data.sheets_choose"),
        choices,
        index=choices.index(own) if own in choices else None,
        format_func=lambda c: sheet_label(c, sheets),
        placeholder=t("data.sheets_placeholder"),
        key=f"blad-{key}",
    )
    read = choice or ()
    overview = pd.DataFrame(
        {
            t("data.sheets_col_sheet"): [s.name for s in sheets],
            t("data.sheets_col_rows"): [fmt_int(s.rows) if s.table else "" for s in sheets],
            t("data.sheets_col_header"): [
                ", ".join(h for h in s.header if h) if s.table else t("data.sheets_no_table")
                for s in sheets
            ],
            t("data.sheets_col_read"): [
                t("data.sheets_read_yes") if s.name in read else t("data.sheets_read_no")
                for s in sheets
            ],
        }
    )
    st.dataframe(overview, hide_index=True, width="stretch")
    if choice is None:
        st.info(t("data.sheets_pick_first"))
        return None, True
    return (None if choice == own else choice), False


def date_order_box(example: str, key: str) -> None:
    """Asks how the file writes slash dates that read both ways; the answer is kept under
    ``key`` and read before the file is checked."""
    readings = both_readings(example)

    def label(order: str) -> str:
        when = readings[order]
        date = "–" if pd.isna(when) else fmt_date(when.date())
        return t(f"data.date_order_{order}", example=example, date=date)

    st.radio(
        t("data.date_order", example=example),
        DATE_ORDERS,
        index=None,
        format_func=label,
        key=key,
    )


def value_mapping(store, raw: Raw, mapping, muni) -> dict[str, dict[str, str | None]]:
    """The file's own words for sources, categories and localities: each unknown value with
    its row count and a choice of known value, remembered from an earlier file or else the
    suggestion preselected. Returns column -> value -> known value (None: left as an error)."""
    unknown = find_unknown_values(raw, "incidents", muni, mapping)
    if unknown.empty:
        return {}
    remembered = store.saved_value_map("incidents")
    st.markdown(f"**{t('values.heading')}**")
    st.caption(t("values.help"))
    if any(r.value in remembered.get(r.column, {}) for r in unknown.itertuples()):
        st.caption(t("values.remembered"))
    if "category" in set(unknown["column"]):
        st.caption(t("values.no_new_category"))
    chosen: dict[str, dict[str, str | None]] = {}
    for row in unknown.groupby("column").head(VALUES_SHOWN).itertuples():
        options = [None, *values.vocabulary(row.column, muni)]
        default = remembered.get(row.column, {}).get(row.value, row.suggestion)
        left, right = st.columns([2, 3], vertical_alignment="center")
        header = t(f"field.{row.column}")
        left.text(f"{header}: {row.value} ({fmt_rows(row.rows)})")  # plain text: from the file
        chosen.setdefault(row.column, {})[row.value] = right.selectbox(
            t("values.col_means"),
            options,
            index=options.index(default) if default in options else 0,
            format_func=lambda v, column=row.column: values.label(column, v),
            key=f"varde-{row.column}-{sha256_of(row.value.encode())[:12]}",
            label_visibility="collapsed",
        )
    return chosen


def report(result: ReadResult) -> None:
    st.subheader(t("data.report_heading"))
    for note in result.notes:
        st.info(note)
    total, good = result.total_rows, len(result.valid)
    a, b, c = st.columns(3)
    a.metric(t("data.rows_total"), fmt_int(total))
    b.metric(t("data.rows_ok"), fmt_int(good))
    c.metric(t("data.rows_bad"), fmt_int(result.rejected_rows))
    row_errors = [e for e in result.errors if e.row is not None]
    if row_errors:
        st.markdown(f"**{t('data.errors_heading')}**")
        errors = pd.DataFrame(
            {
                t("data.col_row"): [e.row for e in row_errors],
                t("data.col_column"): [e.column for e in row_errors],
                t("data.col_reason"): [e.reason for e in row_errors],
            }
        )
        st.dataframe(
            errors, hide_index=True, width="stretch", height=min(400, 40 + 35 * len(errors))
        )
        st.download_button(
            t("data.errors_download"),
            lambda: exports.csv_bytes(errors),
            file_name="fel.csv",
            mime="text/csv",
            key="felfil",
            on_click="ignore",
        )
    if good:
        st.markdown(f"**{t('data.preview_heading', n=min(good, PREVIEW_ROWS))}**")
        st.dataframe(preview_table(result), hide_index=True, width="stretch")


def preview_table(result: ReadResult) -> pd.DataFrame:
    """The first rows as they will be stored, written as the analyst wrote them: dates
    without a time stay dates, empty stays empty, sources by their Swedish names."""
    preview = result.valid.head(PREVIEW_ROWS).copy()
    known = preview.pop("time_known") if "time_known" in preview else None
    for column in preview.columns:
        values = preview[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            preview[column] = format_dates(values, known)
        elif pd.api.types.is_float_dtype(values):
            digits = 6 if column in ("lat", "lon") else 1
            preview[column] = [
                "" if pd.isna(v) else fmt_num(v, digits).rstrip("0").rstrip(",") for v in values
            ]
    if "source" in preview and result.kind == "incidents":
        preview["source"] = preview["source"].astype(str).map(source_label)
    labels = {spec.name: spec.label for spec in COLUMNS[result.kind]}
    return preview.rename(columns=labels).astype(object).where(preview.notna().values, "")


def import_tab(store, muni, name: str) -> None:
    widgets.swedish_uploader(t("data.upload_types"))
    upload = st.file_uploader(
        t("data.upload"),
        type=["csv", "txt", "xlsx", "json", "gpkg"],  # gpkg: SCB's population grid
        max_upload_size=MAX_UPLOAD_MB,
        key=f"uppladdning-{st.session_state.get('_upload_round', 0)}",
        help=t("data.upload_help", limit=MAX_UPLOAD_MB),
    )
    kind = choose_kind()
    left, right = st.columns(2)
    year = None
    if kind in (None, "peers"):
        year = left.number_input(
            t("data.year"), min_value=1990, max_value=2100, value=None, step=1, key="dataar"
        )
    source = None
    if kind in (None, "incidents"):
        source = right.selectbox(
            t("data.source"),
            [None, *SOURCES],
            format_func=lambda s: t("data.source_none") if s is None else source_label(s),
            key="datakalla",
        )
    if upload is None:
        return
    problem = too_large(upload.size, UPLOAD)
    if problem:
        st.error(f"{t('data.file_refused')} {problem}")
        return
    data = upload.getvalue()
    file_key = sha256_of(data)[:12]
    sheets, own = workbook_sheets(data, upload.name, muni)
    chosen, waiting = sheet_box(sheets, own, file_key)
    if waiting:
        return
    raw = parsed(data, upload.name, muni, chosen)
    mapping, value_map = None, {}
    found_kind = kind or raw.kind
    if raw.problem is None and found_kind is None:
        found_kind = recognise_kind(raw.header)
    readable = raw.problem is None and not duplicate_header_problem(raw.header)
    if readable and found_kind:
        if kind is None:
            st.caption(t("data.kind_found", kind=t(f"kind.{found_kind}")))
        mapping = column_mapping(store, found_kind, raw.header, raw.frame)
        if found_kind == "incidents":
            value_map = value_mapping(store, raw, mapping, muni)
    with st.spinner(t("data.progress_reading")):
        result = read_file(
            data,
            found_kind,
            muni,
            upload.name,
            source,
            mapping=mapping,
            year=int(year) if year else None,
            value_map={c: {v: k for v, k in m.items() if k} for c, m in value_map.items()},
            raw=raw,
            limits=UPLOAD,
            date_order=st.session_state.get(f"datumordning-{file_key}"),
            promises=state.manager().promises(state.data_version()).definitions,
        )
    if result.ambiguous_date is not None:
        date_order_box(result.ambiguous_date, f"datumordning-{file_key}")
    if result.needs_date_order:
        st.info(t("data.date_order_first"))
        return
    if result.file_failed:
        st.error(t("data.file_refused") + "\n\n" + "\n\n".join(e.reason for e in result.errors))
        for note in result.notes:
            st.info(note)
        return
    report(result)
    good, bad = len(result.valid), result.rejected_rows
    if not good:
        st.warning(t("import.no_valid_rows"))
        return
    # Real data replaces the demo in the same step, unless the analyst keeps it on purpose.
    replace = state.has_sample() and st.checkbox(
        t("sample.replace_checkbox"), value=True, key="ersatt_exempel"
    )
    covers = declared_period(result) if result.kind == "incidents" else None
    if not decided_to_save(good, bad):
        return
    bar = st.progress(0.0, text=t("data.progress_storing"))
    outcome = store_result(
        store,
        result,
        user=name,
        skip_invalid=True,
        progress=lambda share: bar.progress(share, text=t("data.progress_storing")),
        replace_sample=replace,
        covers=covers,
    )
    bar.empty()
    if not outcome.ok:
        st.error("\n\n".join(outcome.messages))
        return
    if mapping is not None:
        store.save_mapping(result.kind, result.header, mapping)
    if value_map:
        store.save_value_map("incidents", value_map)
    next_round()
    st.session_state["_data_message"] = outcome.messages
    st.rerun()


def declared_period(result: ReadResult):
    """The period the file covers, when the analyst knows it (a guard company's monthly
    file, a year's statistics): otherwise the months of its first and last incident count,
    those two as incomplete (``lib.figures.coverage``)."""
    if not st.checkbox(t("data.covers_checkbox"), key="tacker", help=t("data.covers_help")):
        return None
    days = result.valid["occurred_at"]
    first = days.min().date().replace(day=1)
    last = pd.Period(days.max(), "M").end_time.date()
    return filters.date_range_input(
        t("data.covers_period"), (first, last), None, None, key="tacker_period"
    )


def decided_to_save(good: int, bad: int) -> bool:
    """The buttons under the check. With rows refused the highlighted one fixes the file
    (nothing is stored) and saving only the valid rows is the other, named for what it
    drops; otherwise the highlighted one saves."""
    if bad:
        st.warning(t("data.rows_refused", bad=fmt_rows(bad)))
        cancel, save = st.columns(2)
        cancelled = cancel.button(t("data.fix_file"), type="primary", key="spara_inget")
        label = t("data.import_valid", n=fmt_rows(good), bad=fmt_rows(bad))
        saved = save.button(label, type="secondary", key="spara")
    else:
        save, cancel = st.columns(2)
        saved = save.button(t("data.import_all", n=fmt_rows(good)), type="primary", key="spara")
        cancelled = cancel.button(t("data.import_nothing"), key="spara_inget")
    if cancelled:
        next_round()
        st.toast(t("data.cancelled"))
        st.rerun()
    return saved


def next_round() -> None:
    """A fresh uploader after a decision, so the same file is not offered again."""
    st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1
    st.session_state.pop("_parsed", None)
    st.session_state.pop("_sheets", None)


def log_tab(store, name: str) -> None:
    st.caption(t("data.log_intro"))
    log = state.import_log()
    if log.empty:
        st.info(t("data.nothing_to_undo"))
        return
    shown = pd.DataFrame(
        {
            t("about.col_id"): log["id"],
            t("about.col_when"): log["imported_at"].map(widgets.local_time),
            t("about.col_kind"): log["kind"].map(lambda k: t(f"kind.{k}")),
            t("about.col_file"): log["file_name"],
            t("about.col_rows"): log["rows_added"].map(fmt_int),
            t("about.col_user"): log["user"],
            "sha256": log["sha256"].str.slice(0, 12),
            t("about.col_undone"): log["undone_at"].map(widgets.local_time),
        }
    ).iloc[::-1]
    st.dataframe(shown, hide_index=True, width="stretch")
    live = log[log["undone_at"].isna()]
    if live.empty:
        return
    choices = {
        int(r.id): f"{r.id} – {r.file_name} ({fmt_int(r.rows_added)})" for r in live.itertuples()
    }
    chosen = st.selectbox(t("data.undo_choose"), list(choices)[::-1], format_func=choices.get)
    sure = st.checkbox(t("data.undo_confirm", id=chosen), key=f"sakert-{chosen}")
    if st.button(t("data.undo_button"), disabled=not sure, key="angra"):
        removed = store.undo(chosen, user=name)
        st.session_state["_data_message"] = [t("data.undone", id=chosen, rows=fmt_int(removed))]
        st.rerun()


def sample_box(store, muni, name: str) -> None:
    """The demo data in one step: remove all of it, or load it again."""
    if state.has_sample():
        box = st.container(border=True)
        box.markdown(f"**{t('sample.demo_heading')}**")
        box.caption(t("sample.demo_text"))
        if box.button(t("sample.remove_button"), key="ta_bort_exempel"):
            removed = store.remove_sample(user=name)
            ids = ", ".join(map(str, removed))
            st.session_state["_data_message"] = [t("sample.removed", ids=ids)]
            st.rerun()
    elif (
        store.count("incidents") == 0
        and muni.sample_files
        and st.button(t("sample.load_button"), key="las_in_exempel")
    ):
        seed_sample(store, muni, user=name, mark_initialised=False)
        st.rerun()


def templates_tab(store, muni) -> None:
    st.caption(t("data.templates_intro"))
    cols = st.columns(len(IMPORT_KINDS))
    for kind, column in zip(IMPORT_KINDS, cols, strict=True):
        column.download_button(
            t("data.template_button", kind=t(f"kind.{kind}")),
            lambda kind=kind: template_bytes(kind, muni),  # built when clicked
            file_name=f"mall-{kind}.csv",
            mime="text/csv",
            key=f"mall-{kind}",
            on_click="ignore",
        )
    st.divider()
    st.caption(t("data.export_intro"))
    cols = st.columns(len(IMPORT_KINDS))
    for kind, column in zip(IMPORT_KINDS, cols, strict=True):
        rows = store.count(kind)  # the file itself is read and built when clicked
        column.download_button(
            t("data.export_button", kind=t(f"kind.{kind}"), n=fmt_int(rows)),
            lambda kind=kind: to_swedish_csv(store.read(kind), kind),
            file_name=f"{kind}.csv",
            mime="text/csv",
            key=f"export-{kind}",
            disabled=rows == 0,
            on_click="ignore",
        )


muni = state.municipality()
st.title(t("data.heading"))
widgets.sample_banner()  # the log, exports and previews include the sample data while it is there
name = signin.sign_in_box()
if name is None:
    if signin.sign_in_mode() is None:
        st.info(t("data.not_configured"))
    else:
        st.info(t("data.sign_in_first"))
    st.stop()

st.caption(t("data.intro"))
for message in st.session_state.pop("_data_message", []):
    st.success(message)
store = state.store()
sample_box(store, muni, name)
tab_import, tab_log, tab_templates = st.tabs(
    [t("data.tab_import"), t("data.tab_log"), t("data.tab_templates")]
)
with tab_import:
    import_tab(store, muni, name)
with tab_log:
    log_tab(store, name)
with tab_templates:
    templates_tab(store, muni)
