"""The activities' pages run a constant number of queries, whatever the number of activities: the organisation's
timeline (first page, a filtered one, a later page), its page's section, the tasks page and the secretariat's
home."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from club.activities.models import Activity
from club.extensions import db as database
from club.members.models import Contact
from club.permissions import Role
from tests.activities.helpers import bulk_activities
from tests.factories import OrganizationFactory, UserFactory


def _queries(client, count_queries, url) -> int:
    database.session.expire_all()
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200, url
    return q.count


PAGES = ["/activities/organizations/{org}", "/activities/organizations/{org}?kind=task",
         "/activities/organizations/{org}?kind=history", "/activities/organizations/{org}?contact={contact}",
         "/members/{org}", "/members/{org}?activity_kind=call", "/activities/tasks", "/activities/tasks?overdue=1",
         "/activities/tasks?status=done", "/"]


def _org_with(n: int, staff) -> tuple[int, int]:
    org = OrganizationFactory()
    contact = Contact(organization_id=org.id, name=f"Contact {org.id}", name_key=f"contact {org.id}")
    database.session.add(contact)
    database.session.commit()
    ids = org.id, contact.id
    bulk_activities(org.id, n, author_id=staff.id, owner_id=staff.id, contact_id=contact.id)
    return ids


def _signed_in(app, user_key: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_key
        session["_fresh"] = True
    return client


@pytest.mark.parametrize(("url", "role"), [(url, role) for url in PAGES for role in (Role.SECRETARIAT, Role.MEMBER)
                                           if role == Role.SECRETARIAT or not ("tasks" in url or url == "/")])
def test_activity_pages_are_constant(app, db, count_queries, url, role):
    staff = UserFactory(role=Role.SECRETARIAT)
    worlds = [_org_with(30, staff), _org_with(300, staff)]
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 330
    from club.members.models import Organization

    keys = [staff.get_id() if role == Role.SECRETARIAT else
            UserFactory(role=Role.MEMBER, organization=database.session.get(Organization, org)).get_id()
            for org, _ in worlds]
    counts = []
    for (org, contact), key in zip(worlds, keys, strict=True):
        client = _signed_in(app, key)
        client.get("/")
        counts.append(_queries(client, count_queries, url.format(org=org, contact=contact)))
    assert counts[0] == counts[1], url


def test_a_later_page_costs_what_the_first_costs(app, db, count_queries):
    import re

    staff = UserFactory(role=Role.SECRETARIAT)
    org, _ = _org_with(200, staff)
    client = _signed_in(app, staff.get_id())
    url = f"/activities/organizations/{org}"
    first = _queries(client, count_queries, url)
    for _ in range(3):
        body = client.get(url).get_data(as_text=True)
        url = re.search(r'href="([^"]+after=[^"]+)"', body).group(1).replace("&amp;", "&")
    assert _queries(client, count_queries, url) == first


def test_the_tasks_page_is_paginated(db, as_user):
    staff = UserFactory(role=Role.SECRETARIAT, locale="en")
    org = OrganizationFactory()
    bulk_activities(org.id, 500, owner_id=staff.id)
    client = as_user(staff)
    page = client.get("/activities/tasks").get_data(as_text=True)
    open_tasks = database.session.scalar(sa.select(sa.func.count()).where(Activity.owner_id == staff.id,
                                                                           Activity.done_at.is_(None)))
    assert page.count('class="mb-3 d-flex flex-wrap gap-2 align-items-baseline task-row"') == 25
    assert f"{open_tasks} results" in page


@pytest.mark.parametrize("status", ["open", "overdue", "done"])
def test_the_task_lists_read_their_index_in_order(db, status):
    """Each task list walks a partial index in the list's own order, so a page reads its 25 rows and no more: no
    sort of every open task (PostgreSQL, misjudging how few tasks are open, sorted 20,000 of them for each page)."""
    from club.activities import queries

    staff = UserFactory(role=Role.SECRETARIAT)
    bulk_activities(OrganizationFactory().id, 200, owner_id=staff.id)
    filters = queries.TaskFilters(status="done" if status == "done" else "open", overdue=status == "overdue")
    stmt = queries.task_list(staff, filters).limit(25)
    index = "ix_activities_done_tasks" if status == "done" else "ix_activities_open_tasks"
    with database.engine.connect() as conn:
        if database.engine.dialect.name == "postgresql":  # tiny tables: forbid what only tiny tables make cheaper
            conn.exec_driver_sql("SET enable_seqscan = off")
            conn.exec_driver_sql("SET enable_bitmapscan = off")
            conn.exec_driver_sql("SET enable_sort = off")
            plan = " ".join(str(row) for row in conn.execute(sa.text("EXPLAIN " + str(
                stmt.compile(database.engine, compile_kwargs={"literal_binds": True})))))
            assert index in plan and " Sort " not in plan and "Sort Key" not in plan, plan
        else:
            plan = " ".join(str(row) for row in conn.execute(sa.text("EXPLAIN QUERY PLAN " + str(
                stmt.compile(database.engine, compile_kwargs={"literal_binds": True})))))
            assert index in plan and "TEMP B-TREE" not in plan, plan
    shown = database.session.scalars(stmt).unique().all()
    key = (lambda a: (-a.done_at.timestamp(), -a.id)) if status == "done" else (lambda a: (a.due_on, a.id))
    assert shown and [a.id for a in shown] == [a.id for a in sorted(shown, key=key)]


def test_the_open_tasks_index_holds_open_tasks_only(db):
    """The open tasks' index leaves out every activity that is not an open task (most of them: notes, calls), as
    its migration made it; read back from the database, not from the models."""
    if database.engine.dialect.name == "postgresql":
        sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_activities_open_tasks'"
    else:
        sql = "SELECT sql FROM sqlite_master WHERE name = 'ix_activities_open_tasks'"
    with database.engine.connect() as conn:
        definition = " ".join(conn.exec_driver_sql(sql).scalar().lower().replace("(", " ").replace(")", " ").split())
    assert all(term in definition for term in ("owner_id is not null", "done_at is null", "deleted_at is null"))
