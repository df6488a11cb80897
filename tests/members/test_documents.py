"""Organisation documents: the secretariat uploads a document, new versions, renames it, changes its kind and sharing
(version-checked), deletes it; the organisation's member contacts see and download the shared ones (their current
version); other members, partners and applicants: nothing (404). Hostile uploads are refused at the field, nothing
saved. Every change is in the organisation's history."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.storage import StoredFile
from club.members.models import OrganizationDocument, OrganizationDocumentVersion, OrgDocumentKind
from tests.conftest import text

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PDF2 = PDF + b"% second version\n"


def _upload(client, org_id, *, title="Convention d'adhésion", kind="convention", shared=False, data=PDF,
            filename="convention.pdf", headers=None):
    body = {"document-title": title, "document-kind": kind, "document-file": (io.BytesIO(data), filename)}
    if shared:
        body["document-shared"] = "y"
    return client.post(f"/members/{org_id}/documents", data=body, content_type="multipart/form-data",
                       headers=headers or {})


def _documents(db, org_id):
    db.session.expire_all()
    return db.session.scalars(sa.select(OrganizationDocument).where(OrganizationDocument.organization_id == org_id)
                              .order_by(OrganizationDocument.id)).all()


def _events(db, org_id, prefix="document."):
    return [e for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "organizations",
                                                                      AuditEvent.entity_id == org_id)
                                          .order_by(AuditEvent.id))
            if e.action.startswith(prefix)]


@pytest.fixture()
def world(factories, db):
    org = factories.OrganizationFactory(name="Saccom")
    other = factories.OrganizationFactory(name="Intelcia")
    staff = factories.UserFactory(role="secretariat")
    member = factories.UserFactory(role="member", organization=org)
    stranger = factories.UserFactory(role="member", organization=other)
    partner = factories.UserFactory(partner=True)
    applicant = factories.UserFactory(role="applicant")
    db.session.commit()
    return {"org": org, "other": other, "staff": staff, "member": member, "stranger": stranger,
            "partner": partner, "applicant": applicant}


def test_the_secretariat_uploads_versions_and_shares_and_the_member_downloads(client, as_user, db, world):
    org, staff, member = world["org"], world["staff"], world["member"]
    as_user(staff)
    response = _upload(client, org.id)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/members/{org.id}#documents")
    [document] = _documents(db, org.id)
    assert (document.title, document.kind, document.shared) == ("Convention d'adhésion", OrgDocumentKind.CONVENTION,
                                                                False)
    assert [v.number for v in document.versions] == [1]
    page = text(client.get(f"/members/{org.id}"))
    assert "Convention d'adhésion" in page and "secretariat only" in page

    response = client.post(f"/members/{org.id}/documents/{document.id}/versions",
                           data={"version-file": (io.BytesIO(PDF2), "convention-signee.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    document = _documents(db, org.id)[0]
    assert [v.number for v in document.versions] == [2, 1]
    detail = text(client.get(f"/members/{org.id}/documents/{document.id}"))
    assert "convention-signee.pdf" in detail and "convention.pdf" in detail
    old, new = document.versions[1], document.versions[0]
    download = client.get(f"/members/{org.id}/documents/{document.id}/versions/{old.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "no-store" in download.headers["Cache-Control"]
    assert download.headers["Content-Disposition"].startswith("attachment")

    # Not shared: the member contact sees nothing and downloads nothing (nor its events in the history).
    as_user(member)
    assert "Convention d'adhésion" not in text(client.get(f"/members/{org.id}"))
    assert client.get(f"/members/{org.id}/documents/{document.id}/versions/{new.id}").status_code == 404

    as_user(staff)
    edit = client.get(f"/members/{org.id}/documents/{document.id}/edit")
    assert edit.status_code == 200
    response = client.post(f"/members/{org.id}/documents/{document.id}/edit",
                           data={"title": "Convention signée", "kind": "convention", "shared": "y",
                                 "version": str(document.version)})
    assert response.status_code == 303
    document = _documents(db, org.id)[0]
    assert document.shared and document.title == "Convention signée"

    as_user(member)
    page = text(client.get(f"/members/{org.id}"))
    assert "Convention signée" in page and "secretariat only" not in page
    assert "Add a document" not in page
    current = client.get(f"/members/{org.id}/documents/{document.id}/versions/{new.id}")
    assert current.status_code == 200 and current.data == PDF2
    # the earlier version is the secretariat's working copy; the document page and the forms are theirs too
    assert client.get(f"/members/{org.id}/documents/{document.id}/versions/{old.id}").status_code == 404
    assert client.get(f"/members/{org.id}/documents/{document.id}").status_code == 404
    assert client.get(f"/members/{org.id}/documents/{document.id}/edit").status_code == 404
    assert _upload(client, org.id).status_code == 404

    actions = [e.action for e in _events(db, org.id)]
    assert actions == ["document.added", "document.version_added", "document.updated"]
    updated = _events(db, org.id)[-1].changes
    assert updated["title"] == ["Convention d'adhésion", "Convention signée"] and updated["shared"] == [False, True]


def test_nobody_else_sees_or_downloads_a_shared_document(client, as_user, db, world):
    org = world["org"]
    as_user(world["staff"])
    _upload(client, org.id, shared=True)
    document = _documents(db, org.id)[0]
    url = f"/members/{org.id}/documents/{document.id}/versions/{document.versions[0].id}"
    for role in ("stranger", "partner", "applicant"):
        as_user(world[role])
        assert client.get(url).status_code == 404, role
        assert client.get(f"/members/{org.id}/documents/{document.id}").status_code == 404, role
        page = client.get(f"/members/{org.id}")
        assert "Convention d'adhésion" not in text(page), role
    # Nested URLs agree: the document under another organisation's URL is 404, for the secretariat too.
    as_user(world["staff"])
    other = world["other"].id
    assert client.get(f"/members/{other}/documents/{document.id}/versions/{document.versions[0].id}").status_code \
        == 404
    assert client.get(f"/members/{other}/documents/{document.id}").status_code == 404


def test_a_member_of_another_organisation_under_their_own_url_gets_nothing(client, as_user, db, world):
    as_user(world["staff"])
    _upload(client, world["org"].id, shared=True)
    document = _documents(db, world["org"].id)[0]
    as_user(world["stranger"])
    url = f"/members/{world['other'].id}/documents/{document.id}/versions/{document.versions[0].id}"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"", "empty.pdf", "The file is empty."),
    (b"<html><script>alert(1)</script></html>\x00", "deck.pdf", "not of an accepted kind"),
    (b"name;city\nSaccom;Oujda\n", "list.pdf", "not of an accepted kind"),
    (b"MZ\x90\x00" + b"\x00" * 100, "setup.pdf", "not of an accepted kind"),
    (b"%PDF-" + b"0" * (10 * 1024 * 1024), "big.pdf", "too large"),
])
def test_hostile_uploads_are_refused_at_the_field_nothing_saved(client, as_user, db, world, data, filename,
                                                                 message):
    org = world["org"]
    as_user(world["staff"])
    files_before = db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile))
    response = _upload(client, org.id, title="Statuts", data=data, filename=filename)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'id="org-document-file-error"' in page
    assert 'value="Statuts"' in page  # the input is kept
    assert _documents(db, org.id) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == files_before
    assert _events(db, org.id) == []


def test_a_refused_version_keeps_the_document_as_it_was(client, as_user, db, world):
    org = world["org"]
    as_user(world["staff"])
    _upload(client, org.id)
    document = _documents(db, org.id)[0]
    response = client.post(f"/members/{org.id}/documents/{document.id}/versions",
                           data={"version-file": (io.BytesIO(b"GIF89a not a document"), "scan.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="org-document-version-file-error"' in text(response)
    assert [v.number for v in _documents(db, org.id)[0].versions] == [1]
    response = client.post(f"/members/{org.id}/documents/{document.id}/versions", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422


def test_the_edit_form_refuses_bad_input_and_a_stale_version(client, as_user, db, world):
    org = world["org"]
    as_user(world["staff"])
    _upload(client, org.id)
    document = _documents(db, org.id)[0]
    url = f"/members/{org.id}/documents/{document.id}/edit"
    response = client.post(url, data={"title": "", "kind": "convention", "version": str(document.version)})
    assert response.status_code == 422 and 'id="title-error"' in text(response)
    response = client.post(url, data={"title": "Statuts", "kind": "passport", "version": str(document.version)})
    assert response.status_code == 422 and 'id="kind-error"' in text(response)
    response = client.post(url, data={"title": "Line\nbreak", "kind": "statutes", "version": str(document.version)})
    assert response.status_code == 422
    # someone saved meanwhile: 409, the person's input kept, the saved version shown beside it
    read_at = str(document.version)
    assert client.post(url, data={"title": "Statuts 2020", "kind": "statutes", "version": read_at}).status_code == 303
    response = client.post(url, data={"title": "Mine", "kind": "other", "version": read_at})
    assert response.status_code == 409
    page = text(response)
    assert 'value="Mine"' in page and "Statuts 2020" in page
    assert _documents(db, org.id)[0].title == "Statuts 2020"


def test_an_untouched_edit_changes_nothing(client, as_user, db, world):
    from tests.walk import parse_forms

    org = world["org"]
    as_user(world["staff"])
    _upload(client, org.id, shared=True)
    document = _documents(db, org.id)[0]
    url = f"/members/{org.id}/documents/{document.id}/edit"
    form = next(f for f in parse_forms(client.get(url).get_data(as_text=True), "http://localhost" + url)
                if f.method == "post" and f.action.endswith("/edit"))
    events = len(_events(db, org.id))
    response = client.post(url, data=form.body())
    assert response.status_code == 303
    document = _documents(db, org.id)[0]
    assert (document.title, document.kind, document.shared, document.version) == (
        "Convention d'adhésion", OrgDocumentKind.CONVENTION, True, 1)
    assert len(_events(db, org.id)) == events


def test_delete_asks_for_confirmation_and_deletes_once(client, as_user, db, world):
    org = world["org"]
    as_user(world["staff"])
    _upload(client, org.id)
    document = _documents(db, org.id)[0]
    page = text(client.get(f"/members/{org.id}/documents/{document.id}"))
    assert "data-confirm=" in page
    url = f"/members/{org.id}/documents/{document.id}/delete"
    assert client.post(url).status_code == 303
    assert client.post(url).status_code == 404
    assert _documents(db, org.id) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrganizationDocumentVersion)) == 0
    assert [e.action for e in _events(db, org.id)][-1] == "document.deleted"
    history = text(client.get(f"/members/{org.id}"))
    assert "Document deleted" in history


def test_a_delete_confirmed_before_a_new_version_was_added_deletes_nothing(client, as_user, db, world):
    """The person confirmed having seen one version; a colleague added a second meanwhile: nothing is deleted."""
    org = world["org"]
    as_user(world["staff"])
    _upload(client, org.id)
    document = _documents(db, org.id)[0]
    page = client.get(f"/members/{org.id}/documents/{document.id}").get_data(as_text=True)
    assert 'name="seen_versions" value="1"' in page
    client.post(f"/members/{org.id}/documents/{document.id}/versions",
                data={"version-file": (io.BytesIO(PDF2), "convention-v2.pdf")}, content_type="multipart/form-data")
    url = f"/members/{org.id}/documents/{document.id}/delete"
    assert client.post(url, data={"seen_versions": "1"}).status_code == 303
    assert [d.id for d in _documents(db, org.id)] == [document.id]
    assert client.post(url, data={"seen_versions": "2"}).status_code == 303
    assert _documents(db, org.id) == []


def test_the_documents_section_pages_in_a_constant_number_of_queries(client, as_user, db, world, factories,
                                                                     count_queries):
    from club.members import documents

    org_id = world["org"].id
    as_user(world["staff"])

    def add(n):
        for i in range(n):
            document = OrganizationDocument(organization_id=org_id, title=f"Document {i}",
                                            kind=OrgDocumentKind.OTHER, shared=True)
            db.session.add(document)
            db.session.flush()
            for number in (1, 2):
                stored = StoredFile(key=f"k{document.id}-{number}", original_name="a.pdf", kind="pdf", size=3,
                                    sha256="0" * 64)
                db.session.add(stored)
                db.session.flush()
                db.session.add(OrganizationDocumentVersion(document_id=document.id, number=number,
                                                           stored_file_id=stored.id))
        db.session.commit()

    counts = []
    for n in (2, 25):
        add(n)
        with count_queries() as q:
            response = client.get(f"/members/{org_id}")
        assert response.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]
    page = text(client.get(f"/members/{org_id}?documents_page=2"))
    assert "Page 2 of 3" in page
    assert documents.PER_PAGE == 10


def test_the_history_reads_the_document_events(client, as_user, db, world):
    org = world["org"]
    as_user(world["staff"], locale="fr")
    _upload(client, org.id, shared=True)
    page = text(client.get(f"/members/{org.id}"))
    assert "Convention d'adhésion (v1)" in page


@pytest.mark.parametrize("role", ["admin", "member", "partner", "applicant"])
def test_the_section_lists_exactly_what_downloads(app, demo_world, role):
    """The one rule (``OrganizationDocument.visible_to``) agrees with the pages: on the demo world, the documents
    a role sees listed on Saccom's page are those whose current version it downloads."""
    from tests.walk import ROLES, sign_in

    db = demo_world
    client = sign_in(app, db, role)
    client.get("/")  # the session's user loaded
    saccom_id = db.session.scalar(sa.select(OrganizationDocument.organization_id).limit(1))
    db.session.expire_all()
    page = client.get(f"/members/{saccom_id}")
    listed = text(page) if page.status_code == 200 else ""
    documents = _documents(db, saccom_id)
    assert {d.title for d in documents} == {"Statuts de Saccom", "Convention d'adhésion signée"}
    for document in documents:
        url = f"/members/{saccom_id}/documents/{document.id}/versions/{document.current.id}"
        downloads = client.get(url).status_code == 200
        assert (document.title in listed) == downloads, (ROLES[role], document.title)
        expected = role == "admin" or (role == "member" and document.shared)
        assert downloads == expected, (role, document.title)
