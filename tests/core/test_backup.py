"""A backup restores: records and uploaded files come back as they were (on SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from club.core.storage import store
from club.members.models import Organization


def test_backup_then_restore_brings_back_records_and_files(app, db, factories, tmp_path):
    factories.OrganizationFactory(name="Saccom")
    stored = store(b"%PDF-1.4 deck", "deck.pdf", kinds={"pdf"}, max_size=1000)
    db.session.commit()
    file_path = Path(app.config["UPLOAD_FOLDER"]) / stored.key[:2] / stored.key

    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", "create", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    archive = result.output.strip()

    db.session.execute(sa.delete(Organization))
    db.session.commit()
    file_path.unlink()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 0

    refused = runner.invoke(args=["backup", "restore", archive])
    assert refused.exit_code != 0
    result = runner.invoke(args=["backup", "restore", archive, "--yes"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.scalar(sa.select(Organization.name)) == "Saccom"
    assert file_path.read_bytes() == b"%PDF-1.4 deck"


def test_pg_tools_get_the_password_through_the_environment(app, monkeypatch):
    """``ps`` shows every command line on the host: the password travels in PGPASSWORD instead."""
    from club.core import backup

    calls = []

    def fake_run(args, **kwargs):
        calls.append((args, kwargs.get("env") or {}))
        raise RuntimeError("stop here")

    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    with app.app_context():
        monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI",
                            "postgresql+psycopg://club:s3cret-pw@db.example:5432/club")
        target, env = backup._libpq()
        assert "s3cret-pw" not in target and env["PGPASSWORD"] == "s3cret-pw"
        assert target == "postgresql://club@db.example:5432/club"
    import pytest as _pytest

    with app.app_context(), _pytest.MonkeyPatch.context() as mp:
        mp.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://club:s3cret-pw@db.example/club")
        fake_engine = type("E", (), {"dialect": type("D", (), {"name": "postgresql"})()})()
        mp.setattr(backup, "db", type("DB", (), {"engine": fake_engine})())
        with _pytest.raises(RuntimeError):
            backup.create(app.instance_path + "/test-backups")
    args, env = calls[-1]
    assert args[0] == "pg_dump" and not any("s3cret-pw" in a for a in args)
    assert env["PGPASSWORD"] == "s3cret-pw"
