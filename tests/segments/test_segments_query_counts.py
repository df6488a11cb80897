"""The pages of segments run a constant number of queries, whatever the number of tags, tagged organisations,
segments and affected records."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from club.extensions import db as database
from club.members.models import Contact, Organization, OrgKind, organization_tags
from club.members.queries import RegisterFilters
from club.models import utcnow
from club.permissions import Role
from club.segments import services
from club.segments.models import Segment, Tag, contact_tags
from tests.factories import OrganizationFactory


def _fill(n: int, label: str, staff) -> dict:
    """n organisations (a contact each) carrying one tag, n more tags, n segments (shared) over that tag, a bulk
    action that tagged them (bulk inserts, as the bench does). The ids the pages are opened with."""
    now = utcnow()
    database.session.execute(sa.insert(Organization), [
        {"name": f"{label} {i}", "name_key": f"{label} {i}", "kind": OrgKind.CALL_CENTER, "search_text": label,
         "created_at": now, "updated_at": now, "version": 1} for i in range(n)])
    ids = list(database.session.scalars(sa.select(Organization.id).where(Organization.search_text == label)))
    database.session.execute(sa.insert(Contact), [
        {"organization_id": i, "name": f"C{i}", "name_key": f"c{i}", "is_primary": True, "created_at": now,
         "updated_at": now, "version": 1} for i in ids])
    database.session.execute(sa.insert(Tag), [
        {"name": f"{label} tag {i}", "name_key": f"{label} tag {i}", "created_at": now, "updated_at": now,
         "version": 1} for i in range(n)])
    tag = services.create_tag(f"{label} main", "green", by=staff)
    database.session.execute(sa.insert(organization_tags), [{"organization_id": i, "tag_id": tag.id} for i in ids])
    contacts = list(database.session.scalars(sa.select(Contact.id).where(Contact.organization_id.in_(ids))))
    database.session.execute(sa.insert(contact_tags), [{"contact_id": i, "tag_id": tag.id} for i in contacts])
    for i in range(n):
        services.create_segment(f"{label} segment {i}", RegisterFilters(tag=str(tag.id), kind="call_center"),
                                shared=True, by=staff)
    segment = database.session.scalar(sa.select(Segment).where(Segment.name == f"{label} segment 0"))
    other = OrganizationFactory()
    bulk = services.start_bulk(services.BulkKind.UNTAG, RegisterFilters(tag=str(tag.id)), None, tag=tag, by=staff)
    services.run_all(bulk)
    database.session.execute(sa.insert(organization_tags), [{"organization_id": i, "tag_id": tag.id} for i in ids])
    database.session.commit()
    return {"tag": tag.id, "segment": segment.id, "org": ids[0], "bulk": bulk.id, "other": other.id}


def _queries(client, count_queries, url) -> int:
    database.session.expire_all()
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200, url
    return q.count


PAGES = ["/members/?tag={tag}", "/members/", "/segments/", "/segments/{segment}", "/segments/{segment}?after=WzFd",
         "/segments/tags", "/segments/tags/{tag}/edit", "/segments/tags/{tag}/delete", "/members/{org}",
         "/segments/bulk/{bulk}", "/members/export.csv?tag={tag}",
         "/members/export.xlsx?tag={tag}"]


@pytest.mark.parametrize("url", PAGES)
def test_segments_pages_are_constant(db, factories, as_user, count_queries, url):
    staff = factories.UserFactory(role=Role.SECRETARIAT, locale="en")
    small, big = _fill(3, "petit", staff), _fill(70, "grand", staff)
    client = as_user(staff)
    client.get("/")
    assert _queries(client, count_queries, url.format(**small)) == _queries(client, count_queries, url.format(**big))


def test_the_segments_beside_the_register_are_bounded(db, factories, as_user):
    staff = factories.UserFactory(role=Role.SECRETARIAT, locale="en")
    _fill(20, "borne", staff)
    page = as_user(staff).get("/members/").get_data(as_text=True)
    assert page.count('href="/segments/') - page.count('href="/segments/tags') - page.count('href="/segments/new') \
        - page.count('href="/segments/"') == 8
    listing = as_user(staff).get("/segments/").get_data(as_text=True)
    assert "borne segment" in listing and "20 results" in listing
