from __future__ import annotations

import re

import sqlalchemy as sa

from club.auth.models import User
from club.core.models import AuditEvent
from club.permissions import Role
from tests.conftest import text

NEW = "une phrase de passe choisie"


def invite_link(message) -> str:
    return re.search(r"http://club\.test(/auth/invitation/\S+)", message.body_text).group(1)


def test_admin_invites_a_member_who_sets_a_password_once(client, factories, login_as, outbox, db):
    admin = factories.UserFactory(admin=True)
    org = factories.OrganizationFactory(name="Saccom")
    login_as(admin)
    response = client.post("/admin/users/new", data={"email": "Nadia@Saccom.example", "name": "Nadia Amrani",
                                                     "role": "member", "organization_id": org.name})
    assert response.status_code == 303
    user = db.session.scalar(sa.select(User).where(User.email == "nadia@saccom.example"))
    assert user.role == Role.MEMBER and user.organization_id == org.id and user.password_hash is None
    [message] = outbox()
    assert message.template == "auth_invite"
    link = invite_link(message)
    client.post("/auth/logout")
    assert "Choisissez un mot de passe pour nadia@saccom.example" in text(client.get(link))
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 303
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 400
    login = client.post("/auth/login", data={"email": "nadia@saccom.example", "password": NEW})
    assert login.status_code == 303
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"user.invited", "user.invitation_accepted"} <= actions


def test_expired_invitation_is_refused(client, factories, login_as, outbox, configured):
    admin = factories.UserFactory(admin=True)
    login_as(admin)
    client.post("/admin/users/new", data={"email": "x@club.example", "name": "X", "role": "secretariat",
                                          "organization_id": ""})
    link = invite_link(outbox()[0])
    with configured(INVITE_TOKEN_MAX_AGE=-1):
        assert "Ce lien a expiré." in text(client.get(link))


def test_invitation_bad_input(client, factories, login_as, db):
    admin = factories.UserFactory(admin=True, email="admin@club.example")
    login_as(admin)
    cases = [
        ({"email": "admin@club.example", "name": "Dup", "role": "secretariat", "organization_id": ""},
         "Un utilisateur existe déjà avec cette adresse email."),
        ({"email": "p@firo.example", "name": "P", "role": "partner", "organization_id": ""},
         "Les partenaires et les contacts membres appartiennent à une organisation."),
        ({"email": "m@x.example", "name": "M", "role": "member", "organization_id": "", "is_admin": "y"},
         "Seuls les utilisateurs du secrétariat peuvent être administrateurs."),
        ({"email": "a@x.example", "name": "A", "role": "applicant", "organization_id": ""}, "invalid-feedback"),
        ({"email": "a@x.example", "name": "A", "role": "secretariat", "organization_id": "99999"}, "invalid-feedback"),
    ]
    for data, message in cases:
        response = client.post("/admin/users/new", data=data)
        assert response.status_code == 422
        html = text(response)
        assert message in html, data
        assert f'value="{data["email"]}"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_only_admins_reach_user_administration(client, factories, login_as):
    staff = factories.UserFactory(role=Role.SECRETARIAT, is_admin=False)
    login_as(staff)
    assert client.get("/admin/users").status_code == 404
    assert client.post("/admin/users/new", data={"email": "z@z.example", "name": "Z", "role": "secretariat",
                                                 "organization_id": ""}).status_code == 404


def test_role_change_and_deactivation_end_the_users_sessions(app, client, factories, login_as, db):
    admin = factories.UserFactory(admin=True)
    target = factories.UserFactory(member=True)
    their_client = app.test_client()
    with their_client.session_transaction() as session:
        session["_user_id"] = target.get_id()
    assert their_client.get("/").status_code == 200
    login_as(admin)
    response = client.post(f"/admin/users/{target.id}", data={"role": "partner",
                                                              "organization_id": target.organization.name})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, target.id).role == Role.PARTNER
    assert their_client.get("/").status_code == 302
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.access_changed"))
    assert event.changes["role"] == ["member", "partner"] and event.actor_id == admin.id
    client.post(f"/admin/users/{target.id}/deactivate")
    db.session.expire_all()
    assert db.session.get(User, target.id).active is False


def test_admin_cannot_lock_themselves_out(client, factories, login_as, db):
    admin = factories.UserFactory(admin=True)
    login_as(admin)
    client.post(f"/admin/users/{admin.id}/deactivate")
    response = client.post(f"/admin/users/{admin.id}", data={"role": "secretariat", "organization_id": ""})
    assert "Vous ne pouvez pas retirer vos propres droits" in text(response)
    db.session.expire_all()
    me = db.session.get(User, admin.id)
    assert me.active and me.is_admin and me.role == Role.SECRETARIAT


def test_user_list_filters_search_and_constant_queries(client, factories, login_as, count_queries):
    admin = factories.UserFactory(admin=True, name="Admin")
    for n in range(3):
        factories.UserFactory(member=True, name=f"Membre {n}")
    login_as(admin)

    def rows(url):
        return text(client.get(url)).split("<tbody hx-disable>")[1].split("</tbody>")[0]

    html = rows("/admin/users?role=member")
    assert "Membre 0" in html and "Admin" not in html
    html = rows("/admin/users?q=membre%201")
    assert "Membre 1" in html and "Membre 2" not in html
    assert "Membre" not in rows("/admin/users?q=%25")
    partial = client.get("/admin/users", headers={"HX-Request": "true"})
    assert "<html" not in text(partial)
    assert "HX-Request" in partial.headers["Vary"]
    with count_queries() as few:
        client.get("/admin/users")
    for n in range(20):
        factories.UserFactory(member=True, name=f"Autre {n}")
    with count_queries() as many:
        client.get("/admin/users")
    assert few.count == many.count


def test_the_first_administrator_is_invited_from_the_command_line(app, db, outbox):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "--email", "Boss@Club.example",
                                                "--name", "La Présidente"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "boss@club.example"))
    assert user.is_admin and user.role == Role.SECRETARIAT and user.password_hash is None
    [message] = outbox()
    assert "Le secrétariat du club vous invite" in message.body_text
    again = app.test_cli_runner().invoke(args=["users", "create-admin", "--email", "boss@club.example", "--name", "X"])
    assert again.exit_code != 0


def test_an_invitation_survives_routine_changes_to_the_account(client, factories, login_as, outbox, db):
    admin = factories.UserFactory(admin=True)
    login_as(admin)
    client.post("/admin/users/new", data={"email": "inv@club.example", "name": "Inv", "role": "secretariat",
                                          "organization_id": ""})
    link = invite_link(outbox()[0])
    user = db.session.scalar(sa.select(User).where(User.email == "inv@club.example"))
    client.post(f"/admin/users/{user.id}", data={"role": "secretariat", "organization_id": "", "is_admin": "y"})
    client.post("/auth/logout")
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 303
