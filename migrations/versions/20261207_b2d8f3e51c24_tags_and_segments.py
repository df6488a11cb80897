"""segments: tags on organisations and contacts, segments (saved register views), bulk actions and their items

Revision ID: b2d8f3e51c24
Revises: a1c7e2d40b13
Create Date: 2026-12-07 06:10:00
"""
from alembic import op
import sqlalchemy as sa
import club.models


revision = 'b2d8f3e51c24'
down_revision = 'a1c7e2d40b13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('name_key', sa.String(length=60), nullable=False),
    sa.Column('colour', sa.String(length=16), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('name_key', name=op.f('uq_tags_name_key'))
    )
    op.create_table('organization_tags',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_tags_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_organization_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'tag_id', name=op.f('pk_organization_tags'))
    )
    with op.batch_alter_table('organization_tags', schema=None) as batch_op:
        batch_op.create_index('ix_organization_tags_tag_id', ['tag_id', 'organization_id'], unique=False)

    op.create_table('contact_tags',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_tags_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_contact_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', 'tag_id', name=op.f('pk_contact_tags'))
    )
    with op.batch_alter_table('contact_tags', schema=None) as batch_op:
        batch_op.create_index('ix_contact_tags_tag_id', ['tag_id', 'contact_id'], unique=False)

    op.create_table('segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('is_shared', sa.Boolean(), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_segments_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segments'))
    )
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segments_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_segments_shared', ['is_shared', 'name'], unique=False)

    op.create_table('bulk_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('tag', 'untag', 'status', name='bulkkind', native_enum=False, length=16), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='bulkstate', native_enum=False, length=16), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('tag_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('ids', sa.JSON(), nullable=False),
    sa.Column('audience', sa.String(length=200), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_bulk_actions_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_bulk_actions_segment_id_segments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_bulk_actions_tag_id_tags'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_actions'))
    )
    with op.batch_alter_table('bulk_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_actions_by_id'), ['by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulk_actions_segment_id'), ['segment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulk_actions_tag_id'), ['tag_id'], unique=False)

    op.create_table('bulk_action_items',
    sa.Column('bulk_action_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['bulk_action_id'], ['bulk_actions.id'], name=op.f('fk_bulk_action_items_bulk_action_id_bulk_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_bulk_action_items_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bulk_action_id', 'organization_id', name=op.f('pk_bulk_action_items'))
    )
    with op.batch_alter_table('bulk_action_items', schema=None) as batch_op:
        batch_op.create_index('ix_bulk_action_items_organization_id', ['organization_id'], unique=False)



def downgrade():
    with op.batch_alter_table('bulk_action_items', schema=None) as batch_op:
        batch_op.drop_index('ix_bulk_action_items_organization_id')

    op.drop_table('bulk_action_items')
    with op.batch_alter_table('bulk_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulk_actions_tag_id'))
        batch_op.drop_index(batch_op.f('ix_bulk_actions_segment_id'))
        batch_op.drop_index(batch_op.f('ix_bulk_actions_by_id'))

    op.drop_table('bulk_actions')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index('ix_segments_shared')
        batch_op.drop_index(batch_op.f('ix_segments_owner_id'))

    op.drop_table('segments')
    with op.batch_alter_table('contact_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_tags_tag_id')

    op.drop_table('contact_tags')
    with op.batch_alter_table('organization_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_organization_tags_tag_id')

    op.drop_table('organization_tags')
    op.drop_table('tags')
