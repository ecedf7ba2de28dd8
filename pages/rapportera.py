"""Reporting (EST) for the municipality's services, made for a phone: what, where (a pin on
the map or a place from the list), when, how serious, a short note; one tap sends it. "Mina
rapporter" shows the reporter's own reports and what became of them.

Each report gets its id (a submission id) when the form is opened; the store keeps one
report per id, so a double tap or a resent request stores it once. After sending, the page
shows what was saved until the reporter asks for a new form (and a new id).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st
from streamlit_folium import st_folium

from lib.app import map_assets, navigation, signin, state
from lib.auth import UNKNOWN_CLIENT, client_address
from lib.est import cases as est_cases
from lib.est import tables as est_tables
from lib.est import vocabulary as est_vocabulary
from lib.i18n import fmt_date, fmt_datetime, t
from lib.ingest import text_gate
from lib.public.report_map import PIN_COLOUR_WORD, pin_map

navigation.front_door()

SUBMISSION = "rapport_id"  # session_state: the id of the report being written
SAVED = "rapport_sparad"  # session_state: (Saved, summary) after sending
PIN = "rapport_nal"  # session_state: (submission id, lat, lon) of the pin

muni = state.municipality()
st.title(t("report.heading"))
who = signin.account()
if who is None:
    st.write(t("report.viewer_text"))
    signin.sign_in_box(st, expanded=True)
    st.stop()
if who.must_change:
    signin.sign_in_box(st)
    st.info(t("report.must_change"))
    st.stop()
signin.sign_in_box()

categories = est_vocabulary.load_categories()
labels = {c.id: c.label for c in categories}


def error_text(err: est_tables.ReportError) -> str:
    """The Swedish message for a refused report: the input gate's names the field and the
    kind of data, never the value (``lib.ingest.text_gate``)."""
    if err.code == "rate_limited":
        key = "report.error_rate_limited" + ("_client" if err.details["scope"] == "client" else "")
        return t(key, limit=err.details["limit"], minutes=err.details["minutes"])
    return t(f"report.error_{err.code}", **err.details)


def client() -> str | None:
    """This browser's address for the rate limit per client (None when not known)."""
    address = client_address(st.context.ip_address, st.context.headers)
    return None if address == UNKNOWN_CLIENT else address


def local_now() -> dt.datetime:
    return dt.datetime.now(ZoneInfo(muni.timezone)).replace(tzinfo=None, second=0, microsecond=0)


def new_report() -> None:
    st.session_state[SUBMISSION] = est_tables.new_submission_id()
    st.session_state.pop(SAVED, None)
    st.session_state.pop(PIN, None)


def confirmation() -> None:
    saved, summary = st.session_state[SAVED]
    st.success(t("report.saved") if saved.created else t("report.saved_before"), icon="✅")
    if saved.notices:
        st.info("\n\n".join([t("report.removed_heading"), *saved.notices]))
    st.text(summary)
    st.button(t("report.new"), on_click=new_report, type="primary", width="stretch")


def where(sid: str) -> tuple[str | None, float | None, float | None]:
    """The place chosen from the list, or the pin (kept per report being written). The map
    comes first where the deployment configured a background map (``[map] tiles_url``),
    shown from the start; without one the list comes first (a bare map at a phone's size
    is hard to aim at), and the map, drawn without a background, is the second choice."""
    st.subheader(t("report.where"))
    configured = map_assets.configured_tiles()
    how = st.radio(
        t("report.where"),
        ["map", "list"] if configured else ["list", "map"],
        format_func=lambda v: t(f"report.where_{v}"),
        horizontal=True,
        label_visibility="collapsed",
        key=f"hur_{sid}",
    )
    if how == "list":
        place = st.selectbox(
            t("report.place"), est_vocabulary.place_names(muni), key=f"plats_{sid}"
        )
        return place, None, None
    pinned = st.session_state.get(PIN)
    pin = pinned[1:] if pinned and pinned[0] == sid else None
    offered = map_assets.map_tiles()  # None where the operator turned backgrounds off
    background = offered is not None and st.toggle(
        t("report.background"),
        value=configured is not None,
        key="rapport_bakgrund",
        help=t("report.background_help", name=offered[2]),
    )
    tiles = offered if background else None
    st.caption(t("report.map_help", colour=PIN_COLOUR_WORD))
    clicked = st_folium(
        pin_map(muni, map_assets.map_asset_base(), pin, tiles),
        height=320,
        use_container_width=True,
        returned_objects=["last_clicked"],
        key=f"karta_{sid}",
    )
    last = (clicked or {}).get("last_clicked")
    if last and (pin is None or (last["lat"], last["lng"]) != pin):
        st.session_state[PIN] = (sid, float(last["lat"]), float(last["lng"]))
        st.rerun()
    if pin is None:
        st.caption(t("report.no_pin"))
        return None, None, None
    try:
        spot = est_vocabulary.resolve_place(muni, None, *pin)
    except est_tables.ReportError as err:
        st.warning(error_text(err))
    else:
        st.text(t("report.pin_at", place=spot.place, locality=spot.locality))
    return None, pin[0], pin[1]


def report_form() -> None:
    sid = st.session_state.setdefault(SUBMISSION, est_tables.new_submission_id())
    category = st.selectbox(
        t("report.what"),
        [c.id for c in categories],
        index=None,
        format_func=labels.get,
        placeholder=t("report.what_placeholder"),
        key=f"vad_{sid}",
    )
    place, lat, lon = where(sid)
    now = st.session_state.setdefault(f"nu_{sid}", local_now())  # "now" when the form opened
    day_col, time_col = st.columns(2)
    day = day_col.date_input(
        t("report.when_day"),
        value=now.date(),
        max_value=now.date(),
        format="YYYY-MM-DD",
        key=f"dag_{sid}",
    )
    clock = time_col.time_input(
        t("report.when_time"), value=now.time(), step=dt.timedelta(minutes=5), key=f"tid_{sid}"
    )
    severity = st.radio(
        t("report.severity"),
        list(est_tables.SEVERITIES),
        format_func=lambda s: t(f"report.severity_{s}"),
        key=f"allvar_{sid}",
    )
    st.caption(t("report.note_reminder"))
    note = st.text_area(
        t("report.note"),
        max_chars=est_tables.NOTE_MAX,
        help=t("report.note_help"),
        key=f"text_{sid}",
    )
    service = st.text_input(
        t("report.service"),
        value=who.service or "",
        max_chars=text_gate.FIELDS["report.service"].limit,
        key=f"verksamhet_{sid}",
    )
    if not st.button(t("report.submit"), type="primary", width="stretch", key=f"skicka_{sid}"):
        return
    if category is None:
        st.error(t("report.error_unknown_category"))
        return
    sub = est_cases.Submission(
        id=sid,
        category=category,
        occurred_at=dt.datetime.combine(day, clock),
        severity=int(severity),
        note=note,
        place=place,
        lat=lat,
        lon=lon,
        service=service,
    )
    try:
        saved = est_cases.submit(state.store(), muni, sub, who.name, categories, client=client())
    except est_tables.ReportError as err:
        st.error(error_text(err))
        return
    summary = t(
        "report.saved_summary",
        category=labels[category],
        place=saved.place,
        when=fmt_datetime(sub.occurred_at),
        severity=severity,
    )
    st.session_state[SAVED] = (saved, summary)
    st.rerun()


def my_reports() -> None:
    own = est_cases.mine(state.store(), who.name)
    st.caption(t("report.mine_intro", days=muni.report_retention_days))
    if own.empty:
        st.info(t("report.mine_none"))
        return
    for row in own.head(100).itertuples():
        with st.container(border=True):
            st.text(f"{fmt_datetime(row.occurred_at)} · {labels.get(row.category, row.category)}")
            st.text(row.place)
            st.markdown(f"**{t('status.' + row.status)}**")
            if isinstance(row.merged_into, str):
                st.caption(t("report.mine_merged"))
            elif isinstance(row.action_title, str):
                st.text(
                    t(
                        "report.mine_action",
                        title=row.action_title,
                        status=t(f"action_status.{row.action_status}"),
                        day=fmt_date(dt.date.fromisoformat(row.action_date)),
                    )
                )
            else:
                st.caption(t("report.mine_no_action"))


new_tab, mine_tab = st.tabs([t("report.tab_new"), t("report.tab_mine")])
with new_tab:
    if SAVED in st.session_state:
        confirmation()
    else:
        report_form()
with mine_tab:
    my_reports()
