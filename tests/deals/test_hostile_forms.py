"""Every deals form, read from the pages that show it, gets each field the wrong kind of value: a file where
text is expected, text where a number, date or choice is expected, a huge value, a NUL, a missing or a repeated
field; with and without the CSRF token. The answer is a field error or a 400, never a 500, and a refusal changes
nothing. Found: ``POST /deals/<id>/documents`` answered 500 on a file in the title when the CSRF refusal re-ran
the view (``TypeError: object of type 'FileStorage' has no len()``)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from club.core.models import AuditEvent
from club.deals import services
from club.deals.models import (
    CommitteeDecision,
    CommitteeMeeting,
    Deal,
    DealComment,
    DealDocument,
    DealNote,
    DealShare,
    Decision,
    DocumentKind,
    DocumentVersion,
    Opinion,
    Stage,
    StageChange,
)
from club.extensions import db as _db
from tests.deals.factories import PDF, make_deal, partner_of, staff
from tests.deals.pageforms import forms_of
from tests.factories import OrganizationFactory

MUTATIONS = ("file", "text", "huge", "bigint", "nul", "missing", "repeated")
TABLES = (AuditEvent, Deal, StageChange, DealDocument, DocumentVersion, DealNote, DealShare, DealComment, Opinion,
          CommitteeMeeting, CommitteeDecision)


def _counts() -> tuple:
    _db.session.expire_all()
    return tuple(_db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in TABLES)


def _world():
    by = staff()
    fund = OrganizationFactory(name="FIRO", kind="investor")
    other = OrganizationFactory(name="MedZ", kind="investor")
    partner = partner_of(fund)
    partner_of(other)
    deal = make_deal(by, stage=Stage.COMMITTEE, title="Pacte Notoriety", shared_with=[fund])
    services.record_meeting(deal, by=by, held_on=date(2026, 11, 20), quorum_reached=True,
                            members=[{"name": "Karim", "vote": "for"}], decision=Decision.APPROVED,
                            minutes="Approuvé.")
    services.add_document(deal, title="Mémo", kind=DocumentKind.MEMO, data=PDF, filename="memo.pdf", by=by)
    _db.session.commit()
    return by, partner, deal


def _mutate(pairs: list[tuple[str, object]], name: str, mutation: str) -> list[tuple[str, object]]:
    others = [(k, v) for k, v in pairs if k != name]
    mine = [v for k, v in pairs if k == name] or [""]
    if mutation == "file":
        return others + [(name, (io.BytesIO(PDF), "deck.pdf"))]
    if mutation == "text":
        return others + [(name, "pas-une-valeur")]
    if mutation == "huge":
        return others + [(name, "9" * 100_000)]
    if mutation == "bigint":
        return others + [(name, "99999999999999999999")]
    if mutation == "nul":
        return others + [(name, "Pacte\x00Notoriety")]
    if mutation == "missing":
        return others
    return pairs + [(name, mine[0]), (name, "autre")]  # repeated


def _fuzz(client, paths) -> list[str]:
    """Fuzz every form the pages at ``paths`` show; return what went wrong (empty: nothing)."""
    problems = []
    sent = []
    forms = []
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        forms += [f for f in forms_of(page.get_data(as_text=True)) if f.action.startswith("/deals")]
    forms.sort(key=lambda f: "/move" in f.action)  # moves last: they change what the other forms may do
    assert forms
    for form in forms:
        for name in form.names():
            if re.search(r"-[1-9][0-9]*-", name):
                continue  # rows of a list after the first are built the same way
            for mutation in MUTATIONS:
                if form.method == "get" and mutation == "file":
                    continue
                if mutation in ("text", "bigint") and form.kind_of(name) in ("text", "textarea"):
                    continue  # text where text is expected is no wrong kind
                # Without the token the CSRF refusal re-runs the view: the values that reach its validators.
                tokens = (True, False) if form.method == "post" and mutation in ("file", "huge", "nul") else (True,)
                for with_token in tokens:
                    pairs = form.data()
                    if not with_token:
                        pairs = [(k, v) for k, v in pairs if k != "csrf_token"]
                    if name == "csrf_token" and not with_token:
                        continue
                    pairs = _mutate(pairs, name, mutation)
                    before = _counts()
                    sent.append(1)
                    if form.method == "get":
                        response = client.get(form.action, query_string=MultiDict(pairs))
                    else:
                        response = client.post(form.action, data=MultiDict(pairs))
                    where = f"{form.method.upper()} {form.action} {name}={mutation} token={with_token}"
                    if response.status_code >= 500:
                        problems.append(f"{where}: {response.status_code}")
                    elif response.status_code not in (200, 302, 303) and _counts() != before:
                        problems.append(f"{where}: refused with {response.status_code} but the database changed")
                    elif response.status_code == 200 and form.method == "post":
                        problems.append(f"{where}: a refusal answered 200")
    print("requests sent:", len(sent))
    return problems


@pytest.fixture()
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_secretariat_forms_never_answer_500(db, login_as, client, csrf_on):
    by, _partner, deal = _world()
    login_as(by)
    paths = ["/deals/new", f"/deals/{deal.id}/edit", f"/deals/{deal.id}/committee", f"/deals/{deal.id}",
             f"/deals/{deal.id}/move", "/deals/table", "/deals/"]
    assert _fuzz(client, paths) == []


def test_partner_forms_never_answer_500(db, login_as, client, csrf_on):
    _by, partner, deal = _world()
    login_as(partner)
    assert _fuzz(client, [f"/deals/{deal.id}"]) == []


def test_a_file_in_the_title_of_a_document_is_a_field_error(db, login_as, client, csrf_on):
    """The found instance, without the token (the CSRF refusal re-runs the view) and with it."""
    by, _partner, deal = _world()
    login_as(by)
    html = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    token = next(f for f in forms_of(html) if f.action.endswith("/documents")).data()
    token = dict(token)["csrf_token"]
    before = _counts()
    for extra in ({}, {"csrf_token": token}):
        response = client.post(f"/deals/{deal.id}/documents", data={
            "title": (io.BytesIO(b"x"), "title.txt"), "kind": "memo", "file": (io.BytesIO(PDF), "memo.pdf"),
            "comment": "Texte saisi", **extra})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        # refused at the title (a file is no title: it is missing), in French, what was chosen kept
        assert 'aria-invalid="true" class="form-control is-invalid" id="document-title"' in html
        assert "Un fichier a été envoyé là où du texte est attendu." in html
        assert '<option selected value="memo">' in html
    assert _counts() == before
