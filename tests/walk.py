"""Shared machinery of the generated checks (round trip, downloads, concurrency, fuzzing, phone width).

Everything is derived from the URL map and from the pages themselves, with the ids of the demo world
(tests/url_samples.py and tests/*/samples.py), so a route is covered the day it is added:

- ``ROUTES``: the rules of the URL map (read from an app built for the purpose at collection time),
- ``allowed(rule, role)``: whether a role is in a route's declared audience,
- ``sign_in(app, role)``: a test client with that role's demo user in its session,
- ``parse_forms(html)``: the forms of a page, and ``Form.submission()``: what a browser would send,
- ``snapshot(db)`` / ``differences(before, after)``: every row of every table, to prove nothing changed.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa

from club.permissions import ADMIN, PUBLIC, Role

# The demo world's people, one per role (the non-admin secretariat user is added by ``add_staff``).
ROLES = {
    "admin": "secretariat@club.example",
    "secretariat": "staff@club.example",
    "partner": "partner@firo.example",
    "member": "contact@saccom.example",
    "applicant": "founder@startup.example",
}


@functools.cache
def _rules_app():
    from club import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "url-map-only", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "RATELIMIT_STORAGE_URI": "memory://"})


def routes():
    """The rules of the URL map, sorted, without static files: ``(rule, access)`` pairs."""
    app = _rules_app()
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        found.append((rule, getattr(app.view_functions[rule.endpoint], "access", None)))
    return found


def allowed(access, role: str) -> bool:
    if access == PUBLIC:
        return True
    if access == ADMIN:
        return role == "admin"
    if access is None:
        return False
    return Role.SECRETARIAT in access if role == "admin" else Role(role) in access


def add_staff(factories):
    """The demo world has one secretariat user, an admin: add a plain one."""
    return factories.UserFactory(email=ROLES["secretariat"], role=Role.SECRETARIAT, is_admin=False)


def user_of(db, role: str):
    from club.auth.models import User

    return db.session.scalar(sa.select(User).where(User.email == ROLES[role]))


def sign_in(app, db, role: str | None):
    client = app.test_client()
    if role is not None:
        user = user_of(db, role)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client


def build_url(app, rule, **overrides) -> str:
    """The rule's URL with demo-world ids (needs an app context on the test database)."""
    from flask import url_for

    from tests.url_samples import sample

    values = {name: overrides.get(name) or sample(name, rule._converters[name])
              for name in rule.arguments}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def endpoint_of(app, path: str, method: str = "GET") -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method=method)
    except Exception:  # noqa: BLE001 - not a route of ours (or not for this method)
        return None
    return endpoint


# --- forms, as a browser reads and sends them -------------------------------------------------------

@dataclass
class Control:
    name: str
    kind: str  # text, hidden, checkbox, radio, select, select-multiple, textarea, file, number, date, ...
    value: str | list[str] | None  # what the browser sends (None: nothing; a list: every selected option)
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    id: str | None
    controls: list[Control] = field(default_factory=list)
    submit: tuple[str, str] | None = None  # the first named submit button, as if clicked

    def pairs(self) -> list[tuple[str, str]]:
        """The (name, value) pairs a browser sends, in document order (without files)."""
        out = []
        for control in self.controls:
            if control.kind == "file" or control.value is None:
                continue
            values = control.value if isinstance(control.value, list) else [control.value]
            out.extend((control.name, v) for v in values)
        if self.submit is not None:
            out.append(self.submit)
        return out

    def submission(self, overrides: dict | None = None) -> dict:
        """The body for the Werkzeug test client: lists for repeated names, an empty file part per
        file input (as a browser sends when no file is chosen)."""
        data: dict = {}
        for name, value in self.pairs():
            data.setdefault(name, []).append(value)
        for control in self.controls:
            if control.kind == "file":
                data[control.name] = (b"", "")  # (content, file name): see ``as_files``
        data.update(overrides or {})
        return data

    def body(self, overrides: dict | None = None) -> dict:
        """``submission()`` ready for the test client (file parts as file objects)."""
        return as_files(self.submission(overrides))

    @property
    def csrf_token(self) -> str | None:
        return next((c.value for c in self.controls if c.name.endswith("csrf_token")), None)

    def control(self, name: str) -> Control | None:
        return next((c for c in self.controls if c.name == name), None)


def as_files(data: dict) -> dict:
    """File parts given as ``(content, file name)`` become file objects (each body is sent once)."""
    return {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.current: Form | None = None
        self.select: Control | None = None
        self.select_first: str | None = None
        self.option: dict | None = None
        self.textarea: Control | None = None
        self.orphans: list[tuple[str, Control]] = []  # controls with form="id" outside their form

    def _owner(self, attrs) -> Form | None:
        if attrs.get("form"):
            return self.by_id.get(attrs["form"])
        return self.current

    def _add(self, attrs, control: Control):
        owner = self._owner(attrs)
        if owner is not None:
            owner.controls.append(control)
        elif attrs.get("form"):
            self.orphans.append((attrs["form"], control))

    def handle_starttag(self, tag, attrs_list):
        attrs = {k: (v if v is not None else "") for k, v in attrs_list}
        if tag == "form":
            action = urljoin(self.page_url, attrs.get("action") or self.page_url)
            self.current = Form(action=action, method=(attrs.get("method") or "get").lower(),
                                enctype=attrs.get("enctype", ""), id=attrs.get("id"))
            self.forms.append(self.current)
            if self.current.id:
                self.by_id[self.current.id] = self.current
        elif tag == "input":
            name = attrs.get("name")
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "image"):
                owner = self._owner(attrs)
                if owner is not None and owner.submit is None and name and "disabled" not in attrs:
                    owner.submit = (name, attrs.get("value", ""))
                return
            if not name or "disabled" in attrs or kind in ("button", "reset"):
                return
            if kind in ("checkbox", "radio"):
                value = attrs.get("value", "on") if "checked" in attrs else None
                self._add(attrs, Control(name, kind, value))
            elif kind == "file":
                self._add(attrs, Control(name, kind, None))
            else:
                self._add(attrs, Control(name, kind, attrs.get("value", "")))
        elif tag == "button":
            kind = (attrs.get("type") or "submit").lower()
            owner = self._owner(attrs)
            if kind == "submit" and owner is not None and owner.submit is None and "disabled" not in attrs:
                owner.submit = (attrs["name"], attrs.get("value", "")) if attrs.get("name") else ("", "")
        elif tag == "select":
            if not attrs.get("name") or "disabled" in attrs:
                self.select = None
                return
            multiple = "multiple" in attrs
            self.select = Control(attrs["name"], "select-multiple" if multiple else "select", [] if multiple else None)
            self.select_first = None
            self._add(attrs, self.select)
        elif tag == "option" and self.select is not None:
            self.option = {"value": attrs.get("value"), "selected": "selected" in attrs,
                           "disabled": "disabled" in attrs, "text": ""}
        elif tag == "textarea":
            if attrs.get("name") and "disabled" not in attrs:
                self.textarea = Control(attrs["name"], "textarea", "")
                self._add(attrs, self.textarea)

    def _close_option(self):
        option, self.option = self.option, None
        if option is None or self.select is None:
            return
        value = option["value"] if option["value"] is not None else option["text"].strip()
        self.select.options.append(value)
        if option["disabled"]:
            return
        if self.select_first is None:
            self.select_first = value
        if option["selected"]:
            if self.select.kind == "select-multiple":
                self.select.value.append(value)
            else:
                self.select.value = value

    def handle_endtag(self, tag):
        if tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            if self.select is not None and self.select.kind == "select" and self.select.value is None:
                self.select.value = self.select_first  # a single select sends its first option
            self.select = None
        elif tag == "textarea":
            if self.textarea is not None and self.textarea.value.startswith("\n"):
                self.textarea.value = self.textarea.value[1:]  # the HTML parser drops one leading newline
            self.textarea = None
        elif tag == "form":
            self.current = None

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        elif self.textarea is not None:
            self.textarea.value += data


def parse_forms(html: str, page_url: str = "http://localhost/") -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    for form_id, control in parser.orphans:
        if form_id in parser.by_id:
            parser.by_id[form_id].controls.append(control)
    return parser.forms


def post_forms(html: str, page_url: str) -> list[Form]:
    return [f for f in parse_forms(html, page_url) if f.method == "post"]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- the database, row by row ------------------------------------------------------------------------

def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key, as comparable tuples."""
    db.session.expire_all()
    rows = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
    return rows


def differences(before: dict, after: dict, limit: int = 6) -> list[str]:
    """What changed between two snapshots, table by table (a few rows each, readable in a failure)."""
    out = []
    for name in before:
        if before[name] == after.get(name, []):
            continue
        old, new = {repr(r) for r in before[name]}, {repr(r) for r in after.get(name, [])}
        gone, added = sorted(old - new)[:limit], sorted(new - old)[:limit]
        out.append(f"{name}: -{gone} +{added}")
    return out


def audit_changes_since(db, before: dict) -> list:
    """Audit events written since the snapshot."""
    from club.core.models import AuditEvent

    table = AuditEvent.__table__.name
    known = {repr(r) for r in before.get(table, [])}
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(AuditEvent.__table__)) if repr(tuple(r)) not in known]
