"""missions: the deals a mission led to (mission_deals)

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-11-29 01:59:11.552802
"""
from alembic import op
import sqlalchemy as sa
import club.models


revision = 'e5f6a7b8c9d0'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mission_deals',
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mission_deals_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_mission_deals_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_mission_deals_mission_id_missions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mission_id', 'deal_id', name=op.f('pk_mission_deals'))
    )
    with op.batch_alter_table('mission_deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mission_deals_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mission_deals_deal_id'), ['deal_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mission_deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mission_deals_deal_id'))
        batch_op.drop_index(batch_op.f('ix_mission_deals_created_by_id'))

    op.drop_table('mission_deals')
