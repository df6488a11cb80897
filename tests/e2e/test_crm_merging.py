"""Browser journey of merging duplicates (issue 13, point 5), JavaScript on and off: the secretariat opens the list of
likely duplicates, merges "ECA Group SARL" into "Eca groupe" keeping Eca groupe's name, and finds the duplicate's
contact, dues and mission registration on the survivor; the duplicate's old address leads there."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from club.extensions import db
from club.members.models import Organization
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_secretariat_merges_a_duplicate(tab, demo_world):
    page = tab
    page.on("dialog", lambda dialog: dialog.accept())  # "Merge these two records?"
    eca = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Eca groupe"))
    duplicate = db.session.scalar(sa.select(Organization.id).where(Organization.name == "ECA Group SARL"))
    sign_in(page, "secretariat@club.example")

    page.goto("/members/duplicates")
    expect(page.get_by_role("heading", level=1)).to_have_text("Doublons probables")
    group = page.locator("section.card", has_text="ECA Group SARL")
    group.get_by_role("link", name=re.compile("Comparer avec Eca groupe")).click()
    expect(page).to_have_url(re.compile(rf"/members/{eca}/merge/{duplicate}$"))
    # the survivor's values are preselected: its name stays
    expect(page.locator("input[name='name'][value='survivor']")).to_be_checked()
    page.locator("input[name='email'][value='other']").check()  # the duplicate's email, Eca groupe has none
    page.get_by_role("button", name="Fusionner", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/members/{eca}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Eca groupe")
    expect(page.locator("#contacts")).to_contain_text("Mehdi Ouazzani")  # the duplicate's contact
    expect(page.locator("#dues")).to_contain_text("2024")  # its dues
    expect(page.get_by_text("contact@eca-groupe.example").first).to_be_visible()  # the email chosen
    expect(page.locator("main")).to_contain_text("ECA Group SARL")  # the history names the merged record

    # its registration at the first meeting is Eca groupe's now
    from club.missions.models import Registration

    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                             .where(Registration.organization_id == duplicate)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                             .where(Registration.organization_id == eca)) >= 2

    # the old address leads to the survivor
    page.goto(f"/members/{duplicate}")
    expect(page).to_have_url(re.compile(rf"/members/{eca}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Eca groupe")
