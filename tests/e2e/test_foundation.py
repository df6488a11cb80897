"""The secretariat signs in in French, switches to English, signs out — in Chromium."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.e2e


def test_secretariat_signs_in_in_french_switches_to_english_and_signs_out(page, demo_world):
    page.goto("/")
    assert page.url.endswith("/auth/login?next=%2F")
    assert page.locator("html").get_attribute("lang") == "fr"
    sign_in(page, "secretariat@club.example")
    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    expect(page.get_by_text("Bienvenue, Salma Idrissi.")).to_be_visible()
    page.locator("button[name=locale][value=en]").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto("/")
    assert "/auth/login" in page.url


def test_a_wrong_password_is_reported_and_the_email_kept(page, demo_world):
    sign_in(page, "secretariat@club.example", "wrong password")
    expect(page.get_by_text("Adresse email ou mot de passe incorrect.")).to_be_visible()
    expect(page.get_by_label("Adresse email")).to_have_value("secretariat@club.example")


def test_each_demo_account_reaches_its_home(page, demo_world):
    homes = {
        "partner@firo.example": "Espace partenaire de FIRO",
        "contact@saccom.example": "Espace membre de Saccom",
        "founder@startup.example": "Votre espace de fondateur candidat",
    }
    for email, text in homes.items():
        sign_in(page, email)
        expect(page.get_by_text(text)).to_be_visible()
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register", "/auth/forgot"])
def test_public_pages_pass_axe(page, demo_world, path):
    page.goto(path)
    assert axe_violations(page) == []


def test_secretariat_pages_pass_axe(page, demo_world):
    sign_in(page, "secretariat@club.example")
    for path in ["/", "/auth/profile", "/admin/users", "/admin/users/new", "/admin/outbox"]:
        page.goto(path)
        assert axe_violations(page) == [], path


def test_a_refused_boosted_form_leaves_a_url_that_reloads(page, demo_world):
    """Found: after a refused htmx (boosted) form the address bar showed the POST URL; a reload gave 405.
    Any POST-only form re-rendered on refusal will do: an empty internal note on a deal."""
    import sqlalchemy as sa

    from club.deals.models import Deal

    deal_id = demo_world.session.scalar(sa.select(Deal.id).order_by(Deal.id))
    # A tab of its own: the 422 is the expected answer, and Chromium and htmx log it as a console error.
    page = page.context.new_page()
    sign_in(page, "secretariat@club.example")
    page.goto(f"/deals/{deal_id}")
    note = page.locator(f'form[action="/deals/{deal_id}/notes"]')
    with page.expect_response(lambda r: r.url.endswith(f"/deals/{deal_id}/notes")) as answer:
        note.locator('button[type="submit"]').click()
    assert answer.value.status == 422
    assert answer.value.request.headers.get("hx-boosted") == "true"  # JavaScript on: htmx sent it
    expect(note.locator(".invalid-feedback").first).to_be_visible()
    assert page.url.endswith(f"/deals/{deal_id}"), page.url
    reloaded = page.reload()
    assert reloaded.status == 200
    expect(page.locator(f'form[action="/deals/{deal_id}/notes"]')).to_be_visible()


def test_unsaved_changes_warn_before_the_page_is_left_but_not_on_submit(page, demo_world):
    """A boosted link asks first (JavaScript on); closing or reloading the tab gets the browser's own
    question; sending the form asks nothing and saves."""
    from club.auth.models import User

    sign_in(page, "secretariat@club.example")
    page.goto("/auth/profile")
    dialogs: list[str] = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    name = page.get_by_label("Nom complet")
    name.fill("Salma Idrissi-Alaoui")
    page.get_by_role("link", name="Accueil").click()
    page.wait_for_timeout(300)
    assert dialogs == ["confirm"]
    assert page.url.endswith("/auth/profile")
    expect(name).to_have_value("Salma Idrissi-Alaoui")  # still there: nothing lost
    page.locator('form[action="/auth/profile"]').first.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Votre profil est enregistré.")).to_be_visible()
    assert dialogs == ["confirm"]  # the submit itself asked nothing
    demo_world.session.expire_all()
    user = demo_world.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    assert user.name == "Salma Idrissi-Alaoui"
    # Saved: leaving is now silent.
    page.get_by_role("link", name="Accueil").click()
    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    assert dialogs == ["confirm"]
    # Typed again, then the tab is closed: the browser asks (beforeunload).
    page.goto("/auth/profile")
    page.get_by_label("Nom complet").fill("Someone else")
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs[-1] == "beforeunload"
