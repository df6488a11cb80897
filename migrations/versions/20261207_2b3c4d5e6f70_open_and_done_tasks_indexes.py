"""A user's open tasks and done tasks each get a partial index in the order their lists read them; the composite
(owner_id, done_at, deleted_at, due_on) goes, owner_id keeps a plain index for its foreign key.

Revision ID: 2b3c4d5e6f70
Revises: 1a2b3c4d5e6f
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '2b3c4d5e6f70'
down_revision = '1a2b3c4d5e6f'
branch_labels = None
depends_on = None

OPEN_TASKS = "owner_id IS NOT NULL AND done_at IS NULL AND deleted_at IS NULL"
DONE_TASKS = "done_at IS NOT NULL AND deleted_at IS NULL"


def upgrade():
    op.create_index("ix_activities_owner_id", "activities", ["owner_id"])
    op.create_index("ix_activities_open_tasks", "activities", ["owner_id", "due_on", "id"],
                    sqlite_where=sa.text(OPEN_TASKS), postgresql_where=sa.text(OPEN_TASKS))
    op.create_index("ix_activities_done_tasks", "activities", ["owner_id", "done_at", "id"],
                    sqlite_where=sa.text(DONE_TASKS), postgresql_where=sa.text(DONE_TASKS))
    op.drop_index("ix_activities_owner_tasks", table_name="activities")


def downgrade():
    op.create_index("ix_activities_owner_tasks", "activities", ["owner_id", "done_at", "deleted_at", "due_on"])
    op.drop_index("ix_activities_done_tasks", table_name="activities")
    op.drop_index("ix_activities_open_tasks", table_name="activities")
    op.drop_index("ix_activities_owner_id", table_name="activities")
