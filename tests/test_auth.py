"""Sign-in rules (lib.auth) without Streamlit: accounts, lockout, audit log, OIDC allow-list,
binding a session to its browser; then the same through the app with AppTest."""

from __future__ import annotations

import pytest

from lib import auth
from lib.auth import Accounts, AuthError, Bootstrap, Policy, SignedIn
from lib.passwords import MIN_ITERATIONS, hash_password

PASSWORD = "ett långt lösenord"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(store, clock):
    return Accounts(store, clock=clock)


def events(accounts: Accounts) -> list[str]:
    return list(accounts.log_frame()["event"])[::-1]


# --- accounts ------------------------------------------------------------------------------------


def test_an_account_signs_in_by_name_in_any_case_and_must_change_its_password(accounts):
    accounts.create("Anna Berg", "analyst", PASSWORD, by="test")
    outcome = accounts.sign_in("anna  BERG", PASSWORD, "10.0.0.1")
    assert outcome.code == "ok"
    assert outcome.account.name == "Anna Berg" and outcome.account.must_change
    assert not outcome.account.is_analyst  # no rights before the first change
    accounts.change_password("Anna Berg", PASSWORD, PASSWORD + " nytt", "10.0.0.1")
    again = accounts.sign_in("Anna Berg", PASSWORD + " nytt", "10.0.0.1")
    assert again.code == "ok" and again.account.is_analyst
    assert accounts.sign_in("Anna Berg", PASSWORD, "10.0.0.1").code == "wrong"


def test_account_rules(accounts):
    accounts.create("Kim", "reporter", PASSWORD, by="test", service="Fritid")
    with pytest.raises(AuthError, match="name_taken"):
        accounts.create("KIM", "analyst", PASSWORD, by="test")
    with pytest.raises(AuthError, match="password_too_short"):
        accounts.create("Lo", "analyst", "kort", by="test")
    with pytest.raises(AuthError, match="bad_role"):
        accounts.create("Lo", "admin", PASSWORD, by="test")
    with pytest.raises(AuthError, match="wrong_old_password"):
        accounts.change_password("Kim", "fel", PASSWORD + "x", "c")
    listed = accounts.list()
    assert list(listed["name"]) == ["Kim"] and listed["service"][0] == "Fritid"
    kim = accounts.sign_in("Kim", PASSWORD, "c").account
    assert kim.role == "reporter" and not kim.is_analyst
    stored = accounts.find("kim")[1]
    assert stored.startswith("pbkdf2_sha256$600000$")  # new hashes at the full count
    accounts.remove("Kim", by="test")
    assert accounts.find("Kim") is None


def test_the_bootstrap_secret_signs_in_with_an_empty_name(accounts):
    boot = Bootstrap("Säkerhetssamordnare", hash_password(PASSWORD, MIN_ITERATIONS))
    outcome = accounts.sign_in("", PASSWORD, "c", boot)
    assert outcome.code == "ok" and outcome.account.source == "bootstrap"
    assert outcome.account.is_analyst
    assert accounts.sign_in("säkerhetssamordnare", PASSWORD, "c", boot).code == "ok"


def test_a_weak_bootstrap_hash_is_refused_and_logged_for_the_operator(accounts):
    boot = Bootstrap("Analytiker", hash_password(PASSWORD, 1))
    outcome = accounts.sign_in("", PASSWORD, "c", boot)
    assert outcome.code == "unavailable"
    log = accounts.log_frame()
    assert log["event"][0] == "unavailable" and "too_weak" in log["detail"][0]


# --- lockout -------------------------------------------------------------------------------------


def test_failures_lock_the_name_with_doubling_delays_across_sessions(store, clock):
    accounts = Accounts(store, clock=clock)
    accounts.create("Anna", "analyst", PASSWORD, by="test")
    for _ in range(3):  # free failures
        assert accounts.sign_in("Anna", "fel", "10.0.0.1").code == "wrong"
    locked = accounts.sign_in("Anna", "fel", "10.0.0.1")
    assert locked.code == "locked" and locked.wait_seconds == 15
    # A new Accounts object (another session, another process) sees the same lock, and
    # even the right password is not looked at during it.
    other = Accounts(store, clock=clock)
    assert other.sign_in("Anna", PASSWORD, "10.0.0.2").code == "locked"
    clock.now += 16
    assert other.sign_in("Anna", "fel", "10.0.0.2").wait_seconds == 30
    clock.now += 31
    assert other.sign_in("Anna", "fel", "10.0.0.2").wait_seconds == 60
    clock.now += 61
    assert other.sign_in("Anna", PASSWORD, "10.0.0.2").code == "ok"
    assert other.wait_seconds("Anna", "10.0.0.9") == 0  # the right password forgets
    assert {"failure", "locked", "refused_locked", "sign_in"} <= set(events(other))


def test_one_client_guessing_many_names_is_locked_too(accounts, clock):
    for i in range(10):
        assert accounts.sign_in(f"namn{i}", "fel", "203.0.113.5").code == "wrong"
    assert accounts.sign_in("namn10", "fel", "203.0.113.5").code == "locked"
    assert accounts.sign_in("namn11", "fel", "203.0.113.5").code == "locked"
    assert accounts.wait_seconds("namn12", "198.51.100.1") == 0  # another client is not


def test_an_analyst_unlocks_a_name_and_a_quiet_day_forgets(accounts, clock):
    accounts.create("Anna", "analyst", PASSWORD, by="test")
    for _ in range(5):
        accounts.sign_in("Anna", "fel", f"10.0.0.{_}")
    assert accounts.wait_seconds("Anna", "10.0.0.9") > 0
    accounts.unlock("Anna", by="Berit")
    assert accounts.sign_in("Anna", PASSWORD, "10.0.0.9").code == "ok"
    clock.now += 10 * 24 * 3600
    for _ in range(3):
        accounts.sign_in("Anna", "fel", "10.0.0.8")
    clock.now += Policy().forget_after + 1
    assert accounts.sign_in("Anna", "fel", "10.0.0.7").code == "wrong"  # count started over


def test_lock_seconds_are_capped():
    policy = Policy()
    assert [policy.lock_seconds(n, "account") for n in (1, 3, 4, 5)] == [0, 0, 15, 30]
    assert policy.lock_seconds(100, "account") == policy.maximum
    assert policy.lock_seconds(10, "client") == 0


# --- binding and idle timeout ------------------------------------------------------------------


def _xsrf_cookie(token: bytes | None = None) -> str:
    """A cookie as Streamlit writes it, from its own (internal) encoder: when a Streamlit
    release changes the format, the test below fails instead of sign-ins silently breaking."""
    from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

    return generate_xsrf_token_string(token)


def test_xsrf_token_matches_streamlits_own_decoder():
    from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

    cookie = _xsrf_cookie()
    assert auth.xsrf_token(cookie) == decode_xsrf_token_string(cookie)[0]
    token = b"0123456789abcdef"
    # Re-masked on every response, the same token underneath: the binding stays.
    first, second = _xsrf_cookie(token), _xsrf_cookie(token)
    headers = {"host": "x"}
    assert auth.browser_binding({"_streamlit_xsrf": first}, headers) == auth.browser_binding(
        {"_streamlit_xsrf": second}, headers
    )


def test_binding_differs_between_browsers_and_needs_a_token():
    headers = {"host": "dashboard.example"}
    mine = auth.browser_binding({"_streamlit_xsrf": _xsrf_cookie()}, headers)
    theirs = auth.browser_binding({"_streamlit_xsrf": _xsrf_cookie()}, headers)
    assert mine and theirs and mine != theirs
    assert auth.browser_binding({}, headers) is None
    assert auth.browser_binding({"_streamlit_xsrf": "2|zz|00|1"}, headers) is None
    assert auth.browser_binding({}, {}) == auth.NO_BROWSER  # no connection at all (AppTest)


def test_check_session_refuses_another_browser_and_an_idle_session():
    signed = SignedIn(auth.Account("Anna"), "abc", last_seen=1000.0)
    assert auth.check_session(signed, "abc", 1000.0 + 60, 1800) is None
    assert auth.check_session(signed, "xyz", 1001.0, 1800) == "replay"
    assert auth.check_session(signed, None, 1001.0, 1800) == "replay"
    assert auth.check_session(signed, "abc", 1000.0 + 1801, 1800) == "idle"


def test_idle_minutes_from_secrets_or_environment():
    assert auth.idle_seconds({}, {}) == 30 * 60
    assert auth.idle_seconds({"idle_minutes": 5}, {}) == 300
    assert auth.idle_seconds({}, {"TRYGGHET_IDLE_MINUTES": "10"}) == 600
    assert auth.idle_seconds({"idle_minutes": "x"}, {}) == 30 * 60


def test_client_address_trusts_only_the_proxys_own_entry():
    forwarded = {"X-Forwarded-For": "1.2.3.4, 198.51.100.7"}
    assert auth.client_address(None, forwarded) == "198.51.100.7"  # via the local proxy
    assert auth.client_address("203.0.113.9", forwarded) == "203.0.113.9"  # direct
    assert auth.client_address(None, {}) == auth.UNKNOWN_CLIENT


# --- OIDC ----------------------------------------------------------------------------------------


def test_oidc_needs_an_allow_list_a_verified_address_and_matches_without_case():
    user = {"email": "Anna.Berg@Hallsberg.se", "email_verified": True, "name": "Anna Berg"}
    assert auth.oidc_verdict(user, None, None) == (None, "no_allow_list")
    account, reason = auth.oidc_verdict(user, ["anna.berg@hallsberg.se"], None)
    assert reason == "ok" and account.name == "Anna Berg" and account.is_analyst
    assert auth.oidc_verdict(user, None, ["HALLSBERG.SE"])[1] == "ok"
    assert auth.oidc_verdict(user, None, "@hallsberg.se")[1] == "ok"  # one string is a list
    assert auth.oidc_verdict(user, ["annan@hallsberg.se"], ["kumla.se"])[1] == "not_allowed"
    unverified = {**user, "email_verified": False}
    assert auth.oidc_verdict(unverified, None, ["hallsberg.se"])[1] == "unverified"
    missing = {k: v for k, v in user.items() if k != "email_verified"}
    assert auth.oidc_verdict(missing, None, ["hallsberg.se"])[1] == "unverified"
    # A look-alike domain is no match: the whole domain after '@' is compared.
    evil = {**user, "email": "anna@evilhallsberg.se"}
    assert auth.oidc_verdict(evil, None, ["hallsberg.se"])[1] == "not_allowed"


# --- through the app (AppTest) -------------------------------------------------------------------


def _texts(at) -> list[str]:
    """Every string the page shows: text elements, expanders' labels and table cells."""
    out = []
    for kind in ("markdown", "caption", "text", "info", "warning", "error", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [str(e.label) for e in at.expander]
    for frame in at.dataframe:
        out += list(map(str, frame.value.columns))
        out += [str(v) for v in frame.value.to_numpy().ravel()]
    return out


def test_a_public_page_shows_no_sign_in_set_up_and_no_import_traces(open_app):
    from lib.config import load_municipality
    from lib.ingest.loading import import_bytes
    from lib.store.store import Store
    from tests.conftest import FIXTURES

    at = open_app("pages/om.py")
    data = (FIXTURES / "excel_cp1252.csv").read_bytes()
    done = import_bytes(
        Store(), data, None, load_municipality(), "hemlig-fil-2024.csv", user="Hemlig Persson"
    )
    assert done.ok
    at.run()
    assert not at.exception
    log = Store().import_log()
    assert "Hemlig Persson" in set(log["user"])
    shown = "\n".join(_texts(at))
    for file_name in log["file_name"]:
        assert file_name not in shown
    assert "Hemlig Persson" not in shown
    assert "hemlig-fil" not in shown and "excel_cp1252" not in shown
    assert not any("Rader" in frame.value.columns for frame in at.dataframe)
    # No sign-in is configured: no page's sidebar has a sign-in box or set-up hints.
    at.switch_page("pages/oversikt.py").run()
    shown = "\n".join(_texts(at))
    assert "secrets.toml" not in shown and "hash-password" not in shown
    assert "inte aktiverad" not in shown
    assert not any(e.label == "Inloggning" for e in at.sidebar.expander)


def test_a_configured_sign_in_shows_no_set_up_hints_either(open_app):
    at = open_app("pages/data.py", password=PASSWORD)
    shown = "\n".join(_texts(at))
    assert any(e.label == "Inloggning" for e in at.sidebar.expander)
    assert "secrets.toml" not in shown and "[analyst]" not in shown


def test_wrong_passwords_lock_out_and_the_analyst_reads_it_in_the_log(open_app):
    from tests.conftest import analyst_sign_in

    at = open_app("pages/data.py", password=PASSWORD)
    for _ in range(4):
        analyst_sign_in(at, "fel lösenord här")
    assert any("För många misslyckade försök" in e.value for e in at.sidebar.error)
    analyst_sign_in(at, PASSWORD)  # locked: even the right one is refused now
    assert not any("Inloggad som" in m.value for m in at.sidebar.markdown)
    Accounts(_app_store()).unlock("Testanalytiker", by="test")
    analyst_sign_in(at, PASSWORD)
    assert any("Inloggad som Testanalytiker" in m.value for m in at.sidebar.markdown)
    at.switch_page("pages/om.py").run()
    admin = next(e for e in at.expander if e.label == "Konton och inloggningslogg")
    log = next(f.value for f in admin.dataframe if "Händelse" in f.value.columns)
    assert {"misslyckat försök", "spärrad", "försök under spärr", "inloggad"} <= set(
        log["Händelse"]
    )


def _app_store():
    from lib.store.store import Store

    return Store()  # the app's TRYGGHET_DB (set by open_app)


def test_an_analyst_creates_an_account_that_must_change_its_password(open_app):

    at = open_app("pages/data.py", password=PASSWORD, sign_in=True)
    at.switch_page("pages/om.py").run()
    admin = next(e for e in at.expander if e.label == "Konton och inloggningslogg")
    admin.text_input[0].input("Kim Ek")
    admin.selectbox[0].set_value("reporter")
    admin.text_input[1].input("Fritid")
    next(b for b in admin.button if b.label == "Skapa konto").click().run()
    assert not at.exception
    temporary = at.code[0].value
    assert len(temporary) >= 12
    found = Accounts(_app_store()).find("kim ek")
    assert found[0].role == "reporter" and found[0].must_change and found[0].service == "Fritid"

    # Kim signs in elsewhere: a name field appears now that accounts exist.
    kim = open_app("pages/data.py", password=PASSWORD)
    kim.sidebar.text_input[0].input("Kim Ek")
    analyst_sign_in_with_name(kim, temporary)
    assert any("Byt lösenord" in w.value for w in kim.sidebar.warning)
    inputs = kim.sidebar.text_input
    inputs[0].input(temporary)
    inputs[1].input("ett nytt långt lösenord")
    inputs[2].input("ett nytt långt lösenord")
    next(b for b in kim.sidebar.button if b.label == "Byt lösenord").click().run()
    assert not kim.exception
    assert not kim.sidebar.warning
    assert any("Inloggad som Kim Ek" in m.value for m in kim.sidebar.markdown)
    # A reporter is no analyst: no import log, no admin.
    assert any("Logga in som analytiker" in i.value for i in kim.info)
    kim.switch_page("pages/om.py").run()
    assert not any(e.label == "Konton och inloggningslogg" for e in kim.expander)
    assert not Accounts(_app_store()).find("Kim Ek")[0].must_change


def analyst_sign_in_with_name(at, password):
    at.sidebar.text_input[1].input(password)
    next(b for b in at.sidebar.button if b.label == "Logga in").click().run()
    return at


def test_idle_sign_in_is_dropped(open_app, monkeypatch):
    at = open_app("pages/data.py", password=PASSWORD, sign_in=True)
    assert any("Inloggad som" in m.value for m in at.sidebar.markdown)
    signed = at.session_state["_konto"]
    signed.last_seen -= 31 * 60
    at.run()
    assert not any("Inloggad som" in m.value for m in at.sidebar.markdown)
    assert Accounts(_app_store()).log_frame()["event"][0] == "idle"


def test_sign_out(open_app):
    at = open_app("pages/data.py", password=PASSWORD, sign_in=True)
    next(b for b in at.sidebar.button if b.label == "Logga ut").click().run()
    assert not any("Inloggad som" in m.value for m in at.sidebar.markdown)
    assert Accounts(_app_store()).log_frame()["event"][0] == "sign_out"


def test_cli_adds_lists_and_unlocks_accounts(tmp_path):
    import os
    import subprocess
    import sys

    from lib.store.store import Store
    from tests.conftest import ROOT

    db = tmp_path / "cli.db"

    def cli(*args, stdin=""):
        env = {**os.environ, "TRYGGHET_DB": str(db)}
        command = [sys.executable, "-m", "lib.cli", "--db", str(db), *args]
        return subprocess.run(
            command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=60
        )

    added = cli("user", "add", "Anna Berg", "--role", "analyst", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "Kontot Anna Berg (analytiker) är skapat" in added.stdout
    assert cli("user", "add", "anna berg", stdin=PASSWORD + "\n").returncode == 2
    short = cli("user", "add", "Bo", stdin="kort\n")
    assert short.returncode == 2 and "minst 12 tecken" in short.stderr
    listed = cli("user", "list")
    assert "Anna Berg;analyst;;True" in listed.stdout
    accounts = Accounts(Store(str(db)))
    assert accounts.sign_in("Anna Berg", PASSWORD, "c").account.must_change
    for _ in range(5):
        accounts.sign_in("Anna Berg", "fel", "c")
    assert accounts.wait_seconds("Anna Berg", "d") > 0
    assert cli("user", "unlock", "Anna Berg").returncode == 0
    assert accounts.wait_seconds("Anna Berg", "d") == 0
    log = cli("user", "log")
    assert log.returncode == 0 and "account_created;Anna Berg" in log.stdout
    assert cli("user", "remove", "Okänd").returncode == 2


def test_the_data_page_without_sign_in_gives_no_set_up_instructions(open_app):
    at = open_app("pages/data.py")
    shown = "\n".join(_texts(at))
    assert "inte aktiverad" in shown  # it says why nothing can be done here ...
    for detail in ("secrets.toml", "hash-password", "[analyst]", "password_hash", "OIDC"):
        assert detail not in shown, detail  # ... and not how to change that
