"""`make run`'s promise, in Chromium with a real worker: a newcomer registers, and the confirmation email is on
the secretariat's outbox page within seconds, readable and marked "not sent (development)"."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.core.test_jobs_reliability import workers  # noqa: F401 (a fixture)
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.serial]


def test_a_confirmation_email_appears_on_the_outbox_page_within_seconds(page, demo_world, workers,  # noqa: F811
                                                                        browser, live_server):
    workers.start(MAIL_SERVER="")  # development: no mail server, messages are kept in the outbox
    page.goto("/auth/register")
    page.get_by_label("Nom complet").fill("Yasmine Benali")
    page.get_by_label("Adresse email").fill("yasmine@startup.example")
    page.locator("#password").fill("a long passphrase ok")
    page.locator("#confirm").fill("a long passphrase ok")
    page.locator("#confirm").press("Enter")
    page.wait_for_load_state("networkidle")
    registered = time.monotonic()
    secretariat = browser.new_page(base_url=live_server, locale="fr-FR")
    try:
        sign_in(secretariat, "secretariat@club.example")
        row = secretariat.locator("tbody tr", has_text="yasmine@startup.example")
        while time.monotonic() - registered < 10:
            secretariat.goto("/admin/outbox")
            if "Non envoyé (développement)" in (row.inner_text() if row.count() else ""):
                break
            time.sleep(0.5)
        expect(row).to_contain_text("Non envoyé (développement)")
        assert time.monotonic() - registered < 10
        expect(secretariat.get_by_text("Processus d’arrière-plan vu pour la dernière fois")).to_be_visible()
        row.get_by_role("link").click()
        expect(secretariat.get_by_text("/auth/confirm/")).to_be_visible()
        expect(secretariat.locator("iframe[title='Version HTML du message']")).to_be_visible()
    finally:
        secretariat.close()
