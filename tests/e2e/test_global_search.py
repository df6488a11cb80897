"""The global search in Chromium, for each role: the header's box answers as one types (htmx), the same box
without JavaScript opens the results page, and nobody finds what they may not open."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.e2e

SECRETARIAT = "secretariat@club.example"
PARTNER = "partner@firo.example"  # FIRO: the deals shared with FIRO, not the others
MEMBER = "contact@saccom.example"  # Saccom: the register and the missions, no deals
FOUNDER = "founder@startup.example"  # Oriental Digital Lab: its own application only


def search(tab, term: str):
    """Type ``term`` in the header's box; with JavaScript the results come under the header as one types,
    without it the box's button opens the results page. Returns the region holding the results."""
    if "/search?q=" in tab.url:  # the results page has its own box (the header's is not repeated there)
        tab.get_by_role("searchbox", name="Rechercher dans le club").fill(term)
        tab.locator("#main").get_by_role("button", name="Rechercher").click()
        tab.wait_for_load_state("networkidle")
        return tab.locator("#main")
    box = tab.get_by_role("searchbox", name="Rechercher dans le club")
    box.fill(term)
    if tab.js:
        live = tab.locator("#search-live")
        expect(live.locator(".search-results")).to_have_attribute("data-term", term)  # this term's answer
        assert "/search" not in tab.url  # the page the person was on stays
        return live
    tab.get_by_role("search", name="Rechercher dans le club").get_by_role("button", name="Rechercher").click()
    tab.wait_for_load_state("networkidle")
    assert "/search?q=" in tab.url
    return tab.locator("#main")


def groups(region) -> dict[str, list[str]]:
    found = {}
    for section in region.locator("section.search-group").all():
        heading = section.get_by_role("heading").inner_text()
        found[heading.rsplit(" ", 1)[0].strip()] = [a.inner_text() for a in section.locator("li a").all()]
    return found


def test_the_secretariat_finds_an_organisation_its_application_and_its_deal_and_opens_one(tab, demo_world):
    sign_in(tab, SECRETARIAT)
    region = search(tab, "oriental DIGITAL")
    expect(region.get_by_role("link", name="Prise de participation — Oriental Digital Lab")).to_be_visible()
    assert groups(region) == {"Membres": ["Oriental Digital Lab"], "Incubateur": ["Oriental Digital Lab"],
                              "Dossiers": ["Prise de participation — Oriental Digital Lab"]}
    region.get_by_role("link", name="Prise de participation — Oriental Digital Lab").click()
    tab.wait_for_load_state("networkidle")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Prise de participation — Oriental Digital Lab")


def test_accents_and_case_are_folded(tab, demo_world):
    sign_in(tab, SECRETARIAT)
    region = search(tab, "ÉCA")
    assert groups(region)["Membres"] == ["Eca groupe", "ECA Group SARL"]  # and the demo's duplicate of it


def test_a_partner_finds_the_deals_shared_with_its_organisation_and_no_other(tab, demo_world):
    sign_in(tab, PARTNER)
    region = search(tab, "saccom")
    assert groups(region).get("Dossiers") == ["Prêt d'amorçage — pôle anglophone Saccom"]
    region = search(tab, "eca")
    found = groups(region)
    assert "Dossiers" not in found and found["Membres"] == ["Eca groupe", "ECA Group SARL"]  # (a duplicate)
    assert "Convention d'implantation" not in region.inner_text()


def test_a_member_cannot_find_what_it_may_not_see(tab, demo_world):
    sign_in(tab, MEMBER)
    region = search(tab, "pacte")
    found = groups(region)
    assert "Dossiers" not in found and "Pacte d'associés" not in region.inner_text()
    region = search(tab, "casa")
    assert groups(region)["Missions"] == ["Visite de Casa-shore avec MedZ"]


def test_a_founder_finds_only_its_own_application(tab, demo_world):
    sign_in(tab, FOUNDER)
    region = search(tab, "saccom")
    expect(region).to_contain_text("Rien trouvé pour « saccom ».")
    region = search(tab, "oriental digital")
    assert groups(region) == {"Incubateur": ["Oriental Digital Lab"]}


@pytest.mark.parametrize("width", [1366, 390])
def test_the_results_page_fits_and_passes_axe(page, demo_world, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, SECRETARIAT)
    page.goto("/search?q=oriental")
    expect(page.get_by_role("heading", name="Rechercher", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
