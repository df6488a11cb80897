"""Every change of the club's recognitions: creating, editing and deleting an award (checked, flushed, audited;
never committed), and the one format of ``Award.search_text``.

An award goes to exactly one recipient: an organisation of the register (optionally one of its contacts), or a
person outside the register (a name, optionally a country). Its date is never in the future. A refusal names
the form field it belongs to (``Refused(message, field=...)``), with the field names of ``forms.awards``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from flask_babel import gettext as _

from club.core import audit
from club.core.refusals import Refused, check_version
from club.core.text import fold
from club.core.timezones import local_today
from club.extensions import db
from club.members.models import Contact, Organization
from club.programmes.models import Award, AwardCategory

# The columns an award's form sets, in the order its audit events list them.
AWARD_COLUMNS = ("title", "occasion", "category", "awarded_on", "citation", "mission_id", "organization_id",
                 "contact_id", "person_name", "person_country")


@dataclass(frozen=True)
class AwardData:
    """What the secretariat typed, resolved: the recipient and the mission as ids (``forms.awards`` finds them by
    name among what the user may see)."""

    title: str
    occasion: str
    category: AwardCategory
    awarded_on: date
    citation: str | None = None
    mission_id: int | None = None
    organization_id: int | None = None
    contact_id: int | None = None
    person_name: str | None = None
    person_country: str | None = None


def search_text_for_award(title: str, occasion: str | None = None, *, organization: str | None = None,
                          contact: str | None = None, person_name: str | None = None,
                          person_country: str | None = None) -> str:
    """The one format of ``Award.search_text``, what the list's search and the global search look into: the folded
    title, occasion and recipient (the organisation's and the contact's names, or the outside person's name and
    country), joined by `` | `` so that a term never matches across two of them."""
    parts = (title, occasion, organization, contact, person_name, person_country)
    return " | ".join(folded for folded in (fold(p) for p in parts) if folded)


def _search_text(award: Award) -> str:
    organization = db.session.get(Organization, award.organization_id) if award.organization_id else None
    contact = db.session.get(Contact, award.contact_id) if award.contact_id else None
    return search_text_for_award(award.title, award.occasion, organization=organization.name if organization else None,
                                 contact=contact.name if contact else None, person_name=award.person_name,
                                 person_country=award.person_country)


def _check(data: AwardData) -> None:
    """The rules of an award, each refused at its field."""
    if data.awarded_on > local_today():
        raise Refused(_("The date of an award cannot be in the future."), field="awarded_on")
    if data.contact_id and not data.organization_id:
        raise Refused(_("Name the contact's organisation too."), field="contact")
    if data.organization_id and data.person_name:
        raise Refused(_("Give either an organisation of the register or a person outside it, not both."),
                      field="person_name")
    if data.person_country and not data.person_name:
        raise Refused(_("Give the person's name, or leave the country empty."), field="person_name")
    if not data.organization_id and not data.person_name:
        raise Refused(_("Name the recipient: an organisation of the register or a person outside it."),
                      field="organization")
    if data.organization_id and db.session.get(Organization, data.organization_id) is None:
        raise Refused(_("No organisation of that name in the register."), field="organization")
    if data.contact_id:
        contact = db.session.get(Contact, data.contact_id)
        if contact is None or contact.organization_id != data.organization_id:
            raise Refused(_("This person is not a contact of that organisation."), field="contact")
    if data.mission_id:
        from club.missions.models import Mission

        if db.session.get(Mission, data.mission_id) is None:
            raise Refused(_("No mission of that title."), field="mission")


def _values(data: AwardData) -> dict:
    return {f.name: getattr(data, f.name) for f in fields(data)}


def create_award(data: AwardData, *, by) -> Award:
    _check(data)
    award = Award(**_values(data), created_by_id=getattr(by, "id", None))
    award.search_text = _search_text(award)
    db.session.add(award)
    db.session.flush()
    audit.record("award.create", award, by=by,
                 changes={name: [None, getattr(award, name)] for name in AWARD_COLUMNS
                          if getattr(award, name) not in (None, "")})
    return award


def update_award(award: Award, data: AwardData, *, version, by) -> dict:
    """Save ``data`` on ``award`` (read at ``version``); the changes, field by field (empty: nothing changed)."""
    check_version(award, version)
    _check(data)
    for name, value in _values(data).items():
        setattr(award, name, value)
    changes = audit.diff(award, AWARD_COLUMNS)
    if not changes:
        return {}
    award.search_text = _search_text(award)
    db.session.flush()
    audit.record("award.update", award, by=by, changes=changes)
    return changes


def delete_award(award: Award, *, by) -> None:
    """Delete ``award``; its audit event keeps what it was (the award's page is gone)."""
    audit.record("award.delete", award, by=by,
                 changes={"title": [None, award.title], "recipient": [None, award.recipient],
                          "occasion": [None, award.occasion], "awarded_on": [None, award.awarded_on]})
    db.session.delete(award)
    db.session.flush()
