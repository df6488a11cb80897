"""The incubator's group of the global search: applications (startup name, project title) and calls (title), only
what each user may see, case and accents folded, never a hidden name under the blind round, in two queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from club.auth.models import User
from club.extensions import db
from club.incubator import queries
from club.incubator.models import Call, Status
from club.models import utcnow
from tests.conftest import text
from tests.incubator.factories import ApplicationFactory, CallFactory, ReviewFactory


@pytest.fixture()
def searchable(db, factories):
    """A blind call in its first round and an open (not blind) one, a closed call; a partner assigned to one
    application of each call, with a conflict on a third; applications nobody reviews."""
    blind = CallFactory(title="Appel Éclaireurs 2026", is_blind_first_round=True)
    named = CallFactory(title="Appel Oriental", is_blind_first_round=False)
    CallFactory(title="Appel Éclaireurs 2020", opens_at=utcnow() - timedelta(days=400),
                closes_at=utcnow() - timedelta(days=300))
    partner = factories.UserFactory(partner=True, locale="fr")
    people = {
        "secretariat": factories.UserFactory(locale="fr"),
        "partner": partner,
        "owner": factories.UserFactory(applicant=True, locale="fr"),
        "other applicant": factories.UserFactory(applicant=True, locale="fr"),
        "member": factories.UserFactory(member=True, locale="fr"),
    }
    apps = {
        "blind": ApplicationFactory(call=blind, applicant=people["owner"], startup_name="Éclair Secret",
                                    project_title="Plateforme de relation client"),
        "named": ApplicationFactory(call=named, startup_name="ÉCLAIR VISIBLE", project_title="Projet Atlas"),
        "unassigned": ApplicationFactory(call=named, startup_name="Éclair Lointain", project_title="Autre projet"),
        "conflict": ApplicationFactory(call=named, startup_name="Éclair Conflit", project_title="Projet voisin"),
        "draft": ApplicationFactory(call=blind, applicant=people["other applicant"], draft=True,
                                    startup_name="Éclair Brouillon", project_title="Idée"),
    }
    blind_review = ReviewFactory(application=apps["blind"], reviewer=partner)
    named_review = ReviewFactory(application=apps["named"], reviewer=partner)
    ReviewFactory(application=apps["conflict"], reviewer=partner, has_conflict=True)
    return people, apps, {"blind": blind_review, "named": named_review}


def _search(client, term, **headers):
    response = client.get("/search", query_string={"q": term}, headers=headers)
    assert response.status_code == 200
    return text(response)


NAMES = ("Éclair Secret", "ÉCLAIR VISIBLE", "Éclair Lointain", "Éclair Conflit", "Éclair Brouillon")


@pytest.mark.parametrize(("role", "found"), [
    ("secretariat", set(NAMES)),
    ("owner", {"Éclair Secret"}),
    ("other applicant", {"Éclair Brouillon"}),  # their own draft
    ("partner", {"ÉCLAIR VISIBLE"}),  # assigned, named round; neither the blind one nor the conflict
    ("member", set()),
])
def test_each_role_finds_the_applications_it_may_see_by_a_folded_name(searchable, login_as, role, found):
    people, apps, _ = searchable
    page = _search(login_as(people[role]), "eclair")  # no accent, lower case: "Éclair", "ÉCLAIR" match
    assert {name for name in NAMES if name in page} == found
    if found:
        assert "Incubateur" in page  # the group's label, in the user's language


def test_a_reviewer_finds_a_blind_application_by_its_title_only_and_never_reads_its_name(searchable, login_as):
    people, apps, reviews = searchable
    client = login_as(people["partner"])
    assert "Plateforme de relation client" not in _search(client, "Éclair Secret")
    page = _search(client, "relation client")
    assert "Plateforme de relation client" in page and "Éclair Secret" not in page
    assert f'href="/incubator/reviews/{reviews["blind"].id}"' in page  # what the reviewer opens: the review
    assert f"/incubator/applications/{apps['blind'].id}" not in page
    # the second round reveals the names: then the name finds it, and shows
    call = apps["blind"].call
    call.review_round = 2
    db.session.commit()
    page = _search(client, "eclair secret")
    assert "Éclair Secret" in page and f'href="/incubator/reviews/{reviews["blind"].id}"' in page


def test_the_secretariat_and_the_owner_open_the_application_page(searchable, login_as):
    people, apps, _ = searchable
    for role in ("secretariat", "owner"):
        page = _search(login_as(people[role]), "plateforme")
        assert f'href="/incubator/applications/{apps["blind"].id}"' in page, role
        assert "Appel Éclaireurs 2026 · Soumise" in page, role  # the call and the status


def test_calls_are_found_by_whoever_may_open_them(searchable, login_as):
    people, _, _ = searchable
    page = _search(login_as(people["member"]), "appel eclaireurs")
    assert "Appel Éclaireurs 2026" in page and "Appel Éclaireurs 2020" not in page  # a closed call is not public
    assert "Appel à candidatures" in page
    page = _search(login_as(people["secretariat"]), "appel eclaireurs")
    assert "Appel Éclaireurs 2026" in page and "Appel Éclaireurs 2020" in page


def test_the_live_box_gets_the_fragment(searchable, login_as):
    people, _, _ = searchable
    page = _search(login_as(people["owner"]), "eclair", **{"HX-Request": "true"})
    assert "Éclair Secret" in page and "<html" not in page and "Éclair Brouillon" not in page


def test_wildcards_are_taken_literally(searchable, login_as):
    people, _, _ = searchable
    assert not any(name in _search(login_as(people["secretariat"]), "%_") for name in NAMES)


def _counted(app, count_queries, user_id, term):
    with app.test_request_context():
        user = db.session.get(User, user_id)
        with count_queries() as counter:
            total, hits = queries.search(term, user, 5)
    return counter.count, total, hits


def test_one_count_and_one_page_whatever_the_number_of_results(app, searchable, count_queries):
    people, apps, _ = searchable
    ids = {role: user.id for role, user in people.items()}
    call_id = apps["named"].call_id
    for role in ("secretariat", "partner", "owner", "member"):
        count, total, hits = _counted(app, count_queries, ids[role], "eclair")
        assert count == (2 if total else 1), role
    partner, call = db.session.get(User, ids["partner"]), db.session.get(Call, call_id)
    for i in range(12):
        ReviewFactory(application=ApplicationFactory(call=call, startup_name=f"Éclair {i}",
                                                     status=Status.SCREENING), reviewer=partner)
    for role in ("secretariat", "partner"):
        count, total, hits = _counted(app, count_queries, ids[role], "eclair")
        assert count == 2 and total > len(hits) == 5, role


def test_the_applications_list_filters_by_the_same_folded_match(searchable, login_as):
    people, apps, _ = searchable
    client = login_as(people["secretariat"])
    page = text(client.get(f"/incubator/calls/{apps['named'].call_id}/applications", query_string={"q": "ÉCLAIR lointain"}))
    assert "Éclair Lointain" in page and "ÉCLAIR VISIBLE" not in page
