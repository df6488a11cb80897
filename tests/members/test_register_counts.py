"""The register's counts and search plans: a search counts up to a cap ("more than N" past it, exact below), a
common term walks the name index and a rare one reads the text index (same rows, same order), the unfiltered total
is each reader's own."""

from __future__ import annotations

import pytest

from club.extensions import db
from club.members import queries
from club.members.models import utcnow
from tests.members.test_register import org


@pytest.fixture()
def staff(factories):
    return factories.UserFactory(role="secretariat")


@pytest.fixture()
def small_cap(monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)


def _orgs(factories, names, **kwargs):
    return [org(factories, name, **kwargs) for name in names]


def test_a_search_past_the_cap_says_more_than_the_cap(client, factories, as_user, staff, small_cap):
    _orgs(factories, [f"Atlas {i}" for i in range(5)])
    as_user(staff)
    html = client.get("/members/", query_string={"q": "atlas"}).get_data(as_text=True)
    assert "more than 3 organisations" in html
    assert html.count('href="/members/') >= 5  # every row is still listed


def test_a_search_at_the_cap_says_its_exact_count(client, factories, as_user, staff, small_cap):
    _orgs(factories, [f"Atlas {i}" for i in range(3)] + ["Other"])
    as_user(staff)
    html = client.get("/members/", query_string={"q": "atlas"}).get_data(as_text=True)
    assert "3 organisations" in html and "more than" not in html


def test_the_capped_count_is_translated(client, factories, as_user, staff, small_cap):
    _orgs(factories, [f"Atlas {i}" for i in range(5)])
    as_user(staff, locale="fr")
    html = client.get("/members/", query_string={"q": "atlas"}).get_data(as_text=True)
    assert "plus de 3 organisations" in html


@pytest.mark.parametrize("sort", ["name", "-name", "newest"])
@pytest.mark.parametrize("term", ["atlas", "at", "atlas 0"])
def test_both_plans_give_the_same_rows_in_the_same_order(factories, staff, monkeypatch, sort, term):
    """A common term (past the cap) walks the sort's index; a rare one reads the text index first: same pages."""
    names = [f"Atlas {i:02d}" for i in range(12)] + [f"Zeta {i}" for i in range(3)] + ["Cap Atlas", "Atlantic"]
    _orgs(factories, names)
    archived = org(factories, "Atlas archived")
    archived.archived_at = utcnow()
    db.session.commit()
    filters = queries.RegisterFilters(q=term, sort=sort)

    def pages(cap):
        monkeypatch.setattr(queries, "COUNT_CAP", cap)
        seen, plans, after = [], set(), None
        while True:
            page = queries.register_page(filters, staff, after=after, per_page=4)
            seen.append([row[0].name for row in page.items])
            plans.add(page.extra["plan"])
            if not page.has_next:
                break
            after = page.last_cursor
        last = queries.register_page(filters, staff, last=True, per_page=4)
        return seen, [row[0].name for row in last.items], plans

    walked, walked_last, walk_plans = pages(2)
    indexed, indexed_last, index_plans = pages(1000)
    assert walk_plans == {"walk"} and index_plans == {"index"}
    assert walked == indexed and walked_last == indexed_last
    assert "Atlas archived" not in sum(walked, [])
    assert len(sum(walked, [])) == len({n for n in sum(walked, [])})


def test_another_filter_keeps_the_text_index(factories, staff, small_cap):
    _orgs(factories, [f"Atlas {i}" for i in range(5)], kind="call_center")
    page = queries.register_page(queries.RegisterFilters(q="atlas", kind="call_center"), staff)
    assert page.capped and page.extra["plan"] == "index" and len(page.items) == 5


def test_each_reader_sees_their_own_unfiltered_total(client, factories, as_user, staff):
    """The whole register's count (the table's count less the archived ones): the secretariat's current register,
    a partner's, a member's whose own organisation is archived (listed for them), never another's number."""
    _orgs(factories, ["Alpha", "Beta", "Gamma"])
    own = org(factories, "Own archived")
    gone = org(factories, "Gone")
    own.archived_at = gone.archived_at = utcnow()
    db.session.commit()
    member = factories.UserFactory(role="member", organization=own)
    partner = factories.UserFactory(role="partner")
    expected = {staff: "3 organisations", partner: "3 organisations", member: "4 organisations"}
    for user, total in expected.items():
        as_user(user)
        html = client.get("/members/").get_data(as_text=True)
        assert total in html, user.role
    as_user(staff)
    assert "2 organisations" in client.get("/members/", query_string={"archived": "1"}).get_data(as_text=True)


@pytest.mark.parametrize("args", [{"q": "atlas"}, {"q": "at"}, {"last": "1"},
                                  {"kind": "call_center", "province": "oujda_angad", "status": "active"}])
def test_searches_and_last_pages_run_a_constant_number_of_queries(client, factories, as_user, staff, count_queries,
                                                                  small_cap, args):
    from tests.members.factories import MembershipFactory

    def add(n, start):
        for i in range(start, start + n):
            o = org(factories, f"Atlas {i:03d}", kind="call_center", province="oujda_angad")
            MembershipFactory(organization=o, status="active")

    as_user(staff)
    add(2, 0)  # under the cap
    client.get("/members/", query_string=args)
    with count_queries() as few:
        assert client.get("/members/", query_string=args).status_code == 200
    add(30, 2)  # past it
    client.get("/members/", query_string=args)
    with count_queries() as many:
        html = client.get("/members/", query_string=args).get_data(as_text=True)
    assert "Atlas 0" in html
    assert few.count == many.count <= 7  # (the page reads the data's generation once: club.core.freshness)


def test_the_filter_form_keeps_the_selection_and_the_rows_name_their_checkbox(client, factories, as_user, staff):
    """The filters' options are built once per language, only the chosen one marked; each row's checkbox label is
    translated once and names its organisation (escaped)."""
    org(factories, "Tom & <Jerry>", kind="call_center")
    as_user(staff)
    html = client.get("/members/", query_string={"kind": "call_center", "sort": "-name"}).get_data(as_text=True)
    assert '<option value="call_center" selected>' in html and '<option value="-name" selected>' in html
    assert html.count(" selected>") == 2
    assert 'aria-label="Select Tom &amp; &lt;Jerry&gt;"' in html
    html = client.get("/members/", query_string={"kind": "bpo"}).get_data(as_text=True)
    assert '<option value="bpo" selected>' in html and '<option value="call_center">' in html


def test_the_global_search_says_more_than_the_cap(client, factories, as_user, staff, small_cap):
    _orgs(factories, [f"Atlas {i}" for i in range(5)])
    as_user(staff)
    html = client.get("/search", query_string={"q": "atlas"}).get_data(as_text=True)
    assert "more than 3 results for “atlas”" in html
    assert ">more than 3</span>" in html and "See all results" in html
    assert html.count('<li><a href="/members/') == 5
    _orgs(factories, ["Other"])
    html = client.get("/search", query_string={"q": "other"}).get_data(as_text=True)
    assert "1 result for “other”" in html and "more than" not in html


def test_the_plans_read_their_indexes(db, factories, staff, small_cap):
    """A common term walks the name index (no sort of every hit), its count is driven by the text index (SQLite);
    a page filtered by kind and province walks ix_organizations_kind_province_name."""
    from tests.members.test_register import _plan

    _orgs(factories, [f"Atlas {i}" for i in range(5)])
    order = (queries.Organization.name_key, queries.Organization.id)
    walk = queries.register_where(queries.RegisterFilters(q="atlas"), staff, fts=False)
    filtered = queries.register_where(queries.RegisterFilters(kind="call_center", province="oujda_angad",
                                                              status="active"), staff)
    if db.engine.dialect.name == "sqlite":
        plan = _plan(db, queries.register_rows(walk).order_by(*order).limit(51))
        assert "ix_organizations_active_name" in plan and "TEMP B-TREE" not in plan
        assert "organizations_search" not in plan
        plan = _plan(db, queries.register_rows(filtered).order_by(*order).limit(51))
        assert "ix_organizations_kind_province_name" in plan and "TEMP B-TREE" not in plan
    else:
        # PostgreSQL's choice on tiny tables follows the statistics earlier tests left (it differs with the order the
        # tests run in): the index is there, with the columns the walk reads in order.
        with db.engine.connect() as conn:
            definition = conn.exec_driver_sql("SELECT indexdef FROM pg_indexes "
                                              "WHERE indexname = 'ix_organizations_kind_province_name'").scalar()
        assert definition and "(kind, province, archived_at, name_key, id)" in definition, definition


def test_a_member_whose_organisation_is_archived_finds_it_with_either_plan(factories, small_cap):
    """Their rule is "the register, or our own organisation": an OR no index is walked in, so the text index is
    read, whatever the count; their own archived organisation is among the hits."""
    _orgs(factories, [f"Atlas {i}" for i in range(5)])
    own = org(factories, "Atlas own")
    own.archived_at = utcnow()
    db.session.commit()
    member = factories.UserFactory(role="member", organization=own)
    page = queries.register_page(queries.RegisterFilters(q="atlas"), member)
    assert page.capped and page.extra["plan"] == "index"
    assert "Atlas own" in [row[0].name for row in page.items] and len(page.items) == 6
