"""Browser journey of issue 13 (activities), JavaScript on and off: the secretariat logs a call with Saccom and a
follow-up task due tomorrow, sees the task on its home and ticks it; the call shows on Saccom's timeline, and
Saccom's member contact sees neither (not shared)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from club.activities.models import Activity, ActivityKind
from club.core.timezones import casablanca, local_today
from club.members.models import Organization
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

CALL = "Appel de suivi : recrutements 2027"
TASK = "Envoyer la convention de formation à Saccom"


def _submit(page, then: str):
    """Send the activity form and wait for the page it leads to (htmx swaps it in with JavaScript)."""
    page.locator("form[method=post] button[type=submit].btn-primary").click()
    page.wait_for_url(f"**{then}")
    page.wait_for_load_state("networkidle")


def test_log_a_call_and_a_task_then_tick_it(demo_world, tab):
    page, db = tab, demo_world
    saccom = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Saccom"))
    tomorrow = local_today() + timedelta(days=1)

    sign_in(page, "secretariat@club.example")
    page.goto(f"/members/{saccom}")
    page.locator(f"#activities a[href$='/activities/organizations/{saccom}/new']").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/activities/organizations/{saccom}/new")

    # The call, with Saccom's liaison as its contact and participant.
    page.select_option("[name=kind]", "call")
    page.fill("[name=subject]", CALL)
    # A time after the demo world's own events of today (loaded a moment ago): the call is the newest entry of
    # Saccom's timeline, whatever the hour the suite runs at (10:30 fell behind them after 10:30).
    now = datetime.now(casablanca())
    page.fill("[name=occurred_time]", min(now + timedelta(minutes=2), now.replace(hour=23, minute=59)).strftime("%H:%M"))
    page.fill("[name=body]", "Saccom confirme 60 recrutements au premier semestre.")
    page.select_option("[name=contact_id]", label="Nadia Amrani")
    page.get_by_label("Nadia Amrani").check()
    _submit(page, f"/activities/organizations/{saccom}")
    assert page.url.endswith(f"/activities/organizations/{saccom}"), page.locator("main").inner_text()[:1500]
    assert page.get_by_role("link", name=CALL).is_visible()

    # The follow-up task, due tomorrow (owner: by default, the author).
    page.goto(f"/activities/organizations/{saccom}/new?kind=task")
    assert page.locator("[name=kind]").input_value() == "task"
    page.fill("[name=subject]", TASK)
    page.fill("[name=due_on]", tomorrow.isoformat())
    _submit(page, f"/activities/organizations/{saccom}")

    db.session.expire_all()
    task = db.session.scalar(sa.select(Activity).where(Activity.subject == TASK))
    assert task.kind == ActivityKind.TASK and task.due_on == tomorrow and task.owner.email == "secretariat@club.example"
    assert task.done_at is None

    # Home: the task is among the open ones; ticking it (a POST form, with or without JavaScript) closes it.
    page.goto("/")
    panel = page.locator("section[aria-labelledby=home-tasks]")
    row = panel.locator(".task-row", has_text=TASK)
    assert row.is_visible()
    row.locator("form[action$='/done'] button").click()
    expect(page.locator("section[aria-labelledby=home-tasks] .task-row", has_text=TASK)).to_have_count(0)
    assert page.url.endswith("/")  # back on the home
    db.session.expire_all()
    task = db.session.scalar(sa.select(Activity).where(Activity.subject == TASK))
    assert task.done_at is not None

    # Saccom's timeline: the call, and the task done.
    page.goto(f"/activities/organizations/{saccom}?kind=call")
    assert page.get_by_role("link", name=CALL).is_visible()
    page.goto(f"/members/{saccom}")
    assert page.locator("#activities").get_by_role("link", name=CALL).is_visible()

    # Saccom's member contact sees the organisation's page, without the unshared call.
    page.context.clear_cookies()
    sign_in(page, "contact@saccom.example")
    page.goto(f"/members/{saccom}")
    assert page.locator("#activities").is_visible()
    assert page.get_by_role("link", name=CALL).count() == 0
