"""The secretariat follows the dashboard's recent activity to the object and reads its history, JavaScript on."""

from __future__ import annotations

import re

from tests.core.test_audit_labels import a_day_of_work
from tests.e2e.conftest import sign_in


def test_recent_activity_links_to_the_object_whose_history_reads_as_words(page, demo_world):
    from club.extensions import db

    world = a_day_of_work(db)
    world.sec.locale = "fr"
    db.session.commit()
    sign_in(page, "secretariat@club.example")
    page.goto("/")
    activity = page.locator("section[aria-labelledby=activity-title]")
    link = activity.get_by_role("link", name=world.mission.title).first
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/missions/{world.mission.id}")
    history = page.locator("section[aria-labelledby=history-title]").inner_text()
    assert "Statut de la mission modifié" in history
    assert re.search(r"Statut\s*: Inscriptions ouvertes → Inscriptions closes", history)
    assert not re.search(r"mission\.|_|\d{4}-\d\d-\d\d", history), history
