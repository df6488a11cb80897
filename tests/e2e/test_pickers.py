"""The organisation picker with JavaScript on: typing a part of a name fills the input's list of suggestions
(htmx), and the name chosen is the organisation the form saves. Without JavaScript the same forms are walked in
tests/e2e/test_missions_paths.py and tests/members/test_pickers.py."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from club.auth.models import User
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_typing_in_the_picker_suggests_and_the_name_chosen_is_saved(demo_world, page):
    db = demo_world
    sign_in(page, "secretariat@club.example")
    page.goto("/admin/users/new")
    page.locator("[name=email]").fill("nouveau@saccom.example")
    page.locator("[name=name]").fill("Nouveau Contact")
    page.locator("[name=role]").select_option("member")
    picker = page.locator("[name=organization_id]")
    picker.press_sequentially("sacc", delay=30)
    option = page.locator("#organization_id-options option[value='Saccom']")
    option.wait_for(state="attached")
    assert page.locator("#organization_id-options option").count() <= 10
    picker.fill("Saccom")  # what choosing the suggestion puts in the input
    page.locator("form[method=post] button[type=submit].btn-primary").click()
    page.wait_for_url(re.compile(r"/admin/users/\d+$"))
    page.wait_for_load_state("networkidle")
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == "nouveau@saccom.example"))
    assert user is not None and user.organization.name == "Saccom"
