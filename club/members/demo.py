"""The members part of the demo world: the article's organisations with contacts, memberships, dues and jobs.

Idempotent: what exists already is left as it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import sqlalchemy as sa

from club.core.text import fold
from club.extensions import db
from club.members import services
from club.members.models import (
    Contact,
    Dues,
    JobCommitment,
    JobReport,
    Language,
    Membership,
    MembershipChange,
    MembershipStatus,
    MembershipTier,
    OrganizationDocument,
    OrganizationLanguage,
    OrganizationTrade,
    OrgDocumentKind,
    PaymentMethod,
    Province,
    Site,
    Trade,
)
from club.members.queries import organisation_named as organisation

T, L = Trade, Language
# name: province, site, trades, languages, headcount, website, phone
PROFILES = {
    "Intelcia": (Province.OUJDA_ANGAD, Site.OUJDA_SHORE, [T.CUSTOMER_RELATIONS, T.TECHNICAL_SUPPORT, T.BACK_OFFICE],
                 [L.FRENCH, L.ENGLISH, L.SPANISH], 350, "https://www.intelcia.example", "+212522000101"),
    "Notoriety": (Province.OUJDA_ANGAD, Site.OUJDA_SHORE, [T.CUSTOMER_RELATIONS, T.TELEMARKETING],
                  [L.FRENCH, L.SPANISH], 220, "https://www.notoriety.example", "+212536000102"),
    "Saccom": (Province.OUJDA_ANGAD, Site.OUJDA_SHORE, [T.DOCUMENT_MANAGEMENT, T.HR_SERVICES],
               [L.FRENCH, L.ENGLISH, L.ARABIC], 260, "https://www.saccom.example", "+212536000103"),
    "Eca groupe": (Province.OUJDA_ANGAD, Site.OUJDA_SHORE, [T.CUSTOMER_RELATIONS, T.TECHNICAL_SUPPORT],
                   [L.FRENCH, L.GERMAN], 180, "https://www.eca-groupe.example", "+212536000104"),
    "Groupe international A": (Province.OUJDA_ANGAD, Site.OUJDA_SHORE, [T.CUSTOMER_RELATIONS],
                               [L.FRENCH, L.ENGLISH, L.ITALIAN], 40, None, None),
    "Groupe international B": (Province.BERKANE, Site.NONE, [T.BACK_OFFICE, T.IT_SERVICES],
                               [L.FRENCH, L.DUTCH], 25, None, None),
    "FIRO": (Province.OUJDA_ANGAD, Site.NONE, [T.FINANCE], [L.FRENCH, L.ARABIC], 12,
             "https://www.firo.example", "+212536000107"),
    "CRI de l'Oriental": (Province.OUJDA_ANGAD, Site.NONE, [T.OTHER], [L.FRENCH, L.ARABIC, L.AMAZIGH], 45,
                          "https://www.orientalinvest.example", "+212536000108"),
    "Apebi": (Province.OUTSIDE, Site.NONE, [T.IT_SERVICES, T.TRAINING], [L.FRENCH, L.ARABIC], 15,
              "https://www.apebi.example", "+212522000109"),
    "Siccam": (Province.OUTSIDE, Site.NONE, [T.OTHER], [L.FRENCH, L.ENGLISH], 8, "https://www.siccam.example",
               "+212522000110"),
    "MedZ": (Province.OUTSIDE, Site.CASA_SHORE, [T.OTHER], [L.FRENCH, L.ARABIC], 300, "https://www.medz.example",
             "+212522000111"),
    "Oriental Digital Lab": (Province.OUJDA_ANGAD, Site.NONE, [T.IT_SERVICES], [L.FRENCH, L.ARABIC, L.ENGLISH], 4,
                             None, None),
}

# name: [(contact name, title, email, phone, primary)]
CONTACTS = {
    "Intelcia": [("Karim Bernoussi", "PDG", "k.bernoussi@intelcia.example", "+212661000201", True),
                 ("Leila Chraibi", "Directrice du site d'Oujda", "l.chraibi@intelcia.example", "+212661000202", False)],
    "Saccom": [("Moulay Zine El Oudghiri", "PDG", "mz.eloudghiri@saccom.example", "+212661000203", True),
               ("Nadia Amrani", "Responsable des relations avec le Club", "contact@saccom.example", "+212661000204",
                False)],
    "Notoriety": [("Hicham Lahlou", "Directeur général", "h.lahlou@notoriety.example", "+212661000205", True)],
    "Eca groupe": [("Sanae Berrada", "Directrice des opérations", "s.berrada@eca-groupe.example", "+212661000206",
                    True)],
    "Groupe international A": [("Julien Marchand", "Responsable du recrutement", "recrutement@groupe-a.example",
                                None, True)],
    "Groupe international B": [("Sara Van Dijk", "Directrice de projet", "projet@groupe-b.example", None, True)],
    "FIRO": [("Youssef Benali", "Chargé d'investissement", "partner@firo.example", "+212661000207", True)],
    "CRI de l'Oriental": [("Salma Idrissi", "Secrétariat du Club", "secretariat@club.example", "+212661000208", True)],
    "Apebi": [("Omar Kettani", "Délégué régional", "o.kettani@apebi.example", "+212661000209", True)],
    "Siccam": [("Rachid Fassi", "Commissaire du salon", "r.fassi@siccam.example", "+212661000210", True)],
    "MedZ": [("Imane Squalli", "Responsable commerciale Casa-shore", "i.squalli@medz.example", "+212661000211",
              True)],
    "Oriental Digital Lab": [("Amine Tazi", "Fondateur", "founder@startup.example", "+212661000212", True)],
}

MEMBERS = {  # name: (status, tier, joined_on, dues {year: (amount, paid_on)})
    "Intelcia": (MembershipStatus.ACTIVE, "Membre fondateur", date(2020, 7, 11),
                 {2025: ("20000.00", date(2025, 2, 10)), 2026: ("20000.00", None)}),
    "Notoriety": (MembershipStatus.ACTIVE, "Membre fondateur", date(2020, 7, 11),
                  {2025: ("15000.00", date(2025, 3, 2)), 2026: ("15000.00", date(2026, 2, 14))}),
    "Saccom": (MembershipStatus.ACTIVE, "Membre fondateur", date(2020, 7, 11),
               {2025: ("15000.00", date(2025, 1, 28)), 2026: ("15000.00", None)}),
    "Eca groupe": (MembershipStatus.ACTIVE, "Membre", date(2020, 9, 1),
                   {2025: ("10000.00", None), 2026: ("10000.00", None)}),
    "Groupe international A": (MembershipStatus.PENDING, None, None, {}),
    "Apebi": (MembershipStatus.ACTIVE, "Membre associé", date(2020, 7, 11), {2026: ("0.00", date(2026, 1, 5))}),
    "Siccam": (MembershipStatus.ACTIVE, "Membre associé", date(2020, 7, 11), {2026: ("0.00", date(2026, 1, 5))}),
}

# name: [(jobs announced, announced on, horizon, source, [(reported on, jobs created to date)])]
COMMITMENTS = {
    "Saccom": [(1000, date(2020, 7, 11), date(2025, 12, 31), "Annoncé au Siccam 2020 (Oujda)",
                [(date(2021, 6, 30), 180), (date(2023, 12, 31), 540)])],
    "Intelcia": [(800, date(2020, 7, 11), date(2024, 12, 31), "Annoncé au Siccam 2020 (Oujda)",
                  [(date(2021, 3, 31), 250)])],
    "Notoriety": [(500, date(2020, 7, 11), date(2023, 12, 31), "Pacte d'associés avec le FIRO, Siccam 2020",
                   [(date(2022, 6, 30), 310)])],
    "Eca groupe": [(400, date(2020, 7, 11), date(2024, 12, 31), "Annoncé au Siccam 2020 (Oujda)", [])],
    "Groupe international A": [(250, date(2020, 7, 11), None, "Tests de recrutement annoncés au Siccam 2020", [])],
    "Groupe international B": [(150, date(2020, 7, 11), None, "Tests de recrutement annoncés au Siccam 2020", [])],
}


# The tiers of the dues follow-up: name -> (annual fee, period in months, position).
TIERS = {
    "Membre fondateur": ("15000.00", 12, 1),
    "Membre": ("10000.00", 12, 2),
    "Startup": ("2500.00", 12, 3),
    "Membre associé": ("0.00", 12, 4),
}
# Renewal dates, in days from the day the demo is loaded: Saccom and Notoriety are due within 30 days, Eca groupe
# is overdue; the others renew later.
RENEWS_IN_DAYS = {"Saccom": 12, "Notoriety": 25, "Eca groupe": -10, "Intelcia": 210, "Apebi": 150, "Siccam": 150}


def _tiers() -> dict[str, MembershipTier]:
    found = {t.name: t for t in db.session.scalars(sa.select(MembershipTier))}
    for name, (fee, months, position) in TIERS.items():
        if name not in found:
            found[name] = services.create_tier({"name": name, "annual_fee": Decimal(fee), "period_months": months,
                                                "position": position, "is_active": True}, by=None)
    return found


def load() -> list[str]:
    from datetime import timedelta

    from club.core.timezones import local_today

    today = local_today()
    tiers = _tiers()
    touched = contacts_added = members_added = commitments_added = 0
    for name, (province, site, trades, languages, headcount, website, phone) in PROFILES.items():
        org = organisation(name)
        if org is None:
            continue
        if org.province is None:
            org.province, org.site, org.headcount, org.website, org.phone = province, site, headcount, website, phone
            org.trades = [OrganizationTrade(trade=t) for t in trades]
            org.languages = [OrganizationLanguage(language=v) for v in languages]
            touched += 1
        existing = {c.name for c in org.contacts}
        for contact_name, title, email, contact_phone, primary in CONTACTS.get(name, []):
            if contact_name not in existing:
                if primary and any(c.is_primary for c in org.contacts):
                    primary = False
                org.contacts.append(Contact(name=contact_name, name_key=fold(contact_name), title=title,
                                            email=email, phone=contact_phone, is_primary=primary))
                contacts_added += 1
        services.refresh_search_text(org)
        db.session.flush()
        if name in MEMBERS and org.membership is None:
            status, tier, joined_on, dues = MEMBERS[name]
            membership = Membership(organization_id=org.id, status=status, tier=tiers[tier] if tier else None,
                                    joined_on=joined_on)
            if name in RENEWS_IN_DAYS:
                membership.renews_on = today + timedelta(days=RENEWS_IN_DAYS[name])
            membership.changes.append(MembershipChange(
                from_status=None, to_status=status, note="Réunion constitutive du Club" if joined_on else None,
                **({"at": datetime.combine(joined_on, time(10), UTC)} if joined_on else {})))
            db.session.add(membership)
            for year, (amount, paid_on) in dues.items():
                db.session.add(Dues(organization_id=org.id, year=year, amount=Decimal(amount),
                                    invoiced_on=date(year, 1, 5), paid_on=paid_on,
                                    method=PaymentMethod.TRANSFER if paid_on else None))
            if today.year not in dues and today.year > max(dues, default=today.year) and tier \
                    and tiers[tier].annual_fee > 0:  # this year's dues, whatever the year the demo is loaded
                db.session.add(Dues(organization_id=org.id, year=today.year, amount=tiers[tier].annual_fee,
                                    invoiced_on=date(today.year, 1, 5), paid_on=None))
            members_added += 1
        has_commitments = db.session.scalar(
            sa.select(sa.func.count()).select_from(JobCommitment).where(JobCommitment.organization_id == org.id))
        if name in COMMITMENTS and not has_commitments:
            for announced, announced_on, horizon, source, reports in COMMITMENTS[name]:
                commitment = JobCommitment(organization_id=org.id, jobs_announced=announced,
                                           announced_on=announced_on, horizon=horizon, source=source)
                commitment.reports = [JobReport(reported_on=d, jobs_created=n) for d, n in reports]
                commitment.jobs_created = max(reports)[1] if reports else 0
                db.session.add(commitment)
                commitments_added += 1
    db.session.flush()
    duplicates = load_duplicate()
    receipts, documents_added = _receipts(), _documents()
    return [f"profiles completed: {touched}", f"contacts added: {contacts_added}",
            f"memberships added: {members_added}", f"job commitments added: {commitments_added}",
            f"duplicates added: {duplicates}", f"receipt numbers given: {receipts}",
            f"organisation documents added: {documents_added}"]


# ---------------------------------------------------------------------------------------------------------------
# Dues receipts and organisation documents


def _receipts() -> int:
    """The paid dues get their receipt numbers, in the order of payment (as the migration numbers older ones)."""
    paid = db.session.scalars(sa.select(Dues).where(Dues.paid_on.is_not(None), Dues.receipt_number.is_(None))
                              .order_by(Dues.paid_on, Dues.id)).all()
    for dues in paid:
        services.give_receipt_number(dues)
    db.session.flush()
    return len(paid)


def one_page_pdf(*lines: str) -> bytes:
    """A small one-page PDF with a few lines of text (Latin-1), for the demo's documents."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 14 Tf 72 770 Td 18 TL " + " ".join(f"({escape(line)}) '" for line in lines) + " ET"
    content = stream.encode("latin-1", "replace")
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
               b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
               b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


SACCOM_DOCUMENTS = [  # title, kind, shared, file name, lines of the PDF
    ("Statuts de Saccom", OrgDocumentKind.STATUTES, False, "statuts-saccom.pdf",
     ["Statuts de la societe Saccom SARL", "Siege social : Oujda", "Version deposee au registre du commerce"]),
    ("Convention d'adhésion signée", OrgDocumentKind.CONVENTION, True, "convention-adhesion-saccom-signee.pdf",
     ["Convention d'adhesion au Club de l'Offshoring de l'Oriental", "Membre : Saccom",
      "Signee a Oujda le 11 juillet 2020"]),
]


def _documents() -> int:
    from club.auth.models import User
    from club.members import documents

    org = organisation("Saccom")
    staff = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    if org is None or staff is None:
        return 0
    existing = set(db.session.scalars(sa.select(OrganizationDocument.title)
                                      .where(OrganizationDocument.organization_id == org.id)))
    added = 0
    for title, kind, shared, filename, lines in SACCOM_DOCUMENTS:
        if title not in existing:
            documents.add_document(org, title=title, kind=kind, shared=shared, data=one_page_pdf(*lines),
                                   filename=filename, by=staff)
            added += 1
    return added


# A duplicate to merge (club.members.merging): "ECA Group SARL", typed in again at an event, is "Eca groupe".
DUPLICATE = "ECA Group SARL"
DUPLICATE_OF = "Eca groupe"


def load_duplicate() -> int:
    """The duplicate with its own contact and dues of a year the original has none of (the merge can go through);
    the missions demo registers its contact at the first meeting. Not added again once merged. (The services
    refuse a second organisation of the same folded name: an old record or an import from elsewhere made it.)"""
    from club.members.models import MergedRecord, Organization, OrgKind

    if organisation(DUPLICATE_OF) is None or organisation(DUPLICATE) is not None or db.session.scalar(
            sa.select(MergedRecord.id).where(MergedRecord.entity_type == "organizations",
                                             MergedRecord.old_name == DUPLICATE)) is not None:
        return 0
    org = Organization(name=DUPLICATE, name_key=Organization.key_for(DUPLICATE), kind=OrgKind.CALL_CENTER,
                       city="Oujda", province=Province.OUJDA_ANGAD, email="contact@eca-groupe.example",
                       phone="+212536000199", description="Centre de contact (fiche saisie au Siccam 2020).")
    org.contacts = [Contact(name="Mehdi Ouazzani", name_key=fold("Mehdi Ouazzani"), title="Responsable du recrutement",
                            email="m.ouazzani@eca-groupe.example", phone="+212661000299", is_primary=True)]
    org.trades = [OrganizationTrade(trade=T.CUSTOMER_RELATIONS), OrganizationTrade(trade=T.TELEMARKETING)]
    org.languages = [OrganizationLanguage(language=L.FRENCH), OrganizationLanguage(language=L.ENGLISH)]
    services.refresh_search_text(org)
    db.session.add(org)
    db.session.flush()
    db.session.add(Dues(organization_id=org.id, year=2024, amount=Decimal("8000.00"), invoiced_on=date(2024, 1, 5),
                        paid_on=date(2024, 3, 15), method=PaymentMethod.TRANSFER))
    db.session.flush()
    return 1
