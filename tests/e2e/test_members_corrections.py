"""A member records more jobs than announced (asked to confirm first), then corrects the report; with
JavaScript on (htmx swaps the section) and off (whole pages)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_member_confirms_an_excess_then_corrects_the_report(browser, live_server, app, demo_world, javascript):
    from club.members.models import JobCommitment, JobReport, Organization

    db = demo_world
    saccom = db.session.scalar(sa.select(Organization).where(Organization.name == "Saccom"))
    commitment = db.session.scalar(sa.select(JobCommitment).where(JobCommitment.organization_id == saccom.id)
                                   .order_by(JobCommitment.id))
    excess = commitment.jobs_announced + 500
    app.config["WTF_CSRF_ENABLED"] = True
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=javascript,
                                  viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/auth/login")
        page.get_by_label("Email").fill("contact@saccom.example")
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.goto(f"/members/{saccom.id}#jobs")
        box = page.locator(f"#commitment-{commitment.id}")
        box.locator("summary").click()
        form = box.locator("form[action*='/reports']")
        form.locator("input[type='date']").fill(date.today().isoformat())
        form.locator("input[name$='-jobs_created']").fill(str(excess))
        form.get_by_role("button", name="Enregistrer le point").click()
        box = page.locator(f"#commitment-{commitment.id}")
        expect(box).to_contain_text("cochez la case ci-dessous pour confirmer")
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(JobReport)
                                 .where(JobReport.jobs_created == excess)) == 0
        form = box.locator("form[action*='/reports']")
        expect(form.locator("input[name$='-jobs_created']")).to_have_value(str(excess))  # kept
        form.get_by_label("Oui, plus d’emplois ont été créés qu’annoncés").check()
        form.get_by_role("button", name="Enregistrer le point").click()
        expect(page.locator(f"#commitment-{commitment.id} table")).to_contain_text(
            f"{excess:,}".replace(",", "\u202f"))
        # correct it: the edit page, then back to the organisation page
        page.locator(f"#commitment-{commitment.id} table").get_by_role("link", name="Corriger").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Corriger un point d’emplois")
        page.locator("input[name='report-jobs_created']").fill(str(excess - 1))
        page.get_by_role("button", name="Enregistrer la correction").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Saccom")
        db.session.expire_all()
        assert db.session.scalar(sa.select(JobCommitment.jobs_created).where(JobCommitment.id == commitment.id)) \
            == excess - 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        context.close()
        app.config["WTF_CSRF_ENABLED"] = False
