"""members: organisation documents (with versions) and numbered dues receipts

Revision ID: f6b1d7295a68
Revises: e5a0c6184f57
Create Date: 2026-12-07 07:00:00

Upgrade: the tables ``organization_documents`` and ``organization_document_versions``; ``dues.receipt_number``
(unique) and the per-year counter ``dues_receipt_counters``. The dues already paid get their numbers here: per
year of payment, in the order of their payment date then id ("2025-0001", "2025-0002"…), and each year's counter
is set to the last number given. Downgrade: the counter table, the column and the documents' tables are dropped
(the receipt numbers with them; the stored files stay, as any file of a dropped row does).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import club.models

revision = "f6b1d7295a68"
down_revision = "e5a0c6184f57"
branch_labels = None
depends_on = None

dues = sa.table("dues", sa.column("id", sa.Integer), sa.column("paid_on", sa.Date),
                sa.column("receipt_number", sa.String))
counters = sa.table("dues_receipt_counters", sa.column("year", sa.Integer), sa.column("last_number", sa.Integer))


def upgrade():
    op.create_table(
        "organization_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.Enum("statutes", "convention", "certificate", "other", name="orgdocumentkind",
                                  native_enum=False, length=16), nullable=False),
        sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE",
                                name=op.f("fk_organization_documents_organization_id_organizations")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_organization_documents_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_documents")),
    )
    op.create_index("ix_organization_documents_organization", "organization_documents",
                    ["organization_id", "shared", "id"])
    op.create_index(op.f("ix_organization_documents_created_by_id"), "organization_documents", ["created_by_id"])
    op.create_table(
        "organization_document_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("stored_file_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["organization_documents.id"], ondelete="CASCADE",
                                name=op.f("fk_organization_document_versions_document_id_organization_documents")),
        sa.ForeignKeyConstraint(["stored_file_id"], ["stored_files.id"], ondelete="RESTRICT",
                                name=op.f("fk_organization_document_versions_stored_file_id_stored_files")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_organization_document_versions_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_document_versions")),
        sa.UniqueConstraint("document_id", "number", name="uq_organization_document_versions_number"),
    )
    op.create_index(op.f("ix_organization_document_versions_document_id"), "organization_document_versions",
                    ["document_id"])
    op.create_index(op.f("ix_organization_document_versions_stored_file_id"), "organization_document_versions",
                    ["stored_file_id"])
    op.create_index(op.f("ix_organization_document_versions_uploaded_by_id"), "organization_document_versions",
                    ["uploaded_by_id"])

    op.create_table(
        "dues_receipt_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_dues_receipt_counters")),
    )
    with op.batch_alter_table("dues") as batch:
        batch.add_column(sa.Column("receipt_number", sa.String(length=16), nullable=True))
        batch.create_unique_constraint(op.f("uq_dues_receipt_number"), ["receipt_number"])

    # Numbers for the dues already paid: per year of payment, by payment date then id.
    conn = op.get_bind()
    last: dict[int, int] = {}
    for row in conn.execute(sa.select(dues.c.id, dues.c.paid_on).where(dues.c.paid_on.is_not(None))
                            .order_by(dues.c.paid_on, dues.c.id)):
        year = row.paid_on.year
        last[year] = last.get(year, 0) + 1
        conn.execute(dues.update().where(dues.c.id == row.id)
                     .values(receipt_number=f"{year}-{last[year]:04d}"))
    if last:
        conn.execute(counters.insert(), [{"year": year, "last_number": n} for year, n in sorted(last.items())])


def downgrade():
    with op.batch_alter_table("dues") as batch:
        batch.drop_constraint(op.f("uq_dues_receipt_number"), type_="unique")
        batch.drop_column("receipt_number")
    op.drop_table("dues_receipt_counters")
    op.drop_index(op.f("ix_organization_document_versions_uploaded_by_id"), table_name="organization_document_versions")
    op.drop_index(op.f("ix_organization_document_versions_stored_file_id"), table_name="organization_document_versions")
    op.drop_index(op.f("ix_organization_document_versions_document_id"), table_name="organization_document_versions")
    op.drop_table("organization_document_versions")
    op.drop_index(op.f("ix_organization_documents_created_by_id"), table_name="organization_documents")
    op.drop_index("ix_organization_documents_organization", table_name="organization_documents")
    op.drop_table("organization_documents")
