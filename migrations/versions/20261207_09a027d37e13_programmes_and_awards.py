"""programmes: programmes with their partners, indicators and figures, beneficiaries, milestones, progress reports
and documents; awards (the club's recognitions)

Upgrade creates the tables; downgrade drops them (their rows go with them).

Revision ID: 09a027d37e13
Revises: 3c9e1f0a7b42
Create Date: 2026-12-07 03:21:44.087168
"""
from alembic import op
import sqlalchemy as sa
import club.models


revision = '09a027d37e13'
down_revision = '3c9e1f0a7b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('occasion', sa.String(length=200), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.Enum('continuity', 'investment', 'event', 'employment', 'innovation', 'other', name='awardcategory', native_enum=False, length=16), nullable=False),
    sa.Column('awarded_on', sa.Date(), nullable=False),
    sa.Column('citation', sa.Text(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('person_name', sa.String(length=200), nullable=True),
    sa.Column('person_country', sa.String(length=100), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('(organization_id IS NULL) <> (person_name IS NULL)', name=op.f('ck_awards_one_recipient')),
    sa.CheckConstraint('contact_id IS NULL OR organization_id IS NOT NULL', name=op.f('ck_awards_contact_of_organization')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_awards_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_awards_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_awards_mission_id_missions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_awards_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards'))
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index('ix_awards_awarded_on_id', ['awarded_on', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_mission_id'), ['mission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_occasion'), ['occasion'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_organization_id'), ['organization_id'], unique=False)

    op.create_table('programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('youth_employment', 'training', 'entrepreneurship', 'exhibition', 'other', name='programmekind', native_enum=False, length=32), nullable=False),
    sa.Column('lead_organization_id', sa.Integer(), nullable=False),
    sa.Column('province', sa.Enum('oujda_angad', 'berkane', 'nador', 'driouch', 'jerada', 'taourirt', 'guercif', 'figuig', 'outside', name='province', native_enum=False, length=32), nullable=True),
    sa.Column('communes', sa.String(length=300), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('objectives', sa.Text(), nullable=True),
    sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('state', sa.Enum('draft', 'active', 'closed', 'cancelled', name='programmestate', native_enum=False, length=16), nullable=False),
    sa.Column('mission_action_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('budget IS NULL OR budget >= 0', name=op.f('ck_programmes_budget_positive')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_programmes_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_programmes_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_organization_id'], ['organizations.id'], name=op.f('fk_programmes_lead_organization_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['mission_action_id'], ['mission_actions.id'], name=op.f('fk_programmes_mission_action_id_mission_actions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes')),
    sa.UniqueConstraint('mission_action_id', name=op.f('uq_programmes_mission_action_id'))
    )
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmes_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programmes_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_programmes_lead_organization_id'), ['lead_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programmes_province'), ['province'], unique=False)
        batch_op.create_index('ix_programmes_state_starts', ['state', 'starts_on', 'id'], unique=False)

    op.create_table('programme_beneficiaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('age_band', sa.Enum('under_18', '18_24', '25_29', '30_34', '35_plus', name='ageband', native_enum=False, length=16), nullable=True),
    sa.Column('gender', sa.Enum('female', 'male', 'unstated', name='gender', native_enum=False, length=16), nullable=False),
    sa.Column('commune', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('consent_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('enrolled', 'in_training', 'trained', 'placed', 'left', name='beneficiarystatus', native_enum=False, length=16), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.Column('trained_on', sa.Date(), nullable=True),
    sa.Column('placed_on', sa.Date(), nullable=True),
    sa.Column('placed_organization_id', sa.Integer(), nullable=True),
    sa.Column('placed_employer', sa.String(length=200), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('counted_report_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100', name=op.f('ck_programme_beneficiaries_birth_year_range')),
    sa.CheckConstraint('left_on IS NULL OR left_on >= enrolled_on', name=op.f('ck_programme_beneficiaries_left_after_enrolment')),
    sa.CheckConstraint('placed_on IS NULL OR placed_on >= enrolled_on', name=op.f('ck_programme_beneficiaries_placed_after_enrolment')),
    sa.ForeignKeyConstraint(['counted_report_id'], ['job_reports.id'], name=op.f('fk_programme_beneficiaries_counted_report_id_job_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_programme_beneficiaries_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['placed_organization_id'], ['organizations.id'], name=op.f('fk_programme_beneficiaries_placed_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_beneficiaries_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_beneficiaries')),
    sa.UniqueConstraint('counted_report_id', name=op.f('uq_programme_beneficiaries_counted_report_id'))
    )
    with op.batch_alter_table('programme_beneficiaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_beneficiaries_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_beneficiaries_placed_organization_id'), ['placed_organization_id'], unique=False)
        batch_op.create_index('ix_programme_beneficiaries_programme_name', ['programme_id', 'name_key', 'id'], unique=False)
        batch_op.create_index('ix_programme_beneficiaries_programme_status', ['programme_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_programme_beneficiaries_tally', ['programme_id', 'status', 'gender', 'trained_on', 'placed_on'], unique=False)

    op.create_table('programme_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Enum('beneficiaries', 'figures', name='indicatorsource', native_enum=False, length=16), nullable=False),
    sa.Column('measure', sa.Enum('enrolled', 'trained', 'placed', 'women_enrolled', 'women_trained', 'women_placed', name='measure', native_enum=False, length=24), nullable=True),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("(source = 'beneficiaries') = (measure IS NOT NULL)", name=op.f('ck_programme_indicators_measure_iff_counted')),
    sa.CheckConstraint('target >= 0', name=op.f('ck_programme_indicators_target_positive')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_indicators_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_indicators')),
    sa.UniqueConstraint('programme_id', 'name', name=op.f('uq_programme_indicators_programme_id_name'))
    )
    with op.batch_alter_table('programme_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_indicators_programme_id'), ['programme_id'], unique=False)

    op.create_table('programme_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'cancelled', name='milestonestatus', native_enum=False, length=16), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_milestones_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_milestones'))
    )
    with op.batch_alter_table('programme_milestones', schema=None) as batch_op:
        batch_op.create_index('ix_programme_milestones_programme_due', ['programme_id', 'due_on', 'id'], unique=False)

    op.create_table('programme_partners',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('local_authority', 'funder', 'training_body', 'employer', 'other', name='partnerrole', native_enum=False, length=32), nullable=False),
    sa.Column('funding', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('funding IS NULL OR funding >= 0', name=op.f('ck_programme_partners_funding_positive')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_programme_partners_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_partners_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'organization_id', name=op.f('pk_programme_partners'))
    )
    with op.batch_alter_table('programme_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_partners_organization_id'), ['organization_id'], unique=False)

    op.create_table('programme_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('difficulties', sa.Text(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'submitted', 'changes_requested', 'accepted', name='reportstate', native_enum=False, length=24), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_programme_reports_period_end_after_start')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_programme_reports_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_reports_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_programme_reports_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_reports'))
    )
    with op.batch_alter_table('programme_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_reports_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_programme_reports_programme_period', ['programme_id', 'period_end', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_reports_reviewed_by_id'), ['reviewed_by_id'], unique=False)

    op.create_table('programme_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_programme_documents_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_programme_documents_file_id_stored_files'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_documents_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['programme_reports.id'], name=op.f('fk_programme_documents_report_id_programme_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_documents'))
    )
    with op.batch_alter_table('programme_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_documents_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_documents_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_documents_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_documents_report_id'), ['report_id'], unique=False)

    op.create_table('programme_indicator_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_programme_indicator_figures_value_positive')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_programme_indicator_figures_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['indicator_id'], ['programme_indicators.id'], name=op.f('fk_programme_indicator_figures_indicator_id_programme_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_indicator_figures'))
    )
    with op.batch_alter_table('programme_indicator_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_indicator_figures_entered_by_id'), ['entered_by_id'], unique=False)
        batch_op.create_index('ix_programme_indicator_figures_indicator_date', ['indicator_id', 'measured_on', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('programme_indicator_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_indicator_figures_indicator_date')
        batch_op.drop_index(batch_op.f('ix_programme_indicator_figures_entered_by_id'))

    op.drop_table('programme_indicator_figures')
    with op.batch_alter_table('programme_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_documents_report_id'))
        batch_op.drop_index(batch_op.f('ix_programme_documents_programme_id'))
        batch_op.drop_index(batch_op.f('ix_programme_documents_file_id'))
        batch_op.drop_index(batch_op.f('ix_programme_documents_created_by_id'))

    op.drop_table('programme_documents')
    with op.batch_alter_table('programme_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_reports_reviewed_by_id'))
        batch_op.drop_index('ix_programme_reports_programme_period')
        batch_op.drop_index(batch_op.f('ix_programme_reports_author_id'))

    op.drop_table('programme_reports')
    with op.batch_alter_table('programme_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_partners_organization_id'))

    op.drop_table('programme_partners')
    with op.batch_alter_table('programme_milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_milestones_programme_due')

    op.drop_table('programme_milestones')
    with op.batch_alter_table('programme_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_indicators_programme_id'))

    op.drop_table('programme_indicators')
    with op.batch_alter_table('programme_beneficiaries', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_beneficiaries_programme_status')
        batch_op.drop_index('ix_programme_beneficiaries_tally')
        batch_op.drop_index('ix_programme_beneficiaries_programme_name')
        batch_op.drop_index(batch_op.f('ix_programme_beneficiaries_placed_organization_id'))
        batch_op.drop_index(batch_op.f('ix_programme_beneficiaries_created_by_id'))

    op.drop_table('programme_beneficiaries')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_index('ix_programmes_state_starts')
        batch_op.drop_index(batch_op.f('ix_programmes_province'))
        batch_op.drop_index(batch_op.f('ix_programmes_lead_organization_id'))
        batch_op.drop_index(batch_op.f('ix_programmes_kind'))
        batch_op.drop_index(batch_op.f('ix_programmes_created_by_id'))

    op.drop_table('programmes')
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_awards_organization_id'))
        batch_op.drop_index(batch_op.f('ix_awards_occasion'))
        batch_op.drop_index(batch_op.f('ix_awards_mission_id'))
        batch_op.drop_index(batch_op.f('ix_awards_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_awards_contact_id'))
        batch_op.drop_index(batch_op.f('ix_awards_category'))
        batch_op.drop_index('ix_awards_awarded_on_id')

    op.drop_table('awards')
