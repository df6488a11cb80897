"""reports: the club's jobs target, report runs (PDF and XLSX built by the worker) and partner report schedules

Revision ID: 0c45e9d08296
Revises: d4fab5073e46
Create Date: 2026-12-07 09:18:04

Upgrade creates club_targets, report_schedules, report_schedule_partners and report_runs;
downgrade drops them (the stored report files stay in stored_files and the upload folder).
"""
import sqlalchemy as sa
from alembic import op

import club.models


revision = '0c45e9d08296'
down_revision = 'd4fab5073e46'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('club_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jobs_target', sa.Integer(), nullable=False),
    sa.Column('horizon', sa.Date(), nullable=True),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('jobs_target > 0', name=op.f('ck_club_targets_jobs_target_positive')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_club_targets_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_club_targets'))
    )
    with op.batch_alter_table('club_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_club_targets_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table('report_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.Enum('monthly', 'quarterly', name='frequency', native_enum=False, length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('next_run_on', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_report_schedules_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_schedules'))
    )
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_schedules_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_schedules_next_run_on'), ['next_run_on'], unique=False)

    op.create_table('report_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_kind', sa.Enum('month', 'quarter', 'year', 'range', name='periodkind', native_enum=False, length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('audience_id', sa.Integer(), nullable=True),
    sa.Column('schedule_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='runstate', native_enum=False, length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=120), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('pdf_id', sa.Integer(), nullable=True),
    sa.Column('xlsx_id', sa.Integer(), nullable=True),
    sa.Column('send', sa.Boolean(), nullable=False),
    sa.Column('sent_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', club.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', club.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_report_runs_progress_percent')),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_report_runs_period_order')),
    sa.ForeignKeyConstraint(['audience_id'], ['organizations.id'], name=op.f('fk_report_runs_audience_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pdf_id'], ['stored_files.id'], name=op.f('fk_report_runs_pdf_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_report_runs_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['schedule_id'], ['report_schedules.id'], name=op.f('fk_report_runs_schedule_id_report_schedules'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['xlsx_id'], ['stored_files.id'], name=op.f('fk_report_runs_xlsx_id_stored_files'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_runs'))
    )
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.create_index('ix_report_runs_audience_created', ['audience_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_runs_pdf_id'), ['pdf_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_runs_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_runs_schedule_id'), ['schedule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_runs_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_runs_xlsx_id'), ['xlsx_id'], unique=False)

    op.create_table('report_schedule_partners',
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_report_schedule_partners_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['schedule_id'], ['report_schedules.id'], name=op.f('fk_report_schedule_partners_schedule_id_report_schedules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('schedule_id', 'organization_id', name=op.f('pk_report_schedule_partners'))
    )
    with op.batch_alter_table('report_schedule_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_schedule_partners_organization_id'), ['organization_id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_schedule_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_schedule_partners_organization_id'))

    op.drop_table('report_schedule_partners')
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_runs_xlsx_id'))
        batch_op.drop_index(batch_op.f('ix_report_runs_state'))
        batch_op.drop_index(batch_op.f('ix_report_runs_schedule_id'))
        batch_op.drop_index(batch_op.f('ix_report_runs_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_report_runs_pdf_id'))
        batch_op.drop_index('ix_report_runs_audience_created')

    op.drop_table('report_runs')
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_schedules_next_run_on'))
        batch_op.drop_index(batch_op.f('ix_report_schedules_created_by_id'))

    op.drop_table('report_schedules')
    with op.batch_alter_table('club_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_club_targets_updated_by_id'))

    op.drop_table('club_targets')
