"""Reminders through the outbox, the demo world, home panels and the organisation section."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from club.core.models import AuditEvent
from club.deals import services
from club.deals.models import Deal, DealKind, DealShare, Stage
from club.demo import organisation
from club.permissions import Role
from tests.deals.factories import make_deal, partner_of, staff
from tests.factories import UserFactory


def reminded_events(db) -> list[tuple]:
    """The reminders audited: (entity, its id, actor, titles of the deals listed), in the order they were written."""
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "deal.reminded")
                                .order_by(AuditEvent.id))
    return [(e.entity_type, e.entity_id, e.actor_id, e.changes["deals"][1]) for e in events]


def test_remind_one_mail_per_owner_idempotent_per_day(db, outbox):
    ana, bob = staff(), staff()
    today = date(2026, 11, 29)
    make_deal(ana, title="Late A1", next_step="Call", next_step_due=today - timedelta(days=1))
    make_deal(ana, title="Late A2", next_step="Write", next_step_due=today - timedelta(days=9))
    make_deal(bob, title="Late B", owner=bob, next_step="Visit", next_step_due=today - timedelta(days=2))
    make_deal(bob, title="Not yet", owner=bob, next_step="Later", next_step_due=today)
    make_deal(bob, title="Dropped late", owner=bob, stage=Stage.DROPPED, next_step="x",
              next_step_due=today - timedelta(days=2))
    assert services.remind_owners(today) == 2
    db.session.commit()
    assert reminded_events(db) == [("users", ana.id, None, ["Late A2", "Late A1"]), ("users", bob.id, None, ["Late B"])]
    assert services.remind_owners(today) == 0
    db.session.commit()
    assert len(reminded_events(db)) == 2  # the second run of the day queues nothing and audits nothing
    messages = outbox(template="deals_remind")
    assert sorted(m.recipient for m in messages) == sorted([ana.email, bob.email])
    mail_a = next(m for m in messages if m.recipient == ana.email)
    assert "Late A1" in mail_a.body_text and "Late A2" in mail_a.body_text and "Late B" not in mail_a.body_text
    mail_b = next(m for m in messages if m.recipient == bob.email)
    assert "Not yet" not in mail_b.body_text and "Dropped late" not in mail_b.body_text
    assert "http://club.test/deals/" in mail_b.body_text
    assert mail_b.body_html and "Late B" in mail_b.body_html
    assert services.remind_owners(today + timedelta(days=1)) == 2


def test_the_reminder_reads_in_the_owners_history(db, login_as, client):
    ana = staff()
    make_deal(ana, title="Late A1", next_step="Call", next_step_due=date(2026, 11, 28))
    make_deal(ana, title="Late A2", next_step="Write", next_step_due=date(2026, 11, 20))
    services.remind_owners(date(2026, 11, 29))
    db.session.commit()
    for locale, label, deals in [("fr", "Rappel des prochaines étapes en retard envoyé par email",
                                  "Dossiers\u00a0: Late A2, Late A1"),
                                 ("en", "Reminder of overdue next steps emailed", "Deals: Late A2, Late A1")]:
        login_as(UserFactory(admin=True, locale=locale))
        html = client.get(f"/admin/users/{ana.id}").get_data(as_text=True)
        assert html.count(label) == 1 and deals in html, locale


def test_remind_command(app, db, outbox):
    ana = staff()
    make_deal(ana, title="Late", next_step="Call", next_step_due=date(2026, 1, 1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["deals", "remind", "--date", "2026-02-01"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["deals", "remind", "--date", "2026-02-01"])
    assert "0 reminder" in result.output
    assert len(outbox(template="deals_remind")) == 1


def test_demo_world(demo_world):
    db = demo_world
    from club.demo import load_demo

    pact = db.session.scalar(sa.select(Deal).where(Deal.kind == DealKind.SHAREHOLDERS_PACT))
    assert pact.stage == Stage.SIGNED and pact.signed_on == date(2020, 7, 10)
    assert pact.target.name == "Notoriety" and [o.name for o in pact.investors] == ["FIRO"]
    assert "Oujda-shore" in pact.summary
    mou = db.session.scalar(sa.select(Deal).where(Deal.kind == DealKind.MOU))
    assert mou.target.name == "Groupe international A" and mou.amount is None
    stages = set(db.session.scalars(sa.select(Deal.stage)))
    assert {Stage.LEAD, Stage.SCREENING, Stage.DUE_DILIGENCE, Stage.COMMITTEE, Stage.TERM_SHEET, Stage.SIGNED,
            Stage.DROPPED} <= stages
    firo = organisation("FIRO")
    shared = set(db.session.scalars(sa.select(DealShare.deal_id).where(DealShare.organization_id == firo.id)))
    committee = db.session.scalar(sa.select(Deal).where(Deal.stage == Stage.COMMITTEE))
    assert committee.id in shared and services.has_memo(committee)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Deal))
    load_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deal)) == count


def test_home_panels(demo_world, login_as, client):
    from club.auth.models import User

    db = demo_world
    secretariat = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    partner = db.session.scalar(sa.select(User).where(User.email == "partner@firo.example"))
    member = db.session.scalar(sa.select(User).where(User.email == "contact@saccom.example"))
    login_as(secretariat)
    html = client.get("/").get_data(as_text=True)
    assert "Recevoir les états financiers 2019" in html  # an overdue next step
    assert "/deals/table?stage=committee" in html
    login_as(partner)
    html = client.get("/").get_data(as_text=True)
    assert "Prise de participation — centre d&#39;appels Intelcia Oujda" in html
    assert "Convention d&#39;implantation — Eca groupe" not in html
    login_as(member)
    html = client.get("/").get_data(as_text=True)
    assert "/deals/" not in html


def test_organisation_section(demo_world, request_context):
    from club.auth.models import User
    from club.core.sections import sections_for

    db = demo_world
    eca = organisation("Eca groupe")
    secretariat = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    partner = db.session.scalar(sa.select(User).where(User.email == "partner@firo.example"))
    member = db.session.scalar(sa.select(User).where(User.email == "contact@saccom.example"))
    mine = [s for s in sections_for("organization", eca, secretariat) if s["template"].startswith("deals/")]
    assert {d.title for d in mine[0]["deals"]} == {"Convention d'implantation — Eca groupe", "Extension d'un plateau à Nador"}
    # FIRO's partner sees only the deals shared with FIRO; none of Eca's is.
    assert [s for s in sections_for("organization", eca, partner) if s["template"].startswith("deals/")] == []
    firo_view = [s for s in sections_for("organization", organisation("FIRO"), partner)
                 if s["template"].startswith("deals/")][0]
    shared = set(db.session.scalars(sa.select(DealShare.deal_id)))
    assert firo_view["deals"] and all(d.id in shared for d in firo_view["deals"])
    assert [s for s in sections_for("organization", eca, member) if s["template"].startswith("deals/")] == []
    stranger = partner_of()  # a partner, of another investor: FIRO's deals are not shared with it
    assert stranger.role == Role.PARTNER and stranger.organization_id != organisation("FIRO").id
    assert [s for s in sections_for("organization", organisation("FIRO"), stranger)
            if s["template"].startswith("deals/")] == []


def test_navigation_entry(demo_world, login_as, client):
    from club.auth.models import User

    db = demo_world
    for email, shown in [("secretariat@club.example", True), ("partner@firo.example", True),
                         ("contact@saccom.example", False), ("founder@startup.example", False)]:
        login_as(db.session.scalar(sa.select(User).where(User.email == email)))
        html = client.get("/").get_data(as_text=True)
        assert ('class="nav-link" href="/deals/"' in html) is shown, email


def test_the_reminder_says_one_or_several_next_steps(db, outbox):
    ana, bob = staff(), staff()
    today = date(2026, 11, 29)
    make_deal(ana, title="Late A1", next_step="Call", next_step_due=today - timedelta(days=1))
    make_deal(ana, title="Late A2", next_step="Write", next_step_due=today - timedelta(days=9))
    make_deal(bob, title="Late B", owner=bob, next_step="Visit", next_step_due=today - timedelta(days=2))
    services.remind_owners(today)
    db.session.commit()
    mails = {m.recipient: m for m in outbox(template="deals_remind")}
    assert "Ces 2 prochaines étapes de vos dossiers sont en retard" in mails[ana.email].body_text
    assert "Cette prochaine étape de vos dossiers est en retard" in mails[bob.email].body_text
    assert "Cette prochaine étape de vos dossiers est en retard" in mails[bob.email].body_html
