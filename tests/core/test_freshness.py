"""Figures kept until the data changes (club/core/freshness.py): exact after any write, in any process, by any
path (the ORM, a bulk statement, another connection); computed once while nothing changes."""

from __future__ import annotations

import re

import sqlalchemy as sa

from club.core import freshness
from club.core.jobs import beat
from club.members.models import Organization


def _counter(db):
    calls = []

    def compute():
        calls.append(1)
        return db.session.scalar(sa.select(sa.func.count()).select_from(Organization))

    return calls, lambda: freshness.fresh(("test.organisations",), compute)


def _new_request(db):
    db.session.remove()  # what the end of a request does: the next one asks for the generation again


def test_a_figure_is_computed_once_until_a_write_commits_whoever_writes(db, factories):
    calls, organisations = _counter(db)
    factories.OrganizationFactory(name="Saccom")
    db.session.commit()
    _new_request(db)
    assert organisations() == 1 and organisations() == 1
    _new_request(db)
    assert organisations() == 1 and len(calls) == 1  # kept
    # A write through the ORM, committed: computed again.
    factories.OrganizationFactory(name="Intelcia")
    db.session.commit()
    assert organisations() == 2 and len(calls) == 2
    # A bulk statement on another connection (another worker process would do the same): computed again.
    with db.engine.begin() as conn:
        conn.execute(sa.delete(Organization).where(Organization.name == "Intelcia"))
    _new_request(db)
    assert organisations() == 1 and len(calls) == 3
    # A write rolled back changes nothing; a worker's heartbeat is no change of the data.
    db.session.add(Organization(name="Notoriety", name_key="notoriety", kind="call_center"))
    db.session.flush()
    db.session.rollback()
    beat()
    _new_request(db)
    assert organisations() == 1 and len(calls) == 3


def test_a_transaction_that_wrote_neither_reads_nor_keeps_a_figure(db, factories):
    """Inside a transaction that has written, a figure counts that transaction's own rows and is not kept: were it
    kept, a rollback would leave every later request a count of rows that never were."""
    calls, organisations = _counter(db)
    factories.OrganizationFactory(name="Saccom")
    db.session.commit()
    _new_request(db)
    assert organisations() == 1 and len(calls) == 1
    db.session.add(Organization(name="Notoriety", name_key="notoriety", kind="call_center"))
    db.session.flush()
    assert organisations() == 2 and len(calls) == 2  # its own row counted, not the kept 1
    db.session.rollback()
    _new_request(db)
    assert organisations() == 1 and len(calls) == 2  # the kept value from before, not the rolled-back 2
    # A change still pending (not yet flushed) is a write too: the figure's own query flushes it and counts it.
    db.session.add(Organization(name="Eca groupe", name_key="eca groupe", kind="call_center"))
    assert organisations() == 2 and len(calls) == 3
    db.session.rollback()
    _new_request(db)
    assert organisations() == 1 and len(calls) == 3


def _active_members(page: str) -> str:
    return re.search(r'display-6">([^<]+)</div>\s*<a href="[^"]*status=active', page).group(1)


def test_the_secretariat_home_counts_a_new_member_at_once(client, factories, login_as, db):
    from tests.members.factories import MembershipFactory

    login_as(factories.UserFactory(role="secretariat", locale="en"))
    MembershipFactory()
    db.session.commit()
    assert _active_members(client.get("/").get_data(as_text=True)) == "1"
    assert _active_members(client.get("/").get_data(as_text=True)) == "1"
    MembershipFactory()
    db.session.commit()
    assert _active_members(client.get("/").get_data(as_text=True)) == "2"


def test_a_shared_home_panel_reads_nothing_of_its_user(app):
    """A panel rendered once for every user of its role (``shared=True``) must hold no form (a CSRF token is one
    session's) and nothing of ``current_user``, in its template or the templates it includes."""
    from club.core.registry import registry

    with app.app_context():
        shared = [panel.template for panel in registry().panels if panel.shared]
    assert len(shared) >= 5
    loader = app.jinja_env.loader
    seen = set()
    while shared:
        name = shared.pop()
        if name in seen:
            continue
        seen.add(name)
        source = loader.get_source(app.jinja_env, name)[0]
        for unshareable in ("csrf_token", "current_user", "<form", "hidden_tag"):
            assert unshareable not in source, f"{name} holds {unshareable}: it cannot be shared"
        shared.extend(re.findall(r'(?:include|import|from) "([^"]+)"', source))
