"""register filter index: a page of the register filtered by kind and province is read in name order

Revision ID: 7a3c5e91b2d4
Revises: 0c45e9d08296
Create Date: 2026-12-07 13:00:00

Upgrade adds ix_organizations_kind_province_name (kind, province, archived_at, name_key, id): the filtered page
walks it and stops at its 51st row instead of sorting every organisation of that kind and province. The dues index
the secretariat home's unpaid figure reads (ix_dues_year_paid_org: year, paid_on, organization_id, amount,
invoiced_on) already exists (e5a0c6184f57). Downgrade drops the index.
"""
from alembic import op


revision = '7a3c5e91b2d4'
down_revision = '0c45e9d08296'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_organizations_kind_province_name', 'organizations',
                    ['kind', 'province', 'archived_at', 'name_key', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_organizations_kind_province_name', table_name='organizations')
