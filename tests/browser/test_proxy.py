"""deploy/nginx.conf in front of the real app: the headers arrive and the map page still draws
under the Content-Security-Policy, with no CSP violation; with two app processes, two browsers
land on one each and an analyst's upload reaches the process that holds the session. Skipped
where nginx is not installed, except under CI=true (``.ci/run`` installs it), where that
fails."""

from __future__ import annotations

import urllib.request

import pytest

from tests.test_headers_doc import (
    HEADERS,
    _free_port,
    local_config,
    nginx_or_skip,
    running_nginx,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def proxied(browser, tmp_path_factory):
    from tests.browser.conftest import run_server

    nginx_or_skip()
    workdir = tmp_path_factory.mktemp("proxy")
    with run_server(workdir) as app_url:
        port = _free_port()
        conf = local_config(int(app_url.rsplit(":", 1)[1]), port, workdir)
        with running_nginx(conf, port) as url:
            yield url


def test_nginx_sends_the_headers_and_the_app_still_draws(proxied, browser):
    from tests.browser.test_pages import wait_until_rendered

    with urllib.request.urlopen(proxied + "/", timeout=30) as response:
        got = {k.lower(): v for k, v in response.headers.items()}
    for name, parts in HEADERS.items():
        assert all(part in got.get(name, "") for part in parts), (name, got.get(name))
    context = browser.new_context(locale="sv-SE")
    try:
        page = context.new_page()
        page.set_default_timeout(90_000)
        refused: list[str] = []
        page.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(proxied + "/karta?bakgrund=av")
        wait_until_rendered(page, "Karta")
        frame = page.frame_locator("iframe[src*='streamlit_folium']").first
        frame.locator(".leaflet-overlay-pane path.trygghet-cell").first.wait_for(state="attached")
        assert page.locator("[data-testid='stException']").count() == 0
        assert refused == [], refused
    finally:
        context.close()


def test_two_processes_each_take_a_browser_and_an_upload_reaches_its_session(
    browser, tmp_path_factory
):
    """The set-up bench/load.py measures: two app processes behind the shipped file (its
    "#2" lines in use). Two new browsers land on one process each; in the second, an analyst
    signs in and uploads a file, which must reach the process holding that session (another
    process does not know the session and refuses the upload)."""
    from playwright.sync_api import expect

    from bench.load import proxy_config
    from lib.passwords import MIN_ITERATIONS, hash_password
    from tests.browser.conftest import ANALYST_PASSWORD, run_server, sign_in_as_analyst
    from tests.browser.test_pages import assert_no_exception, metric_value, wait_until_rendered

    nginx_or_skip()
    root = tmp_path_factory.mktemp("two-processes")
    secrets = root / "secrets.toml"
    hashed = hash_password(ANALYST_PASSWORD, MIN_ITERATIONS)
    secrets.write_text(f'[analyst]\nname = "Testanalytiker"\npassword_hash = "{hashed}"\n')
    (root / "a").mkdir()
    (root / "b").mkdir()
    with (
        run_server(root / "a", secrets) as first,
        run_server(root / "b", secrets) as second,
    ):
        ports = [int(u.rsplit(":", 1)[1]) for u in (first, second)]
        port = _free_port()
        conf = proxy_config(ports, port, root, limits=True, access_log=root / "a.log")
        with running_nginx(conf, port) as url:
            contexts = [browser.new_context(locale="sv-SE") for _ in range(2)]
            try:
                pages = []
                for context in contexts:
                    page = context.new_page()
                    page.set_default_timeout(90_000)
                    page.goto(url + "/data")
                    wait_until_rendered(page, "Data")
                    pages.append(page)
                pinned = [
                    {c["name"]: c["value"] for c in context.cookies()}.get("trygghet_proc")
                    for context in contexts
                ]
                assert sorted(pinned) == ["p1", "p2"], pinned
                page = pages[1]
                sign_in_as_analyst(page)
                wait_until_rendered(page, "Data")
                csv = root / "export.csv"
                rows = [
                    "datum;kategori;ort;källa",
                    "2019-03-05 22:15;Skadegörelse;Hallsberg;Polisen",
                ]
                csv.write_bytes("\r\n".join([*rows, ""]).encode("cp1252"))
                uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")
                uploader.set_input_files(str(csv))
                expect(page.get_by_text("Kontroll före import")).to_be_visible()
                expect(metric_value(page, "Rader med fel")).to_have_text("0")
                assert_no_exception(page)
                assert {c["name"]: c["value"] for c in contexts[1].cookies()}[
                    "trygghet_proc"
                ] == pinned[1]
            finally:
                for context in contexts:
                    context.close()
