"""Browser journey of issue 13, point 4, JavaScript on and off: the secretariat writes to the active call centres
of Oujda-Angad (the register's filters reach the new mailing), previews the letter for one of them, sends itself a
test, sends; the letters reach a real SMTP server; one contact unsubscribes through the link of the message they
received; the next mailing counts that contact as unsubscribed and skips them.

The selectors are the forms' fields and the pages' addresses, so the journey reads the same in French and English."""

from __future__ import annotations

import email
import re

import pytest
import sqlalchemy as sa

from club.core.models import OutboxMessage
from club.mailings.models import ContactConsent, Mailing, MailingRecipient, MailingState, RecipientStatus
from club.members.models import Contact
from club.segments.demo import SEGMENT
from club.segments.models import Segment
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

FILTERED = "/mailings/new?kind=call_center&status=active&province=oujda_angad"
LINK = re.compile(r"http://club\.test(/mailings/unsubscribe/[A-Za-z0-9_.\-]+)")


def _write(page, subject: str, *, segment_id: int | None = None) -> int:
    if segment_id is None:
        page.goto(FILTERED)
    else:  # the segment's page: "all N matching", then "write to them"
        page.goto(f"/segments/{segment_id}")
        page.check("#bulk-all")
        page.locator("#bulk-form button[name=action][value=write]").click()
        page.wait_for_url(re.compile(r"/mailings/new\?"))
        assert "province=oujda_angad" in page.url
    page.fill("[name=subject_fr]", subject)
    page.fill("[name=body_fr]", "Bonjour {contact_name},\n\n{organisation} est invitée à la mission Casa-shore.")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/mailings/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _count(page, name: str) -> int:
    return int(page.locator(f"[data-testid=summary-{name}]").get_attribute("data-count"))


def _delivered(smtp_server) -> dict[str, email.message.Message]:
    found = {}
    for envelope in smtp_server.messages:
        message = email.message_from_bytes(envelope.content)
        for rcpt in envelope.rcpt_tos:
            found[rcpt] = message
    return found


def _text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode("utf-8")
    return ""


def test_write_preview_test_send_and_an_unsubscribe_honoured(demo_world, tab, jobs, smtp_server):
    page, db = tab, demo_world
    sign_in(page, "secretariat@club.example")

    # From the demo's segment of the active call centres of Oujda-Angad ("write to them") to a draft: the audience
    # is counted before anything is sent.
    segment_id = db.session.scalar(sa.select(Segment.id).where(Segment.name == SEGMENT))
    mailing_id = _write(page, "Invitation : mission Casa-shore (e2e)", segment_id=segment_id)
    assert _count(page, "organisations") == 3 and _count(page, "recipients") == 3
    assert _count(page, "unsubscribed") == 0

    # Preview for one recipient, typed.
    page.goto(f"/mailings/{mailing_id}/preview")
    page.fill("#pick-q", "sanae")
    page.locator("#pick-q").press("Enter")
    page.get_by_role("link", name="Sanae Berrada").click()
    page.wait_for_url(re.compile(r"contact=\d+"))
    assert "Bonjour Sanae Berrada," in page.locator("[data-testid=preview-body]").inner_text()
    assert "Eca groupe est invitée" in page.locator("[data-testid=preview-body]").inner_text()

    # A test to oneself, through the outbox.
    page.locator(f"form[action='/mailings/{mailing_id}/test'] button[type=submit]").click()
    page.locator(".alert-success").wait_for()
    db.session.expire_all()
    test = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "mailing",
                                                            OutboxMessage.recipient == "secretariat@club.example"))
    assert test.recipient == "secretariat@club.example" and test.subject.endswith("Invitation : mission Casa-shore (e2e)")

    # Send: a confirmation with the count, then the job queues one message each, delivered to a real server.
    page.goto(f"/mailings/{mailing_id}/send")
    assert "3" in page.locator("main .lead").inner_text()
    page.locator(f"form[action='/mailings/{mailing_id}/send'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/mailings/{mailing_id}$"))
    jobs.run()
    db.session.expire_all()
    mailing = db.session.get(Mailing, mailing_id)
    assert mailing.state == MailingState.SENT and mailing.queued_count == 3
    delivered = _delivered(smtp_server)
    assert {"k.bernoussi@intelcia.example", "h.lahlou@notoriety.example", "s.berrada@eca-groupe.example",
            "secretariat@club.example"} <= set(delivered)
    page.goto(f"/mailings/{mailing_id}/recipients?status=sent")
    assert page.locator("[data-status=sent]").count() == 3

    # Sanae Berrada follows the link of the message she received, and confirms.
    letter = delivered["s.berrada@eca-groupe.example"]
    assert letter["List-Unsubscribe"].startswith("<http://club.test/mailings/unsubscribe/")
    path = LINK.search(_text(letter)).group(1)
    page.get_by_role("button", name=re.compile("déconnecter|Sign out", re.I)).click()
    page.goto(path)
    page.locator("main form[method=post] button[type=submit]").click()
    page.locator("main .alert-success").wait_for()
    sanae = db.session.scalar(sa.select(Contact).where(Contact.email == "s.berrada@eca-groupe.example"))
    db.session.expire_all()
    assert db.session.get(ContactConsent, sanae.id).unsubscribed_at is not None

    # The next mailing counts her as unsubscribed and skips her.
    sign_in(page, "secretariat@club.example")
    second = _write(page, "Rappel : mission Casa-shore (e2e)")
    assert _count(page, "recipients") == 2 and _count(page, "unsubscribed") == 1
    page.goto(f"/mailings/{second}/send")
    page.locator(f"form[action='/mailings/{second}/send'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/mailings/{second}$"))
    jobs.run()
    db.session.expire_all()
    assert db.session.get(Mailing, second).unsubscribed_count == 1
    assert db.session.scalar(sa.select(MailingRecipient.status).where(
        MailingRecipient.mailing_id == second, MailingRecipient.contact_id == sanae.id)) \
        == RecipientStatus.SKIPPED_UNSUBSCRIBED
    page.goto(f"/mailings/{second}/recipients?status=skipped_unsubscribed")
    assert page.locator("[data-status=skipped_unsubscribed]").count() == 1
