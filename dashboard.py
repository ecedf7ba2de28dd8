"""Front door of the trygghet dashboard: page config, navigation, nothing else."""

import logging
from pathlib import Path

import streamlit as st

from lib.app import frontend, presentation, signin, state
from lib.config import load_municipality
from lib.i18n import t

st.set_page_config(
    page_title=t("app.title", municipality=load_municipality().display_name),
    # A local file: a Material icon as page icon is fetched from Google's font servers.
    page_icon=str(Path(__file__).parent / "data" / "icon.png"),
    layout="wide",
)

# The document's language, and Swedish for the words of Streamlit's own frontend.
frontend.swedish_frontend()
# Phones: a table's toolbar gets a line of its own instead of lying over the heading above.
presentation.phone_styles()

# The default page is served at the root only, yet reserves its url_path: "hem" keeps
# "oversikt" free for the page below.
overview = st.Page(
    "pages/oversikt.py",
    title=t("page.overview"),
    icon=":material/dashboard:",
    default=True,
    url_path="hem",
)


def overview_by_name() -> None:
    """``/oversikt`` (the overview's name, as the other pages are reached by theirs) would
    open Streamlit's English "Page not found": go to the overview, keeping the filters."""
    params = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    st.switch_page(overview, query_params=params)


def signal_pages() -> list:
    """The municipality's own signal reporting (EST): reporting for signed-in reporters and
    analysts, triage and the weekly picture for analysts. Each page is reachable by its
    address for anyone and says itself who may use it; the navigation lists it only for
    them."""
    state.purge_reports_if_due()
    signed = signin.account()
    reporter = "visible" if signed is not None else "hidden"
    analyst = "visible" if signed is not None and signed.is_analyst else "hidden"
    return [
        st.Page(
            "pages/rapportera.py",
            title=t("page.report"),
            icon=":material/add_location_alt:",
            url_path="rapportera",
            visibility=reporter,
        ),
        st.Page(
            "pages/arenden.py",
            title=t("page.cases"),
            icon=":material/inbox:",
            url_path="arenden",
            visibility=analyst,
        ),
        st.Page(
            "pages/veckolage.py",
            title=t("page.weekly"),
            icon=":material/event_note:",
            url_path="veckolage",
            visibility=analyst,
        ),
    ]


pages = [
    overview,
    st.Page(overview_by_name, title=t("page.overview"), url_path="oversikt", visibility="hidden"),
    st.Page(
        "pages/utveckling.py",
        title=t("page.trends"),
        icon=":material/trending_up:",
        url_path="utveckling",
    ),
    st.Page("pages/karta.py", title=t("page.map"), icon=":material/map:", url_path="karta"),
    st.Page(
        "pages/medborgarloftet.py",
        title=t("page.promises"),
        icon=":material/handshake:",
        url_path="medborgarloftet",
    ),
    st.Page(
        "pages/jamforelse.py",
        title=t("page.peers"),
        icon=":material/compare_arrows:",
        url_path="jamforelse",
    ),
    st.Page(
        "pages/mote.py", title=t("page.meeting"), icon=":material/co_present:", url_path="mote"
    ),
    st.Page("pages/data.py", title=t("page.data"), icon=":material/upload_file:", url_path="data"),
    *signal_pages(),
    st.Page("pages/om.py", title=t("page.about"), icon=":material/info:", url_path="om"),
]
try:
    st.navigation(pages).run()
except Exception:  # no traceback ever reaches a user: log it, say it in Swedish
    logging.getLogger("trygghet").exception("page failed")
    st.error(t("app.unexpected"), icon="🛑")
