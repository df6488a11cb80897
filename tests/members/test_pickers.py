"""The organisation pickers (club/members/pickers.py): a name typed resolves to one organisation, or offers the
candidates, or says none matches; the forms that use them work without JavaScript; the suggestions answer only
the secretariat; the pages holding them read a constant number of queries whatever the size of the register."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_login import login_user
from werkzeug.datastructures import MultiDict

from club.extensions import db as database
from club.forms import FlaskForm
from club.members.models import Organization, OrgKind
from club.members.pickers import OrganizationField, OrganizationsField
from club.permissions import Role
from tests.factories import OrganizationFactory
from tests.members.factories import ContactFactory


class OneForm(FlaskForm):
    class Meta:
        csrf = False

    org = OrganizationField("Organisation", required_message="Choose one.")


class SeveralForm(FlaskForm):
    class Meta:
        csrf = False

    orgs = OrganizationsField("Organisations")


@pytest.fixture()
def signed_in(app, db, factories):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        login_user(staff)
        yield staff


def _one(text, **extra):
    form = OneForm(MultiDict({"org": text, **extra}))
    return form, form.validate()


def test_a_name_resolves_exactly_by_a_part_or_offers_the_candidates(signed_in):
    atlas = OrganizationFactory(name="Atlas Contact", city="Oujda")
    OrganizationFactory(name="Atlas Services", kind=OrgKind.BPO, city="Nador")
    horizon = OrganizationFactory(name="Horizon Digital")
    archived = OrganizationFactory(name="Ancienne Société", archived_at=datetime.now(UTC))
    database.session.commit()

    form, valid = _one("Atlas Contact")  # exact
    assert valid and form.org.data == atlas.id
    form, valid = _one("  horizon  ")  # a part of one name only
    assert valid and form.org.data == horizon.id
    form, valid = _one("atlas")  # several: the error at the field and the candidates, kind and city told
    assert not valid and form.org.data is None and form.org.candidates
    assert form.org.errors == ["Several organisations match: choose one below, or type more of its name."]
    assert [(c.name, c.detail) for c in form.org.candidates] == [("Atlas Contact", "Call centre, Oujda"),
                                                                  ("Atlas Services", "BPO, Nador")]
    assert form.org._value() == "atlas"  # what was typed is kept
    form, valid = _one("atlas", **{"org-pick": str(atlas.id)})  # one of them ticked
    assert valid and form.org.data == atlas.id
    form, valid = _one("Nothing like it")
    assert not valid and form.org.errors == ["No organisation of that name."] and not form.org.candidates
    form, valid = _one("Ancienne Société")  # archived: not unless the field takes archived ones
    assert not valid and form.org.errors == ["This organisation is archived."]
    form, valid = _one("", **{"org-pick": str(archived.id)})
    assert not valid
    form, valid = _one("")
    assert not valid and form.org.errors == ["Choose one."]
    # an edit form shows the saved organisation's name, which resolves back to it
    assert OneForm(formdata=None, data={"org": atlas.id}).org._value() == "Atlas Contact"


def test_several_keep_the_chosen_and_add_the_one_typed(signed_in):
    a, b = OrganizationFactory(name="Alpha Conseil"), OrganizationFactory(name="Beta Services")
    database.session.commit()
    form = SeveralForm(MultiDict([("orgs", str(a.id)), ("orgs-add", "beta"), ("orgs-add-button", "1")]))
    assert not form.validate() and not form.errors  # "Add": shown again, nothing saved, no error
    assert form.orgs.data == [a.id, b.id] and [name for _, name in form.orgs.chosen] == ["Alpha Conseil",
                                                                                      "Beta Services"]
    assert form.orgs._value() == ""
    # "Add" with nothing typed is the form's default button (Enter in another field): the form goes through
    assert SeveralForm(MultiDict([("orgs", str(a.id)), ("orgs-add", ""), ("orgs-add-button", "1")])).validate()
    form = SeveralForm(MultiDict([("orgs", str(a.id)), ("orgs", "999999"), ("orgs-add", "")]))
    assert form.validate() and form.orgs.data == [a.id]  # an id no one may pick is dropped
    form = SeveralForm(MultiDict([("orgs-add", "nowhere")]))
    assert not form.validate() and form.orgs.errors == ["No organisation of that name."]


def test_the_user_invitation_picks_without_javascript(client, db, factories, login_as):
    from club.auth.models import User

    admin = factories.UserFactory(admin=True, locale="en")
    OrganizationFactory(name="Saccom Nador")
    saccom = OrganizationFactory(name="Saccom")
    login_as(admin)
    data = {"email": "nadia@saccom.example", "name": "Nadia", "role": "member"}
    response = client.post("/admin/users/new", data={**data, "organization_id": "sacc"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="sacc"' in page and f'name="organization_id-pick" value="{saccom.id}"' in page
    assert db.session.scalar(sa.select(User).where(User.email == "nadia@saccom.example")) is None
    response = client.post("/admin/users/new", data={**data, "organization_id": "sacc",
                                                     "organization_id-pick": str(saccom.id)})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(User.organization_id).where(User.email == "nadia@saccom.example")) == saccom.id
    # the edit form shows the name, and sent back as it is changes nothing
    user = db.session.scalar(sa.select(User).where(User.email == "nadia@saccom.example"))
    assert 'value="Saccom"' in client.get(f"/admin/users/{user.id}").get_data(as_text=True)


def test_mission_invitations_add_an_organisation_then_invite_without_javascript(db, factories, login_as, client):
    from club.missions.models import Invitation
    from tests.missions.factories import MissionFactory

    staff = factories.UserFactory(role=Role.SECRETARIAT, locale="en")
    mission = MissionFactory()
    saccom = OrganizationFactory(name="Saccom")
    ContactFactory(organization=saccom, email="nadia@saccom.example", is_primary=True)
    login_as(staff)
    url = f"/missions/{mission.id}/invitations"
    response = client.post(url, data={"audience": "chosen", "scope": "primary", "organization_ids-add": "saccom",
                                      "organization_ids-add-button": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'name="organization_ids" value="{saccom.id}"' in page and "checked" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    response = client.post(url, data={"audience": "chosen", "scope": "primary", "organization_ids": str(saccom.id),
                                      "organization_ids-add": ""})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Invitation.organization_id)) == saccom.id


@pytest.mark.parametrize("role", ["secretariat", "partner", "member", "applicant", None])
def test_the_suggestions_answer_the_secretariat_only(client, db, factories, login_as, role):
    OrganizationFactory(name="Atlas Contact")
    OrganizationFactory(name="Atlas Ancienne", archived_at=datetime.now(UTC))
    if role:
        login_as(factories.UserFactory(**({"role": Role.SECRETARIAT} if role == "secretariat" else {role: True})))
    response = client.get("/members/picks?field=target_id&list=target_id-options&target_id=atl")
    if role != "secretariat":
        assert response.status_code in ((302, 303) if role is None else (404,))
        return
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.startswith('<datalist id="target_id-options">')
    assert 'value="Atlas Contact"' in page and "Ancienne" not in page
    assert "Ancienne" in client.get("/members/picks?field=q&q=atl&archived=1").get_data(as_text=True)
    assert client.get("/members/picks?field=q&list=%22%3E%3Cscript%3E").status_code == 404


def _organisations(n):
    now = datetime.now(UTC)
    start = database.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    database.session.execute(sa.insert(Organization), [
        {"name": f"Bulk {start + i}", "name_key": f"bulk {start + i}", "kind": OrgKind.CALL_CENTER,
         "search_text": f"bulk {start + i}", "created_at": now, "updated_at": now, "version": 1} for i in range(n)])
    database.session.commit()


@pytest.mark.parametrize("path", ["/missions/{mission}/invitations", "/deals/new", "/deals/{deal}/edit",
                                  "/admin/users/new", "/missions/{mission}/edit"])
def test_the_forms_read_as_many_queries_whatever_the_register(client, db, factories, login_as, count_queries, path):
    from tests.deals.factories import make_deal
    from tests.missions.factories import MissionFactory

    staff = factories.UserFactory(admin=True)
    mission = MissionFactory()
    deal = make_deal(staff)
    url = path.format(mission=mission.id, deal=deal.id)
    login_as(staff)
    client.get("/")

    def counted():
        database.session.expire_all()
        with count_queries() as q:
            response = client.get(url)
        assert response.status_code == 200
        return q.count, len(response.get_data())

    _organisations(3)
    few, size = counted()
    _organisations(60)
    many, size_then = counted()
    assert few == many and size == size_then
