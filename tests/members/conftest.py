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


class LiveServer:
    """The app served by werkzeug's real WSGI server in a thread (not the test client): a response is sent
    after the view has returned and its request has ended, as in production."""

    def __init__(self, url: str):
        self.url = url

    def sign_in(self, email: str, password: str | None = None) -> str:
        """Sign in through the login form; returns the Cookie header of the signed-in session."""
        import http.cookiejar
        import urllib.parse
        import urllib.request

        from tests.factories import PASSWORD

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        body = urllib.parse.urlencode({"email": email, "password": password or PASSWORD}).encode()
        with opener.open(self.url + "/auth/login", data=body, timeout=30) as response:
            assert response.status == 200
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        assert "session" in cookie, "the login form did not sign in"
        return cookie

    def request(self, path: str, *, cookie: str, data=None, headers=None):
        """``(status, headers, body bytes)``; an HTTP error status is returned, not raised."""
        import urllib.error
        import urllib.parse
        import urllib.request

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        encoded = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.url + path, data=encoded, headers={"Cookie": cookie, **(headers or {})})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(req, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()


@pytest.fixture()
def live_server(app, db):
    """A real HTTP server on loopback for this test (threaded: simultaneous requests run in parallel)."""
    import threading

    from werkzeug.serving import make_server

    from tests.conftest import _free_port

    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
