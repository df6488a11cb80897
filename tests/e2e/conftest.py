"""Browser tests: the app served on loopback by a real server, driven by Playwright in Debian's Chromium.

Without /usr/bin/chromium the tests are skipped with a message; with CLUB_REQUIRE_BROWSER=1 (set by
.ci/run) a missing browser fails them instead. ``playwright install`` is never called. The live server
(``live_server``) is in tests/conftest.py, shared with the HTTP-level checks.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "club-demo"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: browser tests skipped (apt-get install chromium)"
        if os.environ.get("CLUB_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"],
        )
        yield instance
        instance.close()


@pytest.fixture()
def page(browser, live_server, app, db):
    """A fresh browser page on the live server, CSRF protection on as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield tab
    context.close()
    app.config["WTF_CSRF_ENABLED"] = False
    assert errors == [], f"JavaScript errors in the page: {errors}"


def open_tab(browser, live_server, app, *, js: bool = True, width: int = 1280):
    """A page on the live server, CSRF on, JavaScript on or off (``page.js`` says which); yields it, then checks
    no script failed. A refused form answers 422 or 409 on purpose: Chromium and htmx (which swaps it in) log
    that status, which is no script error."""
    app.config["WTF_CSRF_ENABLED"] = True
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": width, "height": 900},
                                  java_script_enabled=js)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and not msg.text.startswith(
        ("Failed to load resource: the server responded with a status of 4", "Response Status Error Code 4"))
        else None)
    page.js = js
    yield page
    context.close()
    app.config["WTF_CSRF_ENABLED"] = False
    assert errors == [], f"JavaScript errors in the page: {errors}"


@pytest.fixture(params=["js-on", "js-off"])
def tab(request, browser, live_server, app, db):
    """The same test with JavaScript on, then off (``tab.js`` says which)."""
    yield from open_tab(browser, live_server, app, js=request.param == "js-on")


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")


AXE = Path(__file__).with_name("vendor") / "axe-4.11.0.min.js"


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """Run axe-core (vendored from npm) on the current page; WCAG 2.x A/AA rules, serious and critical only.

    The script is evaluated through the DevTools protocol, so the page's CSP is not weakened.
    """
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"] if v["impact"] in impacts
    ]


def wait_for_the_board(page) -> None:
    """Every column of the deals board is draggable once deals.js has set it up: on a loaded machine, later than
    the page's load event."""
    from playwright.sync_api import expect

    expect(page.locator('.deal-cards:not([data-sortable="on"])')).to_have_count(0)
