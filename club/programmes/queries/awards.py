"""Every read of the club's recognitions, built on ``Award.visible_to`` (every signed-in role but applicants): the
list with its filters and its export, an organisation's awards, the global search, the names of audit subjects, and
what the award form looks up by name (organisations, their contacts, missions), each in a constant number of
queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from club.core.search import Hit
from club.core.text import fold, folded, like_escape
from club.core.timezones import local_date, to_utc
from club.extensions import db
from club.members.models import Contact, Organization
from club.permissions import visible
from club.programmes.models import AWARD_CATEGORY_LABELS, Award, AwardCategory

PER_PAGE = 25
OCCASION_CHOICES_LIMIT = 50   # the occasion filter offers the most recent ones; the text search finds the others
SUGGESTIONS_LIMIT = 10
CONTACT_SUGGESTIONS_LIMIT = 50
ORGANIZATION_SECTION_LIMIT = 50
MAX_QUERY = 100


def _clean(value, limit: int = 200) -> str:
    return " ".join("".join(ch for ch in str(value or "") if ch.isprintable()).split())[:limit]


@dataclass(frozen=True)
class AwardFilters:
    """The list's filters, from the query string (anything unknown is ignored, never a 500)."""

    q: str = ""
    occasion: str = ""
    category: str = ""
    year: int | None = None

    @classmethod
    def from_args(cls, args) -> AwardFilters:
        category = (args.get("category") or "").strip()
        year = (args.get("year") or "").strip()
        return cls(
            q=_clean(args.get("q"), MAX_QUERY),
            occasion=_clean(args.get("occasion")),
            category=category if category in {c.value for c in AwardCategory} else "",
            year=int(year) if year.isascii() and year.isdigit() and 1900 <= int(year) <= 2100 else None,
        )

    def args(self) -> dict[str, str]:
        """The filters set, as query arguments (the pages' links, the export)."""
        values = {"q": self.q, "occasion": self.occasion, "category": self.category,
                  "year": str(self.year) if self.year else ""}
        return {k: v for k, v in values.items() if v}


def matching(term: str) -> sa.ColumnElement[bool]:
    """Awards whose title, occasion or outside person (``Award.search_text``), or whose organisation or contact
    *as named today* (a renamed company is found by its new name), contains ``term``, case and accents folded."""
    pattern = f"%{like_escape(fold(term))}%"
    return sa.or_(
        Award.search_text.like(pattern, escape="\\"),
        sa.exists().where(Organization.id == Award.organization_id,
                          folded(Organization.name).like(pattern, escape="\\")).correlate(Award),
        sa.exists().where(Contact.id == Award.contact_id,
                          folded(Contact.name).like(pattern, escape="\\")).correlate(Award))


def _filtered(stmt: sa.Select, filters: AwardFilters, user) -> sa.Select:
    stmt = stmt.where(visible(Award, user))
    if fold(filters.q):
        stmt = stmt.where(matching(filters.q))
    if filters.occasion:
        stmt = stmt.where(Award.occasion == filters.occasion)
    if filters.category:
        stmt = stmt.where(Award.category == AwardCategory(filters.category))
    if filters.year:
        stmt = stmt.where(Award.awarded_on.between(date(filters.year, 1, 1), date(filters.year, 12, 31)))
    return stmt


def _with_recipient(stmt: sa.Select) -> sa.Select:
    return stmt.options(joinedload(Award.organization), joinedload(Award.contact))


def award_list(filters: AwardFilters, user) -> sa.Select:
    """Rows of (award with its recipient, the title of its mission when ``user`` may see it, else None), the most
    recent first: one query for a page."""
    from club.missions.models import Mission

    stmt = (sa.select(Award, Mission.title.label("mission_title"))
            .outerjoin(Mission, sa.and_(Mission.id == Award.mission_id, visible(Mission, user))))
    return _with_recipient(_filtered(stmt, filters, user)).order_by(Award.awarded_on.desc(), Award.id.desc())


def filter_choices(current_occasion: str = "") -> dict:
    """The occasions in use (the most recent first, at most ``OCCASION_CHOICES_LIMIT``, the chosen one always
    among them) and the years with an award: two queries."""
    occasions = list(db.session.scalars(
        sa.select(Award.occasion).group_by(Award.occasion)
        .order_by(sa.func.max(Award.awarded_on).desc(), Award.occasion).limit(OCCASION_CHOICES_LIMIT)))
    if current_occasion and current_occasion not in occasions:
        occasions.append(current_occasion)
    year = sa.extract("year", Award.awarded_on)
    years = sorted({int(y) for y in db.session.scalars(sa.select(year).distinct()) if y is not None}, reverse=True)
    return {"occasions": occasions, "years": years}


def export_rows(filters: AwardFilters, user):
    """Every award of the filtered list (no page), for the CSV export: one query."""
    return db.session.execute(award_list(filters, user)).unique()


def organization_awards(org_id: int, user) -> list[Award]:
    """The awards of an organisation and of its contacts (a contact's award carries its organisation): one query."""
    return list(db.session.scalars(
        _with_recipient(sa.select(Award).where(Award.organization_id == org_id, visible(Award, user)))
        .order_by(Award.awarded_on.desc(), Award.id.desc()).limit(ORGANIZATION_SECTION_LIMIT)).unique())


def mission_of(award: Award, user):
    """The award's mission when ``user`` may see it, else None."""
    if not award.mission_id:
        return None
    from club.missions.models import Mission

    return db.session.scalar(sa.select(Mission).where(Mission.id == award.mission_id, visible(Mission, user)))


# --- the global search -------------------------------------------------------------------------------------------

def search(term: str, user, limit: int) -> tuple[int, list[Hit]]:
    """The awards whose title, occasion or recipient contains ``term`` (case and accents folded, in
    ``Award.search_text``), the most recent first: ``(how many, the first `limit` as hits)``, two queries."""
    key = fold(term)
    if not key:
        return 0, []
    found = sa.and_(visible(Award, user), matching(term))
    total = db.session.scalar(sa.select(sa.func.count(Award.id)).where(found))
    if not total:
        return 0, []
    awards = db.session.scalars(_with_recipient(sa.select(Award).where(found))
                                .order_by(Award.awarded_on.desc(), Award.id.desc()).limit(limit)).unique()
    return total, [_hit(award) for award in awards]


def _hit(award: Award) -> Hit:
    from club.formats import date_filter

    return Hit(title=f"{award.title} — {award.recipient}",
               url=url_for("programmes.award_detail", award_id=award.id),
               detail=" · ".join([award.occasion, str(AWARD_CATEGORY_LABELS[award.category]),
                                  date_filter(award.awarded_on, "medium")]))


def subjects(ids, user) -> dict:
    """How the audit trail names awards ``user`` may see: "title — recipient", linked (one query)."""
    awards = db.session.scalars(_with_recipient(sa.select(Award).where(Award.id.in_(ids), visible(Award, user))))
    return {award.id: (f"{award.title} — {award.recipient}",
                       url_for("programmes.award_detail", award_id=award.id)) for award in awards.unique()}


# --- what the award form looks up by name ------------------------------------------------------------------------

def contacts_named(organization_id: int, name: str) -> list[Contact]:
    """The contacts of an organisation whose name is ``name`` once folded."""
    key = fold(name)
    if not key:
        return []
    return list(db.session.scalars(sa.select(Contact).where(Contact.organization_id == organization_id,
                                                            Contact.name_key == key).order_by(Contact.id).limit(2)))


def contact_suggestions(organization_id: int | None, limit: int = CONTACT_SUGGESTIONS_LIMIT) -> list[str]:
    """The names of an organisation's contacts, by name."""
    if not organization_id:
        return []
    return list(db.session.scalars(sa.select(Contact.name).where(Contact.organization_id == organization_id)
                                   .order_by(Contact.name_key, Contact.id).limit(limit)))


_DATED = re.compile(r"^(?P<title>.+) \((?P<day>\d{4}-\d\d-\d\d)\)$")


def mission_label(mission) -> str:
    """How the form writes a mission: its title and the day it starts, which tell apart missions of one title."""
    return f"{mission.title} ({local_date(mission.starts_at).isoformat()})"


def missions_titled(text: str, user, limit: int = 20) -> list:
    """The missions ``user`` may see that ``text`` names: "title (YYYY-MM-DD)" as ``mission_label`` writes it, or a
    title alone (case and accents folded). Several results mean the title is ambiguous."""
    from club.missions.models import Mission

    text = _clean(text)
    if not text:
        return []
    dated = _DATED.match(text)
    if dated:
        try:
            day = date.fromisoformat(dated["day"])
        except ValueError:
            day = None
        if day is not None:
            start = to_utc(datetime.combine(day, time()))
            found = list(db.session.scalars(
                sa.select(Mission).where(folded(Mission.title) == fold(dated["title"]), visible(Mission, user),
                                         Mission.starts_at >= start, Mission.starts_at < start + timedelta(days=1))
                .order_by(Mission.id).limit(limit)))
            if found:
                return found
    return list(db.session.scalars(sa.select(Mission).where(folded(Mission.title) == fold(text), visible(Mission, user))
                                   .order_by(Mission.starts_at.desc(), Mission.id).limit(limit)))


def mission_suggestions(term: str, user, limit: int = SUGGESTIONS_LIMIT) -> list[str]:
    """``mission_label`` of the missions ``user`` may see whose title contains ``term``, the most recent first."""
    from club.core.text import contains_folded
    from club.missions.models import Mission

    term = _clean(term, MAX_QUERY)
    if len(fold(term)) < 2:
        return []
    term = _DATED.match(term)["title"] if _DATED.match(term) else term
    return [mission_label(m) for m in db.session.scalars(
        sa.select(Mission).where(contains_folded(Mission.title, term), visible(Mission, user))
        .order_by(Mission.starts_at.desc(), Mission.id.desc()).limit(limit))]
