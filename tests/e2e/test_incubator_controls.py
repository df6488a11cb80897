"""Every scripted control of the incubator, with JavaScript on and off; nothing typed is lost; phone width."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.incubator.factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["js", "nojs"])
def tab(request, browser, live_server, app, db):
    """A page with JavaScript on, then the same test with JavaScript off."""
    app.config["WTF_CSRF_ENABLED"] = True
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900},
                                  java_script_enabled=request.param == "js")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js = request.param == "js"
    yield page
    context.close()
    app.config["WTF_CSRF_ENABLED"] = False
    assert errors == [], f"JavaScript errors in the page: {errors}"


def test_bulk_assignment(tab, db, factories):
    from club.incubator.models import Review

    staff = factories.UserFactory(email="staff@club.example", name="Salma")
    partner = factories.UserFactory(partner=True, name="Karim Partenaire", email="karim@firo.example")
    call = CallFactory()
    picked = [ApplicationFactory(call=call) for _ in range(3)]
    other = ApplicationFactory(call=call)
    sign_in(tab, staff.email, PASSWORD)
    tab.goto(f"/incubator/calls/{call.id}/applications")
    for a in picked:  # tick first, then choose the reviewer, as a secretary does
        tab.locator(f"#pick-{a.id}").check()
    tab.get_by_label("Évaluateur").select_option(label=f"{partner.name} ({partner.organization.name})")
    if tab.js:
        tab.wait_for_timeout(600)  # give a stray filter request (delay 300 ms) its chance to wipe the ticks
    tab.get_by_role("button", name="Affecter aux candidatures cochées").click()
    tab.get_by_text("affecté").first.wait_for()
    db.session.expire_all()
    assigned = set(db.session.scalars(sa.select(Review.application_id).where(Review.reviewer_id == partner.id)))
    assert assigned == {a.id for a in picked}
    assert other.id not in assigned
