"""The tiers migration (e5a0c6184f57) on rows written before it: each free-text tier becomes a tier row the
membership points to, with the end of its current period; memberships, their history and dues are all kept; going
down brings the text back."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from club import create_app
from club.extensions import db
from tests.conftest import fresh_database_url, make_test_config

BEFORE, REVISION = "09a027d37e13", "e5a0c6184f57"
T = {"t": "2020-07-10 10:00:00"}


def test_free_text_tiers_become_tier_rows_and_come_back(tmp_path_factory, tmp_path):
    app = create_app(make_test_config(fresh_database_url(tmp_path_factory, suffix="_tiers"), tmp_path))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            for i, (tier, joined) in enumerate([("Membre fondateur", "2020-07-11"), ("Membre fondateur ", None),
                                                ("Membre", "2024-02-29"), (None, "2021-01-01")], start=1):
                conn.execute(sa.text(
                    "INSERT INTO organizations (id, name, name_key, kind, search_text, created_at, updated_at, version)"
                    " VALUES (:id, :name, :key, 'bpo', '', :t, :t, 1)"), {"id": i, "name": f"Org {i}",
                                                                          "key": f"org {i}", **T})
                conn.execute(sa.text(
                    "INSERT INTO memberships (id, organization_id, status, tier, joined_on, created_at, updated_at, "
                    "version) VALUES (:id, :id, 'active', :tier, :joined, :t, :t, 1)"),
                    {"id": i, "tier": tier, "joined": joined, **T})
                conn.execute(sa.text(
                    "INSERT INTO membership_changes (membership_id, to_status, at) VALUES (:id, 'active', :t)"),
                    {"id": i, **T})
                conn.execute(sa.text(
                    "INSERT INTO dues (organization_id, year, amount, created_at, updated_at, version) "
                    "VALUES (:id, 2026, 1000, :t, :t, 1)"), {"id": i, **T})

        upgrade(revision=REVISION)
        with db.engine.connect() as conn:
            tiers = conn.execute(sa.text("SELECT id, name, annual_fee, period_months, position, is_active "
                                         "FROM membership_tiers ORDER BY position")).all()
            assert [(t.name, float(t.annual_fee), t.period_months, t.position, bool(t.is_active)) for t in tiers] \
                == [("Membre", 0.0, 12, 1, True), ("Membre fondateur", 0.0, 12, 2, True)]
            ids = {t.name: t.id for t in tiers}
            rows = {r.id: r for r in conn.execute(sa.text("SELECT id, tier_id, renews_on FROM memberships"))}
            assert [rows[i].tier_id for i in (1, 2, 3, 4)] == [ids["Membre fondateur"], ids["Membre fondateur"],
                                                               ids["Membre"], None]
            renews_on = {i: rows[i].renews_on if isinstance(rows[i].renews_on, date | None)
                         else date.fromisoformat(rows[i].renews_on) for i in rows}
            today = date.today()
            assert renews_on[1] > today and (renews_on[1].month, renews_on[1].day) == (7, 11)
            assert renews_on[1].year - today.year in (0, 1)
            assert renews_on[2] is None and renews_on[4] is None  # no joining date, no tier
            assert renews_on[3] > today and renews_on[3].month == 2  # 29 February: the 28th, or the 29th
            assert "tier" not in {c["name"] for c in sa.inspect(conn).get_columns("memberships")}
            counts = [conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                      for t in ("memberships", "membership_changes", "dues")]
            assert counts == [4, 4, 4]

        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert dict(conn.execute(sa.text("SELECT id, tier FROM memberships")).all()) == {
                1: "Membre fondateur", 2: "Membre fondateur", 3: "Membre", 4: None}
            assert "membership_tiers" not in sa.inspect(conn).get_table_names()
            counts = [conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                      for t in ("memberships", "membership_changes", "dues")]
            assert counts == [4, 4, 4]
        db.engine.dispose()
