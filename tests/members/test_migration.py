"""The members migration of phones and search text (3c9e1f0a7b42), on rows written before it: phones that read as
numbers go to E.164 (anything else stays), the search text is recomputed in the new format (what the services
write now), and going down restores the previous format."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from club import create_app
from club.extensions import db
from club.members.models import search_text_for
from tests.conftest import fresh_database_url, make_test_config

BEFORE, REVISION = "f6a7b8c9d0e1", "3c9e1f0a7b42"
T = {"t": "2020-07-10 10:00:00"}


def _row(conn, sql, **params):
    return conn.execute(sa.text(sql), params).one()


def test_phones_and_search_text_up_and_down(tmp_path_factory, tmp_path):
    app = create_app(make_test_config(fresh_database_url(tmp_path_factory, suffix="_phones"), tmp_path))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO organizations (id, name, name_key, kind, ice, email, phone, description, search_text, "
                "created_at, updated_at, version) VALUES (1, 'Saccom SARL', 'saccom', 'bpo', '001234567000089', "
                "'info@saccom.ma', '05 36 68 30 00', 'Gestion électronique', "
                "'saccom sarl | saccom | gestion electronique | nadia amrani | zed', :t, :t, 1)"), T)
            conn.execute(sa.text(
                "INSERT INTO organizations (id, name, name_key, kind, phone, search_text, created_at, updated_at, "
                "version) VALUES (2, 'Autre', 'autre', 'other', 'n/a', 'autre', :t, :t, 1)"), T)
            for i, (name, title, email, phone) in enumerate([("Nadia Amrani", "Responsable", "n@saccom.ma",
                                                               "+212 661-22-33-44"), ("Zed", None, None, None)]):
                conn.execute(sa.text(
                    "INSERT INTO contacts (organization_id, name, name_key, title, email, phone, is_primary, "
                    "created_at, updated_at, version) VALUES (1, :name, :key, :title, :email, :phone, :p, :t, :t, 1)"),
                    {"name": name, "key": name.lower(), "title": title, "email": email, "phone": phone, "p": i == 0,
                     **T})

        upgrade(revision=REVISION)
        with db.engine.connect() as conn:
            assert _row(conn, "SELECT phone FROM organizations WHERE id = 1")[0] == "+212536683000"
            assert _row(conn, "SELECT phone FROM organizations WHERE id = 2")[0] == "n/a"  # not a number: kept
            assert _row(conn, "SELECT phone FROM contacts WHERE name = 'Nadia Amrani'")[0] == "+212661223344"
            assert _row(conn, "SELECT search_text FROM organizations WHERE id = 1")[0] == search_text_for(
                "Saccom SARL", "Gestion électronique",
                [("Nadia Amrani", "Responsable", "n@saccom.ma", "+212661223344"), ("Zed", None, None, None)],
                ice="001234567000089", email="info@saccom.ma", phone="+212536683000")
            assert "0536683000" in _row(conn, "SELECT search_text FROM organizations WHERE id = 1")[0]
            assert _row(conn, "SELECT search_text FROM organizations WHERE id = 2")[0] == "autre | n/a"
            assert "version" in {c["name"] for c in sa.inspect(conn).get_columns("job_reports")}
            if conn.dialect.name == "sqlite":  # the FTS5 mirror followed the new text
                assert conn.execute(sa.text("SELECT rowid FROM organizations_search WHERE organizations_search "
                                            "MATCH '\"0536683000\"'")).scalars().all() == [1]

        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert _row(conn, "SELECT search_text FROM organizations WHERE id = 1")[0] \
                == "saccom sarl | saccom | gestion electronique | nadia amrani | zed"
            assert _row(conn, "SELECT phone FROM organizations WHERE id = 1")[0] == "+212536683000"
            assert "version" not in {c["name"] for c in sa.inspect(conn).get_columns("job_reports")}
        db.engine.dispose()
