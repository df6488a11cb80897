"""members: phones in E.164, the register's search text also holds ICE, emails, phones and contact titles; job
reports get a version column (a stale correction is detected by it, as for every other record)

Revision ID: 3c9e1f0a7b42
Revises: f6a7b8c9d0e1
Create Date: 2026-12-07 09:00:00

Upgrade: each stored phone (organisations, contacts) that reads as a possible number (Moroccan by default) is
rewritten in E.164 ("0536 68 30 00" -> "+212536683000"); any other value is left as it is. Then every
organisation's ``search_text`` is recomputed in the new format (``club.members.models.search_text_for`` as of this
revision, frozen below). Downgrade: ``search_text`` is recomputed in the previous format (folded name, its key,
description, contact names); the phones stay in E.164 (the format the previous code wrote as well; the way a
number was typed is not kept anywhere to go back to).

The formats are written out here, not imported: a later change of ``search_text_for`` must not change what this
revision did. The FTS5 mirror (SQLite) follows ``search_text`` through its triggers; the trigram index
(PostgreSQL) through the UPDATE itself.
"""
from __future__ import annotations

import re
import unicodedata

import phonenumbers
import sqlalchemy as sa
from alembic import op

revision = "3c9e1f0a7b42"
down_revision = "f6a7b8c9d0e1"
branch_labels = None
depends_on = None

BATCH = 1000
LEGAL_SUFFIXES = ("sarl au", "sarl", "s a r l", "sa", "s a", "sas", "groupe", "group", "ste", "societe", "holding")

organizations = sa.table("organizations", sa.column("id", sa.Integer), sa.column("name", sa.String),
                         sa.column("description", sa.Text), sa.column("ice", sa.String),
                         sa.column("email", sa.String), sa.column("phone", sa.String),
                         sa.column("search_text", sa.Text))
contacts = sa.table("contacts", sa.column("id", sa.Integer), sa.column("organization_id", sa.Integer),
                    sa.column("name", sa.String), sa.column("title", sa.String), sa.column("email", sa.String),
                    sa.column("phone", sa.String))


def fold(text):
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


def organization_key(name):
    text = re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", fold(name))).strip()
    changed = True
    while changed:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            for candidate in (f" {suffix}", f"{suffix} "):
                if (text.endswith(candidate) if candidate.startswith(" ") else text.startswith(candidate)) \
                        and len(text) > len(candidate):
                    text = text[: -len(candidate)] if candidate.startswith(" ") else text[len(candidate):]
                    text = text.strip()
                    changed = True
    return text[:200]


def _parse(text):
    if not text or len(text) > 30 or not re.search(r"\d", text):
        return None
    try:
        return phonenumbers.parse(text.strip(), "MA")
    except phonenumbers.NumberParseException:
        return None


def to_e164(stored):
    number = _parse(stored)
    if number is None or number.extension or not phonenumbers.is_possible_number(number):
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_forms(stored):
    if not stored:
        return ""
    number = _parse(stored)
    if number is None:
        return re.sub(r"\s+", "", stored)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return f"{e164} {national}" if national and national != e164.lstrip("+") else e164


def new_format(org, people):
    folded, key = fold(org.name), organization_key(org.name)
    parts = [folded, key if key != folded else "", fold(org.description), org.ice or "", fold(org.email),
             phone_forms(org.phone)]
    for person in people:
        parts += [fold(person.name), fold(person.title), fold(person.email), phone_forms(person.phone)]
    return " | ".join(p for p in parts if p)


def old_format(org, people):
    parts = [fold(org.name), organization_key(org.name), fold(org.description)]
    parts += [fold(person.name) for person in people if person.name]
    return " | ".join(p for p in parts if p)


def _convert_phones(bind, table):
    rows = bind.execute(sa.select(table.c.id, table.c.phone).where(table.c.phone.is_not(None))).all()
    for row in rows:
        converted = to_e164(row.phone)
        if converted != row.phone:
            bind.execute(sa.update(table).where(table.c.id == row.id).values(phone=converted))


def _recompute(bind, text_for):
    last = 0
    while True:
        batch = bind.execute(
            sa.select(organizations).where(organizations.c.id > last).order_by(organizations.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        ids = [org.id for org in batch]
        people: dict[int, list] = {}
        for person in bind.execute(sa.select(contacts).where(contacts.c.organization_id.in_(ids))
                                   .order_by(contacts.c.organization_id, contacts.c.id)):
            people.setdefault(person.organization_id, []).append(person)
        for org in batch:
            # in the order the application writes them: by folded name (Organization.contacts is ordered so)
            ordered = sorted(people.get(org.id, []), key=lambda p: (fold(p.name), p.id))
            text = text_for(org, ordered)
            if text != org.search_text:
                bind.execute(sa.update(organizations).where(organizations.c.id == org.id).values(search_text=text))
        last = ids[-1]


def upgrade():
    with op.batch_alter_table("job_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    bind = op.get_bind()
    _convert_phones(bind, organizations)
    _convert_phones(bind, contacts)
    _recompute(bind, new_format)


def downgrade():
    bind = op.get_bind()
    _recompute(bind, old_format)
    with op.batch_alter_table("job_reports", schema=None) as batch_op:
        batch_op.drop_column("version")
