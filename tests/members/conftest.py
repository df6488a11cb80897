from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture()
def as_user(login_as, db):
    """Sign ``user`` in on the test client.

    The pages are in English unless ``locale`` says otherwise, so assertions do not depend on a catalogue.
    """

    def _as(user, locale="en"):
        if user.locale != locale:
            user.locale = locale
            db.session.commit()
        return login_as(user)

    return _as


@pytest.fixture()
def demo_user(demo_world):
    from club.auth.models import User

    def _user(email):
        return demo_world.session.scalar(sa.select(User).where(User.email == email))

    return _user


@pytest.fixture()
def org_named(db):
    from club.members.models import Organization

    def _org(name):
        db.session.expire_all()
        return db.session.scalar(sa.select(Organization).where(Organization.name == name))

    return _org
