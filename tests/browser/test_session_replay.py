"""The attack from issue 16, replayed: a signed-in analyst's session id leaks (it is part of
every upload URL, so it lands in proxy logs) and another browser reconnects with it. That
browser must be a viewer, and the attempt must be in the audit log."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib.auth import Accounts
from lib.passwords import MIN_ITERATIONS, hash_password
from lib.store.store import Store
from tests.browser.conftest import PAGE_TIMEOUT_MS, run_server, sign_in_as_analyst
from tests.browser.test_pages import wait_until_rendered

pytestmark = pytest.mark.browser

PASSWORD = "ett långt lösenord för replay"
UPLOAD = "/_stcore/upload_file/"

# Streamlit's frontend passes an existing session id as the third websocket subprotocol
# entry when it reconnects; the attacker's browser sends the stolen one on its first connect.
STEAL = """
(() => {
  const Original = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    if (Array.isArray(protocols)) {
      protocols = [protocols[0], protocols[1] || "", "%s"];
    }
    return new Original(url, protocols);
  };
  window.WebSocket.prototype = Original.prototype;
  Object.assign(window.WebSocket, Original);
})();
"""


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("replay")
    secrets = workdir / "secrets.toml"
    hashed = hash_password(PASSWORD, MIN_ITERATIONS)
    secrets.write_text(f'[analyst]\nname = "Testanalytiker"\npassword_hash = "{hashed}"\n')
    with run_server(workdir, secrets) as url:
        yield url, workdir / "trygghet.db"


def _open(browser, url: str, script: str | None = None):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
    if script:
        context.add_init_script(script)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(url + "/data")
    wait_until_rendered(page, "Data")
    return context, page


def test_a_replayed_session_id_gets_a_viewer(browser, server, tmp_path):
    url, db = server
    victim_context, victim = _open(browser, url)
    uploads: list[str] = []
    victim.on("request", lambda r: uploads.append(r.url) if UPLOAD in r.url else None)
    sign_in_as_analyst(victim, PASSWORD)
    wait_until_rendered(victim, "Data")
    csv = tmp_path / "liten.csv"
    csv.write_text("datum;kategori;ort\n2019-03-05;Klotter;Hallsberg\n", encoding="utf-8")
    victim.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(csv))
    for _ in range(120):
        if uploads:
            break
        victim.wait_for_timeout(250)
    assert uploads, "the upload request (with the session id in its URL) was not seen"
    session_id = uploads[0].split(UPLOAD, 1)[1].split("/")[0]
    assert len(session_id) >= 16

    attacker_context, attacker = _open(browser, url, STEAL % session_id)
    try:
        expect(attacker.get_by_text("Logga in som analytiker")).to_be_visible()
        assert attacker.get_by_text("Inloggad som Testanalytiker").count() == 0
        assert attacker.get_by_role("button", name="Logga ut").count() == 0
        log = Accounts(Store(str(db))).log_frame()
        # The server did hand the attacker the victim's session, and the binding caught it.
        assert "replay" in set(log["event"]), list(log["event"])
    finally:
        attacker_context.close()
        victim_context.close()
