"""queries of the programmes domain: beneficiaries, one by one (the secretariat and the programme's lead only).

Every read goes through ``Programme.led_by(user)``/``Beneficiary.visible_to(user)``; the list runs a constant number
of queries whatever the number of people (the page, its count, the counts by status, the communes to filter on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from club.core.text import fold, like_escape
from club.extensions import db
from club.programmes.models import AgeBand, Beneficiary, BeneficiaryStatus, Gender, Programme


def led_programme(programme_id: int, user) -> Programme | None:
    """The programme when ``user`` manages its people one by one (the secretariat, the lead's people), else None."""
    return db.session.scalar(sa.select(Programme).where(Programme.id == programme_id, Programme.led_by(user)))


def beneficiary_in(programme: Programme, beneficiary_id: int, user) -> Beneficiary | None:
    """One person of ``programme`` that ``user`` may see (nested URLs must agree)."""
    return db.session.scalar(
        sa.select(Beneficiary).where(Beneficiary.id == beneficiary_id, Beneficiary.programme_id == programme.id,
                                     Beneficiary.visible_to(user))
        .options(joinedload(Beneficiary.placed_organization)))


@dataclass
class Filters:
    status: BeneficiaryStatus | None = None
    gender: Gender | None = None
    commune: str | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        """Query arguments as typed or forged: anything unknown is ignored, never a 500."""
        def enum_or_none(enum_cls, value):
            try:
                return enum_cls(value) if isinstance(value, str) and value else None
            except ValueError:
                return None

        commune = args.get("commune")
        q = args.get("q")
        return cls(status=enum_or_none(BeneficiaryStatus, args.get("status")),
                   gender=enum_or_none(Gender, args.get("gender")),
                   commune=commune.strip()[:100] if isinstance(commune, str) and commune.strip() else None,
                   q=" ".join(q.split())[:100] if isinstance(q, str) else "")

    def args(self) -> dict:
        return {k: v for k, v in (("status", self.status.value if self.status else None),
                                   ("gender", self.gender.value if self.gender else None),
                                   ("commune", self.commune), ("q", self.q or None)) if v}


def _conditions(programme_id: int, filters: Filters, *, with_status: bool = True) -> list:
    conditions = [Beneficiary.programme_id == programme_id]
    if with_status and filters.status is not None:
        conditions.append(Beneficiary.status == filters.status)
    if filters.gender is not None:
        conditions.append(Beneficiary.gender == filters.gender)
    if filters.commune:
        conditions.append(Beneficiary.commune == filters.commune)
    term = fold(re.sub(r"[%_\\]", " ", filters.q)).strip() if filters.q else ""
    if term:
        # The folded name starts with the term, or one of its words does ("amrani" finds "Fatima El Amrani").
        escaped = like_escape(term)
        conditions.append(sa.or_(Beneficiary.name_key.like(f"{escaped}%", escape="\\"),
                                 Beneficiary.name_key.like(f"% {escaped}%", escape="\\")))
    return conditions


def beneficiary_list(programme_id: int, filters: Filters) -> sa.Select:
    """The people of a programme matching ``filters``, by name (the index on programme, name key, id)."""
    return (sa.select(Beneficiary).where(*_conditions(programme_id, filters))
            .options(joinedload(Beneficiary.placed_organization))
            .order_by(Beneficiary.name_key, Beneficiary.id))


def status_counts(programme_id: int, filters: Filters) -> dict[BeneficiaryStatus, int]:
    """How many people of each status match the other filters (one query)."""
    rows = db.session.execute(sa.select(Beneficiary.status, sa.func.count())
                              .where(*_conditions(programme_id, filters, with_status=False))
                              .group_by(Beneficiary.status))
    found = {BeneficiaryStatus(status): n for status, n in rows}
    return {status: found.get(status, 0) for status in BeneficiaryStatus}


def communes(programme_id: int) -> list[str]:
    """The communes the programme's people come from (for the filter)."""
    return [c for c in db.session.scalars(sa.select(Beneficiary.commune).where(
        Beneficiary.programme_id == programme_id, Beneficiary.commune.is_not(None))
        .distinct().order_by(Beneficiary.commune).limit(200))]


def export_rows(programme_id: int, filters: Filters):
    """The filtered people, streamed in batches for the CSV export."""
    return db.session.scalars(beneficiary_list(programme_id, filters).execution_options(yield_per=500))


def existing_keys(programme_id: int) -> dict[tuple, int]:
    """(name key, birth year, age band) -> id of the programme's people: the import's duplicate check."""
    return {(key, year, AgeBand(band) if band else None): ident for ident, key, year, band in db.session.execute(
        sa.select(Beneficiary.id, Beneficiary.name_key, Beneficiary.birth_year, Beneficiary.age_band)
        .where(Beneficiary.programme_id == programme_id))}
