"""One visibility rule per model: for every role, what the list queries (and list pages) return is exactly what
the detail pages open, on the demo world plus an applicant and a member of other organisations."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from club.auth.models import User
from club.extensions import db
from club.incubator import queries
from club.incubator.models import Application, Call, Review, Status
from club.models import utcnow
from club.permissions import get_visible_or_404, is_visible, visible
from tests.incubator.factories import ApplicationFactory, CallFactory, ReviewFactory

ROLES = ("secretariat", "partner assigned", "partner not assigned", "applicant owner", "another applicant",
         "member", "member of another organisation")


@pytest.fixture()
def world(demo_world, factories):
    """The demo world, a closed and a future call (the founder applied to the closed one), and users who see
    nothing of it: a partner assigned nowhere, an applicant and a member of other organisations."""
    founder = db.session.scalar(sa.select(User).where(User.email == "founder@startup.example"))
    closed = CallFactory(title="Appel clos", opens_at=utcnow() - timedelta(days=60),
                         closes_at=utcnow() - timedelta(days=30))
    CallFactory(title="Appel à venir", opens_at=utcnow() + timedelta(days=5), closes_at=utcnow() + timedelta(days=50))
    ApplicationFactory(call=closed, applicant=founder, status=Status.REJECTED)
    other_org = factories.OrganizationFactory(name="Autre Organisation")
    users = {
        "secretariat": db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example")),
        "partner assigned": db.session.scalar(sa.select(User).where(User.email == "partner@firo.example")),
        "partner not assigned": factories.UserFactory(partner=True),
        "applicant owner": founder,
        "another applicant": factories.UserFactory(applicant=True, organization=other_org),
        "member": db.session.scalar(sa.select(User).where(User.email == "contact@saccom.example")),
        "member of another organisation": factories.UserFactory(member=True, organization=other_org),
    }
    db.session.commit()
    return users


def _ids(model) -> list[int]:
    return list(db.session.scalars(sa.select(model.id).order_by(model.id)))


def _by_rule(model, user) -> set[int]:
    return set(db.session.scalars(sa.select(model.id).where(visible(model, user))))


def _opened(client, url_for_id, ids) -> set[int]:
    opened = set()
    for ident in ids:
        response = client.get(url_for_id(ident), follow_redirects=True)
        assert response.status_code in (200, 404), (url_for_id(ident), response.status_code)
        if response.status_code == 200:
            opened.add(ident)
    return opened


def _agrees_in_python(model, user, shown: set[int]) -> None:
    """``is_visible`` (a loaded object) and ``get_visible_or_404`` answer as the rule does."""
    from werkzeug.exceptions import NotFound

    for obj in db.session.scalars(sa.select(model)):
        assert is_visible(obj, user) == (obj.id in shown), (model.__name__, obj.id)
        try:
            get_visible_or_404(model, obj.id, user)
        except NotFound:
            assert obj.id not in shown
        else:
            assert obj.id in shown


def test_applications_listed_are_the_applications_opened(app, world, login_as):
    for role in ROLES:
        _applications_agree(app, world[role], role, login_as)


def _applications_agree(app, user, role, login_as):
    by_rule = _by_rule(Application, user)
    if role == "applicant owner":
        listed = {a.id for a in queries.applications_of(user)}
    elif role.startswith("partner"):
        listed = {r.application_id for r in queries.assignments_of(user)}
    elif role == "secretariat":  # each call's list, every status filter
        listed = set()
        for call in db.session.scalars(sa.select(Call)):
            for status in Status:
                listed |= set(db.session.scalars(queries.call_applications(call, user, status=status.value)
                                                 .with_only_columns(Application.id)))
    else:  # a member has no list of applications
        listed = set()
    client = login_as(user)
    opened = _opened(client, lambda i: f"/incubator/applications/{i}", _ids(Application))
    assert listed == by_rule == opened, role
    with app.test_request_context():
        _agrees_in_python(Application, user, opened)
    expected_some = role in ("secretariat", "partner assigned", "applicant owner")
    assert bool(opened) == expected_some, role  # the comparison above is not between empty sets only


def test_reviews_listed_are_the_reviews_opened(app, world, login_as):
    for role in ROLES:
        _reviews_agree(app, world[role], role, login_as)


def _reviews_agree(app, user, role, login_as):
    listed = {r.id for r in queries.assignments_of(user)}
    opened = _opened(login_as(user), lambda i: f"/incubator/reviews/{i}", _ids(Review))
    assert listed == _by_rule(Review, user) == opened, role
    with app.test_request_context():
        _agrees_in_python(Review, user, opened)
    assert bool(opened) == (role in ("secretariat", "partner assigned")), role


def test_a_declared_conflict_hides_the_review_and_its_application(world, login_as):
    partner = world["partner assigned"]
    conflicted = db.session.scalar(sa.select(Review).where(Review.reviewer_id == partner.id,
                                                           Review.has_conflict.is_(True)))
    client = login_as(partner)
    assert client.get(f"/incubator/reviews/{conflicted.id}").status_code == 404
    assert client.get(f"/incubator/applications/{conflicted.application_id}").status_code == 404
    assert conflicted.application_id not in _by_rule(Application, partner)


def test_calls_listed_are_the_calls_opened(app, world, login_as):
    for role in (*ROLES, "visitor"):
        _calls_agree(app, world, role, login_as)


def _calls_agree(app, world, role, login_as):
    if role == "visitor":
        user, client = None, app.test_client()
    else:
        user, client = world[role], login_as(world[role])
    if role == "secretariat":
        listed = {c.id for c, _submitted, _drafts in queries.all_calls_with_counts()}
    else:
        listed = {c.id for c in queries.open_calls()}
    with app.test_request_context():
        by_rule = set(db.session.scalars(sa.select(Call.id).where(Call.visible_to(user))))
    opened = _opened(client, lambda i: f"/incubator/calls/{i}", _ids(Call))
    assert listed == by_rule == opened, role
    assert len(opened) == (3 if role == "secretariat" else 1), role  # the closed and future calls are not public
    if user is not None:
        with app.test_request_context():
            _agrees_in_python(Call, user, opened)


def test_a_new_assignment_opens_the_application_and_nothing_else(world, login_as):
    partner = world["partner not assigned"]
    application = db.session.scalar(sa.select(Application).where(Application.status == Status.SUBMITTED)
                                    .order_by(Application.id))
    review = ReviewFactory(application=application, reviewer=partner, has_conflict=None)
    client = login_as(partner)
    assert _by_rule(Application, partner) == {application.id}
    assert client.get(f"/incubator/applications/{application.id}").status_code == 302  # to the review
    assert client.get(f"/incubator/reviews/{review.id}").status_code == 200
