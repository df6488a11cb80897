"""Migrations: empty -> head -> base -> head on the test database engine (SQLite or PostgreSQL), the models
match the migrations, and a downgrade/upgrade keeps the rows of tables that survive it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from club import create_app
from club.database import migration_include_name
from club.extensions import db
from tests.conftest import fresh_database_url, make_test_config


def _app(tmp_path_factory, tmp_path):
    url = fresh_database_url(tmp_path_factory, suffix="_mig")
    return create_app(make_test_config(url, tmp_path))


def _tables(engine) -> set[str]:
    """The tables the models know (the hand-managed search index tables aside)."""
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if migration_include_name(name, "table", None)}


def test_upgrade_downgrade_and_models_match(tmp_path_factory, tmp_path):
    app = _app(tmp_path_factory, tmp_path)
    with app.app_context():
        upgrade()
        assert _tables(db.engine) == set(db.metadata.tables)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "include_name": migration_include_name})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"} == set()
        upgrade()
        assert _tables(db.engine) == set(db.metadata.tables)
        db.engine.dispose()


def test_every_step_goes_down_and_up_again_keeping_rows(tmp_path_factory, tmp_path):
    """Each revision, applied on a database holding data, can be undone and redone without losing rows."""
    from alembic.script import ScriptDirectory

    app = _app(tmp_path_factory, tmp_path)
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
        upgrade(revision=revisions[0].revision)
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO organizations (name, name_key, kind, search_text, created_at, updated_at, version) "
                "VALUES ('Saccom', 'saccom', 'bpo', 'saccom', :t, :t, 1)"), {"t": "2020-07-10 10:00:00"})
            conn.execute(sa.text(
                "INSERT INTO users (email, name, role, is_admin, organization_id, locale, active, session_version, "
                "created_at, updated_at) VALUES ('a@b.example', 'A', 'member', false, 1, 'fr', true, 1, :t, :t)"),
                {"t": "2020-07-10 10:00:00"})
        for revision in revisions[1:]:
            upgrade(revision=revision.revision)
            downgrade(revision="-1")
            upgrade(revision=revision.revision)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM organizations")).scalar() == 1
            assert conn.execute(sa.text("SELECT count(*) FROM users WHERE organization_id = 1")).scalar() == 1
        db.engine.dispose()
