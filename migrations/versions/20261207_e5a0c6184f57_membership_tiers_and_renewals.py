"""members: membership tiers (annual fee, period) and renewal dates; the dues page's indexes

Revision ID: e5a0c6184f57
Revises: 09a027d37e13
Create Date: 2026-12-07 07:00:00

Upgrade: a ``membership_tiers`` table; each distinct free-text ``memberships.tier`` becomes a tier row of that name
(no fee, 12 months, in alphabetical order, active) and the membership points to it (``tier_id``); the text column is
then dropped. ``renews_on``: for a membership with a tier and a ``joined_on`` date, the end of its current period
(the first anniversary of ``joined_on``, in steps of the period, after the day of the migration). The dues index on
(year, paid_on) becomes (year, paid_on, organization_id, amount, invoiced_on) (the page's totals read it alone), plus (year, method) for the dues page's filter.

Downgrade: the text column comes back, filled with each membership's tier name; ``tier_id``, ``renews_on`` and the
tiers table go (their fees and periods are lost: the previous schema had nowhere to keep them); the old dues index
comes back.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

import club.models

revision = "e5a0c6184f57"
down_revision = "09a027d37e13"
branch_labels = None
depends_on = None

memberships = sa.table("memberships", sa.column("id", sa.Integer), sa.column("tier", sa.String),
                       sa.column("tier_id", sa.Integer), sa.column("joined_on", sa.Date),
                       sa.column("renews_on", sa.Date))


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _current_period_end(joined_on: date, months: int, today: date) -> date:
    steps = 1
    end = _add_months(joined_on, months)
    while end <= today:
        steps += 1
        end = _add_months(joined_on, months * steps)
    return end


def upgrade():
    tiers = op.create_table(
        "membership_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("annual_fee", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("period_months", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", club.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("annual_fee >= 0", name=op.f("ck_membership_tiers_annual_fee_positive")),
        sa.CheckConstraint("period_months BETWEEN 1 AND 120", name=op.f("ck_membership_tiers_period_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_tiers")),
        sa.UniqueConstraint("name", name=op.f("uq_membership_tiers_name")),
    )
    op.create_index("ix_membership_tiers_position", "membership_tiers", ["position", "id"], unique=False)
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tier_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("renews_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_memberships_tier_id_membership_tiers"), "membership_tiers",
                                    ["tier_id"], ["id"], ondelete="RESTRICT")

    conn = op.get_bind()
    names = sorted({row[0].strip() for row in conn.execute(sa.select(memberships.c.tier)
                                                            .where(memberships.c.tier.is_not(None)))
                    if row[0] and row[0].strip()})
    now = datetime.now(timezone.utc)  # noqa: UP017 (a migration stays readable on its own)
    if names:
        conn.execute(sa.insert(tiers), [
            {"name": name[:40], "annual_fee": 0, "period_months": 12, "position": i, "is_active": True,
             "created_at": now, "updated_at": now, "version": 1} for i, name in enumerate(names, start=1)])
    ids = dict(conn.execute(sa.select(tiers.c.name, tiers.c.id)).all())
    today = date.today()
    updates = []
    for ident, tier, joined_on in conn.execute(sa.select(memberships.c.id, memberships.c.tier,
                                                         memberships.c.joined_on)
                                               .where(memberships.c.tier.is_not(None))).all():
        tier_id = ids.get((tier or "").strip()[:40])
        if tier_id is None:
            continue
        updates.append({"m_id": ident, "m_tier_id": tier_id,
                        "m_renews_on": _current_period_end(joined_on, 12, today) if joined_on else None})
    if updates:
        conn.execute(sa.update(memberships).where(memberships.c.id == sa.bindparam("m_id"))
                     .values(tier_id=sa.bindparam("m_tier_id"), renews_on=sa.bindparam("m_renews_on")), updates)

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("tier")
        batch_op.create_index("ix_memberships_status_renews", ["status", "renews_on", "organization_id"],
                              unique=False)
        batch_op.create_index("ix_memberships_tier", ["tier_id", "organization_id"], unique=False)
    with op.batch_alter_table("dues", schema=None) as batch_op:
        batch_op.drop_index("ix_dues_year_paid")
        batch_op.create_index("ix_dues_year_paid_org", ["year", "paid_on", "organization_id", "amount", "invoiced_on"],
                              unique=False)
        batch_op.create_index("ix_dues_year_method", ["year", "method"], unique=False)


def downgrade():
    with op.batch_alter_table("dues", schema=None) as batch_op:
        batch_op.drop_index("ix_dues_year_method")
        batch_op.drop_index("ix_dues_year_paid_org")
        batch_op.create_index("ix_dues_year_paid", ["year", "paid_on"], unique=False)
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_memberships_tier")
        batch_op.drop_index("ix_memberships_status_renews")
        batch_op.add_column(sa.Column("tier", sa.String(length=40), nullable=True))

    tiers = sa.table("membership_tiers", sa.column("id", sa.Integer), sa.column("name", sa.String))
    conn = op.get_bind()
    conn.execute(sa.update(memberships).values(
        tier=sa.select(tiers.c.name).where(tiers.c.id == memberships.c.tier_id).scalar_subquery()))

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_memberships_tier_id_membership_tiers"), type_="foreignkey")
        batch_op.drop_column("renews_on")
        batch_op.drop_column("tier_id")
    op.drop_index("ix_membership_tiers_position", table_name="membership_tiers")
    op.drop_table("membership_tiers")
