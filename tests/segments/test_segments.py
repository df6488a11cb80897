"""Tags, segments and bulk actions, through the views as the secretariat uses them: what the pages show, what the
database holds, what the audit trail says; and that no one else ever sees a tag or a segment."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.members.models import Contact, Membership, MembershipStatus, Organization, organization_tags
from club.segments import queries, services
from club.segments.demo import SEGMENT
from club.segments.models import BulkAction, BulkActionItem, BulkState, Segment, Tag, contact_tags
from tests.conftest import text


def _user(db, email):
    from club.auth.models import User

    user = db.session.scalar(sa.select(User).where(User.email == email))
    user.locale = "en"
    db.session.commit()
    return user


@pytest.fixture()
def staff(demo_world):
    return _user(demo_world, "secretariat@club.example")


@pytest.fixture()
def member(demo_world):
    return _user(demo_world, "contact@saccom.example")


def _org(db, name) -> Organization:
    return db.session.scalar(sa.select(Organization).where(Organization.name == name))


def _tag(db, name) -> Tag:
    return db.session.scalar(sa.select(Tag).where(Tag.name == name))


def _tagged(db, tag) -> set[str]:
    return set(db.session.scalars(sa.select(Organization.name).join(
        organization_tags, organization_tags.c.organization_id == Organization.id)
        .where(organization_tags.c.tag_id == tag.id)))


def _events(db, action) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# ---------------------------------------------------------------------------------------------------------------
# The demo world


def test_the_demo_tags_the_articles_organisations_and_shares_a_segment(demo_world, staff, login_as):
    db = demo_world
    assert {"Intelcia", "Saccom", "Siccam"} <= _tagged(db, _tag(db, "Siccam 2020"))
    assert _tagged(db, _tag(db, "Jerada")) == {"Saccom"}
    call_centres = set(db.session.scalars(sa.select(Organization.name).where(Organization.kind == "call_center")))
    assert _tagged(db, _tag(db, "Centre d'appels")) == call_centres
    segment = db.session.scalar(sa.select(Segment).where(Segment.name == SEGMENT))
    assert segment.is_shared and segment.filters == {"kind": "call_center", "status": "active",
                                                     "province": "oujda_angad"}
    page = text(login_as(staff).get("/members/"))
    assert SEGMENT in page and "Save this view as a segment" in page


# ---------------------------------------------------------------------------------------------------------------
# Tags


def test_the_secretariat_manages_the_tags(demo_world, staff, login_as):
    db, client = demo_world, login_as(staff)
    response = client.post("/segments/tags", data={"name": "  Salon   Gitex ", "colour": "red"})
    assert response.status_code == 303
    tag = _tag(db, "Salon Gitex")
    assert tag.colour == "red" and tag.name_key == "salon gitex"
    # the same name, folded: refused at the field, input kept, nothing saved
    response = client.post("/segments/tags", data={"name": "SALON gitex", "colour": ""})
    assert response.status_code == 422
    page = text(response)
    assert "The tag Salon Gitex already exists." in page and 'value="SALON gitex"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tag).where(Tag.name_key == "salon gitex")) == 1
    # a colour outside the palette
    response = client.post("/segments/tags", data={"name": "Autre", "colour": "#ff00ff"})
    assert response.status_code == 422 and _tag(db, "Autre") is None
    # rename and recolour, with the version
    response = client.post(f"/segments/tags/{tag.id}/edit", data={"name": "Gitex 2026", "colour": "blue",
                                                                  "version": tag.version})
    assert response.status_code == 303
    db.session.expire_all()
    assert (tag.name, tag.colour) == ("Gitex 2026", "blue")
    # a stale edit: 409
    response = client.post(f"/segments/tags/{tag.id}/edit", data={"name": "Gitex", "colour": "", "version": "1"})
    assert response.status_code == 409
    assert [e.action for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_type == "tags", AuditEvent.entity_id == tag.id))] == ["tag.created", "tag.updated"]


def test_deleting_a_tag_says_how_many_records_carry_it_first(demo_world, staff, login_as):
    db, client = demo_world, login_as(staff)
    tag = _tag(db, "Siccam 2020")
    carried = len(_tagged(db, tag))
    page = text(client.get(f"/segments/tags/{tag.id}/delete"))
    assert f"{carried} organisations carry it." in page
    assert db.session.get(Tag, tag.id) is not None  # a GET changes nothing
    assert client.post(f"/segments/tags/{tag.id}/delete").status_code == 303
    assert _tag(db, "Siccam 2020") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(organization_tags)
                             .where(organization_tags.c.tag_id == tag.id)) == 0
    event = _events(db, "tag.deleted")[-1]
    assert event.changes["organisations"] == [carried, 0]


def test_tagging_an_organisation_and_its_contacts_from_its_page(demo_world, staff, login_as):
    db, client = demo_world, login_as(staff)
    intelcia = _org(db, "Intelcia")
    page = text(client.get(f"/members/{intelcia.id}"))
    assert "Siccam 2020" in page and "Add a tag" in page
    # an existing tag, typed in another case; then a new one, created on the way
    assert client.post(f"/segments/organizations/{intelcia.id}/tags", data={"name": "jerada"}).status_code == 303
    assert client.post(f"/segments/organizations/{intelcia.id}/tags", data={"name": "Nearshore"}).status_code == 303
    assert "Intelcia" in _tagged(db, _tag(db, "Jerada")) and _tagged(db, _tag(db, "Nearshore")) == {"Intelcia"}
    # twice: still one row
    client.post(f"/segments/organizations/{intelcia.id}/tags", data={"name": "Jerada"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(organization_tags).where(
        organization_tags.c.organization_id == intelcia.id, organization_tags.c.tag_id == _tag(db, "Jerada").id)) == 1
    # empty: refused at the field, 422
    response = client.post(f"/segments/organizations/{intelcia.id}/tags", data={"name": "  "})
    assert response.status_code == 422 and "Type the tag's name." in text(response)
    # a contact
    contact = db.session.scalar(sa.select(Contact).where(Contact.organization_id == intelcia.id).order_by(Contact.id))
    assert client.post(f"/segments/contacts/{contact.id}/tags", data={"name": "Décideur"}).status_code == 303
    decideur = _tag(db, "Décideur")
    assert db.session.scalar(sa.select(contact_tags.c.contact_id).where(contact_tags.c.tag_id == decideur.id)) == \
        contact.id
    page = text(client.get(f"/members/{intelcia.id}"))
    assert "Décideur" in page and "Nearshore" in page
    # removing
    nearshore = _tag(db, "Nearshore")
    assert client.post(f"/segments/organizations/{intelcia.id}/tags/{nearshore.id}/remove").status_code == 303
    assert client.post(f"/segments/contacts/{contact.id}/tags/{decideur.id}/remove").status_code == 303
    assert _tagged(db, nearshore) == set()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(contact_tags)
                             .where(contact_tags.c.tag_id == decideur.id)) == 0
    actions = {e.action for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "tags"))}
    assert {"tag.organization_added", "tag.organization_removed", "tag.contact_added",
            "tag.contact_removed"} <= actions


def test_no_one_but_the_secretariat_sees_tags_or_segments(demo_world, member, login_as, factories):
    db = demo_world
    saccom = _org(db, "Saccom")
    segment = db.session.scalar(sa.select(Segment).where(Segment.name == SEGMENT))
    tag = _tag(db, "Jerada")
    client = login_as(member)
    page = text(client.get(f"/members/{saccom.id}"))
    assert 'id="org-tags"' not in page and "/segments/" not in page and "Add a tag" not in page
    register = text(client.get("/members/"))
    assert "Save this view as a segment" not in register and 'name="ids"' not in register and 'id="tag"' not in register
    assert client.get(f"/members/?tag={tag.id}").status_code == 200
    # the tag filter is the secretariat's: ignored for anyone else (the whole register shows)
    import re

    def total(page):
        return re.search(r"(\d+) organisations", page).group(1)

    assert total(text(client.get(f"/members/?tag={tag.id}"))) == total(register) != "1"
    for url in ("/segments/", "/segments/tags", f"/segments/{segment.id}", f"/segments/tags/{tag.id}/edit",
                "/segments/bulk/1"):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/segments/organizations/{saccom.id}/tags", data={"name": "Pirate"})
    assert response.status_code == 404 and _tag(db, "Pirate") is None
    response = client.post("/segments/bulk", data={"action": "tag", "bulk_tag": tag.id, "ids": saccom.id})
    assert response.status_code == 404


def test_a_private_segment_is_its_owners_alone(demo_world, staff, login_as, factories):
    db = demo_world
    colleague = factories.UserFactory(email="colleague@club.example")
    private = services.create_segment("Mine", queries.RegisterFilters(kind="startup"), shared=False, by=colleague)
    db.session.commit()
    client = login_as(staff)
    assert client.get(f"/segments/{private.id}").status_code == 404
    # acting "on all of" someone else's private segment: 404, never the whole register instead
    tag = _tag(db, "Jerada")
    response = client.post("/segments/bulk", data={"action": "tag", "bulk_tag": tag.id, "scope": "all",
                                                   "segment_id": private.id, "confirmed": "1"})
    assert response.status_code == 404 and _tagged(db, tag) == {"Saccom"}
    assert "Mine" not in text(client.get("/segments/"))
    assert client.post(f"/segments/{private.id}/delete").status_code == 404
    assert db.session.get(Segment, private.id) is not None


# ---------------------------------------------------------------------------------------------------------------
# The register's tag filter


def test_the_register_filters_by_tag(demo_world, staff, login_as):
    db, client = demo_world, login_as(staff)
    jerada, siccam = _tag(db, "Jerada"), _tag(db, "Siccam 2020")
    page = text(client.get(f"/members/?tag={jerada.id}"))
    assert "1 organisation" in page and "Saccom" in page and "Intelcia" not in page
    # several tags: organisations carrying every one
    both = text(client.get(f"/members/?tag={jerada.id}&tag={siccam.id}"))
    assert "1 organisation" in both
    # forged values are dropped, never a 500
    for value in ("abc", "-1", "1" * 40, "1,,2", "%E2%80%AE"):
        assert client.get(f"/members/?tag={value}").status_code == 200
    # the export follows the filter, and a selection of it
    rows = list(csv.reader(io.StringIO(client.get(f"/members/export.csv?tag={siccam.id}").data.decode("utf-8-sig")),
                           delimiter=";"))
    assert {r[0] for r in rows[1:]} == _tagged(db, siccam)
    intelcia = _org(db, "Intelcia")
    rows = list(csv.reader(io.StringIO(client.get(
        f"/members/export.csv?tag={siccam.id}&ids={intelcia.id},{_org(db, 'Apebi').id}").data.decode("utf-8-sig")),
        delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["Intelcia"]  # Apebi is not in the filtered list


# ---------------------------------------------------------------------------------------------------------------
# Segments


def test_saving_opening_renaming_and_deleting_a_segment(demo_world, staff, login_as):
    db, client = demo_world, login_as(staff)
    siccam = _tag(db, "Siccam 2020")
    args = f"kind=call_center&tag={siccam.id}"
    page = text(client.get(f"/segments/new?{args}"))
    assert "Call centre" in page and "tag Siccam 2020" in page
    response = client.post(f"/segments/new?{args}", data={"name": ""})
    assert response.status_code == 422 and "Name the segment." in text(response)
    response = client.post(f"/segments/new?{args}", data={"name": "Siccam call centres", "is_shared": "y"})
    assert response.status_code == 303
    segment = db.session.scalar(sa.select(Segment).where(Segment.name == "Siccam call centres"))
    assert segment.filters == {"kind": "call_center", "tag": str(siccam.id)} and segment.is_shared
    expected = {n for n in _tagged(db, siccam) if _org(db, n).kind == "call_center"}
    page = text(client.get(f"/segments/{segment.id}"))
    assert f"{len(expected)} organisations" in page and all(name in page for name in expected)
    assert "dropped" not in page
    # listed beside the register's filters and on the segments page, with its count
    assert "Siccam call centres" in text(client.get("/members/"))
    assert "Siccam call centres" in text(client.get("/segments/"))
    # rename, unshare (its owner), with the version
    response = client.post(f"/segments/{segment.id}/edit", data={"name": "Call centres at the Siccam",
                                                                 "version": segment.version})
    assert response.status_code == 303
    db.session.expire_all()
    assert segment.name == "Call centres at the Siccam" and not segment.is_shared
    # the export link carries the segment's filters
    assert f"/members/export.csv?kind=call_center&amp;tag={siccam.id}" in client.get(
        f"/segments/{segment.id}").get_data(as_text=True)
    assert client.post(f"/segments/{segment.id}/delete").status_code == 303
    assert db.session.get(Segment, segment.id) is None
    assert [e.action for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_type == "segments", AuditEvent.entity_id == segment.id))] == \
        ["segment.created", "segment.updated", "segment.deleted"]


def test_a_segment_whose_filters_no_longer_exist_still_opens_saying_what_was_dropped(demo_world, staff, login_as):
    db, client = demo_world, login_as(staff)
    jerada = _tag(db, "Jerada")
    segment = Segment(name="Old", owner_id=staff.id, is_shared=True,
                      filters={"province": "atlantis", "colour": "blue", "tag": f"{jerada.id}", "kind": "call_center",
                               "status": ["active"]})
    db.session.add(segment)
    db.session.commit()
    services.delete_tag(jerada, by=staff)
    db.session.commit()
    response = client.get(f"/segments/{segment.id}")
    assert response.status_code == 200
    page = text(response)
    assert "dropped:" in page and "province=atlantis" in page and "colour=blue" in page and f"tag={jerada.id}" in page
    # The deleted tag matches nothing: the segment never widens to every call centre.
    assert queries.segment_filter_args(segment) == {"kind": "call_center", "tag": str(jerada.id)}
    assert "0 organisations" in page or "No organisation" in page
    # And nothing is done on it in bulk (it asks to save the view again).
    relancer = services.create_tag("Relancer", by=staff)
    db.session.commit()
    response = client.post("/segments/bulk", data={"segment_id": segment.id, "action": "tag", "bulk_tag": relancer.id,
                                                  "scope": "all", "confirmed": "1"})
    assert response.status_code == 303
    assert _tagged(db, relancer) == set()


# ---------------------------------------------------------------------------------------------------------------
# Bulk actions


def test_ticked_rows_are_tagged_at_once_with_one_audit_event(demo_world, staff, login_as):
    db, client = demo_world, login_as(staff)
    register = client.get("/members/").get_data(as_text=True)
    assert 'form="bulk-form"' in register and 'name="scope" value="all"' in register
    assert 'value="write"' in register  # "write to them": the mailing form
    tag = services.create_tag("Relancer", by=staff)
    db.session.commit()
    ids = [_org(db, "Apebi").id, _org(db, "MedZ").id]
    response = client.post("/segments/bulk", data={"action": "tag", "bulk_tag": tag.id, "ids": ids})
    assert response.status_code == 303 and response.location.endswith("/members/")
    assert _tagged(db, tag) == {"Apebi", "MedZ"}
    event = _events(db, "bulk.tag")[-1]
    assert event.changes["count"] == [None, 2] and event.entity_type == "bulk_actions"
    bulk = db.session.get(BulkAction, event.entity_id)
    assert bulk.state == BulkState.DONE and sorted(bulk.ids) == sorted(ids)
    page = text(client.get(f"/segments/bulk/{bulk.id}"))
    assert "Apebi" in page and "MedZ" in page and "Intelcia" not in page
    # the event, read on the dashboard's terms, names the action and links to its records
    from flask_babel import force_locale

    from club.core import audit

    with client.application.test_request_context(), force_locale("en"):
        entry = audit.present([event], subjects=True, user=staff)[0]
    assert entry.label.startswith("Bulk tagging: 2 organisations")
    # untag one of them
    response = client.post("/segments/bulk", data={"action": "untag", "bulk_tag": tag.id, "ids": ids[:1]})
    assert response.status_code == 303 and _tagged(db, tag) == {"MedZ"}
    # nothing ticked, no action, no tag: nothing done
    before = db.session.scalar(sa.select(sa.func.count()).select_from(BulkAction))
    for data in ({"action": "tag", "bulk_tag": tag.id}, {"bulk_tag": tag.id, "ids": ids},
                 {"action": "tag", "ids": ids}, {"action": "rm -rf", "ids": ids},
                 {"action": "status", "bulk_status": "king", "ids": ids}):
        assert client.post("/segments/bulk", data=data).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BulkAction)) == before


def test_all_matching_asks_for_confirmation_then_tags_the_segment(demo_world, staff, login_as):
    db, client = demo_world, login_as(staff)
    segment = db.session.scalar(sa.select(Segment).where(Segment.name == SEGMENT))
    tag = services.create_tag("Oujda 2026", by=staff)
    db.session.commit()
    data = {"action": "tag", "bulk_tag": tag.id, "scope": "all", "segment_id": segment.id}
    response = client.post("/segments/bulk", data=data)
    expected = queries.count_of(queries.segment_filter_args(segment), staff)
    assert response.status_code == 200
    page = text(response)
    assert f"Tag {expected} organisations with Oujda 2026?" in page
    assert _tagged(db, tag) == set()  # not yet
    response = client.post("/segments/bulk", data={**data, "confirmed": "1"})
    assert response.status_code == 303 and response.location.endswith(f"/segments/{segment.id}")
    assert len(_tagged(db, tag)) == expected
    bulk = db.session.scalar(sa.select(BulkAction).order_by(BulkAction.id.desc()))
    assert bulk.segment_id == segment.id and bulk.audience == f"Segment: {SEGMENT}" and bulk.changed == expected


def test_a_status_change_skips_and_counts_what_the_transitions_do_not_allow(demo_world, staff, login_as):
    db, client = demo_world, login_as(staff)
    names = ["Intelcia", "Groupe international A", "Siccam"]  # active, pending, active
    ids = [_org(db, n).id for n in names]
    response = client.post("/segments/bulk", data={"action": "status", "bulk_status": "suspended", "ids": ids})
    assert response.status_code == 303
    statuses = dict(db.session.execute(sa.select(Organization.name, Membership.status).join(Membership)
                                       .where(Organization.id.in_(ids))).all())
    assert statuses == {"Intelcia": MembershipStatus.SUSPENDED, "Groupe international A": MembershipStatus.PENDING,
                        "Siccam": MembershipStatus.SUSPENDED}
    bulk = db.session.scalar(sa.select(BulkAction).order_by(BulkAction.id.desc()))
    assert (bulk.changed, bulk.skipped) == (2, 1)
    assert db.session.scalar(sa.select(BulkActionItem.organization_id).where(
        BulkActionItem.bulk_action_id == bulk.id, BulkActionItem.skipped.is_(True))) == ids[1]
    # the members' service wrote each organisation's membership history, the bulk action its one event
    assert len([e for e in _events(db, "membership.changed") if e.entity_id in ids]) == 2
    assert _events(db, "bulk.status")[-1].changes["skipped"] == [None, 1]
    assert "1 skipped" in text(client.get(f"/segments/bulk/{bulk.id}?show=skipped"))


def test_export_of_the_selection_is_the_registers_csv(demo_world, staff, login_as):
    db, client = demo_world, login_as(staff)
    ids = [_org(db, "Apebi").id, _org(db, "MedZ").id]
    response = client.post("/segments/bulk", data={"action": "export", "ids": ids})
    assert response.status_code == 303
    rows = list(csv.reader(io.StringIO(client.get(response.location).data.decode("utf-8-sig")), delimiter=";"))
    assert sorted(r[0] for r in rows[1:]) == ["Apebi", "MedZ"]


def test_a_large_selection_runs_as_one_job_with_its_progress(demo_world, staff, login_as, jobs, monkeypatch):
    db, client = demo_world, login_as(staff)
    monkeypatch.setattr(services, "IN_REQUEST_LIMIT", 3)
    monkeypatch.setattr(services, "BATCH", 2)
    tag = services.create_tag("Tous", by=staff)
    db.session.commit()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                              .where(Organization.archived_at.is_(None)))
    response = client.post("/segments/bulk", data={"action": "tag", "bulk_tag": tag.id, "scope": "all",
                                                   "confirmed": "1"})
    assert response.status_code == 303 and "/segments/bulk/" in response.location
    assert _tagged(db, tag) == set()  # not in the request
    assert jobs.pending() == ["run_bulk_action"]
    page = text(client.get(response.location))
    assert f"0 of {total}" in page and 'http-equiv="refresh"' in client.get(response.location).get_data(as_text=True)
    fragment = client.get(response.location, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'hx-trigger="every 2s"' in fragment
    jobs.run()
    db.session.expire_all()
    assert len(_tagged(db, tag)) == total
    page = text(client.get(response.location))
    assert f"{total} of {total}" in page and "Done" in page and 'http-equiv="refresh"' not in page
    assert len(_events(db, "bulk.tag")) >= 1


def test_the_job_resumes_after_what_was_done(demo_world, staff):
    db = demo_world
    tag = services.create_tag("Reprise", by=staff)
    bulk = services.start_bulk(services.BulkKind.TAG, queries.RegisterFilters(), None, tag=tag, by=staff)
    assert services.run_batch(bulk, size=3)
    db.session.commit()
    from club.segments.jobs import run_bulk_action

    run_bulk_action.call_local(bulk.id)
    db.session.expire_all()
    assert bulk.state == BulkState.DONE and bulk.processed == bulk.total == len(_tagged(db, tag))


def test_a_job_failing_part_way_audits_what_it_did(demo_world, staff, monkeypatch):
    """The batches committed before a failure stay done and are said in the history (one event, with the counts)."""
    db = demo_world
    tag = services.create_tag("Panne", by=staff)
    bulk = services.start_bulk(services.BulkKind.TAG, queries.RegisterFilters(), None, tag=tag, by=staff)
    db.session.commit()
    from club.segments import jobs

    real, calls = services.run_batch, []

    def failing_second_time(bulk, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(bulk, size=2)

    monkeypatch.setattr(services, "run_batch", failing_second_time)
    with pytest.raises(RuntimeError):
        jobs.run_bulk_action.call_local(bulk.id)
    db.session.expire_all()
    failed = db.session.get(BulkAction, bulk.id)
    assert failed.state == BulkState.FAILED and failed.changed == 2 == len(_tagged(db, tag))
    [event] = [e for e in _events(db, "bulk.tag") if e.entity_id == bulk.id]
    assert event.changes["count"] == [None, 2]
