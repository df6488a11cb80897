"""Browser journey of issue 13 (tags, segments, bulk actions), in French, JavaScript on and off: the secretariat
filters the register to the active call centres of Oujda-Angad, saves the view as a segment, opens it, ticks "all N
matching", tags them (confirming), writes to them (the mailing form counts them), finds the tag on one of them;
then unticks and untags one on the page.

Elements are found by their names and values, not by their text (the French of this issue's messages comes with
the merge of the catalogues)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from club.auth.models import User
from club.members.models import Membership, MembershipStatus, Organization, organization_tags
from club.segments import services
from club.segments.models import Segment, Tag
from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.e2e

NAME = "active call centres in Oujda-Angad"


def _tagged(db, tag_id) -> set[str]:
    db.session.rollback()  # a fresh read: the live server wrote meanwhile
    return set(db.session.scalars(sa.select(Organization.name).join(
        organization_tags, organization_tags.c.organization_id == Organization.id)
        .where(organization_tags.c.tag_id == tag_id)))


def test_a_segment_saved_tagged_whole_then_untagged_one_by_one(demo_world, tab):
    page, db = tab, demo_world
    staff = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    tag = services.create_tag("Relance décembre", "red", by=staff)
    db.session.commit()
    expected = set(db.session.scalars(
        sa.select(Organization.name).join(Membership).where(
            Organization.kind == "call_center", Organization.province == "oujda_angad",
            Membership.status == MembershipStatus.ACTIVE, Organization.archived_at.is_(None))))
    assert len(expected) >= 2

    sign_in(page, "secretariat@club.example")
    page.goto("/members/")
    page.select_option("#kind", "call_center")
    page.select_option("#status", "active")
    page.select_option("#province", "oujda_angad")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("#member-rows tbody tr")
    assert rows.count() == len(expected)
    save = page.locator("#save-segment")
    assert "province=oujda_angad" in save.get_attribute("href")  # the link follows the filters, htmx or not
    save.click()
    page.fill("[name=name]", NAME)
    page.check("[name=is_shared]")
    page.locator("main form[method=post] button.btn-primary").click()
    page.get_by_role("heading", name=NAME).wait_for()
    segment = db.session.scalar(sa.select(Segment).where(Segment.name == NAME))
    assert segment.filters == {"kind": "call_center", "status": "active", "province": "oujda_angad"}
    assert page.locator("#member-rows tbody tr").count() == len(expected)
    if page.js:  # axe runs in the page
        assert axe_violations(page) == []

    # All N matching, tagged after the confirmation page.
    page.check("#bulk-all")
    page.select_option("#bulk-tag", str(tag.id))
    page.locator("#bulk-form button[name=action][value=tag]").click()
    page.wait_for_load_state("networkidle")
    assert _tagged(db, tag.id) == set()  # asked first
    assert str(len(expected)) in page.locator("main").inner_text()
    page.locator("main form button.btn-primary").click()
    page.get_by_role("heading", name=NAME).wait_for()
    assert _tagged(db, tag.id) == expected

    # Write to them: the segment's "all N matching" reaches the mailing form with its audience counted.
    page.check("#bulk-all")
    page.locator("#bulk-form button[name=action][value=write]").click()
    page.wait_for_url(re.compile(r"/mailings/new\?"))
    assert int(page.locator("[data-testid=summary-organisations]").get_attribute("data-count")) == len(expected)
    page.goto(f"/segments/{segment.id}")

    # The tag on one of them.
    one = sorted(expected)[0]
    page.get_by_role("link", name=one, exact=True).first.click()
    page.locator("#org-tags").wait_for()
    assert "Relance décembre" in page.locator("#tags").inner_text()

    # Back on the segment: untick all, tick one row, untag it.
    page.goto(f"/segments/{segment.id}")
    other = sorted(expected)[-1]
    org_id = db.session.scalar(sa.select(Organization.id).where(Organization.name == other))
    page.check(f"#select-{org_id}")
    page.select_option("#bulk-tag", str(tag.id))
    page.locator("#bulk-form button[name=action][value=untag]").click()
    page.get_by_role("heading", name=NAME).wait_for()
    assert _tagged(db, tag.id) == expected - {other}

    # And one more from its own page, with its remove button.
    page.goto(f"/members/{db.session.scalar(sa.select(Organization.id).where(Organization.name == one))}")
    page.locator(f"#tags form[action$='/tags/{tag.id}/remove'] button").click()
    page.locator("#org-tags").wait_for()
    assert _tagged(db, tag.id) == expected - {other, one}
    assert db.session.get(Tag, tag.id) is not None
