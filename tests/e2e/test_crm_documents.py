"""Browser journey of issue 13 (documents and receipts), in French, JavaScript on and off: the secretariat uploads a
convention to Saccom, then a second version, and shares it; Saccom's member contact sees it, downloads it, and
downloads the PDF receipt of a paid year of dues."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from club.members.demo import one_page_pdf
from club.members.models import Dues, Organization, OrganizationDocument
from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.e2e

TITLE = "Convention de partenariat 2027"
V1 = one_page_pdf("Convention de partenariat 2027", "Projet")
V2 = one_page_pdf("Convention de partenariat 2027", "Signee par les deux parties")


def _document(db) -> OrganizationDocument | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(OrganizationDocument).where(OrganizationDocument.title == TITLE))


def test_a_convention_shared_with_saccom_and_its_dues_receipt(demo_world, tab):
    page, db = tab, demo_world
    saccom = db.session.scalar(sa.select(Organization).where(Organization.name == "Saccom"))

    # The secretariat adds the convention on Saccom's page (not shared yet): a file that is no PDF is refused first,
    # the title kept.
    sign_in(page, "secretariat@club.example")
    page.goto(f"/members/{saccom.id}")
    documents = page.locator("#documents")
    documents.locator("summary").click()
    page.fill("#org-document-title", TITLE)
    page.select_option("#org-document-kind", "convention")
    page.locator("#org-document-file").set_input_files({"name": "convention.pdf", "mimeType": "application/pdf",
                                                       "buffer": b"<html>pas un PDF</html>"})
    documents.locator("form button[type=submit]").click()
    expect(page.locator("#org-document-file-error")).to_be_visible()
    expect(page.locator("#org-document-title")).to_have_value(TITLE)
    assert _document(db) is None
    page.locator("#org-document-file").set_input_files({"name": "convention-projet.pdf",
                                                       "mimeType": "application/pdf", "buffer": V1})
    page.locator("#documents form button[type=submit]").click()
    expect(page.locator("#documents .org-document").filter(has_text=TITLE)).to_be_visible()
    document = _document(db)
    assert document is not None and not document.shared and [v.number for v in document.versions] == [1]

    # A second version, from the document's page.
    page.locator("#documents .org-document").filter(has_text=TITLE).get_by_role("link", name=TITLE, exact=True).click()
    page.get_by_role("heading", name=TITLE).wait_for()
    page.locator("#org-document-version-file").set_input_files({"name": "convention-signee.pdf",
                                                               "mimeType": "application/pdf", "buffer": V2})
    page.locator("form[action$='/versions'] button[type=submit]").click()
    expect(page.get_by_role("link", name="convention-signee.pdf")).to_be_visible()
    expect(page.get_by_role("link", name="convention-projet.pdf")).to_be_visible()
    assert [v.number for v in _document(db).versions] == [2, 1]
    if page.js:
        assert axe_violations(page) == []

    # Shared with Saccom's member contacts, through the edit form.
    page.locator(f"a[href$='/documents/{document.id}/edit']").first.click()
    if page.js:
        assert axe_violations(page) == []
    page.locator("input[name=shared]").check()
    page.locator("form:has(input[name=version]) button[type=submit]").click()
    page.get_by_role("heading", name=TITLE).wait_for()
    assert _document(db).shared

    # Saccom's member contact sees it and downloads its current version, then the receipt of a paid year.
    page.context.clear_cookies()
    sign_in(page, "contact@saccom.example")
    page.goto(f"/members/{saccom.id}")
    shared = page.locator("#documents .org-document").filter(has_text=TITLE)
    expect(shared).to_be_visible()
    expect(page.locator("#documents")).not_to_contain_text("Statuts de Saccom")  # not shared
    if page.js:
        assert axe_violations(page) == []
    with page.expect_download() as download:
        shared.get_by_role("link").first.click()
    assert open(download.value.path(), "rb").read() == V2

    paid = db.session.scalar(sa.select(Dues).where(Dues.organization_id == saccom.id, Dues.paid_on.is_not(None))
                             .order_by(Dues.year))
    link = page.locator(f"#dues a[href$='/members/dues/{paid.id}/receipt.pdf']")
    expect(link).to_contain_text(paid.receipt_number)
    with page.expect_download() as download:
        link.click()
    body = open(download.value.path(), "rb").read()
    assert body.startswith(b"%PDF")
    assert download.value.suggested_filename == f"recu-{paid.receipt_number}.pdf"
