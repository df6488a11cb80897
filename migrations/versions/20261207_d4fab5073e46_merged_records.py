"""members: merged records (an organisation or a contact merged into another; its old URLs redirect)

Revision ID: d4fab5073e46
Revises: c3e9a4f62d35
Create Date: 2026-12-07 06:30:00

Upgrade creates ``merged_records``; downgrade drops it (the old URLs of merged records then answer 404).
"""
import sqlalchemy as sa
from alembic import op

import club.models

revision = "d4fab5073e46"
down_revision = "c3e9a4f62d35"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "merged_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("old_id", sa.Integer(), nullable=False),
        sa.Column("new_id", sa.Integer(), nullable=False),
        sa.Column("old_name", sa.String(length=200), nullable=False),
        sa.Column("at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_merged_records_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merged_records")),
        sa.UniqueConstraint("entity_type", "old_id", name="uq_merged_records_entity_type_old_id"),
    )
    with op.batch_alter_table("merged_records", schema=None) as batch_op:
        batch_op.create_index("ix_merged_records_entity_type_new_id", ["entity_type", "new_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_merged_records_by_id"), ["by_id"], unique=False)


def downgrade():
    with op.batch_alter_table("merged_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merged_records_by_id"))
        batch_op.drop_index("ix_merged_records_entity_type_new_id")
    op.drop_table("merged_records")
