"""mailings: contacts' consent to mailings (law 09-08), mailings and their recipients

Upgrade creates the three tables; downgrade drops them (their rows go with them).

Revision ID: c3e9a4f62d35
Revises: b2d8f3e51c24
Create Date: 2026-12-07 06:30:00
"""
from alembic import op
import sqlalchemy as sa
import club.models


revision = "c3e9a4f62d35"
down_revision = "b2d8f3e51c24"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contact_consents",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("consented_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("unsubscribed_at", club.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source", sa.Enum("secretariat", "member", "unsubscribe_link", name="consentsource",
                                    native_enum=False, length=20), nullable=False),
        sa.Column("created_at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_contact_consents_contact_id_contacts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_consents")),
    )
    op.create_table(
        "mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_fr", sa.String(length=200), nullable=False),
        sa.Column("body_fr", sa.Text(), nullable=False),
        sa.Column("subject_en", sa.String(length=200), nullable=True),
        sa.Column("body_en", sa.Text(), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("audience_label", sa.String(length=200), nullable=True),
        sa.Column("scope", sa.Enum("primary", "all", name="recipientscope", native_enum=False, length=16),
                  nullable=False),
        sa.Column("state", sa.Enum("draft", "sending", "sent", name="mailingstate", native_enum=False, length=16),
                  nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", club.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("queued_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("no_consent_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unsubscribed_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_mailings_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], name=op.f("fk_mailings_sent_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailings")),
    )
    with op.batch_alter_table("mailings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mailings_created_by_id"), ["created_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mailings_sent_by_id"), ["sent_by_id"], unique=False)
        batch_op.create_index("ix_mailings_state_id", ["state", "id"], unique=False)

    op.create_table(
        "mailing_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailing_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("status", sa.Enum("queued", "sent", "failed", "skipped_unsubscribed", "skipped_no_consent",
                                    name="recipientstatus", native_enum=False, length=24), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_mailing_recipients_contact_id_contacts"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["mailing_id"], ["mailings.id"], name=op.f("fk_mailing_recipients_mailing_id_mailings"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name=op.f("fk_mailing_recipients_organization_id_organizations"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["outbox_message_id"], ["outbox_messages.id"],
                                name=op.f("fk_mailing_recipients_outbox_message_id_outbox_messages"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailing_recipients")),
        sa.UniqueConstraint("mailing_id", "contact_id", name="uq_mailing_recipients_mailing_contact"),
    )
    with op.batch_alter_table("mailing_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mailing_recipients_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index("ix_mailing_recipients_mailing_status", ["mailing_id", "status", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mailing_recipients_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mailing_recipients_outbox_message_id"), ["outbox_message_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("mailing_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mailing_recipients_outbox_message_id"))
        batch_op.drop_index(batch_op.f("ix_mailing_recipients_organization_id"))
        batch_op.drop_index("ix_mailing_recipients_mailing_status")
        batch_op.drop_index(batch_op.f("ix_mailing_recipients_contact_id"))
    op.drop_table("mailing_recipients")
    with op.batch_alter_table("mailings", schema=None) as batch_op:
        batch_op.drop_index("ix_mailings_state_id")
        batch_op.drop_index(batch_op.f("ix_mailings_sent_by_id"))
        batch_op.drop_index(batch_op.f("ix_mailings_created_by_id"))
    op.drop_table("mailings")
    op.drop_table("contact_consents")
