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
