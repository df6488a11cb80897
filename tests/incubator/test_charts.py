"""The incubator's charts: the funnel of a call (every step an application reached, rejected, withdrawn, waitlisted
and dropped ones where they got to), the intake across calls; who
sees them; the pages' query counts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from markupsafe import escape

from club import formats
from club.extensions import db
from club.incubator import charts, queries
from club.incubator.models import Status, StatusChange
from club.incubator.queries import Funnel
from club.models import utcnow
from tests.incubator.factories import ApplicationFactory, CallFactory, ReviewFactory

PATHS = {  # the statuses an application held, in order, after its draft
    Status.SUBMITTED: [Status.SUBMITTED],
    Status.SCREENING: [Status.SUBMITTED, Status.SCREENING],
    Status.INTERVIEW: [Status.SUBMITTED, Status.SCREENING, Status.INTERVIEW],
    Status.ACCEPTED: [Status.SUBMITTED, Status.SCREENING, Status.INTERVIEW, Status.ACCEPTED],
}


def application(call, path: list[Status], *, start: datetime | None = None, step=timedelta(days=1), **kwargs):
    """An application that went through ``path`` (its history, one status a ``step`` apart from ``start``)."""
    start = start or utcnow() - timedelta(days=30)
    submitted_at = start if Status.SUBMITTED in path else None
    app_ = ApplicationFactory(call=call, status=path[-1] if path else Status.DRAFT, submitted_at=submitted_at,
                              status_changed_at=start + step * (len(path) - 1) if path else None, **kwargs)
    previous = Status.DRAFT
    for n, status in enumerate(path):
        db.session.add(StatusChange(application_id=app_.id, from_status=previous, to_status=status,
                                    at=start + step * n))
        previous = status
    db.session.commit()
    return app_


def small_world(call):
    """Eleven applications, one of each fate; their expected funnel is ``EXPECTED``."""
    application(call, [], draft=True)  # a draft: nowhere
    application(call, PATHS[Status.SUBMITTED])
    application(call, PATHS[Status.SCREENING])
    application(call, PATHS[Status.SCREENING] + [Status.REJECTED])  # rejected at screening: screened
    application(call, PATHS[Status.INTERVIEW] + [Status.REJECTED])  # rejected after the interview: interviewed
    application(call, PATHS[Status.INTERVIEW] + [Status.WITHDRAWN])  # withdrawn after the interview
    ApplicationFactory(call=call, status=Status.WAITLISTED)  # no history (imported): its status says interviewed
    application(call, PATHS[Status.ACCEPTED])
    application(call, PATHS[Status.ACCEPTED] + [Status.INCUBATED, Status.DROPPED])  # left: incubated, not graduated
    ApplicationFactory(call=call, status=Status.GRADUATED)  # no history: graduated, so every step before
    ApplicationFactory(call=call, status=Status.WITHDRAWN, submitted_at=None, consent_at=None)  # withdrawn draft


EXPECTED = Funnel(submitted=9, screened=8, interviewed=6, accepted=3, incubated=2, graduated=1, waitlisted=1,
                  rejected=2, withdrawn=1, dropped=1)


def test_the_funnel_counts_every_step_each_application_reached(db, ctx):
    call, other = CallFactory(), CallFactory()
    small_world(call)
    application(other, PATHS[Status.ACCEPTED])  # another call's: not counted
    assert queries.call_funnel(call) == EXPECTED
    assert queries.call_funnel(other) == Funnel(submitted=1, screened=1, interviewed=1, accepted=1)
    assert queries.call_funnel(CallFactory()) == Funnel()


def test_a_waitlisted_application_taken_from_the_list_is_accepted_not_waiting(db, ctx):
    call = CallFactory()
    application(call, PATHS[Status.INTERVIEW] + [Status.WAITLISTED, Status.ACCEPTED])
    application(call, PATHS[Status.INTERVIEW] + [Status.WAITLISTED, Status.REJECTED])
    application(call, PATHS[Status.INTERVIEW] + [Status.WAITLISTED])
    assert queries.call_funnel(call) == Funnel(submitted=3, screened=3, interviewed=3, accepted=1, waitlisted=1,
                                               rejected=1)


def test_the_funnel_chart_says_it_in_words_and_in_a_table(db, app):
    call = CallFactory()
    small_world(call)
    with app.test_request_context(), force_locale("en"):
        chart = charts.call_funnel_chart(call)
        assert chart.title == "From submission to graduation"
        assert chart.labels == ["Submitted applications", "Screened", "Interviewed", "Accepted applications",
                                "Incubated startups", "Graduated startups"]
        assert chart.series[0].values == [9, 8, 6, 3, 2, 1]
        assert chart.table_rows[0] == ["Submitted applications", "9", "100%"]
        assert chart.table_rows[3] == ["Accepted applications", "3", "33%"]
        assert chart.description.startswith("9 applications submitted to this call")
        assert "Screened: 8" in chart.description
        assert ("Of these: 1 on the waiting list, 2 rejected, 1 withdrawn by the founders, 1 left the incubator "
                "before graduating.") in chart.description
        assert chart.svg.startswith("<svg") and "<script" not in chart.svg
    with app.test_request_context(), force_locale("fr"):
        chart = charts.call_funnel_chart(call)
        assert chart.table_rows[3][2] == "33\xa0%"  # French typography


def test_the_intake_chart_shows_the_last_calls_oldest_first(db, app):
    old = CallFactory(title="Appel 2019", opens_at=utcnow() - timedelta(days=400), closes_at=utcnow() - timedelta(
        days=370), capacity=8)
    new = CallFactory(title="Appel 2020", capacity=5)
    small_world(new)
    application(old, PATHS[Status.ACCEPTED])
    application(old, PATHS[Status.SUBMITTED])
    with app.test_request_context(), force_locale("en"):
        chart = charts.intake_chart()
        assert chart.labels == ["Appel 2019", "Appel 2020"]
        assert [s.values for s in chart.series] == [[2, 9], [1, 3]]
        assert chart.table_rows == [["Appel 2019", "2", "1", "8"], ["Appel 2020", "9", "3", "5"]]
        assert "11 submitted, 4 accepted in all" in chart.description


# --- the pages -------------------------------------------------------------------------------------------------


def _expected(app, locale, *messages):
    with app.test_request_context(), force_locale(locale):
        from flask_babel import gettext

        return [str(escape(gettext(m))) for m in messages]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_secretariat_sees_the_funnel_on_the_call_page(db, app, factories, login_as, locale):
    call = CallFactory()
    small_world(call)
    client = login_as(factories.UserFactory(locale=locale))
    html = client.get(f"/incubator/calls/{call.id}").get_data(as_text=True)
    title, label, heading = _expected(app, locale, "From submission to graduation", "Graduated startups",
                                      "The figures as a table")
    assert '<img class="club-chart-image" src="data:image/svg+xml;base64,' in html
    assert f'alt="{title}"' in html and heading in html
    assert f'<th scope="row">{label}</th><td class="text-end">1</td>' in html
    with app.test_request_context(), force_locale(locale):
        share = formats.percent(3, 9)
    assert f'<td class="text-end">{escape(share)}</td>' in html
    assert share == ("33%" if locale == "en" else "33\xa0%")
    with app.test_request_context(), force_locale(locale):
        description = charts.call_funnel_chart(call).description
    assert str(escape(description)) in html
    if locale == "en":
        assert "9 applications submitted to this call" in description


def test_the_secretariat_sees_the_intake_on_the_incubator_page(db, app, factories, login_as):
    call = CallFactory(title="Appel Oujda Tech")
    small_world(call)
    client = login_as(factories.UserFactory(locale="en"))
    html = client.get("/incubator/").get_data(as_text=True)
    assert "Intake by call" in html
    assert '<th scope="row">Appel Oujda Tech</th><td class="text-end">9</td><td class="text-end">3</td>' in html


def test_reviewers_applicants_and_visitors_see_no_figures_of_the_call(db, app, factories, login_as, client):
    call = CallFactory()
    small_world(call)
    review = ReviewFactory(application=ApplicationFactory(call=call))
    founder = ApplicationFactory(call=call).applicant
    for user in (review.reviewer, founder, factories.UserFactory(member=True)):
        login_as(user)
        for url in (f"/incubator/calls/{call.id}", "/incubator/"):
            html = client.get(url).get_data(as_text=True)
            assert "club-chart" not in html, (user.role, url)
    with client.session_transaction() as session:
        session.clear()
    html = client.get(f"/incubator/calls/{call.id}").get_data(as_text=True)
    assert call.title in html and "club-chart" not in html


def _count(client, count_queries, url):
    client.get(url)  # warm up (session, babel)
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200
    return q.count


def test_the_charts_run_a_constant_number_of_queries(db, factories, login_as, count_queries):
    small, large = CallFactory(), CallFactory()
    small_world(small)
    for _ in range(4):
        small_world(large)
    client = login_as(factories.UserFactory())
    small_url, large_url = f"/incubator/calls/{small.id}", f"/incubator/calls/{large.id}"
    assert _count(client, count_queries, small_url) == _count(client, count_queries, large_url)
    few = _count(client, count_queries, "/incubator/")
    for n in range(14):
        small_world(CallFactory(title=f"Appel supplémentaire {n}"))
    assert _count(client, count_queries, "/incubator/") == few
