"""The metadata walk of a merge (club.members.merging): every foreign key to an organisation or a contact is found,
every unique key on it is either settled by "the survivor's row wins" or by a named rule, and every kind of row
the demo world holds is moved (on both databases)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from club.auth.models import User
from club.extensions import db
from club.members import merging
from club.members.models import Contact, Dues, Organization, OrgKind


def test_every_foreign_key_to_organisations_and_contacts_is_handled(app):
    """Fails for a table (of this branch or another) whose partial unique index on a moved column has no rule:
    merging would break it. A plain unique key is settled by the walk itself (the survivor's row wins)."""
    for table in (Organization.__table__, Contact.__table__):
        refs = merging.references(table)
        assert refs, table.name
        assert merging.unhandled_keys(table) == []
        for ref in refs:
            for key in ref.keys:
                assert ref.column in key.columns
                assert not key.partial or key.name in merging.KEY_RULES[table.name], (ref.table.name, key.name)
    found = {f"{r.table.name}.{r.column.name}" for r in merging.references(Organization.__table__)}
    assert {"contacts.organization_id", "dues.organization_id", "memberships.organization_id",
            "job_commitments.organization_id", "users.organization_id", "deals.target_id",
            "deal_investors.organization_id", "mission_registrations.organization_id",
            "programmes.lead_organization_id", "awards.organization_id"} <= found
    found = {f"{r.table.name}.{r.column.name}" for r in merging.references(Contact.__table__)}
    assert {"mission_registrations.contact_id", "mission_invitations.contact_id", "awards.contact_id"} <= found


def test_rules_name_real_keys(app):
    """A rule for a key that no longer exists is dead code: the names in KEY_RULES are keys of the metadata."""
    for target, rules in merging.KEY_RULES.items():
        table = db.metadata.tables[target]
        names = {key.name for ref in merging.references(table) for key in ref.keys}
        assert set(rules) <= names


def test_a_partial_unique_index_without_a_rule_stops_the_merge(app, monkeypatch):
    monkeypatch.setitem(merging.KEY_RULES, "organizations",
                        {k: v for k, v in merging.KEY_RULES["organizations"].items() if k != "ix_contacts_one_primary"})
    assert merging.unhandled_keys(Organization.__table__) == ["contacts.ix_contacts_one_primary"]


def _pk_where(table, row, column, value):
    return [c == (value if c is column else row._mapping[c.name]) for c in table.primary_key.columns]


def _repoint_one_row_per_reference(target, new_id: int, avoid_id: int) -> dict:
    """For each reference to ``target``, one row of the demo world (not pointing to ``avoid_id``, with no twin of
    ``avoid_id`` on a unique key) is pointed to ``new_id``; returns {reference: the row's primary key values}."""
    chosen = {}
    for ref in merging.references(target):
        table, column = ref.table, ref.column
        conditions = [column.is_not(None), column != avoid_id, column != new_id]
        for key in ref.keys:
            others = [c for c in key.columns if c is not column]
            if key.name in merging.KEY_RULES[target.name]:
                continue  # settled by its rule (primary contact, dues' year: below; membership: chosen)
            twin = table.alias("twin")
            conditions.append(~sa.select(1).select_from(twin).where(
                twin.c[column.name] == avoid_id, *[twin.c[c.name] == c for c in others]).exists())
        if table.name == "contacts":
            conditions.append(table.c.is_primary.is_(False))
        if table.name == "dues":
            conditions.append(table.c.year.not_in(sa.select(Dues.year).where(Dues.organization_id == avoid_id)))
        row = db.session.execute(sa.select(table).where(*conditions).limit(1)).first()
        if row is None:
            continue
        db.session.execute(sa.update(table).where(*_pk_where(table, row, column, row._mapping[column.name]))
                           .values({column.name: new_id}))
        chosen[ref] = row
    db.session.commit()
    return chosen


def _assert_moved(chosen: dict, old_id: int, new_id: int) -> None:
    for ref, row in chosen.items():
        table, column = ref.table, ref.column
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table).where(column == old_id)) == 0, \
            ref.kind
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table)
                                 .where(*_pk_where(table, row, column, new_id))) == 1, f"{ref.kind} not moved"


def test_every_kind_of_row_moves_to_the_surviving_organisation(app, demo_world, request_context):
    staff = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    survivor = db.session.scalar(sa.select(Organization).where(Organization.name == "Eca groupe"))
    other = Organization(name="Eca (doublon de test)", name_key="eca doublon de test", kind=OrgKind.OTHER,
                         search_text="")
    db.session.add(other)
    db.session.commit()
    chosen = _repoint_one_row_per_reference(Organization.__table__, other.id, survivor.id)
    kinds = {ref.kind for ref in chosen}
    # the demo world holds rows of (nearly) every kind: the walk is tested on them, not on a hand-written list
    assert {"contacts", "dues", "memberships", "job_commitments", "users", "incubator_applications",
            "deals.target_id", "deal_investors", "mission_registrations", "mission_invitations",
            "programmes.lead_organization_id", "programme_partners", "awards", "organization_trades"} <= kinds
    other_id, survivor_id = other.id, survivor.id
    changes = merging.merge_organizations(survivor, other, merging.Choices(membership=merging.OTHER), by=staff)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Organization, other_id) is None
    _assert_moved({ref: row for ref, row in chosen.items() if ref.table.name not in merging.LISTS
                   and ref.table.name != "memberships"}, other_id, survivor_id)
    assert changes["merged"] == [None, "Eca (doublon de test)"]
    moved = changes["moved"][1]
    assert moved["contacts"] >= 1 and moved["dues"] == 1 and moved["deals.target_id"] == 1
    # the membership chosen (the other's) is the survivor's now, the survivor's own is gone
    membership_row = chosen[next(r for r in chosen if r.table.name == "memberships")]
    from club.members.models import Membership

    assert db.session.scalar(sa.select(Membership.id).where(Membership.organization_id == survivor_id)) \
        == membership_row._mapping["id"]
    assert db.session.scalar(sa.select(merging.MergedRecord.new_id).where(merging.MergedRecord.old_id == other_id)) \
        == survivor_id


def test_every_kind_of_row_moves_to_the_surviving_contact(app, demo_world, request_context):
    staff = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    survivor = db.session.scalar(sa.select(Contact).where(Contact.name == "Sanae Berrada"))
    other = Contact(organization_id=survivor.organization_id, name="S. Berrada", name_key="s. berrada",
                    is_primary=False)
    db.session.add(other)
    db.session.commit()
    chosen = _repoint_one_row_per_reference(Contact.__table__, other.id, survivor.id)
    assert {"mission_registrations", "mission_invitations"} <= {ref.kind for ref in chosen}
    other_id, survivor_id = other.id, survivor.id
    changes = merging.merge_contacts(survivor, other, merging.Choices(), by=staff)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Contact, other_id) is None
    _assert_moved(chosen, other_id, survivor_id)
    assert changes["contact"] == ["S. Berrada", "Sanae Berrada"]


def test_the_survivors_twin_row_wins_on_a_unique_key(app, demo_world, request_context):
    """Both investors in the same deal: one row stays (the survivor's), the other's is dropped, nothing fails."""
    from club.deals.models import Deal, deal_investors

    staff = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    deal = db.session.scalar(sa.select(Deal).order_by(Deal.id).limit(1))
    survivor = Organization(name="Fonds A", name_key="fonds a", kind=OrgKind.INVESTOR, search_text="")
    other = Organization(name="Fonds A bis", name_key="fonds a bis", kind=OrgKind.INVESTOR, search_text="")
    db.session.add_all([survivor, other])
    db.session.flush()
    for org in (survivor, other):
        db.session.execute(sa.insert(deal_investors).values(deal_id=deal.id, organization_id=org.id))
    db.session.commit()
    survivor_id = survivor.id
    changes = merging.merge_organizations(survivor, other, merging.Choices(), by=staff)
    db.session.commit()
    rows = db.session.execute(sa.select(deal_investors).where(deal_investors.c.deal_id == deal.id,
                                                                     deal_investors.c.organization_id
                                                                     == survivor_id)).all()
    assert len(rows) == 1
    assert changes["dropped"] == [None, 1]


@pytest.mark.parametrize("amount", [Decimal("1.00")])
def test_dues_of_the_same_year_refuse_the_merge_and_change_nothing(app, db, factories, request_context, amount):
    from club.core.refusals import Refused
    from tests.members.factories import DuesFactory

    staff = factories.UserFactory(role="secretariat")
    a, b = factories.OrganizationFactory(name="Alpha"), factories.OrganizationFactory(name="Alpha bis")
    DuesFactory(organization=a, year=2025, amount=amount)
    DuesFactory(organization=b, year=2025, amount=amount)
    with pytest.raises(Refused) as refused:
        merging.merge_organizations(a, b, merging.Choices(), by=staff)
    assert "2025" in str(refused.value.message)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues)) == 2


def test_every_kind_of_row_a_merge_moves_reads_as_words(app):
    """The merge's summary and its history name each table it moves rows of in words ("2 tags"), not by its
    table name: a table added later gets its label here."""
    from club.members.merging import _kinds, references
    from club.members.models import Contact, Organization

    with app.test_request_context():
        kinds = _kinds()
    unnamed = sorted({ref.kind for target in (Organization.__table__, Contact.__table__)
                      for ref in references(target)} - set(kinds))
    assert unnamed == []
