"""URL argument samples for the access walk (tests/test_access.py): ids from Saccom in the demo world."""

import sqlalchemy as sa

from club.extensions import db
from club.members.models import (
    Contact,
    Dues,
    JobCommitment,
    JobReport,
    MembershipTier,
    Organization,
    OrganizationDocument,
    OrganizationDocumentVersion,
)


def _saccom_id():
    return db.session.scalar(sa.select(Organization.id).where(Organization.name == "Saccom"))


def _or_gone(value):
    """The walk posts to every route, deletes included (the routes sort "delete" before "edit"): once the
    sampled row is deleted, a missing id stands in (the view answers 404, which the walk accepts)."""
    return value if value is not None else 0


SAMPLES = {
    "contact_id": lambda: db.session.scalar(
        sa.select(Contact.id).where(Contact.organization_id == _saccom_id()).order_by(Contact.id).limit(1)),
    "commitment_id": lambda: _or_gone(db.session.scalar(
        sa.select(JobCommitment.id).where(JobCommitment.organization_id == _saccom_id()).order_by(JobCommitment.id)
        .limit(1))),
    "dues_id": lambda: _or_gone(db.session.scalar(
        sa.select(Dues.id).where(Dues.organization_id == _saccom_id()).order_by(Dues.id).limit(1))),
    # Saccom's signed convention (shared with its member contacts) and its current version
    "org_document_id": lambda: _or_gone(db.session.scalar(
        sa.select(OrganizationDocument.id).where(OrganizationDocument.organization_id == _saccom_id(),
                                                 OrganizationDocument.shared.is_(True))
        .order_by(OrganizationDocument.id).limit(1))),
    "org_version_id": lambda: _or_gone(db.session.scalar(
        sa.select(OrganizationDocumentVersion.id)
        .where(OrganizationDocumentVersion.document_id == SAMPLES["org_document_id"]())
        .order_by(OrganizationDocumentVersion.number.desc()).limit(1))),
    # the demo's first tier ("Membre fondateur", Saccom's)
    "tier_id": lambda: db.session.scalar(sa.select(MembershipTier.id).order_by(MembershipTier.position,
                                                                                 MembershipTier.id).limit(1)),
    # merging: Saccom with the demo's duplicate of Eca groupe, and Saccom's second contact with its first
    "other_id": lambda: _or_gone(db.session.scalar(
        sa.select(Organization.id).where(Organization.name == "ECA Group SARL"))),
    "other_contact_id": lambda: _or_gone(db.session.scalar(
        sa.select(Contact.id).where(Contact.organization_id == _saccom_id()).order_by(Contact.id).offset(1).limit(1))),
    # a report of the commitment sampled above (the URL nests them)
    "report_id": lambda: _or_gone(db.session.scalar(
        sa.select(JobReport.id).where(JobReport.commitment_id == SAMPLES["commitment_id"]()).order_by(JobReport.id)
        .limit(1))),
}
