"""The data's generation: one number every writing transaction bumps as it commits (club/core/freshness.py).

Revision ID: 1a2b3c4d5e6f
Revises: 7a3c5e91b2d4
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '1a2b3c4d5e6f'
down_revision = '7a3c5e91b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_generation",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO data_generation (id, generation) VALUES (1, 0)")


def downgrade():
    op.drop_table("data_generation")
