"""factory_boy factories on the app's session; they commit, like a finished request would."""

from __future__ import annotations

import factory

from club.auth import passwords
from club.auth.models import User
from club.extensions import db
from club.members.models import Organization, OrgKind, search_text_for
from club.models import utcnow
from club.permissions import Role

PASSWORD = "correct horse battery staple"
_HASH = None


def password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = passwords.hash_password(PASSWORD)
    return _HASH


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class OrganizationFactory(Base):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    name_key = factory.LazyAttribute(lambda o: Organization.key_for(o.name))
    search_text = factory.LazyAttribute(lambda o: search_text_for(o.name, getattr(o, "description", None), ice=getattr(o, "ice", None)))
    kind = OrgKind.CALL_CENTER
    city = "Oujda"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.SECRETARIAT
    is_admin = False
    locale = "fr"
    password_hash = factory.LazyFunction(password_hash)
    confirmed_at = factory.LazyFunction(utcnow)
    active = True

    class Params:
        admin = factory.Trait(role=Role.SECRETARIAT, is_admin=True)
        partner = factory.Trait(role=Role.PARTNER, organization=factory.SubFactory(OrganizationFactory, kind=OrgKind.INVESTOR))
        member = factory.Trait(role=Role.MEMBER, organization=factory.SubFactory(OrganizationFactory))
        applicant = factory.Trait(role=Role.APPLICANT)
