"""The incubator's pages pass axe-core (WCAG 2.x A/AA, serious and critical)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture()
def page(browser, live_server, app, db):
    """The usual page, except that a refused form's 422 (logged by Chromium) is no script error."""
    from tests.e2e.conftest import open_tab

    yield from open_tab(browser, live_server, app)


def _ids(db):
    from club.auth.models import User
    from club.incubator.models import Application, Call, Review

    call_id = db.session.scalar(sa.select(Call.id))
    application_id = db.session.scalar(sa.select(Application.id).join(User, User.id == Application.applicant_id)
                                       .where(User.email == "founder@startup.example"))
    review_id = db.session.scalar(sa.select(Review.id).join(User, User.id == Review.reviewer_id)
                                  .where(User.email == "partner@firo.example", Review.has_conflict.is_(False)))
    return call_id, application_id, review_id


def test_incubator_pages_pass_axe(page, demo_world):
    call_id, application_id, review_id = _ids(demo_world)
    for path in ("/incubator/", f"/incubator/calls/{call_id}"):
        page.goto(path)
        assert axe_violations(page) == [], path
    sign_in(page, "secretariat@club.example")
    for path in (f"/incubator/calls/{call_id}/applications", f"/incubator/calls/{call_id}/ranking",
                 f"/incubator/calls/{call_id}/cohort", f"/incubator/applications/{application_id}",
                 f"/incubator/applications/{application_id}/move?to_status=interview",
                 f"/incubator/calls/{call_id}/edit", "/incubator/calls/new"):
        page.goto(path)
        assert axe_violations(page) == [], path
    page.context.clear_cookies()
    sign_in(page, "partner@firo.example")
    page.goto(f"/incubator/reviews/{review_id}")
    assert axe_violations(page) == []
    page.context.clear_cookies()
    sign_in(page, "founder@startup.example")
    page.goto(f"/incubator/applications/{application_id}")
    assert axe_violations(page) == []


def test_applicant_edit_page_passes_axe(page, db, factories):
    from tests.factories import PASSWORD
    from tests.incubator.factories import ApplicationFactory

    founder = factories.UserFactory(applicant=True, email="draft@startup.example")
    application = ApplicationFactory(applicant=founder, draft=True)
    sign_in(page, "draft@startup.example", PASSWORD)
    page.goto(f"/incubator/applications/{application.id}/edit")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Soumettre ma candidature").click()  # missing consent: errors shown
    page.get_by_text("Pour soumettre, complétez").wait_for()
    assert axe_violations(page) == []
