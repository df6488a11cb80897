"""The club's jobs target: the secretariat sets it (a whole number > 0, an optional horizon); bad input is reported
at its field with the input kept and nothing saved; a stale save is refused; every change is audited and reads in
French; absent a row the target is the article's 3,000 jobs."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from club.core.models import AuditEvent
from club.extensions import db as database
from club.permissions import Role
from club.reports.models import ClubTarget
from club.reports.target import current_target, update_target
from tests.conftest import text
from tests.factories import UserFactory
from tests.reports.dashboard_helpers import number, tr


def _events():
    return list(database.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "target.updated")
                                        .order_by(AuditEvent.id)))


def test_without_a_row_the_target_is_the_articles(db, as_user):
    staff = UserFactory(role=Role.SECRETARIAT, locale="fr")
    assert current_target().jobs == 3000 and current_target().horizon is None
    page = as_user(staff).get("/reports/target").get_data(as_text=True)
    assert 'value="3000"' in page and 'name="version" type="hidden" value="0"' in page


def test_saving_the_target_is_audited_and_reads_in_french(app, db, as_user):
    staff = UserFactory(role=Role.SECRETARIAT, locale="fr")
    client = as_user(staff)
    response = client.post("/reports/target", data={"jobs_target": "4500", "horizon": "2030-12-31", "version": "0"})
    assert response.status_code == 303
    row = database.session.get(ClubTarget, 1)
    assert (row.jobs_target, row.horizon, row.updated_by_id) == (4500, date(2030, 12, 31), staff.id)
    [event] = _events()
    assert event.changes == {"jobs_target": [3000, 4500], "horizon": [None, "2030-12-31"]}
    # Changed again from the page as it now reads: old → new, the version moves on.
    page = client.get("/reports/target").get_data(as_text=True)
    assert f'value="{row.version}"' in page and 'value="4500"' in page and 'value="2030-12-31"' in page
    assert client.post("/reports/target", data={"jobs_target": "5000", "horizon": "2030-12-31",
                                                "version": str(row.version)}).status_code == 303
    assert _events()[-1].changes == {"jobs_target": [4500, 5000]}
    # The dashboard's latest activity says it in French: the action, the field, old → new as French writes numbers.
    home = text(client.get("/"))
    assert tr(app, "fr", "Club's jobs target changed") in home, home[home.find("<main"):][:6000]
    assert f"{tr(app, 'fr', 'Jobs target')}" in home
    assert number(app, "fr", 4500) in home and number(app, "fr", 5000) in home


def test_bad_input_is_refused_at_the_field_and_kept(app, db, as_user):
    client = as_user(UserFactory(role=Role.SECRETARIAT, locale="fr"))
    for value, message in [("0", "Enter a whole number of jobs greater than zero."),
                           ("-5", "Enter a whole number of jobs greater than zero."),
                           ("", "Enter the number of jobs the club aims for."),
                           ("trois mille", None), ("99999999999999", None)]:
        response = client.post("/reports/target", data={"jobs_target": value, "horizon": "2031-02-30",
                                                        "version": "0"})
        page = text(response)
        assert response.status_code == 422, value
        assert 'id="jobs_target-error"' in page and 'aria-invalid="true"' in page
        if message:
            assert tr(app, "fr", message) in page
        assert f'value="{value}"' in page or value == "", value
        assert 'id="horizon-error"' in page  # 30 February
    assert database.session.get(ClubTarget, 1) is None and _events() == []


def test_a_stale_save_is_refused_and_overwrites_nothing(app, db, as_user):
    staff = UserFactory(role=Role.SECRETARIAT, locale="fr")
    update_target({"jobs_target": 3500, "horizon": None}, by=staff)
    database.session.commit()
    first = database.session.get(ClubTarget, 1).version
    update_target({"jobs_target": 4000, "horizon": None}, by=staff, version=first)
    database.session.commit()
    response = as_user(staff).post("/reports/target", data={"jobs_target": "3800", "horizon": "",
                                                            "version": str(first)})
    page = text(response)
    assert response.status_code == 409
    assert 'value="3800"' in page  # what the person typed is kept, the saved version shown beside it
    assert number(app, "fr", 4000) in page
    database.session.expire_all()
    assert database.session.get(ClubTarget, 1).jobs_target == 4000


def test_an_untouched_save_writes_nothing(db, as_user):
    client = as_user(UserFactory(role=Role.SECRETARIAT))
    assert client.post("/reports/target", data={"jobs_target": "3000", "horizon": "", "version": "0"}).status_code == 303
    assert database.session.get(ClubTarget, 1) is None and _events() == []


def test_only_the_secretariat_reaches_the_target(db, as_user):
    for role in (Role.PARTNER, Role.MEMBER, Role.APPLICANT):
        client = as_user(UserFactory(role=role))
        assert client.get("/reports/target").status_code == 404
        assert client.post("/reports/target", data={"jobs_target": "1", "version": "0"}).status_code == 404
    assert database.session.get(ClubTarget, 1) is None


def test_twenty_identical_saves_at_once_save_once(app, demo_world, live_server):
    """Twenty secretaries save the same new target from the same page at once: one save, the others are told
    someone saved meanwhile (409), none gets a 500, one audit event."""
    from urllib.parse import urlencode

    from tests.conftest import live_request, session_cookie
    from tests.test_concurrency import race

    staff = UserFactory(role=Role.SECRETARIAT)
    database.session.commit()
    version = database.session.get(ClubTarget, 1).version  # the demo's target
    body = urlencode({"jobs_target": "4200", "horizon": "2030-12-31", "version": str(version)}).encode()
    statuses = race(live_server + "/reports/target", session_cookie(app, staff), body,
                    "application/x-www-form-urlencoded", 20)
    assert sorted(statuses) == [303] + [409] * 19, statuses
    database.session.expire_all()
    assert database.session.get(ClubTarget, 1).jobs_target == 4200
    assert len(_events()) == 2  # the demo's, and this one
    assert live_request(live_server + "/reports/target", cookie=session_cookie(app, staff)).status == 200
