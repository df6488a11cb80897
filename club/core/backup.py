"""Backups: the database (SQLite backup API, or ``pg_dump``) and the uploaded files, in one archive.

``flask --app wsgi backup create [--output DIR]`` writes ``club-backup-<UTC time>.tar.gz``;
``flask --app wsgi backup restore FILE --yes`` puts the database and the files back as they were.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from club.extensions import db


def _libpq() -> tuple[str, dict[str, str]]:
    """The database URL for ``pg_dump``/``pg_restore`` without its password, and an environment that
    carries the password (``PGPASSWORD``): a command line is readable by every user of the host (``ps``)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
        url = url._replace(password=None)
    return url.render_as_string(hide_password=False), env


def create(output_dir: str | Path) -> Path:
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    archive = output_dir / f"club-backup-{stamp}.tar.gz"
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        if db.engine.dialect.name == "sqlite":
            dump = work / "database.sqlite"
            source = db.engine.raw_connection()
            try:
                target = sqlite3.connect(dump)
                source.driver_connection.backup(target)
                target.close()
            finally:
                source.close()
        else:
            dump = work / "database.pgdump"
            target, env = _libpq()
            subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", target],
                           check=True, capture_output=True, env=env)
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(dump, arcname=dump.name)
            if uploads.is_dir():
                tar.add(uploads, arcname="uploads")
    return archive


def restore(archive: str | Path) -> None:
    archive = Path(archive)
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")
        db.session.remove()
        db.engine.dispose()
        if (work / "database.sqlite").exists():
            if db.engine.dialect.name != "sqlite":
                raise ValueError("this archive holds a SQLite database")
            source = sqlite3.connect(work / "database.sqlite")
            target = db.engine.raw_connection()
            try:
                source.backup(target.driver_connection)
            finally:
                target.close()
                source.close()
        elif (work / "database.pgdump").exists():
            if db.engine.dialect.name != "postgresql":
                raise ValueError("this archive holds a PostgreSQL database")
            target, env = _libpq()
            subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                            f"--dbname={target}", str(work / "database.pgdump")],
                           check=True, capture_output=True, env=env)
        else:
            raise ValueError("no database in this archive")
        db.engine.dispose()
        if (work / "uploads").is_dir():
            if uploads.exists():
                shutil.rmtree(uploads)
            shutil.copytree(work / "uploads", uploads)
            os.sync()
