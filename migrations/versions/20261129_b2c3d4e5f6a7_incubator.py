"""incubator: calls, applications, deck versions, status changes, messages, reviews, scores

Revision ID: b2c3d4e5f6a7
Revises: a1b2c3d4e5f6
Create Date: 2026-11-29 00:31:59.479669
"""
import sqlalchemy as sa
from alembic import op

import club.models

revision = 'b2c3d4e5f6a7'
down_revision = 'a1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('incubator_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('opens_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('is_blind_first_round', sa.Boolean(), nullable=False),
    sa.Column('review_round', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_incubator_calls_capacity_positive')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_incubator_calls_closes_after_opens')),
    sa.CheckConstraint('review_round IN (1, 2)', name=op.f('ck_incubator_calls_review_round_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incubator_calls')),
    sa.UniqueConstraint('title', name=op.f('uq_incubator_calls_title'))
    )
    with op.batch_alter_table('incubator_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incubator_calls_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_incubator_calls_opens_at'), ['opens_at'], unique=False)

    op.create_table('incubator_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('low_anchor', sa.String(length=300), nullable=False),
    sa.Column('high_anchor', sa.String(length=300), nullable=False),
    sa.CheckConstraint('weight BETWEEN 1 AND 100', name=op.f('ck_incubator_criteria_weight_range')),
    sa.ForeignKeyConstraint(['call_id'], ['incubator_calls.id'], name=op.f('fk_incubator_criteria_call_id_incubator_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incubator_criteria')),
    sa.UniqueConstraint('call_id', 'name', name='uq_incubator_criteria_call_name')
    )
    with op.batch_alter_table('incubator_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incubator_criteria_call_id'), ['call_id'], unique=False)

    op.create_table('incubator_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'screening', 'interview', 'accepted', 'waitlisted', 'rejected', 'withdrawn', 'incubated', 'graduated', 'dropped', name='status', native_enum=False, length=16), nullable=False),
    sa.Column('startup_name', sa.String(length=200), nullable=False),
    sa.Column('project_title', sa.String(length=200), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('solution', sa.Text(), nullable=False),
    sa.Column('market', sa.Text(), nullable=False),
    sa.Column('business_model', sa.Text(), nullable=False),
    sa.Column('stage', sa.Enum('idea', 'prototype', 'first_customers', 'growth', name='stage', native_enum=False, length=16), nullable=True),
    sa.Column('team', sa.Text(), nullable=False),
    sa.Column('needs', sa.Text(), nullable=False),
    sa.Column('jobs_12m', sa.Integer(), nullable=True),
    sa.Column('jobs_36m', sa.Integer(), nullable=True),
    sa.Column('province', sa.Enum('oujda_angad', 'berkane', 'nador', 'driouch', 'jerada', 'taourirt', 'guercif', 'figuig', 'outside', name='province', native_enum=False, length=32), nullable=True),
    sa.Column('consent_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status_changed_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('jobs_12m IS NULL OR jobs_12m >= 0', name=op.f('ck_incubator_applications_jobs_12m_positive')),
    sa.CheckConstraint('jobs_36m IS NULL OR jobs_36m >= 0', name=op.f('ck_incubator_applications_jobs_36m_positive')),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_incubator_applications_applicant_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['call_id'], ['incubator_calls.id'], name=op.f('fk_incubator_applications_call_id_incubator_calls'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_incubator_applications_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incubator_applications')),
    sa.UniqueConstraint('call_id', 'applicant_id', name='uq_incubator_applications_call_applicant')
    )
    with op.batch_alter_table('incubator_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incubator_applications_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index('ix_incubator_applications_call_status', ['call_id', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incubator_applications_organization_id'), ['organization_id'], unique=False)

    op.create_table('incubator_deck_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('stored_file_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['incubator_applications.id'], name=op.f('fk_incubator_deck_versions_application_id_incubator_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_files.id'], name=op.f('fk_incubator_deck_versions_stored_file_id_stored_files'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_incubator_deck_versions_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incubator_deck_versions')),
    sa.UniqueConstraint('application_id', 'number', name='uq_incubator_deck_versions_number')
    )
    with op.batch_alter_table('incubator_deck_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incubator_deck_versions_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incubator_deck_versions_stored_file_id'), ['stored_file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incubator_deck_versions_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    op.create_table('incubator_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('from_secretariat', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['incubator_applications.id'], name=op.f('fk_incubator_messages_application_id_incubator_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_incubator_messages_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incubator_messages'))
    )
    with op.batch_alter_table('incubator_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incubator_messages_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incubator_messages_author_id'), ['author_id'], unique=False)

    op.create_table('incubator_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('has_conflict', sa.Boolean(), nullable=True),
    sa.Column('conflict_note', sa.String(length=1000), nullable=True),
    sa.Column('declared_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('recommendation', sa.Enum('yes', 'maybe', 'no', name='recommendation', native_enum=False, length=8), nullable=True),
    sa.Column('is_final', sa.Boolean(), nullable=False),
    sa.Column('finalized_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('NOT (is_final AND has_conflict IS NOT NULL AND has_conflict)', name=op.f('ck_incubator_reviews_final_no_conflict')),
    sa.ForeignKeyConstraint(['application_id'], ['incubator_applications.id'], name=op.f('fk_incubator_reviews_application_id_incubator_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_incubator_reviews_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_incubator_reviews_reviewer_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incubator_reviews')),
    sa.UniqueConstraint('application_id', 'reviewer_id', name='uq_incubator_reviews_application_reviewer')
    )
    with op.batch_alter_table('incubator_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incubator_reviews_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incubator_reviews_assigned_by_id'), ['assigned_by_id'], unique=False)
        batch_op.create_index('ix_incubator_reviews_reviewer_final', ['reviewer_id', 'is_final'], unique=False)

    op.create_table('incubator_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('draft', 'submitted', 'screening', 'interview', 'accepted', 'waitlisted', 'rejected', 'withdrawn', 'incubated', 'graduated', 'dropped', name='status', native_enum=False, length=16), nullable=True),
    sa.Column('to_status', sa.Enum('draft', 'submitted', 'screening', 'interview', 'accepted', 'waitlisted', 'rejected', 'withdrawn', 'incubated', 'graduated', 'dropped', name='status', native_enum=False, length=16), nullable=False),
    sa.Column('at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['incubator_applications.id'], name=op.f('fk_incubator_status_changes_application_id_incubator_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_incubator_status_changes_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incubator_status_changes'))
    )
    with op.batch_alter_table('incubator_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incubator_status_changes_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incubator_status_changes_by_id'), ['by_id'], unique=False)

    op.create_table('incubator_scores',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint('value BETWEEN 1 AND 5', name=op.f('ck_incubator_scores_value_range')),
    sa.ForeignKeyConstraint(['criterion_id'], ['incubator_criteria.id'], name=op.f('fk_incubator_scores_criterion_id_incubator_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['incubator_reviews.id'], name=op.f('fk_incubator_scores_review_id_incubator_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', 'criterion_id', name=op.f('pk_incubator_scores'))
    )
    with op.batch_alter_table('incubator_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incubator_scores_criterion_id'), ['criterion_id'], unique=False)



def downgrade():
    with op.batch_alter_table('incubator_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incubator_scores_criterion_id'))

    op.drop_table('incubator_scores')
    with op.batch_alter_table('incubator_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incubator_status_changes_by_id'))
        batch_op.drop_index(batch_op.f('ix_incubator_status_changes_application_id'))

    op.drop_table('incubator_status_changes')
    with op.batch_alter_table('incubator_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_incubator_reviews_reviewer_final')
        batch_op.drop_index(batch_op.f('ix_incubator_reviews_assigned_by_id'))
        batch_op.drop_index(batch_op.f('ix_incubator_reviews_application_id'))

    op.drop_table('incubator_reviews')
    with op.batch_alter_table('incubator_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incubator_messages_author_id'))
        batch_op.drop_index(batch_op.f('ix_incubator_messages_application_id'))

    op.drop_table('incubator_messages')
    with op.batch_alter_table('incubator_deck_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incubator_deck_versions_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_incubator_deck_versions_stored_file_id'))
        batch_op.drop_index(batch_op.f('ix_incubator_deck_versions_application_id'))

    op.drop_table('incubator_deck_versions')
    with op.batch_alter_table('incubator_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incubator_applications_organization_id'))
        batch_op.drop_index('ix_incubator_applications_call_status')
        batch_op.drop_index(batch_op.f('ix_incubator_applications_applicant_id'))

    op.drop_table('incubator_applications')
    with op.batch_alter_table('incubator_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incubator_criteria_call_id'))

    op.drop_table('incubator_criteria')
    with op.batch_alter_table('incubator_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incubator_calls_opens_at'))
        batch_op.drop_index(batch_op.f('ix_incubator_calls_closes_at'))

    op.drop_table('incubator_calls')
