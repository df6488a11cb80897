"""members: index for the register's "newest first" keyset sort

Revision ID: a1b2c3d4e5f6
Revises: 25dbcbca2a9b
Create Date: 2026-11-29 00:36:18.667003
"""
from alembic import op

revision = "a1b2c3d4e5f6"
down_revision = "25dbcbca2a9b"
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX (no batch table copy on SQLite: the table and its children stay untouched).
    op.create_index("ix_organizations_archived_id", "organizations", ["archived_at", "id"], unique=False)


def downgrade():
    op.drop_index("ix_organizations_archived_id", table_name="organizations")
