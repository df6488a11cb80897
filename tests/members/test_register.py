"""The register: visibility, filters, folded search, sorting, keyset pages, htmx, CSV export, query counts."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from club.extensions import db
from club.members.models import (
    Language,
    MembershipStatus,
    OrganizationLanguage,
    OrganizationTrade,
    OrgKind,
    Province,
    Site,
    Trade,
    search_text_of,
)
from club.models import utcnow
from tests.members.factories import ContactFactory, MembershipFactory


def org(factories, name, description=None, contacts=(), **kwargs):
    """An organisation and its contacts, with the search text the members services would write."""
    o = factories.OrganizationFactory(name=name, description=description, **kwargs)
    for i, person in enumerate(contacts):
        ContactFactory(organization=o, name=person, is_primary=i == 0)
    o.search_text = search_text_of(o)
    db.session.commit()
    return o


@pytest.fixture()
def staff(factories):
    return factories.UserFactory(role="secretariat")


def test_applicant_gets_404_and_anonymous_the_login_page(client, factories, as_user):
    response = client.get("/members/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    as_user(factories.UserFactory(applicant=True))
    assert client.get("/members/").status_code == 404


@pytest.mark.parametrize("query, expected", [
    ("eca", "ECA Groupe"), ("ÉCA", "ECA Groupe"), ("oudghiri", "Saccom"), ("sacc", "Saccom"),
    ("documents", "Saccom"), ("Électronique", "Saccom"),
])
def test_search_folds_case_and_accents_on_name_description_and_contacts(client, factories, as_user, staff, query,
                                                                        expected):
    org(factories, "ECA Groupe", "Centre de contact")
    org(factories, "Saccom", "Gestion électronique des documents", contacts=["Moulay Zine El Oudghiri"])
    org(factories, "Intelcia", "Leader de l'offshoring", contacts=["Karim Bernoussi"])
    as_user(staff)
    html = client.get("/members/", query_string={"q": query}).get_data(as_text=True)
    assert expected in html
    assert "Intelcia" not in html


def test_search_escapes_like_wildcards(client, factories, as_user, staff):
    org(factories, "Cent pour cent", "100% offshore")
    org(factories, "Autre", "rien")
    as_user(staff)
    html = client.get("/members/?q=%25").get_data(as_text=True)
    assert "Cent pour cent" in html and "Autre" not in html
    html = client.get("/members/?q=_").get_data(as_text=True)
    assert "Autre" not in html


def test_filters_combine(client, factories, as_user, staff, db):
    a = org(factories, "Alpha", kind=OrgKind.CALL_CENTER, province=Province.NADOR, site=Site.OUJDA_SHORE)
    b = org(factories, "Beta", kind=OrgKind.BPO, province=Province.NADOR)
    org(factories, "Gamma", kind=OrgKind.CALL_CENTER, province=Province.BERKANE)
    MembershipFactory(organization=a, status=MembershipStatus.ACTIVE)
    MembershipFactory(organization=b, status=MembershipStatus.PENDING)
    db.session.add_all([OrganizationTrade(organization_id=a.id, trade=Trade.TELEMARKETING),
                        OrganizationLanguage(organization_id=b.id, language=Language.SPANISH)])
    db.session.commit()
    as_user(staff)

    def names(**args):
        html = client.get("/members/", query_string=args).get_data(as_text=True)
        return {n for n in ("Alpha", "Beta", "Gamma") if f">{n}</a>" in html}

    assert names(kind="call_center") == {"Alpha", "Gamma"}
    assert names(kind="call_center", province="nador") == {"Alpha"}
    assert names(status="active") == {"Alpha"}
    assert names(status="none") == {"Gamma"}
    assert names(site="oujda_shore") == {"Alpha"}
    assert names(trade="telemarketing") == {"Alpha"}
    assert names(language="es") == {"Beta"}
    assert names(kind="call_center", status="active") == {"Alpha"}  # narrowed: EXISTS probes
    assert names(kind="call_center", status="none") == {"Gamma"}
    assert names(province="nador", trade="telemarketing") == {"Alpha"}
    assert names(province="nador", language="es") == {"Beta"}
    assert names(kind="nonsense") == {"Alpha", "Beta", "Gamma"}  # an unknown value filters nothing, no 500


def test_archived_leave_the_default_list_and_only_staff_sees_them(client, factories, as_user, staff):
    org(factories, "Old Corp", archived_at=utcnow())
    org(factories, "Live Corp")
    as_user(staff)
    html = client.get("/members/").get_data(as_text=True)
    assert "Live Corp" in html and "Old Corp" not in html
    html = client.get("/members/?archived=1").get_data(as_text=True)
    assert "Old Corp" in html and "Live Corp" not in html
    as_user(factories.UserFactory(member=True))
    html = client.get("/members/?archived=1").get_data(as_text=True)
    assert "Old Corp" not in html


def test_sorting_and_keyset_pages_walk_every_row_once(client, factories, as_user, staff):
    for i in range(7):
        org(factories, f"Org {i:02d}")
    as_user(staff)
    from club.members import queries

    seen, after = [], None
    while True:
        page = queries.register_page(queries.RegisterFilters(), staff, after=after, per_page=3)
        seen += [row[0].name for row in page.items]
        if not page.has_next:
            break
        after = page.last_cursor
    assert seen == [f"Org {i:02d}" for i in range(7)]
    assert page.total == 7
    back = queries.register_page(queries.RegisterFilters(), staff, before=page.first_cursor, per_page=3)
    assert [r[0].name for r in back.items] == ["Org 03", "Org 04", "Org 05"]
    last = queries.register_page(queries.RegisterFilters(sort="-name"), staff, last=True, per_page=3)
    assert [r[0].name for r in last.items] == ["Org 02", "Org 01", "Org 00"]
    html = client.get("/members/?sort=newest").get_data(as_text=True)
    assert html.index("Org 06") < html.index("Org 00")
    # a forged cursor is ignored, not a 500 (wrong types included: PostgreSQL would refuse them)
    from club.members.queries import encode_cursor

    for forged in ("!!!", "eyJ4Ijox", encode_cursor([1, 2]), encode_cursor(["a", "b"]), encode_cursor([2**70]),
                   encode_cursor([True, 1])):
        assert client.get("/members/", query_string={"after": forged}).status_code == 200
        assert client.get("/members/", query_string={"before": forged, "sort": "newest"}).status_code == 200


def test_htmx_gets_the_rows_fragment_and_a_vary_header(client, factories, as_user, staff):
    org(factories, "Saccom")
    as_user(staff)
    response = client.get("/members/?q=sacc", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Saccom" in html
    assert "HX-Request" in response.headers.get("Vary", "")
    page = client.get("/members/?q=sacc").get_data(as_text=True)
    assert 'hx-push-url="true"' in page and "<html" in page


def test_export_is_exactly_the_filtered_list_and_neutralises_formulas(client, factories, as_user, staff):
    org(factories, "=HYPERLINK(evil)", kind=OrgKind.BPO, contacts=["+Plus Person"])
    org(factories, "Plain BPO", kind=OrgKind.BPO)
    org(factories, "Call Centre", kind=OrgKind.CALL_CENTER)
    as_user(staff)
    response = client.get("/members/export.csv?kind=bpo")
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "name"
    names = sorted(r[0] for r in rows[1:])
    assert names == ["'=HYPERLINK(evil)", "Plain BPO"]
    assert any(r[13] == "'+Plus Person" for r in rows[1:])


def test_export_is_for_the_secretariat_only(client, factories, as_user):
    as_user(factories.UserFactory(partner=True))
    assert client.get("/members/export.csv").status_code == 404


def test_partner_and_member_see_the_list(client, factories, as_user):
    org(factories, "Visible Org")
    for trait in ("partner", "member"):
        as_user(factories.UserFactory(**{trait: True}))
        assert "Visible Org" in client.get("/members/").get_data(as_text=True)


@pytest.mark.parametrize("args", [{}, {"q": "org"}, {"kind": "call_center", "status": "active", "trade": "telemarketing"}])
def test_list_runs_a_constant_number_of_queries(client, factories, as_user, staff, count_queries, db, args):
    def add(n, start):
        for i in range(start, start + n):
            o = org(factories, f"Org {i:03d}", contacts=[f"Person {i}"])
            MembershipFactory(organization=o)
            db.session.add(OrganizationTrade(organization_id=o.id, trade=Trade.TELEMARKETING))
        db.session.commit()

    as_user(staff)
    add(5, 0)
    client.get("/members/", query_string=args)
    with count_queries() as few:
        assert client.get("/members/", query_string=args).status_code == 200
    add(50, 5)
    client.get("/members/", query_string=args)  # the signed-in user, expired by the commit above, is reloaded
    with count_queries() as many:
        html = client.get("/members/", query_string=args).get_data(as_text=True)
    assert "Org 049" in html
    assert few.count == many.count <= 7  # (the page reads the data's generation once: club.core.freshness)
    # a deep page reads from its cursor on: no OFFSET anywhere (page 500 costs what page 1 costs)
    from club.members import queries

    first = queries.register_page(queries.RegisterFilters.from_args(args, may_see_archived=True), staff, per_page=10)
    with count_queries() as deep:
        assert client.get("/members/", query_string={**args, "after": first.last_cursor}).status_code == 200
    assert deep.count == many.count
    if db.engine.dialect.name == "postgresql":  # SQLite always renders "LIMIT ? OFFSET ?" (with 0)
        assert not any("OFFSET" in statement.upper() for statement in deep.statements)


def _plan(db, stmt) -> str:
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    with db.engine.connect() as conn:
        return " ".join(str(row) for row in conn.exec_driver_sql(prefix + str(compiled)))


def test_search_and_sorts_use_their_indexes(db, factories, staff):
    """The planner must be able to use the trigram search index and the sort indexes (bench: real volumes)."""
    from club.members import queries

    org(factories, "Saccom", contacts=["Moulay Zine El Oudghiri"])
    filters = queries.RegisterFilters(q="oudghiri")
    stmt = queries.register_rows(queries.register_where(filters, staff)).order_by(*[
        getattr(queries.Organization, n) for n in queries.SORTS["name"][0]]).limit(51)
    plan = _plan(db, stmt)
    if db.engine.dialect.name == "sqlite":
        assert "organizations_search" in plan  # the FTS5 trigram mirror answers the search
        member = factories.UserFactory(role="member", organization=factories.OrganizationFactory())
        for user in (staff, member):  # the member's rule (their own organisation, even archived) keeps the index
            plan = _plan(db, queries.register_rows(queries.register_where(queries.RegisterFilters(), user)).order_by(
                queries.Organization.name_key, queries.Organization.id).limit(51))
            assert "ix_organizations_active_name" in plan and "TEMP B-TREE" not in plan
    else:
        with db.engine.connect() as conn:  # tiny tables: forbid the sequential scan to see what LIKE can use
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = " ".join(str(r) for r in conn.exec_driver_sql(
                "EXPLAIN SELECT id FROM organizations WHERE search_text LIKE %s", ("%oudghiri%",)))
        assert "ix_organizations_search_trgm" in plan
    page = queries.register_page(filters, staff)
    assert [row[0].name for row in page.items] == ["Saccom"]


def test_organisations_created_elsewhere_are_searchable(client, db, as_user, staff):
    """Another domain (the incubator, the demo) creates an organisation through the members' one service."""
    from club.core.audit import AuditEvent
    from club.members.models import OrgKind
    from club.members.services import create_organization_for

    org = create_organization_for("Startup Née Ailleurs", OrgKind.STARTUP, phone="0536 68 30 00", by=staff)
    db.session.commit()
    assert org.phone == "+212536683000"
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.entity_type == "organizations",
                                                                AuditEvent.entity_id == org.id)) \
        == "organization.created"
    as_user(staff)
    assert ">Startup Née Ailleurs</a>" in client.get("/members/?q=nee ailleurs").get_data(as_text=True)


def test_odd_search_strings_never_fail(client, factories, as_user, staff):
    org(factories, 'Quote "Corp"', "l'apostrophe * étoile")
    as_user(staff)
    for q in ['"', '"""', "*", "NEAR(a b)", "a'b", "%_\\", "l'apo", '"corp"', "^x", "étoile*", "x" * 150, "\x07abc"]:
        response = client.get("/members/", query_string={"q": q})
        assert response.status_code == 200, q
    assert client.get("/members/", query_string={"q": "\x00abc"}).status_code == 400  # NUL: malformed request
    assert 'Quote &#34;Corp&#34;' in client.get("/members/", query_string={"q": '"corp"'}).get_data(as_text=True)
