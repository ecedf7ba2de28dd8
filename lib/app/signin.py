"""Sign-in and roles: the glue between ``lib.auth`` (the rules) and Streamlit (the browser's
cookies, the secrets, the session and the sidebar box), and the viewer's disclosure rules,
which follow from who is signed in.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.app.state import may_write, municipality, period_choices, secrets, store
from lib.app.widgets import local_time, plain
from lib.i18n import t

# --- Analysts' sign-in ------------------------------------------------------------------------
# The rules live in lib.auth; this is the glue: where the browser's cookies, the secrets and
# the session come from, and the sidebar box.

SIGNED_IN = "_konto"  # session_state: lib.auth.SignedIn of this browser's sign-in


def _accounts():
    from lib.auth import Accounts

    return Accounts(store())


def _bootstrap():
    from lib.auth import bootstrap_from

    return bootstrap_from(secrets().get("analyst"), t("auth.default_name"))


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

    return idle_seconds(secrets().get("analyst"), os.environ)


def sign_in_mode() -> str | None:
    """'oidc' when [auth] is configured (e.g. the municipality's Entra ID), 'password' when a
    bootstrap analyst hash or local accounts are, otherwise None: then nothing can be
    written in the app."""
    if "auth" in secrets():
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

    if "auth" in secrets() and st.user.is_logged_in:
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

    section = secrets().get("analyst", {})
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


def box_heading(found) -> str:
    """The sign-in box's heading: what the signed-in account is (a reporter is no
    analyst), or the sign-in itself."""
    if found is None:
        return t("auth.heading")
    return t("auth.heading_analyst" if found.role == "analyst" else "auth.heading_reporter")


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
    box = (container or st.sidebar).expander(box_heading(found), expanded=opened)
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


def disclosure():
    """The viewer's disclosure rules: exact for a signed-in analyst, public otherwise (with
    the periods the public may ask about)."""
    from lib.public.disclosure import Disclosure, for_municipality

    muni = municipality()
    if analyst() is not None:
        return Disclosure(muni.privacy_threshold, exact=True)
    return for_municipality(muni, period_choices())
