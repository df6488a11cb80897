"""The import preview in a browser, JavaScript on (boosted form) and off: a row that looks like Saccom is refused
until ticked (one by one, or the whole page), the ticks survive a move to another page of the preview, and the
commit keeps every contact."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from club.members.models import Contact, Organization
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

FILE = ("nom;type;ice;site_web;contact;contact_fonction\r\n"
        "SACCOM SARL;call_center;001234567000089;https://saccom-sarl.example;Karim Haddou;Directeur\r\n"
        "NOTORIETY SA;;;https://notoriety-sa.example;;\r\n"
        + "".join(f"Centre {i:02d};startup;;;;\r\n" for i in range(58))).encode()


def contacts_of(db, org_id):
    return sorted(tuple(c) for c in db.session.execute(
        sa.select(Contact.name, Contact.is_primary).where(Contact.organization_id == org_id)))


def test_import_preview_ticks_and_commit(tab, demo_world, request):
    javascript = tab.js
    db = demo_world
    saccom = db.session.scalar(sa.select(Organization).where(Organization.name == "Saccom"))
    saccom_id, orgs = saccom.id, db.session.scalar(sa.select(sa.func.count(Organization.id)))
    before = contacts_of(db, saccom_id)
    assert ("Moulay Zine El Oudghiri", True) in before
    sign_in(tab, "secretariat@club.example")
    tab.goto("/members/import")
    tab.locator("input[type='file']").set_input_files({"name": "membres.csv", "mimeType": "text/csv", "buffer": FILE})
    tab.get_by_role("button", name="Vérifier le fichier").click()
    row = tab.locator("#import-row-2")
    expect(row).to_contain_text(f"Mettre à jour Saccom (#{saccom_id}) avec cette ligne")
    expect(row).to_contain_text("Type : BPO → Centre d’appels")
    expect(row).to_contain_text("Moulay Zine El Oudghiri reste le contact principal")
    expect(tab.locator("#import-rows tbody tr")).to_have_count(50)
    if javascript:
        tab.evaluate("() => { window.previewMarker = 1; }")
    # Import without the tick: refused at the row, nothing saved.
    tab.get_by_role("button", name="Importer le fichier").click()
    expect(tab.locator("#import-errors")).to_contain_text(
        f"ligne 2, colonne nom : ressemble à Saccom (#{saccom_id}) : confirmez ou renommez")
    # Tick the whole page, untick one row and count again, tick it back.
    tab.get_by_role("button", name="Cocher toutes les lignes de cette page").click()
    expect(tab.locator("#import-summary")).to_contain_text("2 organisations seront mises à jour")
    tab.get_by_label(re.compile("Mettre à jour Notoriety")).uncheck()
    tab.get_by_role("button", name="Recompter avec mes coches").click()
    expect(tab.locator("#import-summary")).to_contain_text("1 organisation sera mise à jour")
    expect(tab.get_by_label(re.compile("Mettre à jour Saccom"))).to_be_checked()
    expect(tab.get_by_label(re.compile("Mettre à jour Notoriety"))).not_to_be_checked()
    tab.get_by_label(re.compile("Mettre à jour Notoriety")).check()
    # Move to the second page, import from there: the ticks travel with the form.
    tab.get_by_role("button", name="Lignes suivantes").click()
    expect(tab.locator("#import-rows tbody tr")).to_have_count(10)
    expect(tab.locator("#import-summary")).to_contain_text("2 organisations seront mises à jour")
    if javascript:  # htmx swapped the page in place, and the address stays one a reload can open
        assert tab.evaluate("() => window.previewMarker") == 1
        expect(tab).to_have_url(re.compile(r"/members/import$"))
    tab.get_by_role("button", name="Importer le fichier").click()
    expect(tab.locator(".alert-success")).to_contain_text(
        "Import terminé : 58 organisations ajoutées, 2 mises à jour, 0 inchangée, 1 contact ajouté.")
    expect(tab).to_have_url(re.compile(r"/members/$"))
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == orgs + 58
    saccom = db.session.get(Organization, saccom_id)
    assert (saccom.name, saccom.kind.value, saccom.ice) == ("Saccom", "call_center", "001234567000089")
    assert contacts_of(db, saccom_id) == sorted([*before, ("Karim Haddou", False)])
    notoriety = db.session.scalar(sa.select(Organization).where(Organization.name_key == "notoriety"))
    assert (notoriety.name, notoriety.website) == ("Notoriety", "https://notoriety-sa.example")
