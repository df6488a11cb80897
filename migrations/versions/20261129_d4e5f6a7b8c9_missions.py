"""missions

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-11-29 00:35:41.257962
"""
import sqlalchemy as sa
from alembic import op

import club.models

revision = 'd4e5f6a7b8c9'
down_revision = 'c3d4e5f6a7b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('missions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('study_visit', 'trade_mission', 'b2b_meetings', 'recruitment_fair', 'club_meeting', name='missionkind', native_enum=False, length=32), nullable=False),
    sa.Column('destination', sa.String(length=200), nullable=False),
    sa.Column('site', sa.Enum('oujda_shore', 'casa_shore', 'rabat_technopolis', 'fes_shore', 'tetouan_shore', 'none', name='site', native_enum=False, length=32), nullable=True),
    sa.Column('starts_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('objectives', sa.Text(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_per_organization', sa.Integer(), nullable=True),
    sa.Column('registration_deadline', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', 'done', 'cancelled', name='missionstate', native_enum=False, length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_missions_capacity_positive')),
    sa.CheckConstraint('ends_at >= starts_at', name=op.f('ck_missions_ends_after_start')),
    sa.CheckConstraint('seats_per_organization IS NULL OR seats_per_organization >= 1', name=op.f('ck_missions_seats_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_missions_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_missions'))
    )
    with op.batch_alter_table('missions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_missions_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_missions_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_missions_starts_at_id', ['starts_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_missions_state'), ['state'], unique=False)

    op.create_table('mission_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=300), nullable=False),
    sa.Column('owner_organization_id', sa.Integer(), nullable=True),
    sa.Column('owner_name', sa.String(length=120), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_mission_actions_mission_id_missions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_organization_id'], ['organizations.id'], name=op.f('fk_mission_actions_owner_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mission_actions'))
    )
    with op.batch_alter_table('mission_actions', schema=None) as batch_op:
        batch_op.create_index('ix_mission_actions_mission_due', ['mission_id', 'due_on', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mission_actions_owner_organization_id'), ['owner_organization_id'], unique=False)

    op.create_table('mission_agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_mission_agenda_items_mission_id_missions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mission_agenda_items'))
    )
    with op.batch_alter_table('mission_agenda_items', schema=None) as batch_op:
        batch_op.create_index('ix_mission_agenda_items_mission_day', ['mission_id', 'day', 'starts_at'], unique=False)

    op.create_table('mission_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('invited_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Enum('registered', 'declined', name='invitationanswer', native_enum=False, length=16), nullable=True),
    sa.Column('answered_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_mission_invitations_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_mission_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_mission_invitations_mission_id_missions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_mission_invitations_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mission_invitations')),
    sa.UniqueConstraint('mission_id', 'contact_id', name='uq_mission_invitations_mission_contact')
    )
    with op.batch_alter_table('mission_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mission_invitations_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mission_invitations_invited_by_id'), ['invited_by_id'], unique=False)
        batch_op.create_index('ix_mission_invitations_mission_org', ['mission_id', 'organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mission_invitations_organization_id'), ['organization_id'], unique=False)

    op.create_table('mission_outcomes',
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mission_outcomes_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_mission_outcomes_mission_id_missions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_mission_outcomes_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mission_id', 'organization_id', name=op.f('pk_mission_outcomes'))
    )
    with op.batch_alter_table('mission_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mission_outcomes_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mission_outcomes_organization_id'), ['organization_id'], unique=False)

    op.create_table('mission_partners',
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_mission_partners_mission_id_missions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_mission_partners_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mission_id', 'organization_id', name=op.f('pk_mission_partners'))
    )
    with op.batch_alter_table('mission_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mission_partners_organization_id'), ['organization_id'], unique=False)

    op.create_table('mission_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'waitlisted', 'cancelled', 'attended', name='registrationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('queued_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attended_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_mission_registrations_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_mission_registrations_mission_id_missions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_mission_registrations_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_mission_registrations_registered_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mission_registrations')),
    sa.UniqueConstraint('mission_id', 'contact_id', name='uq_mission_registrations_mission_contact')
    )
    with op.batch_alter_table('mission_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mission_registrations_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_mission_registrations_mission_status', ['mission_id', 'status', 'queued_at', 'id'], unique=False)
        batch_op.create_index('ix_mission_registrations_org_mission', ['organization_id', 'mission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mission_registrations_registered_by_id'), ['registered_by_id'], unique=False)

    op.create_table('mission_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('outcomes', sa.Text(), nullable=True),
    sa.Column('contacts_made', sa.Text(), nullable=True),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_mission_reports_mission_id_missions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_mission_reports_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mission_reports')),
    sa.UniqueConstraint('mission_id', name=op.f('uq_mission_reports_mission_id'))
    )
    with op.batch_alter_table('mission_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mission_reports_updated_by_id'), ['updated_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mission_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mission_reports_updated_by_id'))

    op.drop_table('mission_reports')
    with op.batch_alter_table('mission_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mission_registrations_registered_by_id'))
        batch_op.drop_index('ix_mission_registrations_org_mission')
        batch_op.drop_index('ix_mission_registrations_mission_status')
        batch_op.drop_index(batch_op.f('ix_mission_registrations_contact_id'))

    op.drop_table('mission_registrations')
    with op.batch_alter_table('mission_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mission_partners_organization_id'))

    op.drop_table('mission_partners')
    with op.batch_alter_table('mission_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mission_outcomes_organization_id'))
        batch_op.drop_index(batch_op.f('ix_mission_outcomes_created_by_id'))

    op.drop_table('mission_outcomes')
    with op.batch_alter_table('mission_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mission_invitations_organization_id'))
        batch_op.drop_index('ix_mission_invitations_mission_org')
        batch_op.drop_index(batch_op.f('ix_mission_invitations_invited_by_id'))
        batch_op.drop_index(batch_op.f('ix_mission_invitations_contact_id'))

    op.drop_table('mission_invitations')
    with op.batch_alter_table('mission_agenda_items', schema=None) as batch_op:
        batch_op.drop_index('ix_mission_agenda_items_mission_day')

    op.drop_table('mission_agenda_items')
    with op.batch_alter_table('mission_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mission_actions_owner_organization_id'))
        batch_op.drop_index('ix_mission_actions_mission_due')

    op.drop_table('mission_actions')
    with op.batch_alter_table('missions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_missions_state'))
        batch_op.drop_index('ix_missions_starts_at_id')
        batch_op.drop_index(batch_op.f('ix_missions_kind'))
        batch_op.drop_index(batch_op.f('ix_missions_created_by_id'))

    op.drop_table('missions')
