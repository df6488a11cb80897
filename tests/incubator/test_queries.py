"""Constant query counts: the call's application list, its ranking and an application page."""

from __future__ import annotations

import pytest

from club.incubator.models import Status
from tests.incubator.factories import ApplicationFactory, CallFactory, ReviewFactory, score


def _populate(call, n, reviewers):
    for i in range(n):
        application = ApplicationFactory(call=call, status=Status.SCREENING)
        for reviewer in reviewers:
            review = ReviewFactory(application=application, reviewer=reviewer)
            score(review, [1 + (i % 5), 3, 4], final=bool(i % 2))


def _count(client, count_queries, url):
    client.get(url)  # warm up (session, babel)
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200
    return q.count


@pytest.mark.parametrize("page", ["applications", "ranking", "applications.csv", "applications.xlsx", "scores.csv",
                                  "scores.xlsx"])
def test_call_pages_run_a_constant_number_of_queries(db, factories, login_as, count_queries, page):
    reviewers = [factories.UserFactory(partner=True) for _ in range(3)]
    small, large = CallFactory(), CallFactory()
    _populate(small, 5, reviewers)
    _populate(large, 50, reviewers)
    client = login_as(factories.UserFactory())
    small_url, large_url = f"/incubator/calls/{small.id}/{page}", f"/incubator/calls/{large.id}/{page}"
    few = _count(client, count_queries, small_url)
    many = _count(client, count_queries, large_url)
    assert few == many
    assert many <= 10


def test_application_page_runs_a_constant_number_of_queries(db, factories, login_as, count_queries):
    few_reviewers = [factories.UserFactory(partner=True) for _ in range(1)]
    many_reviewers = [factories.UserFactory(partner=True) for _ in range(8)]
    call = CallFactory()
    a = ApplicationFactory(call=call)
    b = ApplicationFactory(call=call)
    for reviewer in few_reviewers:
        score(ReviewFactory(application=a, reviewer=reviewer), [3, 3, 3])
    for reviewer in many_reviewers:
        score(ReviewFactory(application=b, reviewer=reviewer), [4, 4, 4])
    client = login_as(factories.UserFactory())
    for application in (a, b):
        for i in range(3):
            client.post(f"/incubator/applications/{application.id}/messages", data={"body": f"Question {i}"})
    url_a, url_b = f"/incubator/applications/{a.id}", f"/incubator/applications/{b.id}"
    founder = a.applicant
    assert _count(client, count_queries, url_a) == _count(client, count_queries, url_b)
    founder_view = login_as(founder)
    assert _count(founder_view, count_queries, url_a) < 20


def test_index_and_home_run_a_constant_number_of_queries(db, factories, login_as, count_queries):
    from club.auth.models import User

    partner = factories.UserFactory(partner=True)
    staff_id = factories.UserFactory().id
    for _ in range(2):
        ReviewFactory(reviewer=partner)
    client = login_as(partner)
    few = _count(client, count_queries, "/incubator/")
    few_home = _count(client, count_queries, "/")
    partner = db.session.merge(partner)
    for _ in range(10):
        ReviewFactory(reviewer=partner)
    assert _count(client, count_queries, "/incubator/") == few
    assert _count(client, count_queries, "/") == few_home
    client = login_as(db.session.get(User, staff_id))
    few = _count(client, count_queries, "/")
    for _ in range(10):
        ApplicationFactory()
    assert _count(client, count_queries, "/") == few
