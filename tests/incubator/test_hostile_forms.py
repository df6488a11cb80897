"""Every incubator form, sent the wrong kinds of values: a field error or a refusal, never a 500, nothing changed."""

from __future__ import annotations

import html
import io

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from tests.incubator.factories import ApplicationFactory, CallFactory, ReviewFactory

HOSTILE = {
    "text": "pas-un-nombre",
    "huge": "9" * 40,
    "long": "x" * 120_000,
    "negative": "-5",
    "nul": "a\x00b",
}


def _file():
    return (io.BytesIO(b"<html>not a pdf</html>"), "deck.html")


def _forms(db, factories):
    """(who, url, the fields a browser sends) for every incubator form."""
    staff = factories.UserFactory()
    call = CallFactory()
    draft = ApplicationFactory(call=call, draft=True)
    submitted = ApplicationFactory(call=call)
    review = ReviewFactory(application=submitted, has_conflict=None)
    scored = ReviewFactory(application=ApplicationFactory(call=call), has_conflict=False)
    criterion = call.criteria[0].id
    call_fields = {"version": str(call.version), "title": "T", "description": "D", "opens_at": "2027-01-10T09:00",
                   "closes_at": "2027-03-01T18:00", "capacity": "8", "is_blind_first_round": "y",
                   "criteria-0-criterion_id": str(criterion), "criteria-0-name": "Équipe",
                   "criteria-0-weight": "3", "criteria-0-low_anchor": "a", "criteria-0-high_anchor": "b"}
    app_fields = {"version": str(draft.version), "startup_name": "S", "project_title": "P", "problem": "p",
                  "solution": "s", "market": "m", "business_model": "b", "stage": "prototype", "team": "t",
                  "needs": "n", "jobs_12m": "1", "jobs_36m": "2", "province": "oujda_angad", "consent": "y",
                  "action": "save"}
    return [
        (staff, "/incubator/calls/new", call_fields),
        (staff, f"/incubator/calls/{call.id}/edit", call_fields),
        (staff, f"/incubator/calls/{call.id}/second-round", {"confirm": "y"}),
        (staff, f"/incubator/calls/{call.id}/assign", {"reviewer": str(staff.id),
                                                       "application_ids": str(submitted.id)}),
        (staff, f"/incubator/applications/{submitted.id}/move", {"version": str(submitted.version),
                                                                "to_status": "screening", "note": "n",
                                                                "send_mail": "y", "subject": "s", "body": "b"}),
        (staff, f"/incubator/applications/{submitted.id}/reviewers", {"reviewer": str(staff.id)}),
        (staff, f"/incubator/applications/{submitted.id}/messages", {"body": "Bonjour"}),
        (staff, f"/incubator/applications/{submitted.id}/reviews/{review.id}/remove", {"confirm": "y"}),
        (review.reviewer, f"/incubator/reviews/{review.id}/conflict", {"has_conflict": "no", "note": "n"}),
        (scored.reviewer, f"/incubator/reviews/{scored.id}", {"version": str(scored.version),
                                                               f"score-{criterion}": "3", "comment": "c",
                                                               "recommendation": "yes", "action": "save"}),
        (draft.applicant, f"/incubator/applications/{draft.id}/edit", app_fields),
        (draft.applicant, f"/incubator/applications/{draft.id}/withdraw", {"note": "n"}),
    ]


def _business_events(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.like("incubator.%")))


@pytest.mark.parametrize("kind", [*HOSTILE, "file", "missing", "repeated"])
def test_wrong_kinds_of_values_never_answer_500(db, factories, app, kind):
    forms = _forms(db, factories)
    for user, url, fields in forms:
        for name in fields:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
            data: dict = dict(fields)
            if kind == "missing":
                del data[name]
            elif kind == "repeated":
                data[name] = [fields[name], HOSTILE["text"]]
            elif kind == "file":
                data[name] = _file()
            else:
                data[name] = HOSTILE[kind]
            response = client.post(url, data=data, content_type="multipart/form-data")
            assert response.status_code < 500, (kind, url, name, response.status_code)
            db.session.rollback()


def test_a_non_numeric_rubric_weight_or_version_is_a_field_error(db, factories, login_as):
    from club.incubator.models import Call

    call = CallFactory(title="Avant")
    client = login_as(factories.UserFactory())
    fields = {"version": str(call.version), "title": "Après", "opens_at": "2027-01-10T09:00",
              "closes_at": "2027-03-01T18:00", "capacity": "8", "criteria-0-name": "Équipe"}
    before = _business_events(db)
    response = client.post(f"/incubator/calls/{call.id}/edit", data=dict(fields, **{"criteria-0-weight": "trois"}))
    assert response.status_code == 422 and "Après" in response.text
    assert "is-invalid" in response.text
    response = client.post(f"/incubator/calls/{call.id}/edit",
                           data=dict(fields, version="x", **{"criteria-0-weight": "3"}))
    assert response.status_code == 422 and "Après" in response.text  # refused, what was typed kept
    assert "Ce formulaire est abîmé : rechargez la page et réessayez." in html.unescape(response.text)
    db.session.expire_all()
    assert db.session.get(Call, call.id).title == "Avant"
    assert _business_events(db) == before
