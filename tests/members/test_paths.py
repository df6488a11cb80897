"""The paths a person takes through the members pages: open a form and save it untouched, download the export
from a real server, twenty people pressing the same button at once, correct and delete what was recorded."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.members.models import (
    Contact,
    Dues,
    JobCommitment,
    JobReport,
    Language,
    OrganizationLanguage,
    OrganizationTrade,
    OrgKind,
    PaymentMethod,
    Province,
    Site,
    Trade,
)
from tests.conftest import text
from tests.members.factories import (
    CommitmentFactory,
    ContactFactory,
    DuesFactory,
    MembershipFactory,
    ReportFactory,
)
from tests.members.formtools import as_multidict, form_posting_to


def audit_rows(db) -> list[tuple]:
    db.session.expire_all()
    return [(e.action, e.entity_id, e.changes) for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]


def row_of(db, model, ident) -> dict:
    """Every column of a row, as the database holds it."""
    db.session.expire_all()
    table = model.__table__
    return dict(db.session.execute(sa.select(table).where(table.c.id == ident)).mappings().one())


@pytest.fixture()
def full_org(factories, db):
    """An organisation with every profile field, several trades and languages, contacts, dues, jobs."""
    org = factories.OrganizationFactory(
        name="Saccom", kind=OrgKind.BPO, ice="001234567000089", city="Oujda", province=Province.OUJDA_ANGAD,
        site=Site.OUJDA_SHORE, headcount=420, website="https://www.saccom.ma", email="contact@saccom.ma",
        phone="+212536000000", description="Gestion documentaire,\nRH et pôle anglophone.\n\nDeux lignes.")
    org.trades = [OrganizationTrade(trade=Trade.DOCUMENT_MANAGEMENT), OrganizationTrade(trade=Trade.HR_SERVICES)]
    org.languages = [OrganizationLanguage(language=Language.FRENCH), OrganizationLanguage(language=Language.ENGLISH)]
    db.session.commit()
    ContactFactory(organization=org, name="Moulay Zine El Oudghiri", title="CEO", is_primary=True)
    ContactFactory(organization=org, name="Leila Chraibi", title=None, phone=None)
    from club.members.models import MembershipTier

    gold = MembershipTier(name="Gold", annual_fee=Decimal("12500.00"), period_months=12)
    db.session.add(gold)
    db.session.commit()
    MembershipFactory(organization=org, tier=gold, renews_on=date(2027, 1, 1))
    DuesFactory(organization=org, year=2025, amount=Decimal("12500.50"), invoiced_on=date(2025, 1, 5),
                paid_on=date(2025, 2, 1), method=PaymentMethod.TRANSFER)
    commitment = CommitmentFactory(organization=org, jobs_announced=1000, announced_on=date(2020, 2, 20),
                                   horizon=date(2023, 12, 31), source="Siccam 2020")
    ReportFactory(commitment=commitment, jobs_created=350, reported_on=date(2022, 6, 30), note="Première vague")
    return org


# --- every edit form, submitted back untouched, changes nothing -----------------------------------------------------


def _edit_forms(org, commitment, report, dues, contact):
    """(page to open, form action, table, row id) for every members form that edits an existing record."""
    return [
        (f"/members/{org.id}/edit", f"/members/{org.id}/edit", "organizations", org.id),
        (f"/members/{org.id}/contacts/{contact.id}/edit", f"/members/{org.id}/contacts/{contact.id}/edit",
         "contacts", contact.id),
        (f"/members/{org.id}", f"/members/{org.id}/membership", "memberships", org.membership.id),
        (f"/members/{org.id}/dues/{dues.id}/edit", f"/members/{org.id}/dues/{dues.id}/edit", "dues", dues.id),
        (f"/members/{org.id}/commitments/{commitment.id}/edit", f"/members/{org.id}/commitments/{commitment.id}/edit",
         "job_commitments", commitment.id),
        (f"/members/{org.id}/commitments/{commitment.id}/reports/{report.id}/edit",
         f"/members/{org.id}/commitments/{commitment.id}/reports/{report.id}/edit", "job_reports", report.id),
    ]


MODELS = {"organizations": None, "contacts": Contact, "memberships": None, "dues": Dues,
          "job_commitments": JobCommitment, "job_reports": JobReport}


def _snapshot(db, table_name, ident):
    db.session.expire_all()
    table = db.metadata.tables[table_name]
    row = dict(db.session.execute(sa.select(table).where(table.c.id == ident)).mappings().one())
    extra = {}
    if table_name == "organizations":
        extra["trades"] = sorted(t.value for t in db.session.scalars(
            sa.select(OrganizationTrade.trade).where(OrganizationTrade.organization_id == ident)))
        extra["languages"] = sorted(v.value for v in db.session.scalars(
            sa.select(OrganizationLanguage.language).where(OrganizationLanguage.organization_id == ident)))
    return row, extra


@pytest.mark.parametrize("role", ["secretariat", "member"])
def test_every_edit_form_saved_untouched_changes_nothing(client, as_user, factories, db, full_org, role):
    org = full_org
    user = factories.UserFactory(role=role, organization=org if role == "member" else None)
    commitment = org.job_commitments[0]
    report = commitment.reports[0]
    contact = next(c for c in org.contacts if c.is_primary)
    forms = _edit_forms(org, commitment, report, org.dues[0], contact)
    if role == "member":  # a member edits their profile, contacts and job reports; the rest is the secretariat's
        forms = [f for f in forms if f[2] in ("organizations", "contacts", "job_reports")]
    as_user(user)
    checked = 0
    for page, action, table_name, ident in forms:
        before = _snapshot(db, table_name, ident)
        events = audit_rows(db)
        response = client.get(page)
        assert response.status_code == 200, page
        fields = form_posting_to(response.get_data(as_text=True), action, page)
        saved = client.post(action, data=as_multidict(fields))
        assert saved.status_code in (200, 303), (action, saved.status_code, text(saved)[:2000])
        after = _snapshot(db, table_name, ident)
        assert after == before, action
        assert audit_rows(db) == events, action  # no audit event with changes
        checked += 1
    assert checked == len(forms)
    # the lists really were there to lose
    assert _snapshot(db, "organizations", org.id)[1] == {"trades": ["document_management", "hr_services"],
                                                        "languages": ["en", "fr"]}


def test_profile_form_pre_selects_every_trade_and_language(client, as_user, factories, full_org):
    as_user(factories.UserFactory(role="secretariat"))
    fields = form_posting_to(client.get(f"/members/{full_org.id}/edit").get_data(as_text=True),
                             f"/members/{full_org.id}/edit")
    assert sorted(v for k, v in fields if k == "trades") == ["document_management", "hr_services"]
    assert sorted(v for k, v in fields if k == "languages") == ["en", "fr"]
    assert dict(fields)["description"] == full_org.description


# --- the export through a real HTTP server ----------------------------------------------------------------------


def _parse_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff")), delimiter=";"))


def test_export_downloads_through_a_real_server(live_server, factories, full_org, db):
    staff = factories.UserFactory(role="secretariat", locale="en")
    for n in range(30):
        org = factories.OrganizationFactory(name=f"=cmd|' /C calc'!A{n}" if n == 0 else f"Centre {n:02d}",
                                            description="@SUM(1+1)" if n == 1 else None)
        ContactFactory(organization=org, name=f"-Person {n}", is_primary=True)
    cookie = live_server.sign_in(staff.email)
    # the page offers the link; the link answers a parseable CSV
    status, _, page = live_server.request("/members/", cookie=cookie)
    assert status == 200
    assert 'href="/members/export.csv"' in page.decode()
    status, headers, body = live_server.request("/members/export.csv", cookie=cookie)
    assert status == 200, body[:3000]
    assert headers["Content-Type"].startswith("text/csv") and "attachment" in headers["Content-Disposition"]
    rows = _parse_csv(body)
    assert rows[0][0] == "name" and len(rows) == 1 + 31
    assert {len(r) for r in rows} == {len(rows[0])}  # a constant column count
    for row in rows[1:]:
        for cell in row:
            assert not cell or cell[0] not in "=+-@", row  # formulas neutralised
    saccom = next(r for r in rows if r[0] == "Saccom")
    assert saccom[6] == "document_management|hr_services" and saccom[7] == "en|fr"
    assert "'=cmd|' /C calc'!A0" in [r[0] for r in rows]
    # a filtered list, and an empty one
    status, _, body = live_server.request("/members/export.csv?kind=bpo", cookie=cookie)
    assert status == 200 and [r[0] for r in _parse_csv(body)[1:]] == ["Saccom"]
    status, _, body = live_server.request("/members/export.csv?q=nobody-at-all", cookie=cookie)
    assert status == 200 and len(_parse_csv(body)) == 1


# --- twenty identical requests at once ----------------------------------------------------------------------


def _at_once(live_server, cookie, path, data, n=20, headers=None):
    results: list[tuple[int, bytes]] = []
    lock = threading.Lock()
    start = threading.Barrier(n)

    def one():
        start.wait()
        status, _, body = live_server.request(path, cookie=cookie, data=data, headers=headers)
        with lock:
            results.append((status, body))

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == n
    return results


@pytest.mark.parametrize("htmx", [False, True])
def test_twenty_identical_primary_contacts_make_one(live_server, factories, db, htmx):
    org = factories.OrganizationFactory(name="Intelcia")
    ContactFactory(organization=org, name="Old Primary", is_primary=True)
    staff = factories.UserFactory(role="secretariat", locale="en")
    cookie = live_server.sign_in(staff.email)
    results = _at_once(live_server, cookie, f"/members/{org.id}/contacts/new",
                       {"contact-name": "Khadija Ouali", "contact-email": "k@intelcia.ma", "contact-is_primary": "y"},
                       headers={"HX-Request": "true"} if htmx else None)
    statuses = sorted(s for s, _ in results)
    assert 500 not in statuses, statuses
    assert statuses.count(303 if not htmx else 200) == 1, statuses
    assert statuses.count(422) == 19, statuses
    assert all("already a contact" in b.decode() for s, b in results if s == 422)
    db.session.expire_all()
    contacts = db.session.scalars(sa.select(Contact).where(Contact.organization_id == org.id)).all()
    assert sorted((c.name, c.is_primary) for c in contacts) == [("Khadija Ouali", True), ("Old Primary", False)]
    added = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "contact.added")).all()
    assert len(added) == 1


def test_twenty_different_primary_contacts_leave_one_primary(live_server, factories, db):
    org = factories.OrganizationFactory(name="Notoriety")
    ContactFactory(organization=org, name="Old Primary", is_primary=True)
    staff = factories.UserFactory(role="secretariat", locale="en")
    cookie = live_server.sign_in(staff.email)
    results: list[int] = []
    start = threading.Barrier(20)

    url = f"/members/{org.id}/contacts/new"

    def one(n):
        start.wait()
        results.append(live_server.request(url, cookie=cookie,
                                           data={"contact-name": f"Person {n}", "contact-is_primary": "y"})[0])

    threads = [threading.Thread(target=one, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results) == [303] * 20
    db.session.expire_all()
    contacts = db.session.scalars(sa.select(Contact).where(Contact.organization_id == org.id)).all()
    assert len(contacts) == 21 and sum(c.is_primary for c in contacts) == 1


def test_twenty_identical_dues_record_one_and_refuse_the_others(live_server, factories, db):
    org = factories.OrganizationFactory(name="Eca groupe")
    staff = factories.UserFactory(role="secretariat", locale="en")
    cookie = live_server.sign_in(staff.email)
    results = _at_once(live_server, cookie, f"/members/{org.id}/dues",
                       {"dues-year": "2026", "dues-amount": "15000", "dues-invoiced_on": "2026-01-10"})
    statuses = sorted(s for s, _ in results)
    assert statuses == [303] + [422] * 19, statuses
    assert all("already recorded" in b.decode() and 'id="dues-year-error"' in b.decode()
               for s, b in results if s == 422)
    db.session.expire_all()
    dues = db.session.scalars(sa.select(Dues).where(Dues.organization_id == org.id)).all()
    assert [(d.year, d.amount) for d in dues] == [(2026, Decimal("15000.00"))]
    assert len(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "dues.recorded")).all()) == 1


def test_different_dues_for_one_year_never_overwrite_silently(live_server, factories, db):
    org = factories.OrganizationFactory(name="Siccam")
    staff = factories.UserFactory(role="secretariat", locale="en")
    cookie = live_server.sign_in(staff.email)
    results: list[tuple[int, str]] = []
    start = threading.Barrier(12)

    url = f"/members/{org.id}/dues"

    def one(n):
        start.wait()
        status, _, _ = live_server.request(url, cookie=cookie,
                                           data={"dues-year": "2026", "dues-amount": str(1000 + n)})
        results.append((status, str(1000 + n)))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    confirmed = [amount for status, amount in results if status == 303]
    assert len(confirmed) == 1 and sorted(s for s, _ in results).count(422) == 11
    db.session.expire_all()
    dues = db.session.scalars(sa.select(Dues).where(Dues.organization_id == org.id)).all()
    assert [str(d.amount) for d in dues] == [f"{confirmed[0]}.00"]  # what the screen confirmed is what is kept


def test_dues_unique_constraint_is_turned_into_a_field_error(client, as_user, factories, db, monkeypatch):
    """Behind the lock, the (organisation, year) constraint is the backstop: a field error, not a 500."""
    from club.members import services

    org = factories.OrganizationFactory()
    DuesFactory(organization=org, year=2026)
    monkeypatch.setattr(services, "lock_organization", lambda org: None)
    real_scalar = db.session.scalar

    def blind_scalar(stmt, *args, **kwargs):  # the year check misses the row (as a racing request would)
        if "FROM dues" in str(stmt) and "dues.year" in str(stmt):
            return None
        return real_scalar(stmt, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", blind_scalar)
    as_user(factories.UserFactory(role="secretariat"))
    response = client.post(f"/members/{org.id}/dues", data={"dues-year": "2026", "dues-amount": "5"})
    assert response.status_code == 422 and 'id="dues-year-error"' in response.get_data(as_text=True)
    monkeypatch.undo()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues)) == 1


# --- corrections: dues, commitments, job reports ------------------------------------------------------------------


def test_secretariat_corrects_and_deletes_dues(client, as_user, factories, db, full_org):
    staff = factories.UserFactory(role="secretariat", locale="en")
    dues = full_org.dues[0]
    as_user(staff)
    page = text(client.get(f"/members/{full_org.id}"))
    assert f'href="/members/{full_org.id}/dues/{dues.id}/edit"' in page
    response = client.post(f"/members/{full_org.id}/dues/{dues.id}/edit",
                           data={"dues-amount": "13000", "dues-invoiced_on": "2025-01-05", "dues-paid_on": "2025-02-03",
                                 "dues-method": "cheque", "dues-version": str(dues.version)})
    assert response.status_code == 303
    row = row_of(db, Dues, dues.id)
    assert row["amount"] == Decimal("13000.00") and row["paid_on"] == date(2025, 2, 3) and row["method"] == "cheque"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "dues.corrected")).one()
    assert event.changes["amount"] == ["12500.50", "13000.00"] and event.changes["method"] == ["transfer", "cheque"]
    # a bad value is refused at the field, with the input kept
    bad = client.post(f"/members/{full_org.id}/dues/{dues.id}/edit",
                      data={"dues-amount": "-5", "dues-invoiced_on": "2025-01-05",
                            "dues-version": str(row["version"])})
    assert bad.status_code == 422 and 'id="dues-amount-error"' in text(bad) and 'value="-5"' in text(bad)
    assert client.post(f"/members/{full_org.id}/dues/{dues.id}/delete").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues)) == 0
    deleted = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "dues.deleted")).one()
    assert deleted.changes["year"] == [2025, None] and deleted.changes["amount"] == ["13000.00", None]


def test_a_member_may_not_correct_dues_or_commitments(client, as_user, factories, db, full_org):
    as_user(factories.UserFactory(role="member", organization=full_org))
    dues, commitment = full_org.dues[0], full_org.job_commitments[0]
    assert client.get(f"/members/{full_org.id}/dues/{dues.id}/edit").status_code == 404
    assert client.post(f"/members/{full_org.id}/dues/{dues.id}/delete").status_code == 404
    assert client.post(f"/members/{full_org.id}/commitments/{commitment.id}/delete").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobCommitment)) == 1


def test_stale_dues_correction_answers_409_with_both_versions(client, as_user, factories, db, full_org):
    as_user(factories.UserFactory(role="secretariat"))
    dues = full_org.dues[0]
    old_version = dues.version
    data = {"dues-amount": "14000", "dues-invoiced_on": "2025-01-05", "dues-version": str(old_version)}
    assert client.post(f"/members/{full_org.id}/dues/{dues.id}/edit", data=data).status_code == 303
    stale = client.post(f"/members/{full_org.id}/dues/{dues.id}/edit", data={**data, "dues-amount": "99"})
    page = text(stale).replace("\u202f", " ").replace("\xa0", " ")
    assert stale.status_code == 409 and 'id="stale-title"' in page
    assert "<th scope=\"row\">Amount (MAD)</th><td>99</td><td>14,000.00</td>" in page  # yours, theirs (in English)
    assert 'value="99"' in page  # yours, kept in the form
    assert row_of(db, Dues, dues.id)["amount"] == Decimal("14000.00")


def test_job_report_corrections_by_the_member(client, as_user, factories, db, full_org):
    commitment = full_org.job_commitments[0]
    report = commitment.reports[0]
    member = factories.UserFactory(role="member", organization=full_org)
    as_user(member)
    page = text(client.get(f"/members/{full_org.id}"))
    edit_url = f"/members/{full_org.id}/commitments/{commitment.id}/reports/{report.id}/edit"
    assert f'href="{edit_url}"' in page
    token = dict(form_posting_to(client.get(edit_url).get_data(as_text=True), edit_url))["report-version"]
    data = {"report-reported_on": "2022-07-31", "report-jobs_created": "400", "report-note": "Corrigé",
            "report-version": token}
    assert client.post(edit_url, data=data).status_code == 303
    row = row_of(db, JobReport, report.id)
    assert (row["reported_on"], row["jobs_created"], row["note"]) == (date(2022, 7, 31), 400, "Corrigé")
    assert row_of(db, JobCommitment, commitment.id)["jobs_created"] == 400  # the figure follows
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "jobs.report_corrected")).one()
    assert event.changes["jobs_created"] == [350, 400] and event.actor_id == member.id
    # stale: someone corrected it meanwhile
    stale = client.post(edit_url, data={**data, "report-jobs_created": "410"})
    assert stale.status_code == 409 and 'value="410"' in text(stale) and 'id="stale-title"' in text(stale)
    assert "<td>410</td><td>400</td>" in text(stale)
    assert row_of(db, JobReport, report.id)["jobs_created"] == 400
    # delete: the figure falls back to the remaining reports (none: 0)
    assert client.post(f"/members/{full_org.id}/commitments/{commitment.id}/reports/{report.id}/delete") \
        .status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobReport)) == 0
    assert row_of(db, JobCommitment, commitment.id)["jobs_created"] == 0
    assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "jobs.report_deleted")).one()


def test_another_member_cannot_touch_the_reports(client, as_user, factories, db, full_org):
    commitment = full_org.job_commitments[0]
    report = commitment.reports[0]
    as_user(factories.UserFactory(role="member"))
    base = f"/members/{full_org.id}/commitments/{commitment.id}/reports/{report.id}"
    assert client.get(base + "/edit").status_code == 404
    assert client.post(base + "/delete").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobReport)) == 1


def test_a_report_dated_before_its_commitment_is_refused_at_the_field(client, as_user, factories, db, full_org):
    commitment = full_org.job_commitments[0]
    as_user(factories.UserFactory(role="member", organization=full_org))
    response = client.post(f"/members/{full_org.id}/commitments/{commitment.id}/reports",
                           data={f"report{commitment.id}-reported_on": "2019-12-31",
                                 f"report{commitment.id}-jobs_created": "10"})
    assert response.status_code == 422
    assert f'id="report{commitment.id}-reported_on-error"' in text(response)
    assert "before its commitment" in text(response)
    report = commitment.reports[0]
    edit_url = f"/members/{full_org.id}/commitments/{commitment.id}/reports/{report.id}/edit"
    token = dict(form_posting_to(client.get(edit_url).get_data(as_text=True), edit_url))["report-version"]
    response = client.post(edit_url, data={"report-reported_on": "2019-01-01", "report-jobs_created": "350",
                                           "report-version": token})
    assert response.status_code == 422 and 'id="report-reported_on-error"' in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobReport)) == 1
    assert row_of(db, JobReport, report.id)["reported_on"] == date(2022, 6, 30)


def test_more_jobs_than_announced_asks_for_confirmation(client, as_user, factories, db, full_org):
    commitment = full_org.job_commitments[0]  # 1,000 announced
    as_user(factories.UserFactory(role="member", organization=full_org))
    url = f"/members/{full_org.id}/commitments/{commitment.id}/reports"
    data = {f"report{commitment.id}-reported_on": "2024-01-31", f"report{commitment.id}-jobs_created": "1200"}
    first = client.post(url, data=data)
    page = text(first).replace("\u202f", " ").replace("\xa0", " ")
    assert first.status_code == 422 and "more than the 1,000 jobs announced" in page
    assert f'name="report{commitment.id}-confirm_excess"' in page and 'value="1200"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobReport)) == 1
    confirmed = client.post(url, data={**data, f"report{commitment.id}-confirm_excess": "y"})
    assert confirmed.status_code == 303
    assert row_of(db, JobCommitment, commitment.id)["jobs_created"] == 1200
    # correcting the older report (350) above the announcement asks too; the confirmed excess does not again
    older = min(commitment.reports, key=lambda r: r.reported_on)
    newer = max(commitment.reports, key=lambda r: r.reported_on)
    for report, figure, asks in ((older, "1100", True), (newer, "1300", False)):
        edit_url = f"/members/{full_org.id}/commitments/{commitment.id}/reports/{report.id}/edit"
        fields = dict(form_posting_to(client.get(edit_url).get_data(as_text=True), edit_url))
        response = client.post(edit_url, data={**fields, "report-jobs_created": figure})
        assert response.status_code == (422 if asks else 303), figure
        if asks:
            assert 'name="report-confirm_excess"' in text(response)
            assert client.post(edit_url, data={**fields, "report-jobs_created": figure,
                                               "report-confirm_excess": "y"}).status_code == 303
        assert row_of(db, JobReport, report.id)["jobs_created"] == int(figure)


def test_secretariat_corrects_and_deletes_a_commitment(client, as_user, factories, db, full_org):
    commitment = full_org.job_commitments[0]
    as_user(factories.UserFactory(role="secretariat"))
    url = f"/members/{full_org.id}/commitments/{commitment.id}/edit"
    fields = dict(form_posting_to(client.get(url).get_data(as_text=True), url))
    assert client.post(url, data={**fields, "commitment-jobs_announced": "1200"}).status_code == 303
    assert row_of(db, JobCommitment, commitment.id)["jobs_announced"] == 1200
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "jobs.commitment_corrected")).one()
    assert event.changes["jobs_announced"] == [1000, 1200]
    # an announcement moved after its reports is refused at the field
    fields = dict(form_posting_to(client.get(url).get_data(as_text=True), url))
    bad = client.post(url, data={**fields, "commitment-announced_on": "2023-01-01"})
    assert bad.status_code == 422 and 'id="commitment-announced_on-error"' in text(bad)
    assert client.post(f"/members/{full_org.id}/commitments/{commitment.id}/delete").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobCommitment)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobReport)) == 0
    assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "jobs.commitment_deleted")).one()


def test_stale_contact_edit_answers_409(client, as_user, factories, db, full_org):
    contact = next(c for c in full_org.contacts if c.is_primary)
    as_user(factories.UserFactory(role="secretariat"))
    url = f"/members/{full_org.id}/contacts/{contact.id}/edit"
    fields = dict(form_posting_to(client.get(url).get_data(as_text=True), url))
    prefix = f"contact{contact.id}"
    assert client.post(url, data={**fields, f"{prefix}-title": "PDG"}).status_code == 303
    stale = client.post(url, data={**fields, f"{prefix}-title": "Président"})
    assert stale.status_code == 409 and "PDG" in text(stale) and 'value="Président"' in text(stale)
    assert row_of(db, Contact, contact.id)["title"] == "PDG"


def test_the_future_is_not_a_report_date(client, as_user, factories, db, full_org):
    commitment = full_org.job_commitments[0]
    as_user(factories.UserFactory(role="secretariat"))
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(f"/members/{full_org.id}/commitments/{commitment.id}/reports",
                           data={f"report{commitment.id}-reported_on": tomorrow,
                                 f"report{commitment.id}-jobs_created": "10"})
    assert response.status_code == 422


# --- counts and numbers read right ------------------------------------------------------------------------------


def _plain(response) -> str:
    return text(response).replace("\u202f", " ").replace("\xa0", " ")


def test_counts_use_plural_forms_and_numbers_follow_the_locale(client, as_user, factories, db):
    org = factories.OrganizationFactory(name="Notoriety")
    one = CommitmentFactory(organization=org, jobs_announced=1, source="Une")
    ReportFactory(commitment=one, jobs_created=1, reported_on=date(2022, 1, 1))
    DuesFactory(organization=org, year=2025, amount=Decimal("12500.50"))
    staff = factories.UserFactory(role="secretariat")
    as_user(staff, locale="fr")
    page = _plain(client.get(f"/members/{org.id}"))
    assert "1 emploi créé sur 1 annoncé" in page and "1 emploi annoncé" in page
    assert "1 emplois" not in page and "12 500,50 MAD" in page
    register = _plain(client.get("/members/"))
    assert 'id="member-total">1 organisation</p>' in register  # the whole count: not "11 organisations"
    big = CommitmentFactory(organization=org, jobs_announced=2500, source="Deux")
    ReportFactory(commitment=big, jobs_created=1233, reported_on=date(2022, 1, 1))
    page = _plain(client.get(f"/members/{org.id}"))
    assert "1 234 emplois créés sur 2 501 annoncés" in page and "2 500 emplois annoncés" in page
    as_user(staff, locale="en")
    page = _plain(client.get(f"/members/{org.id}"))
    assert "1,234 jobs created of 2,501 announced" in page and "1 job announced" in page
    assert "12,500.50 MAD" in page


def _deleted_once(statuses):
    """A delete pressed twenty times: the ones served while the row existed say it is gone (303, "already
    deleted" for those that waited on the lock); the ones that arrive after it went find nothing (404)."""
    assert set(statuses) <= {303, 404} and 303 in statuses, statuses


def _prepare(kind, factories):
    """(path, data, check(db, results)) for one write path of the members pages without a version token."""
    org = factories.OrganizationFactory(name=f"Org for {kind}")
    org_id = org.id
    if kind == "membership":
        def check(db, statuses):
            from club.members.models import Membership, MembershipChange
            assert statuses == [303] * 20
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1
            assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipChange)) == 1
        return f"/members/{org_id}/membership", {"membership-status": "active", "membership-tier": ""}, check
    if kind == "commitment":
        def check(db, statuses):
            assert statuses == [303] + [422] * 19
            assert db.session.scalar(sa.select(sa.func.count()).select_from(JobCommitment)) == 1
        return f"/members/{org_id}/commitments", {"commitment-jobs_announced": "500",
                                                  "commitment-source": "Siccam 2020"}, check
    commitment = CommitmentFactory(organization=org, jobs_announced=1000)
    if kind == "report":
        def check(db, statuses):
            assert statuses == [303] + [422] * 19
            assert db.session.scalar(sa.select(sa.func.count()).select_from(JobReport)) == 1
            assert db.session.scalar(sa.select(JobCommitment.jobs_created)) == 120
        return (f"/members/{org_id}/commitments/{commitment.id}/reports",
                {f"report{commitment.id}-reported_on": "2024-05-01", f"report{commitment.id}-jobs_created": "120"},
                check)
    if kind == "report_delete":
        report = ReportFactory(commitment=commitment, jobs_created=50)

        def check(db, statuses):
            _deleted_once(statuses)
            assert db.session.scalar(sa.select(sa.func.count()).select_from(JobReport)) == 0
            assert len(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "jobs.report_deleted"))
                       .all()) == 1
        return f"/members/{org_id}/commitments/{commitment.id}/reports/{report.id}/delete", {}, check
    if kind == "dues_delete":
        dues = DuesFactory(organization=org)

        def check(db, statuses):
            _deleted_once(statuses)
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues)) == 0
            assert len(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "dues.deleted")).all()) == 1
        return f"/members/{org_id}/dues/{dues.id}/delete", {}, check
    if kind == "contact_delete":
        contact = ContactFactory(organization=org, is_primary=True)

        def check(db, statuses):
            _deleted_once(statuses)
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0
            assert len(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "contact.removed"))
                       .all()) == 1
        return f"/members/{org_id}/contacts/{contact.id}/delete", {}, check
    if kind == "commitment_delete":
        def check(db, statuses):
            _deleted_once(statuses)
            assert db.session.scalar(sa.select(sa.func.count()).select_from(JobCommitment)) == 0
        return f"/members/{org_id}/commitments/{commitment.id}/delete", {}, check
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["membership", "commitment", "report", "report_delete", "dues_delete",
                                  "contact_delete", "commitment_delete"])
def test_twenty_identical_requests_on_every_other_write_path(live_server, factories, db, kind):
    path, data, check = _prepare(kind, factories)
    staff = factories.UserFactory(role="secretariat", locale="en")
    cookie = live_server.sign_in(staff.email)
    results = _at_once(live_server, cookie, path, data)
    statuses = sorted(s for s, _ in results)
    assert 500 not in statuses, statuses
    db.session.expire_all()
    check(db, statuses)


@pytest.mark.parametrize("role", ["secretariat", "member"])
def test_a_file_in_any_field_of_any_members_form_is_refused_and_changes_nothing(client, as_user, factories, db, full_org,
                                                                        role):
    org = full_org
    commitment = org.job_commitments[0]
    forms = _edit_forms(org, commitment, commitment.reports[0], org.dues[0], next(c for c in org.contacts))
    forms += [(f"/members/{org.id}", f"/members/{org.id}/dues", "dues", org.dues[0].id),
              (f"/members/{org.id}", f"/members/{org.id}/commitments", "job_commitments", commitment.id),
              (f"/members/{org.id}", f"/members/{org.id}/commitments/{commitment.id}/reports", "job_reports",
               commitment.reports[0].id),
              (f"/members/{org.id}", f"/members/{org.id}/contacts/new", "contacts", org.contacts[0].id)]
    if role == "member":
        forms = [f for f in forms if f[2] in ("organizations", "contacts", "job_reports")]
    as_user(factories.UserFactory(role=role, organization=org if role == "member" else None))
    counts = {t: db.session.scalar(sa.select(sa.func.count()).select_from(db.metadata.tables[t]))
              for t in ("contacts", "dues", "job_commitments", "job_reports", "audit_events")}
    headcount = org.headcount
    assert headcount is not None
    for page, action, _table, _ident in forms:
        fields = form_posting_to(client.get(page).get_data(as_text=True), action, page)
        for name in {k for k, _ in fields}:
            data = as_multidict([(k, v) for k, v in fields if k != name])
            data.add(name, (io.BytesIO(b"=1+1"), "evil.html"))
            response = client.post(action, data=data, content_type="multipart/form-data")
            assert response.status_code in (400, 409, 422), (action, name, response.status_code)
    db.session.expire_all()
    assert db.session.get(type(org), org.id).headcount == headcount and org.trades
    assert counts == {t: db.session.scalar(sa.select(sa.func.count()).select_from(db.metadata.tables[t]))
                      for t in counts}


def test_nested_correction_urls_must_agree(client, as_user, factories, db, full_org):
    other = factories.OrganizationFactory(name="Intelcia")
    other_dues = DuesFactory(organization=other, year=2024)
    other_commitment = CommitmentFactory(organization=other)
    other_report = ReportFactory(commitment=other_commitment)
    mine = full_org.job_commitments[0]
    as_user(factories.UserFactory(role="secretariat"))
    base = f"/members/{full_org.id}"
    for url in (f"{base}/dues/{other_dues.id}/edit", f"{base}/commitments/{other_commitment.id}/edit",
                f"{base}/commitments/{mine.id}/reports/{other_report.id}/edit",
                f"{base}/commitments/{other_commitment.id}/reports/{other_report.id}/edit"):
        assert client.get(url).status_code == 404, url
    for url in (f"{base}/dues/{other_dues.id}/delete", f"{base}/commitments/{other_commitment.id}/delete",
                f"{base}/commitments/{mine.id}/reports/{other_report.id}/delete"):
        assert client.post(url).status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Dues, other_dues.id) is not None
    assert db.session.get(JobCommitment, other_commitment.id) is not None
    assert db.session.get(JobReport, other_report.id) is not None
