"""What programmes add to the app: the navigation entries, the organisation page's sections (programmes led or
supported, awards), the secretariat's home panel, the global search's groups, how its events read, the demo."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from club.core.registry import registry
from club.programmes import demo, history


def _programme_hooks(hooks) -> None:
    """Programmes: the organisation page's section, the secretariat's home panel, the search group."""


def _beneficiary_hooks(hooks) -> None:
    """Beneficiaries: nothing outside the programme's pages (personal data stays there); their audit events name
    the person, linked, only for those who may see them (the secretariat and the programme's lead)."""
    import sqlalchemy as sa
    from flask import url_for

    from club.extensions import db
    from club.permissions import visible
    from club.programmes.models import Beneficiary

    def people(ids, user) -> dict:
        """The people among ``ids`` that ``user`` may see, by the one rule, in SQL (one query)."""
        rows = db.session.execute(sa.select(Beneficiary.id, Beneficiary.programme_id, Beneficiary.name)
                                  .where(Beneficiary.id.in_(ids), visible(Beneficiary, user)))
        return {ident: (name, url_for("programmes.beneficiary", programme_id=programme_id, beneficiary_id=ident))
                for ident, programme_id, name in rows}

    hooks.subject(Beneficiary.__tablename__, people)


def _award_hooks(hooks) -> None:
    """Awards: the organisation page's section, the search group, how the audit trail names an award. No
    navigation entry: the programmes list links to the club's recognitions."""
    from flask import url_for

    from club.core.registry import SearchProvider
    from club.permissions import Role
    from club.programmes.queries import awards as award_queries

    def organization_awards(org, user):
        """The organisation's awards and its contacts' (None: nothing to show, or an applicant)."""
        if user.role not in (Role.SECRETARIAT, Role.MEMBER, Role.PARTNER):
            return None
        found = award_queries.organization_awards(org.id, user)
        return {"awards": found} if found else None

    hooks.section("organization", "programmes/_organization_awards.html", organization_awards, order=70)
    hooks.search(SearchProvider("awards", _l("Awards"), award_queries.search, order=55,
                                more=lambda term: url_for("programmes.awards", q=term)))
    hooks.subject("awards", award_queries.subjects)


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("programmes.index", _l("Programmes"), order=50)
    _programme_hooks(hooks)
    _beneficiary_hooks(hooks)
    _award_hooks(hooks)
    hooks.demo("programmes", demo.load)
    history.register_labels(hooks)
