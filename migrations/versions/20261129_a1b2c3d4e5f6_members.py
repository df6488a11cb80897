"""members: index for the register's "newest first" sort; substring search index on organizations.search_text

Revision ID: a1b2c3d4e5f6
Revises: 25dbcbca2a9b
Create Date: 2026-11-29 00:36:18.667003

The search index lives outside the models (migrations/env.py leaves these names alone):
- SQLite: an FTS5 table with the trigram tokenizer mirroring ``organizations.search_text`` (external content,
  kept in step by triggers, so bulk inserts and direct SQL are indexed too);
- PostgreSQL: a trigram GIN index (pg_trgm), which ``LIKE '%term%'`` uses directly.
"""
import sqlalchemy as sa
from alembic import op

revision = "a1b2c3d4e5f6"
down_revision = "25dbcbca2a9b"
branch_labels = None
depends_on = None

# The register's filter indexes become composite (any combination of filters counted from one index).
COMPOSITE = {
    "ix_organizations_kind": ["kind", "province", "site", "archived_at"],
    "ix_organizations_province": ["province", "kind", "site", "archived_at"],
    "ix_organizations_site": ["site", "kind", "province", "archived_at"],
    "ix_memberships_status": ["status", "organization_id"],
}

SQLITE_UP = [
    "CREATE VIRTUAL TABLE organizations_search USING fts5("
    "search_text, content='organizations', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER organizations_search_ai AFTER INSERT ON organizations BEGIN "
    "INSERT INTO organizations_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER organizations_search_ad AFTER DELETE ON organizations BEGIN "
    "INSERT INTO organizations_search(organizations_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER organizations_search_au AFTER UPDATE OF search_text ON organizations BEGIN "
    "INSERT INTO organizations_search(organizations_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO organizations_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO organizations_search(organizations_search) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS organizations_search_au",
    "DROP TRIGGER IF EXISTS organizations_search_ad",
    "DROP TRIGGER IF EXISTS organizations_search_ai",
    "DROP TABLE IF EXISTS organizations_search",
]


def upgrade():
    # The jobs created to date on each commitment (the latest report's figure), so totals need no window query.
    with op.batch_alter_table("job_commitments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jobs_created", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_check_constraint("jobs_created_positive", "jobs_created >= 0")
    op.execute(
        "UPDATE job_commitments SET jobs_created = COALESCE((SELECT r.jobs_created FROM job_reports r "
        "WHERE r.commitment_id = job_commitments.id ORDER BY r.reported_on DESC, r.id DESC LIMIT 1), 0)"
    )
    # A plain CREATE INDEX (no batch table copy on SQLite: the table and its children stay untouched).
    op.create_index("ix_organizations_archived_id", "organizations", ["archived_at", "id"], unique=False)
    for name, columns in COMPOSITE.items():
        table = name.split("_")[1]
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_organizations_search_trgm ON organizations USING gin (search_text gin_trgm_ops)")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_organizations_search_trgm")
    for name, columns in COMPOSITE.items():
        table = name.split("_")[1]
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns[:1], unique=False)
    op.drop_index("ix_organizations_archived_id", table_name="organizations")
    with op.batch_alter_table("job_commitments", schema=None) as batch_op:
        batch_op.drop_constraint("jobs_created_positive", type_="check")
        batch_op.drop_column("jobs_created")
