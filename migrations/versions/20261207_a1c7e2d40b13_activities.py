"""activities: calls, meetings, emails, notes and tasks logged on organisations, and their participants

Upgrade creates the two tables and their indexes; downgrade drops them (their rows go with them).

Revision ID: a1c7e2d40b13
Revises: f6b1d7295a68
Create Date: 2026-12-07 06:20:00
"""
from alembic import op
import sqlalchemy as sa
import club.models


revision = 'a1c7e2d40b13'
down_revision = 'f6b1d7295a68'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('call', 'meeting', 'email', 'note', 'task', name='activitykind', native_enum=False, length=16), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('occurred_time', sa.Time(), nullable=True),
    sa.Column('occurred_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('shared', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('mission_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("kind = 'task' OR (owner_id IS NULL AND due_on IS NULL AND done_at IS NULL)", name=op.f('ck_activities_task_fields_on_tasks')),
    sa.ForeignKeyConstraint(['application_id'], ['incubator_applications.id'], name=op.f('fk_activities_application_id_incubator_applications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_activities_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_activities_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_activities_deal_id_deals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_activities_done_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_activities_mission_id_missions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_activities_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_activities_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_activities_programme_id_programmes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_timeline', ['organization_id', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_activities_contact', ['contact_id', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_activities_owner_tasks', ['owner_id', 'done_at', 'deleted_at', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_done_by_id'), ['done_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_mission_id'), ['mission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_programme_id'), ['programme_id'], unique=False)

    op.create_table('activity_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(contact_id IS NULL) <> (user_id IS NULL)', name=op.f('ck_activity_participants_contact_or_user')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_participants_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_activity_participants_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activity_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_participants')),
    sa.UniqueConstraint('activity_id', 'contact_id', 'user_id', name=op.f('uq_activity_participants_activity_id_contact_id_user_id'))
    )
    with op.batch_alter_table('activity_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_participants_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_participants_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_participants_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('activity_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_participants_user_id'))
        batch_op.drop_index(batch_op.f('ix_activity_participants_contact_id'))
        batch_op.drop_index(batch_op.f('ix_activity_participants_activity_id'))
    op.drop_table('activity_participants')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_programme_id'))
        batch_op.drop_index(batch_op.f('ix_activities_mission_id'))
        batch_op.drop_index(batch_op.f('ix_activities_application_id'))
        batch_op.drop_index(batch_op.f('ix_activities_deal_id'))
        batch_op.drop_index(batch_op.f('ix_activities_done_by_id'))
        batch_op.drop_index(batch_op.f('ix_activities_author_id'))
        batch_op.drop_index('ix_activities_owner_tasks')
        batch_op.drop_index('ix_activities_contact')
        batch_op.drop_index('ix_activities_timeline')
    op.drop_table('activities')
