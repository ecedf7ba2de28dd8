"""Screenshots of every page, to look at (issue 21): for each store state (built as the state
matrix builds it, tests/test_state_matrix.py) a server is started and every page is opened
at 1920 × 1080, 1366 × 768 and 390 × 844, as a viewer and as a signed-in analyst (the pages
only analysts have, and the data page, as the analyst only); the BRÅ page's PDF is saved and
rendered to PNG with poppler's ``pdftoppm`` where it is installed. Not a test (it asserts
nothing beyond "no exception on the page"): a way to look.

    python -m tests.browser.screens --out /tmp/screens --states demo police+report
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = ((1920, 1080), (1366, 768), (390, 844))
PUBLIC = ("", "utveckling", "karta", "medborgarloftet", "jamforelse", "mote", "om", "rapportera")
ANALYSTS = ("data", "arenden", "veckolage")
# A signed-in analyst moves through the navigation (a reload is a new session, signed out).
NAV = {"data": "page.data", "arenden": "page.cases", "veckolage": "page.weekly"}
NAV |= {"mote": "page.meeting"}
ROLES = (("publik", PUBLIC), ("analytiker", (*ANALYSTS, "mote")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("tests/artifacts/screens"))
    parser.add_argument("--states", nargs="+", default=["demo", "police+report"])
    parser.add_argument("--sizes", nargs="+", default=[f"{w}x{h}" for w, h in SIZES])
    parser.add_argument("--roles", nargs="+", default=[r for r, _ in ROLES])
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes]

    from playwright.sync_api import sync_playwright

    from lib.i18n import t
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, run_server
    from tests.browser.test_pages import screenshot, wait_until_rendered
    from tests.test_state_matrix import ANALYST, PASSWORD, build

    def go_to(page, name: str) -> None:
        sidebar = page.get_by_test_id("stSidebar")
        if not sidebar.is_visible():  # a phone: the sidebar is folded away
            page.get_by_test_id("stExpandSidebarButton").click()
        sidebar.get_by_role("link", name=name).click()
        if page.viewport_size["width"] < 640:  # a phone: fold the sidebar away again
            fold = page.get_by_test_id("stSidebarCollapseButton").locator("button")
            if fold.count() and fold.first.is_visible():
                fold.first.click()

    def sign_in(page) -> None:
        sidebar = page.get_by_test_id("stSidebar")
        if not sidebar.is_visible():  # a phone: the sidebar is folded away
            page.get_by_test_id("stExpandSidebarButton").click()
        sidebar.get_by_text("Inloggning", exact=True).click()
        sidebar.get_by_label("Namn").fill(ANALYST)
        sidebar.get_by_label("Lösenord", exact=True).fill(PASSWORD)
        sidebar.get_by_role("button", name="Logga in").click()
        sidebar.get_by_text("Analytiker", exact=True).wait_for()
        wait_until_rendered(page, None)

    args.out.mkdir(parents=True, exist_ok=True)
    failures = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for name in args.states:
            tmp = Path(tempfile.mkdtemp(prefix=f"screens-{name.replace('+', '-')}-"))
            state = build(name, tmp)
            query = "&".join(f"{k}={v}" for k, v in state.query.items())
            env_before = {k: _env(k) for k in state.env}
            _set_env(state.env)
            try:
                with run_server(tmp) as url:
                    for width, height in sizes:
                        for role, paths in [r for r in ROLES if r[0] in args.roles]:
                            context = browser.new_context(
                                viewport={"width": width, "height": height}, locale="sv-SE"
                            )
                            page = context.new_page()
                            page.set_default_timeout(120_000)
                            page.goto(url + (f"/?{query}" if query else "/"))
                            wait_until_rendered(page, None)
                            if role == "analytiker":
                                sign_in(page)
                            for path in paths:
                                if role == "analytiker":
                                    go_to(page, t(NAV[path]))
                                else:
                                    page.goto(f"{url}/{path}" + (f"?{query}" if query else ""))
                                wait_until_rendered(page, None)
                                if page.locator("[data-testid='stException']").count():
                                    failures.append(f"{name} {role} /{path} {width}x{height}")
                                label = path or "oversikt"
                                file = args.out / f"{name}-{role}-{label}-{width}x{height}.png"
                                screenshot(page, file)
                                print(file)
                            if role == "publik" and (width, height) == sizes[0]:  # once
                                _pdf(page, url, query, args.out / f"{name}-lagesbild")
                            context.close()
            finally:
                _set_env(env_before)
                shutil.rmtree(tmp, ignore_errors=True)
        browser.close()
    for failure in failures:
        print("exception on", failure, file=sys.stderr)
    return 1 if failures else 0


def _env(key: str) -> str | None:
    import os

    return os.environ.get(key)


def _set_env(values: dict) -> None:
    import os

    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _pdf(page, url: str, query: str, stem: Path) -> None:
    """The BRÅ page's PDF, saved and rendered page by page to PNG (where pdftoppm is)."""
    from lib.i18n import t

    page.goto(f"{url}/mote" + (f"?{query}" if query else ""))
    page.locator("h1").first.wait_for(state="visible")
    with page.expect_download() as download:
        page.get_by_role("button", name=t("meeting.download_pdf")).click()
    pdf = stem.with_suffix(".pdf")
    download.value.save_as(str(pdf))
    print(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(stem)], check=True)


if __name__ == "__main__":
    sys.exit(main())
