"""Dues reminders (idempotent, through the outbox), the demo world part, home panels, the navigation entry."""

from __future__ import annotations

import sqlalchemy as sa

from club.members.models import Contact, JobCommitment, MembershipStatus, Organization
from club.members.queries import club_job_totals
from club.members.services import remind_dues
from tests.members.factories import ContactFactory, DuesFactory, MembershipFactory


def make_member(factories, name, status=MembershipStatus.ACTIVE, paid=False, email="boss@org.ma", year=2026):
    org = factories.OrganizationFactory(name=name)
    MembershipFactory(organization=org, status=status)
    from datetime import date

    DuesFactory(organization=org, year=year, paid_on=date(year, 2, 1) if paid else None)
    ContactFactory(organization=org, is_primary=True, email=email)
    ContactFactory(organization=org, is_primary=False, email=f"other-{email}")
    return org


def test_reminders_go_to_primary_contacts_of_active_unpaid_members_once(app, db, factories, outbox):
    make_member(factories, "Unpaid Active", email="unpaid@org.ma")
    make_member(factories, "Paid Active", paid=True, email="paid@org.ma")
    make_member(factories, "Unpaid Suspended", status=MembershipStatus.SUSPENDED, email="suspended@org.ma")
    make_member(factories, "Other Year", year=2025, email="other@org.ma")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["members", "remind-dues", "2026"])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) queued" in result.output
    messages = outbox(template="members_dues_reminder")
    assert [m.recipient for m in messages] == ["unpaid@org.ma"]
    assert "Unpaid Active" in messages[0].body_text and "2026" in messages[0].body_text
    assert "http://club.test/members/" in messages[0].body_text
    result = runner.invoke(args=["members", "remind-dues", "2026"])
    assert "0 reminder(s) queued" in result.output
    assert len(outbox(template="members_dues_reminder")) == 1


def test_reminder_service_is_idempotent(db, factories, outbox):
    make_member(factories, "A")
    assert remind_dues(2026) == 1
    db.session.commit()
    assert remind_dues(2026) == 0


def test_demo_part_is_complete_and_idempotent(demo_world, db):
    from club.demo import load_demo

    saccom = db.session.scalar(sa.select(Organization).where(Organization.name == "Saccom"))
    assert {c.name for c in saccom.contacts} >= {"Moulay Zine El Oudghiri", "Nadia Amrani"}
    assert any(c.name == "Moulay Zine El Oudghiri" and c.is_primary and c.title == "PDG" for c in saccom.contacts)
    intelcia = db.session.scalar(sa.select(Organization).where(Organization.name == "Intelcia"))
    assert any(c.name == "Karim Bernoussi" and c.title == "PDG" for c in intelcia.contacts)
    assert sum(c.jobs_announced for c in saccom.job_commitments) == 1000
    announced, created = club_job_totals()
    assert announced > 3000 and 0 < created < announced
    assert saccom.membership.status == MembershipStatus.ACTIVE and saccom.province is not None
    counts = (db.session.scalar(sa.select(sa.func.count()).select_from(Contact)),
              db.session.scalar(sa.select(sa.func.count()).select_from(JobCommitment)))
    summary = load_demo()
    db.session.commit()
    assert "members: contacts added: 0" in summary
    assert counts == (db.session.scalar(sa.select(sa.func.count()).select_from(Contact)),
                      db.session.scalar(sa.select(sa.func.count()).select_from(JobCommitment)))


def test_demo_search_examples(client, demo_world, demo_user, as_user):
    as_user(demo_user("secretariat@club.example"))
    assert ">Eca groupe</a>" in client.get("/members/?q=eca").get_data(as_text=True)
    assert ">Saccom</a>" in client.get("/members/?q=oudghiri").get_data(as_text=True)


def test_home_panels_and_nav(client, demo_world, demo_user, as_user):
    as_user(demo_user("secretariat@club.example"))
    html = client.get("/").get_data(as_text=True)
    assert 'href="/members/"' in html and "members-panel-title" in html
    as_user(demo_user("contact@saccom.example"))
    html = client.get("/").get_data(as_text=True)
    assert "member-panel-title" in html and "/edit" in html and "Saccom" in html
    as_user(demo_user("founder@startup.example"))
    html = client.get("/").get_data(as_text=True)
    assert 'href="/members/"' not in html
