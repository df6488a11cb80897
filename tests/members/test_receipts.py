"""Dues receipts: a number per payment ("2026-0007": per year of payment, gapless, distinct under simultaneous
payments, kept when the payment is corrected, reserved when it is cleared), given to the dues already paid by the
migration; the receipt as a one-page PDF in the member's language, for the secretariat and the organisation's own
member contacts only, through a real HTTP server."""

from __future__ import annotations

import io
import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from club import create_app
from club.core.models import AuditEvent
from club.extensions import db as database
from club.members import services
from club.members.models import Dues, PaymentMethod, ReceiptCounter
from tests.conftest import fresh_database_url, live_request, make_test_config, session_cookie, text
from tests.members.factories import DuesFactory


def pdf_text(body: bytes) -> tuple[int, str]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(body))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def spaced(text: str) -> str:
    """Babel's French grouping and currency spaces (narrow or not) as plain spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture()
def world(factories, db):
    org = factories.OrganizationFactory(name="Saccom", ice="001234567000089")
    other = factories.OrganizationFactory(name="Intelcia")
    users = {
        "staff": factories.UserFactory(role="secretariat"),
        "member": factories.UserFactory(role="member", organization=org, locale="fr"),
        "stranger": factories.UserFactory(role="member", organization=other),
        "partner": factories.UserFactory(partner=True),
        "applicant": factories.UserFactory(role="applicant"),
    }
    paid = DuesFactory(organization=org, year=2025, amount=Decimal("15000.00"), paid_on=date(2025, 1, 28),
                       method=PaymentMethod.TRANSFER)
    unpaid = DuesFactory(organization=org, year=2026, amount=Decimal("15000.00"))
    db.session.flush()
    services.give_receipt_number(paid)
    db.session.commit()
    return {"org": org, "other": other, "paid": paid, "unpaid": unpaid, **users}


# --------------------------------------------------------------------------------------------------------------
# Numbers


def test_numbers_follow_each_other_per_year_of_payment(app, factories, db, request_context):
    staff = factories.UserFactory(role="secretariat")
    orgs = [factories.OrganizationFactory() for _ in range(3)]
    first = services.record_dues(orgs[0], 2026, amount=Decimal("100"), paid_on=date(2026, 2, 1), by=staff)
    second = services.record_dues(orgs[1], 2026, amount=Decimal("100"), paid_on=date(2026, 3, 1), by=staff)
    other_year = services.record_dues(orgs[2], 2025, amount=Decimal("100"), paid_on=date(2025, 12, 30), by=staff)
    unpaid = services.record_dues(orgs[2], 2026, amount=Decimal("100"), by=staff)
    db.session.commit()
    assert (first.receipt_number, second.receipt_number, other_year.receipt_number) == (
        "2026-0001", "2026-0002", "2025-0001")
    assert unpaid.receipt_number is None
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "dues.recorded")
                               .order_by(AuditEvent.id)).first()
    assert event.changes["receipt_number"] == [None, "2026-0001"]


def test_a_number_is_given_once_kept_on_correction_and_reserved_when_the_payment_is_cleared(
        app, factories, db, request_context):
    staff = factories.UserFactory(role="secretariat")
    dues = DuesFactory(year=2026)
    db.session.commit()
    changes = services.update_dues(dues, {"paid_on": date(2026, 4, 2), "method": PaymentMethod.CHEQUE},
                                   version=dues.version, by=staff)
    db.session.commit()
    assert dues.receipt_number == "2026-0001" and changes["receipt_number"] == [None, "2026-0001"]
    services.update_dues(dues, {"paid_on": date(2026, 4, 3), "amount": Decimal("12000")}, version=dues.version,
                         by=staff)
    db.session.commit()
    assert dues.receipt_number == "2026-0001"
    services.update_dues(dues, {"paid_on": None, "method": None}, version=dues.version, by=staff)
    db.session.commit()
    assert dues.receipt_number == "2026-0001" and not dues.is_paid  # reserved
    services.update_dues(dues, {"paid_on": date(2026, 5, 1)}, version=dues.version, by=staff)
    db.session.commit()
    assert dues.receipt_number == "2026-0001"
    assert db.session.get(ReceiptCounter, 2026).last_number == 1


def test_a_payment_rolled_back_gives_its_number_back(app, factories, db, request_context):
    staff = factories.UserFactory(role="secretariat")
    orgs = [factories.OrganizationFactory() for _ in range(2)]
    db.session.commit()
    services.record_dues(orgs[0], 2026, amount=Decimal("1"), paid_on=date(2026, 1, 2), by=staff)
    db.session.rollback()
    dues = services.record_dues(orgs[1], 2026, amount=Decimal("1"), paid_on=date(2026, 1, 3), by=staff)
    db.session.commit()
    assert dues.receipt_number == "2026-0001"


def test_twenty_simultaneous_payments_get_twenty_distinct_numbers(app, db, factories, live_server):
    staff = factories.UserFactory(role="secretariat")
    orgs = [factories.OrganizationFactory() for _ in range(20)]
    db.session.commit()
    cookie, ids = session_cookie(app, staff), [org.id for org in orgs]
    barrier, statuses = threading.Barrier(len(ids)), []

    def pay(org_id):
        barrier.wait(timeout=30)
        response = live_request(f"{live_server.url}/members/{org_id}/dues", cookie=cookie,
                                data=f"dues-year=2026&dues-amount=5000&dues-paid_on=2026-03-0{org_id % 9 + 1}"
                                     f"&dues-method=transfer".encode(),
                                headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=60)
        statuses.append(response.status)

    threads = [threading.Thread(target=pay, args=(org_id,)) for org_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert statuses == [303] * 20
    db.session.expire_all()
    numbers = sorted(db.session.scalars(sa.select(Dues.receipt_number).where(Dues.organization_id.in_(ids))))
    assert numbers == [f"2026-{n:04d}" for n in range(1, 21)]
    assert db.session.get(ReceiptCounter, 2026).last_number == 20


def test_the_migration_numbers_the_dues_already_paid(tmp_path_factory, tmp_path):
    before, revision = "09a027d37e13", "f6b1d7295a68"
    app = create_app(make_test_config(fresh_database_url(tmp_path_factory, suffix="_receipts"), tmp_path))
    t = "2020-07-10 10:00:00"
    with app.app_context():
        upgrade(revision=before)
        with database.engine.begin() as conn:
            for i in (1, 2, 3):
                conn.execute(sa.text("INSERT INTO organizations (id, name, name_key, kind, search_text, created_at, "
                                     "updated_at, version) VALUES (:i, :n, :n, 'bpo', '', :t, :t, 1)"),
                             {"i": i, "n": f"org {i}", "t": t})
            # (id, organisation, year, paid on): numbered by year of payment, then date, then id
            for dues_id, org, year, paid_on in [(1, 1, 2025, "2025-03-02"), (2, 2, 2025, "2025-01-28"),
                                                (3, 3, 2025, None), (4, 1, 2026, "2026-02-14"),
                                                (5, 2, 2026, "2026-01-05"), (6, 3, 2026, "2026-01-05")]:
                conn.execute(sa.text("INSERT INTO dues (id, organization_id, year, amount, paid_on, created_at, "
                                     "updated_at, version) VALUES (:id, :org, :year, 100, :paid, :t, :t, 1)"),
                             {"id": dues_id, "org": org, "year": year, "paid": paid_on, "t": t})
        upgrade(revision=revision)
        with database.engine.connect() as conn:
            numbers = dict(conn.execute(sa.text("SELECT id, receipt_number FROM dues ORDER BY id")).all())
            counters = dict(conn.execute(sa.text("SELECT year, last_number FROM dues_receipt_counters")).all())
        assert numbers == {1: "2025-0002", 2: "2025-0001", 3: None, 4: "2026-0003", 5: "2026-0001", 6: "2026-0002"}
        assert counters == {2025: 2, 2026: 3}
        downgrade(revision=before)
        with database.engine.connect() as conn:
            assert "receipt_number" not in {c["name"] for c in sa.inspect(conn).get_columns("dues")}
            assert conn.execute(sa.text("SELECT count(*) FROM dues")).scalar_one() == 6
        upgrade(revision=revision)
        with database.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT receipt_number FROM dues WHERE id = 4")).scalar_one() == "2026-0003"
        database.engine.dispose()


# --------------------------------------------------------------------------------------------------------------
# The PDF


def test_access_per_role(client, as_user, db, world):
    url = f"/members/dues/{world['paid'].id}/receipt.pdf"
    for role, status in [("staff", 200), ("member", 200), ("stranger", 404), ("partner", 404), ("applicant", 404)]:
        as_user(world[role])
        response = client.get(url)
        assert response.status_code == status, role
    as_user(world["member"])
    assert client.get(f"/members/dues/{world['unpaid'].id}/receipt.pdf").status_code == 404  # unpaid
    assert client.get("/members/dues/999999/receipt.pdf").status_code == 404


def test_an_anonymous_visitor_gets_no_receipt(app, db, world):
    response = app.test_client().get(f"/members/dues/{world['paid'].id}/receipt.pdf")
    assert response.status_code in (302, 404) and not response.data.startswith(b"%PDF")


def test_the_member_gets_it_in_their_language(client, as_user, db, world):
    url = f"/members/dues/{world['paid'].id}/receipt.pdf"
    as_user(world["member"], locale="fr")
    response = client.get(url)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="recu-2025-0001.pdf"'
    pages, content = pdf_text(response.data)
    content = spaced(content)
    assert pages == 1
    assert "Reçu n° 2025-0001" in content or "2025-0001" in content
    assert "15 000,00 MAD" in content and "Saccom" in content and "001234567000089" in content
    assert "Virement bancaire" in content
    as_user(world["member"], locale="en")
    pages, content = pdf_text(client.get(url).data)
    content = spaced(content)
    assert pages == 1 and "Receipt no. 2025-0001" in content and "15,000.00 MAD" in content
    assert "Bank transfer" in content and "28 January 2025" in content


def test_the_secretariat_gets_the_members_language_or_chooses(client, as_user, db, world):
    url = f"/members/dues/{world['paid'].id}/receipt.pdf"
    as_user(world["staff"], locale="en")
    world["member"].locale = "en"
    db.session.commit()
    assert "Receipt no. 2025-0001" in pdf_text(client.get(url).data)[1]  # the member's locale
    world["member"].locale = "fr"
    db.session.commit()
    assert "15 000,00" in spaced(pdf_text(client.get(url).data)[1])
    content = spaced(pdf_text(client.get(url + "?lang=en").data)[1])
    assert "15,000.00 MAD" in content
    assert "15 000,00" in spaced(pdf_text(client.get(url + "?lang=xx").data)[1])  # unknown: the default
    response = client.get(url + "?lang=en")
    assert response.headers["Content-Disposition"] == 'attachment; filename="receipt-2025-0001.pdf"'


def test_the_dues_table_links_the_receipts_of_paid_years(client, as_user, db, world):
    org = world["org"]
    as_user(world["staff"])
    page = text(client.get(f"/members/{org.id}"))
    paid, unpaid = world["paid"].id, world["unpaid"].id
    assert f"/members/dues/{paid}/receipt.pdf?lang=fr" in page and f"/members/dues/{paid}/receipt.pdf?lang=en" in page
    assert f"/members/dues/{unpaid}/receipt.pdf" not in page
    as_user(world["member"])
    page = text(client.get(f"/members/{org.id}"))
    assert f"/members/dues/{paid}/receipt.pdf" in page and "2025-0001" in page


def test_no_external_resource_is_fetched():
    from club.members.views.receipts import _data_only_fetcher

    fetcher = _data_only_fetcher()
    for url in ("http://127.0.0.1:9/x.css", "https://example.org/logo.png", "file:///etc/passwd"):
        with pytest.raises(Exception):  # noqa: B017 - refused, whatever WeasyPrint calls it
            fetcher(url)
    fetched = fetcher("data:text/plain;base64,aGk=")
    body = fetched.read() if hasattr(fetched, "read") else fetched.get("string")  # WeasyPrint >= 66, or older
    assert body == b"hi"


def test_the_receipt_downloads_through_a_real_server(app, db, world, live_server):
    cookie = session_cookie(app, world["member"])
    response = live_request(f"{live_server.url}/members/dues/{world['paid'].id}/receipt.pdf", cookie=cookie)
    assert response.status == 200 and response.content_type == "application/pdf"
    assert response.body.startswith(b"%PDF")
    assert response.headers["x-content-type-options"] == "nosniff"
    pages, content = pdf_text(response.body)
    assert pages == 1 and "2025-0001" in content and "15 000,00" in spaced(content)
