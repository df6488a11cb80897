"""The organisation page and its changes: who sees and edits what, validation, duplicates, locking, sections."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.members.models import Contact, Dues, JobReport, MembershipChange, MembershipStatus, Organization
from tests.members.factories import (
    CommitmentFactory,
    ContactFactory,
    DuesFactory,
    MembershipFactory,
    ReportFactory,
)


def reload(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


# --- who sees what ----------------------------------------------------------------------------------------------


def test_roles_on_saccom_page(client, demo_world, demo_user, org_named, as_user):
    saccom = org_named("Saccom")
    url = f"/members/{saccom.id}"
    as_user(demo_user("secretariat@club.example"), locale="fr")
    html = client.get(url).get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert "Moulay Zine El Oudghiri" in html and "Nadia Amrani" in html and "+212661000203" in html
    assert "15 000,00" in html  # dues, in French
    assert "Enregistrer la cotisation d’une année" in html and "Emplois" in html

    as_user(demo_user("partner@firo.example"), locale="fr")
    html = client.get(url).get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert "Moulay Zine El Oudghiri" in html and "+212661000203" in html  # the primary contact
    assert "Nadia Amrani" not in html  # not the others
    assert 'id="dues"' not in html and "15 000,00" not in html
    assert f"/members/{saccom.id}/edit" not in html

    as_user(demo_user("contact@saccom.example"), locale="fr")
    html = client.get(url).get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert "15 000,00" in html and f"/members/{saccom.id}/edit" in html
    assert 'id="membership-status"' not in html  # no membership form
    intelcia = org_named("Intelcia")
    html = client.get(f"/members/{intelcia.id}").get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert "Karim Bernoussi" in html and "Leila Chraibi" in html
    assert "+212661000201" not in html  # other members' phones are hidden
    assert "20 000,00" not in html and 'id="dues"' not in html
    assert f"/members/{intelcia.id}/edit" not in html

    as_user(demo_user("founder@startup.example"))
    assert client.get(url).status_code == 404


def test_member_cannot_edit_another_organisation(client, demo_world, demo_user, org_named, as_user, db):
    intelcia = org_named("Intelcia")
    contact = intelcia.contacts[0]
    commitment = intelcia.job_commitments[0]
    as_user(demo_user("contact@saccom.example"))
    before = intelcia.version
    assert client.get(f"/members/{intelcia.id}/edit").status_code == 404
    assert client.post(f"/members/{intelcia.id}/edit", data={"name": "Hacked", "kind": "bpo",
                                                            "version": before}).status_code == 404
    assert client.post(f"/members/{intelcia.id}/contacts/new", data={"contact-name": "Intruder"}).status_code == 404
    assert client.post(f"/members/{intelcia.id}/contacts/{contact.id}/delete").status_code == 404
    assert client.post(f"/members/{intelcia.id}/commitments/{commitment.id}/reports",
                       data={f"report{commitment.id}-reported_on": "2024-01-01",
                             f"report{commitment.id}-jobs_created": "999"}).status_code == 404
    assert client.post(f"/members/{intelcia.id}/dues", data={"dues-year": "2026", "dues-amount": "0"}).status_code == 404
    intelcia = org_named("Intelcia")
    assert intelcia.name == "Intelcia" and intelcia.version == before
    assert "Intruder" not in [c.name for c in intelcia.contacts]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobReport)
                             .where(JobReport.commitment_id == commitment.id)) == 1


def test_member_cannot_change_own_membership_or_dues(client, demo_world, demo_user, org_named, as_user):
    saccom = org_named("Saccom")
    as_user(demo_user("contact@saccom.example"))
    assert client.post(f"/members/{saccom.id}/membership",
                       data={"membership-status": "suspended"}).status_code == 404
    assert client.post(f"/members/{saccom.id}/dues", data={"dues-year": "2026", "dues-amount": "1",
                                                          "dues-paid_on": "2026-01-01"}).status_code == 404
    assert client.post(f"/members/{saccom.id}/commitments",
                       data={"commitment-jobs_announced": "5000"}).status_code == 404
    saccom = org_named("Saccom")
    assert saccom.membership.status == MembershipStatus.ACTIVE
    assert [d.paid_on for d in saccom.dues if d.year == 2026] == [None]


def test_nested_urls_must_agree(client, demo_world, demo_user, org_named, as_user):
    saccom, intelcia = org_named("Saccom"), org_named("Intelcia")
    other_contact = intelcia.contacts[0]
    other_commitment = intelcia.job_commitments[0]
    as_user(demo_user("secretariat@club.example"))
    assert client.get(f"/members/{saccom.id}/contacts/{other_contact.id}/edit").status_code == 404
    assert client.post(f"/members/{saccom.id}/contacts/{other_contact.id}/delete").status_code == 404
    assert client.post(f"/members/{saccom.id}/commitments/{other_commitment.id}/reports",
                       data={f"report{other_commitment.id}-reported_on": "2024-01-01",
                             f"report{other_commitment.id}-jobs_created": "5"}).status_code == 404
    assert org_named("Intelcia").contacts[0].id == other_contact.id


# --- create, edit, duplicates, validation ---------------------------------------------------------------------------


@pytest.fixture()
def staff(factories):
    return factories.UserFactory(role="secretariat")


def profile(**values):
    data = {"name": "Nouvelle Société", "kind": "call_center", "ice": "", "city": "Oujda", "province": "oujda_angad",
            "site": "oujda_shore", "headcount": "12", "website": "", "email": "", "phone": "", "description": ""}
    data.update(values)
    return data


def test_create_normalises_and_audits(client, as_user, staff, db):
    as_user(staff)
    response = client.post("/members/new", data=profile(ice="001 234 567 000 089", phone="06 12 34 56 78",
                                                        website="www.example.ma", email="Contact@Example.MA",
                                                        trades=["telemarketing", "hr_services"], languages=["fr"]))
    assert response.status_code == 303
    created = db.session.scalar(sa.select(Organization).where(Organization.name == "Nouvelle Société"))
    assert created.ice == "001234567000089"
    assert created.phone == "+212612345678"
    assert created.website == "https://www.example.ma"
    assert created.email == "contact@example.ma"
    assert sorted(t.value for t in created.trade_values) == ["hr_services", "telemarketing"]
    assert "nouvelle societe" in created.search_text
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.entity_id == created.id)) \
        == "organization.created"


@pytest.mark.parametrize("field, value", [
    ("ice", "12345"), ("ice", "12345678901234a"), ("phone", "12345"), ("phone", "0536 12 34 56"),
    ("phone", "06 12 34 56 78 ext. 12"),
    ("website", "javascript:alert(1)"), ("website", "not a site"), ("email", "not-an-address"), ("name", ""),
    ("name", "x" * 201), ("headcount", "-3"), ("kind", "spaceship"), ("province", "paris"),
    ("name", "Bad\nName"),
])
def test_bad_values_are_reported_at_the_field_and_nothing_is_saved(client, as_user, staff, db, field, value):
    as_user(staff)
    response = client.post("/members/new", data=profile(**{field: value}))
    assert response.status_code == 422
    html = response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert f'id="{field}-error"' in html
    if field != "name":
        assert "Nouvelle Soci" in html  # what the user typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 0


@pytest.mark.parametrize("name, ice", [("SACCOM SARL", ""), ("Saccom, S.A.", ""), ("Groupe Saccom", ""),
                                       ("Totally New", "001234567000089")])
def test_duplicates_are_refused_with_a_link(client, as_user, staff, factories, db, name, ice):
    existing = factories.OrganizationFactory(name="Saccom", ice="001234567000089")
    as_user(staff)
    html = client.post("/members/new", data=profile(name=name, ice=ice)).get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert f'href="/members/{existing.id}"' in html and 'id="duplicate"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 1


def test_edit_with_a_stale_version_shows_both_versions_and_saves_nothing(client, as_user, staff, factories, db):
    target = factories.OrganizationFactory(name="Notoriety", city="Oujda")
    as_user(staff)
    version = target.version
    # someone else saves first
    assert client.post(f"/members/{target.id}/edit", data=profile(name="Notoriety", city="Berkane",
                                                                 version=version)).status_code == 303
    response = client.post(f"/members/{target.id}/edit", data=profile(name="Notoriety", city="Nador",
                                                                      version=version))
    html = response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert response.status_code == 409 and 'id="stale-title"' in html  # the one answer: core/_stale.html
    stale = html.split('id="stale-title"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"<th scope=\"row\">City</th><td>Nador</td><td>Berkane</td>", stale)  # yours, theirs
    assert 'value="Nador"' in html  # what the person typed is kept in the form
    assert reload(db, Organization, target.id).city == "Berkane"
    # sending again (knowing) replaces theirs
    new_version = reload(db, Organization, target.id).version
    assert client.post(f"/members/{target.id}/edit", data=profile(name="Notoriety", city="Nador",
                                                                 version=new_version)).status_code == 303
    assert reload(db, Organization, target.id).city == "Nador"


def test_member_edits_own_profile(client, demo_world, demo_user, org_named, as_user):
    saccom = org_named("Saccom")
    as_user(demo_user("contact@saccom.example"))
    form = client.get(f"/members/{saccom.id}/edit").get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert 'name="version"' in form
    response = client.post(f"/members/{saccom.id}/edit",
                           data=profile(name="Saccom", kind="bpo", headcount="300", version=saccom.version,
                                        trades=["document_management"]))
    assert response.status_code == 303
    saccom = org_named("Saccom")
    assert saccom.headcount == 300 and [t.value for t in saccom.trade_values] == ["document_management"]


def test_archive_and_restore(client, as_user, staff, factories, db):
    target = factories.OrganizationFactory(name="Dormant")
    DuesFactory(organization=target)
    as_user(staff)
    assert client.post(f"/members/{target.id}/archive").status_code == 303
    assert reload(db, Organization, target.id).archived_at is not None
    assert ">Dormant</a>" not in client.get("/members/").get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues)) == 1  # history kept
    assert client.post(f"/members/{target.id}/restore").status_code == 303
    assert reload(db, Organization, target.id).archived_at is None
    assert ">Dormant</a>" in client.get("/members/").get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")


def test_archived_organisation_is_hidden_from_partners(client, as_user, factories):
    from club.models import utcnow

    target = factories.OrganizationFactory(name="Gone", archived_at=utcnow())
    as_user(factories.UserFactory(partner=True))
    assert client.get(f"/members/{target.id}").status_code == 404


# --- contacts in place ------------------------------------------------------------------------------------------


def test_contacts_add_edit_remove_with_htmx(client, as_user, staff, factories, db):
    target = factories.OrganizationFactory(name="Eca groupe")
    as_user(staff)
    hx = {"HX-Request": "true"}
    response = client.post(f"/members/{target.id}/contacts/new", headers=hx,
                           data={"contact-name": "Sanae Berrada", "contact-phone": "0661 00 02 06",
                                 "contact-email": "s@eca.example"})
    html = response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert response.status_code == 200 and "<html" not in html and "Sanae Berrada" in html
    contact = db.session.scalar(sa.select(Contact).where(Contact.organization_id == target.id))
    assert contact.phone == "+212661000206" and contact.is_primary  # the first contact becomes primary
    assert "sanae berrada" in reload(db, Organization, target.id).search_text

    form = client.get(f"/members/{target.id}/contacts/{contact.id}/edit", headers=hx).get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert f'name="contact{contact.id}-name"' in form and "<html" not in form
    response = client.post(f"/members/{target.id}/contacts/{contact.id}/edit", headers=hx,
                           data={f"contact{contact.id}-name": "Sanae Berrada-Alami",
                                 f"contact{contact.id}-version": contact.version,
                                 f"contact{contact.id}-is_primary": "y"})
    assert "Sanae Berrada-Alami" in response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert reload(db, Contact, contact.id).name == "Sanae Berrada-Alami"

    response = client.post(f"/members/{target.id}/contacts/{contact.id}/delete", headers=hx)
    assert response.status_code == 200 and "Sanae" not in response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ").split("</div>", 1)[1]
    assert reload(db, Contact, contact.id) is None
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_id == target.id)).all()
    assert {"contact.added", "contact.updated", "contact.removed"} <= set(actions)


def test_contacts_without_javascript(client, as_user, staff, factories, db):
    target = factories.OrganizationFactory(name="Notoriety")
    as_user(staff)
    assert client.get(f"/members/{target.id}/contacts/new").status_code == 200
    response = client.post(f"/members/{target.id}/contacts/new", data={"contact-name": "Hicham Lahlou"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/members/{target.id}#contacts")
    bad = client.post(f"/members/{target.id}/contacts/new", data={"contact-name": "X", "contact-email": "nope"})
    assert bad.status_code == 422 and "<html" in bad.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert 'value="X"' in bad.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1


def test_a_new_primary_contact_replaces_the_old_one(client, as_user, staff, factories, db):
    target = factories.OrganizationFactory()
    first = ContactFactory(organization=target, is_primary=True)
    as_user(staff)
    client.post(f"/members/{target.id}/contacts/new", data={"contact-name": "New Boss", "contact-is_primary": "y"})
    db.session.expire_all()
    primaries = db.session.scalars(sa.select(Contact.name).where(Contact.organization_id == target.id,
                                                                 Contact.is_primary.is_(True))).all()
    assert primaries == ["New Boss"] and reload(db, Contact, first.id).is_primary is False


def test_contact_edit_conflict(client, as_user, staff, factories, db):
    target = factories.OrganizationFactory()
    contact = ContactFactory(organization=target, name="Before")
    as_user(staff)
    p = f"contact{contact.id}"
    stale = contact.version
    client.post(f"/members/{target.id}/contacts/{contact.id}/edit", data={f"{p}-name": "Theirs", f"{p}-version": stale})
    response = client.post(f"/members/{target.id}/contacts/{contact.id}/edit",
                           data={f"{p}-name": "Mine", f"{p}-version": stale})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'id="stale-title"' in html
    assert "<td>Mine</td><td>Theirs</td>" in html and 'value="Mine"' in html
    assert reload(db, Contact, contact.id).name == "Theirs"
    # in place (htmx): the contacts fragment, the same two versions, the same status
    response = client.post(f"/members/{target.id}/contacts/{contact.id}/edit", headers={"HX-Request": "true"},
                           data={f"{p}-name": "Mine", f"{p}-version": stale})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "<html" not in html and 'id="contacts"' in html
    assert "<td>Mine</td><td>Theirs</td>" in html and 'value="Mine"' in html


# --- membership, dues, jobs ------------------------------------------------------------------------------------------


def test_membership_history(client, as_user, staff, factories, db):
    target = factories.OrganizationFactory()
    as_user(staff)
    assert client.post(f"/members/{target.id}/membership", data={"membership-status": "active"}).status_code == 303
    assert client.post(f"/members/{target.id}/membership",
                       data={"membership-status": "suspended", "membership-note": "Unpaid"}).status_code == 303
    bad = client.post(f"/members/{target.id}/membership", data={"membership-status": "pending"})
    assert bad.status_code == 422
    changes = db.session.scalars(sa.select(MembershipChange).order_by(MembershipChange.id)).all()
    assert [(c.from_status, c.to_status) for c in changes] == [(None, MembershipStatus.ACTIVE),
                                                               (MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED)]
    assert changes[1].by_id == staff.id and changes[1].note == "Unpaid"
    html = client.get(f"/members/{target.id}").get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert "Unpaid" in html


def test_dues_of_a_year_are_recorded_once_and_validated(client, as_user, staff, factories, db):
    target = factories.OrganizationFactory()
    as_user(staff)
    data = {"dues-year": "2026", "dues-amount": "12500.50", "dues-invoiced_on": "2026-01-05"}
    assert client.post(f"/members/{target.id}/dues", data=data).status_code == 303
    # the same year again is refused at the field (it is corrected from the table), never overwritten
    data.update({"dues-paid_on": "2026-02-01", "dues-method": "transfer", "dues-amount": "99"})
    again = client.post(f"/members/{target.id}/dues", data=data, headers={"HX-Request": "true"})
    assert again.status_code == 422 and 'id="dues-year-error"' in again.get_data(as_text=True)
    assert "already recorded" in again.get_data(as_text=True) and 'value="99"' in again.get_data(as_text=True)
    dues = db.session.scalars(sa.select(Dues)).all()
    assert len(dues) == 1 and str(dues[0].amount) == "12500.50" and dues[0].paid_on is None
    data["dues-year"] = "2025"
    for bad in ({"dues-amount": "-1"}, {"dues-amount": "1.234"}, {"dues-year": "1900"},
                {"dues-paid_on": "2025-01-01"}, {"dues-paid_on": "", "dues-method": "cash"}):
        response = client.post(f"/members/{target.id}/dues", data={**data, **bad})
        assert response.status_code == 422, bad
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues)) == 1
    assert reload(db, Dues, dues[0].id).amount == dues[0].amount


def test_job_report_moves_the_totals(client, as_user, factories, db):
    target = factories.OrganizationFactory()
    commitment = CommitmentFactory(organization=target, jobs_announced=1000)
    ReportFactory(commitment=commitment, jobs_created=100, reported_on=date(2021, 1, 1))
    member = factories.UserFactory(role="member", organization=target)
    as_user(member)
    p = f"report{commitment.id}"
    response = client.post(f"/members/{target.id}/commitments/{commitment.id}/reports",
                           headers={"HX-Request": "true"},
                           data={f"{p}-reported_on": "2023-06-30", f"{p}-jobs_created": "420"})
    html = response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert response.status_code == 200 and "<html" not in html
    assert "420" in html and 'value="420"' in html  # the progress bar
    assert "<progress" in html and "style=" not in html
    report = db.session.scalar(sa.select(JobReport).order_by(JobReport.id.desc()))
    assert report.reported_by_id == member.id
    future = (date.today() + timedelta(days=3)).isoformat()
    bad = client.post(f"/members/{target.id}/commitments/{commitment.id}/reports",
                      data={f"{p}-reported_on": future, f"{p}-jobs_created": "-5"})
    assert bad.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobReport)) == 2


def test_club_total_counts_the_latest_report_of_each_commitment(db, factories):
    from club.members.queries import club_job_totals

    a = CommitmentFactory(jobs_announced=1000)
    ReportFactory(commitment=a, jobs_created=100, reported_on=date(2021, 1, 1))
    ReportFactory(commitment=a, jobs_created=300, reported_on=date(2022, 1, 1))
    CommitmentFactory(jobs_announced=500)
    assert club_job_totals() == (1500, 300)


def test_organisation_page_runs_a_constant_number_of_queries(client, as_user, staff, factories, count_queries, db):
    target = factories.OrganizationFactory()
    MembershipFactory(organization=target)

    def add(n):
        for _ in range(n):
            ContactFactory(organization=target)
            DuesFactory(organization=target, year=2000 + db.session.scalar(sa.select(sa.func.count()).select_from(Dues)))
            ReportFactory(commitment=CommitmentFactory(organization=target))

    as_user(staff)
    add(2)
    client.get(f"/members/{target.id}")
    with count_queries() as few:
        client.get(f"/members/{target.id}")
    add(15)
    client.get(f"/members/{target.id}")
    with count_queries() as many:
        html = client.get(f"/members/{target.id}").get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert html.count("<progress") == 18
    assert few.count == many.count


def test_control_characters_are_dropped_not_a_500(client, as_user, staff, db):
    as_user(staff)
    response = client.post("/members/new", data=profile(name="Nul\x00 Corp", description="Ligne 1"))
    assert response.status_code == 400  # NUL cannot be typed: the request is refused whole
    assert db.session.scalar(sa.select(Organization)) is None
    response = client.post("/members/new", data=profile(name="Bel\x07 Corp", description="Ligne 1\nLigne\x07 2"))
    assert response.status_code == 303
    created = db.session.scalar(sa.select(Organization))
    assert created.name == "Bel Corp" and created.description == "Ligne 1\nLigne 2"


def test_a_double_submitted_contact_is_recorded_once(client, as_user, staff, factories, db):
    target = factories.OrganizationFactory()
    as_user(staff)
    data = {"contact-name": "Leila Chraibi", "contact-email": "l@x.ma"}
    assert client.post(f"/members/{target.id}/contacts/new", data=data).status_code == 303
    again = client.post(f"/members/{target.id}/contacts/new", data=data, headers={"HX-Request": "true"})
    assert again.status_code == 422 and "already a contact" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1


def test_other_domains_create_organisations_through_one_service(app, staff, factories, db):
    """``services.create_organization_for``: what the incubator and the demo call; refusals are core's ``Refused``
    at their field (a duplicate carries the organisation it duplicates)."""
    from club.core.refusals import Refused
    from club.members import services
    from club.members.models import OrgKind

    existing = factories.OrganizationFactory(name="Saccom", ice="001234567000089")
    with app.test_request_context():
        with pytest.raises(services.Duplicate) as duplicate:
            services.create_organization_for("SACCOM SARL", "bpo", by=staff)
        assert isinstance(duplicate.value, Refused) and duplicate.value.field == "name"
        assert duplicate.value.existing.id == existing.id
        for fields, field in (({"phone": "12345"}, "phone"), ({"ice": "12"}, "ice"), ({"email": "nope"}, "email")):
            with pytest.raises(Refused) as refused:
                services.create_organization_for("Nouvelle", OrgKind.STARTUP, by=staff, **fields)
            assert refused.value.field == field
        with pytest.raises(Refused) as refused:
            services.create_organization_for("   ", OrgKind.STARTUP, by=staff)
        assert refused.value.field == "name"
        with pytest.raises(TypeError):
            services.create_organization_for("Nouvelle", OrgKind.STARTUP, colour="red", by=staff)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 1
