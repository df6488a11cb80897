"""Every incubator page a role can reach by its links fits a 390 px screen; wide tables scroll in a focusable region."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

SKIP = ("/decks/", "/deck", ".csv", ".xlsx", ".pdf", "/auth/logout")


def _links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/incubator/"):
            continue
        if any(s in parts.path for s in SKIP):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _walk(page, start: list[str], limit: int = 40) -> list[str]:
    """Breadth-first over the incubator links the pages show, from ``start``."""
    seen: list[str] = []
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        response = page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} is {width[0]} px wide on a {width[1]} px screen"
        regions = page.eval_on_selector_all(
            ".table-responsive", "els => els.map(e => [e.getAttribute('tabindex'), e.getAttribute('role'),"
                                 " e.getAttribute('aria-label')])")
        for tabindex, role, label in regions:
            assert (tabindex, role) == ("0", "region") and label, (path, tabindex, role, label)
        queue += [link for link in _links(page) if link not in seen]
    return seen


def _ids(db):
    from club.auth.models import User
    from club.incubator.models import Application, Call, Review

    call_id = db.session.scalar(sa.select(Call.id))
    application_id = db.session.scalar(sa.select(Application.id).join(User, User.id == Application.applicant_id)
                                       .where(User.email == "founder@startup.example"))
    review_id = db.session.scalar(sa.select(Review.id).join(User, User.id == Review.reviewer_id)
                                  .where(User.email == "partner@firo.example", Review.has_conflict.is_(False)))
    return call_id, application_id, review_id


@pytest.fixture()
def phone(browser, live_server, app, db):
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_every_incubator_page_fits_a_phone(phone, demo_world):
    """Found: an application page was 757 px wide on a 390 px screen."""
    call_id, application_id, review_id = _ids(demo_world)
    visited = _walk(phone, ["/incubator/", f"/incubator/calls/{call_id}"])
    assert f"/incubator/calls/{call_id}" in visited
    sign_in(phone, "secretariat@club.example")
    visited = _walk(phone, ["/incubator/", f"/incubator/calls/{call_id}/applications",
                            f"/incubator/applications/{application_id}",
                            f"/incubator/applications/{application_id}/move?to_status=interview",
                            f"/incubator/calls/{call_id}/second-round", "/incubator/calls/new"], limit=60)
    assert f"/incubator/applications/{application_id}" in visited and len(visited) > 10
    phone.context.clear_cookies()
    sign_in(phone, "partner@firo.example")
    assert f"/incubator/reviews/{review_id}" in _walk(phone, ["/incubator/", f"/incubator/reviews/{review_id}"])
    phone.context.clear_cookies()
    sign_in(phone, "founder@startup.example")
    _walk(phone, ["/incubator/", f"/incubator/applications/{application_id}"])


def test_the_draft_form_fits_a_phone(phone, db, factories):
    from tests.factories import PASSWORD
    from tests.incubator.factories import ApplicationFactory

    founder = factories.UserFactory(applicant=True, email="draft@startup.example")
    application = ApplicationFactory(applicant=founder, draft=True, startup_name="Un nom de startup " * 8)
    sign_in(phone, "draft@startup.example", PASSWORD)
    _walk(phone, [f"/incubator/applications/{application.id}/edit"], limit=5)
