"""Alembic environment: the app's metadata, batch mode for SQLite, type comparison on."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None and not logging.getLogger("alembic").handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


from club.database import migration_include_name as include_name  # noqa: E402


def _options(connection=None):
    options = dict(
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=True,
        compare_type=True,
        compare_server_default=False,
    )
    if connection is not None:
        options["connection"] = connection
    return options


def run_migrations_offline():
    context.configure(url=str(db.engine.url).replace("%", "%%"), literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = db.engine
    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode recreates tables: foreign keys must not cascade-delete children meanwhile.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end the autobegun transaction so Alembic commits its own
        context.configure(**_options(connection))
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
