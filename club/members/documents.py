"""An organisation's documents (statutes, signed conventions), with versions: the services that change them and
the reads the organisation page and the document page need, and how their audit events read.

The files go through the one checked storage (``club.core.storage.store``), with the kinds and the size limit of
the deals' documents: PDF, Word or Excel judged by their content, 10 MB at most. Every change is one audit event
on the organisation (its history). The services never commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from club.core import audit, storage
from club.core.pagination import Page, paginate
from club.core.refusals import check_version
from club.extensions import db
from club.members.models import (
    ORG_DOCUMENT_KIND_LABELS,
    Organization,
    OrganizationDocument,
    OrganizationDocumentVersion,
    OrgDocumentKind,
)
from club.members.services import lock_organization
from club.permissions import visible

# The same kinds and limit as the deals' documents (``club.deals.services``): a domain below deals cannot import it.
DOCUMENT_KINDS = {"pdf", "docx", "xlsx"}
MAX_DOCUMENT_SIZE = 10 * 1024 * 1024
DOCUMENT_FIELDS = ("title", "kind", "shared")
PER_PAGE = 10

ACTION_LABELS = {
    "document.added": _l("Document added"),
    "document.version_added": _l("New version of a document"),
    "document.updated": _l("Document updated"),
    "document.deleted": _l("Document deleted"),
}

AUDIT_FIELDS = {
    "document.": {
        "document": _l("Document"),
        "title": _l("Title"),
        "kind": audit.Field(_l("Kind of document"), ORG_DOCUMENT_KIND_LABELS),
        "shared": audit.Field(_l("Shared with the member contacts"), audit.yes_no),
        "file": _l("File"),
    },
    "dues.": {
        "receipt_number": _l("Receipt number"),
    },
}


# ---------------------------------------------------------------------------------------------------------------
# Services


def add_document(org: Organization, *, title: str, kind: OrgDocumentKind, shared: bool, data: bytes, filename: str,
                 by) -> OrganizationDocumentVersion:
    """A new document with its first version. The file is checked first (``UploadRefused`` at ``file``)."""
    lock_organization(org)  # one writer of the organisation's records at a time (version numbers, twenty clicks)
    stored = storage.store(data, filename, kinds=DOCUMENT_KINDS, max_size=MAX_DOCUMENT_SIZE, by=by, field="file")
    document = OrganizationDocument(organization_id=org.id, title=title, kind=kind, shared=bool(shared),
                                    created_by_id=getattr(by, "id", None))
    db.session.add(document)
    db.session.flush()
    version = OrganizationDocumentVersion(document_id=document.id, number=1, stored_file_id=stored.id,
                                          uploaded_by_id=getattr(by, "id", None))
    db.session.add(version)
    audit.record("document.added", org, by=by, changes={
        "document": [None, f"{title} (v1)"], "kind": [None, kind], "shared": [None, bool(shared)],
        "file": [None, stored.original_name]})
    db.session.flush()
    return version


def add_version(document: OrganizationDocument, *, data: bytes, filename: str, by) -> OrganizationDocumentVersion:
    """The next version of a document (numbered after the highest, under the organisation's lock)."""
    org_id = document.organization_id
    lock_organization(document.organization)
    stored = storage.store(data, filename, kinds=DOCUMENT_KINDS, max_size=MAX_DOCUMENT_SIZE, by=by, field="file")
    number = (db.session.scalar(sa.select(sa.func.max(OrganizationDocumentVersion.number))
                                .where(OrganizationDocumentVersion.document_id == document.id)) or 0) + 1
    version = OrganizationDocumentVersion(document_id=document.id, number=number, stored_file_id=stored.id,
                                          uploaded_by_id=getattr(by, "id", None))
    db.session.add(version)
    audit.record("document.version_added", None, by=by, entity_type="organizations", entity_id=org_id, changes={
        "document": [None, f"{document.title} (v{number})"], "file": [None, stored.original_name]})
    db.session.flush()
    db.session.expire(document, ["versions"])
    return version


def update_document(document: OrganizationDocument, data: dict, *, by, version=None) -> dict:
    """Rename a document, change its kind or its sharing; audited old -> new. Returns the changes. ``version``: the
    version the form was read at (``Stale`` when someone saved the document since)."""
    if version is not None:
        check_version(document, version)
    for key in DOCUMENT_FIELDS:
        if key in data:
            value = data[key]
            if key == "kind":
                value = OrgDocumentKind(value)
            elif key == "shared":
                value = bool(value)
            setattr(document, key, value)
    changes = audit.diff(document, DOCUMENT_FIELDS)
    if changes:
        db.session.flush()
        audit.record("document.updated", None, by=by, entity_type="organizations",
                     entity_id=document.organization_id,
                     changes={"document": [document.title, document.title], **changes})
    return changes


def delete_document(document: OrganizationDocument, *, by) -> None:
    """Delete a document and its versions (their stored files are kept, unreferenced, like any file of a row gone:
    the backups and the audit trail still name them)."""
    org_id, title = document.organization_id, document.title
    count = len(document.versions)
    db.session.delete(document)
    db.session.flush()
    audit.record("document.deleted", None, by=by, entity_type="organizations", entity_id=org_id,
                 changes={"document": [f"{title} (v{count})", None]})


# ---------------------------------------------------------------------------------------------------------------
# Reads


def documents_page(org: Organization, user, page: int | None = None) -> Page:
    """The documents of ``org`` that ``user`` sees (``OrganizationDocument.visible_to``), newest first, a page at a
    time, with their versions: three queries whatever the number of documents and versions."""
    stmt = (sa.select(OrganizationDocument)
            .where(OrganizationDocument.organization_id == org.id, visible(OrganizationDocument, user))
            .options(selectinload(OrganizationDocument.versions))
            .order_by(OrganizationDocument.id.desc()))
    return paginate(stmt, page=page, per_page=PER_PAGE)


def document_of(org: Organization, document_id: int, user) -> OrganizationDocument | None:
    """The document ``document_id`` if it is ``org``'s (nested URLs agree) and ``user`` sees it, else None."""
    return db.session.scalar(
        sa.select(OrganizationDocument)
        .where(OrganizationDocument.id == document_id, OrganizationDocument.organization_id == org.id,
               visible(OrganizationDocument, user))
        .options(selectinload(OrganizationDocument.versions))
        .execution_options(populate_existing=True))


def version_of(document: OrganizationDocument, version_id: int, user) -> OrganizationDocumentVersion | None:
    """A version of ``document``; a member contact gets the current version only (the earlier ones are the
    secretariat's working copies)."""
    found = next((v for v in document.versions if v.id == version_id), None)
    if found is None:
        return None
    if user.role != "secretariat" and found is not document.current:
        return None
    return found
