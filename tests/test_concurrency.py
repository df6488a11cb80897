"""Twenty identical requests at once never answer 500 nor lose a save (issue 9, A.5).

Generated from the URL map: every POST route whose form carries no version token (an optimistic lock
answers a stale edit by itself) is sent twenty times at the same moment, by real threads through the live
server, as one role of its audience, then once more alone. The body is the form its pages show (read as a
browser would), completed by ``FILL`` where an empty form would only be refused. Then:

- no answer is a 500, every answer is a success or a clear refusal;
- where one more request, sent alone after the race, adds rows (a write that appends: a note, a
  version), the race added those rows once for every success: no save confirmed to the user and lost.
  Where it adds none (one result and refusals, or an idempotent outcome), a 500 is what the race catches.
"""

from __future__ import annotations

import io
import threading
import uuid
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from club.extensions import db
from club.permissions import PUBLIC
from tests.conftest import live_request, session_cookie
from tests.walk import (
    Form,
    add_staff,
    allowed,
    build_url,
    path_of,
    post_forms,
    routes,
    sign_in,
    user_of,
)

RACERS = 20
ORDER = ["admin", "secretariat", "partner", "member", "applicant"]
OK = {200, 302, 303, 400, 404, 409, 422}

# Values completing a form whose rendered state is empty (a creation form), so the race is on a write.
FILL: dict[str, dict[str, str]] = {
    "members.contact_new": {"contact-name": "Nadia Alaoui", "contact-is_primary": "y",
                            "contact-email": "nadia.alaoui@saccom.example"},
    "members.dues": {"dues-year": "2031", "dues-amount": "5000.00"},  # a year not yet recorded
    "members.new": {"name": "Oujda Contact Center", "kind": "call_center"},
    "members.commitment_new": {"commitment-jobs_announced": "50"},
    "members.document_new": {"document-title": "Convention signée", "document-kind": "convention"},
    "segments.tags": {"name": "Relance décembre"},
    "members.tiers": {"name": "Membre bienfaiteur", "annual_fee": "5000", "period_months": "12"},
    "members.membership_end": {"reason": "Départ de la région"},
    "deals.add_note": {"body": "Relancer FIRO"},
    "deals.add_comment": {"body": "Avis favorable"},
    "incubator.message": {"body": "Merci pour votre dossier"},
    # The same person enrolled 20 times at once: one enrolment, the others refused as duplicates.
    "activities.new": {"subject": "Appel de suivi", "kind": "call", "occurred_on": "2026-12-01"},
    "programmes.beneficiary_new": {"name": "Yasmine Kaddouri", "birth_year": "2003", "gender": "female",
                                   "consent": "y", "consent_on": "2026-01-05"},
    "mailings.new": {"subject_fr": "Invitation", "body_fr": "Bonjour {contact_name}"},
}

# Found instances that their domain fixes (issue 9): the lead empties this set once every branch is
# merged. A listed endpoint that passes on PostgreSQL fails the test, so the set cannot go stale (SQLite
# takes one writer at a time, so some races only show on PostgreSQL).
# (Adding a primary contact, dues for the same year and a contact with the same name answered 500 here:
# a write that loses such a race is now refused with a 409 by club/core/errors.py.)
KNOWN_BROKEN: set[str] = set()

# Routes whose effect on another request makes the race meaningless or harmful to the rest of the walk.
NOT_RACED = {
    "auth.logout": "ends the session the other racers use",
    "core.language": "changes only the session",
    # Its one form carries the target's version (skipped below anyway); raced with the version in
    # tests/reports/test_target.py (one save, nineteen 409s, no 500).
    "reports.target": "the jobs target's form is versioned: raced in tests/reports/test_target.py",
}


def role_for(access) -> str | None:
    if access == PUBLIC:
        return None
    return next(role for role in ORDER if allowed(access, role))


def _targets():
    for rule, access in routes():
        if "POST" in rule.methods and access is not None and rule.endpoint not in NOT_RACED:
            yield rule, role_for(access)


def _blueprint(rule) -> str:
    return rule.endpoint.split(".")[0]


def encode(form: Form, fill: dict) -> tuple[bytes, str]:
    """The form's fields, as a browser encodes them (multipart when the form sends files)."""
    pairs = [(k, v) for k, v in form.pairs() if k not in fill and k]
    pairs += [(k, v) for k, v in fill.items() if k]
    files = [c.name for c in form.controls if c.kind == "file"]
    if not files and "multipart" not in form.enctype:
        return urlencode(pairs).encode(), "application/x-www-form-urlencoded"
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in pairs:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name in files:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="deck.pdf"\r\n'
                  f"Content-Type: application/pdf\r\n\r\n".encode())
        out.write(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def counts() -> dict[str, int]:
    db.session.expire_all()
    with db.engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in db.metadata.sorted_tables}


def race(url: str, cookie: str, body: bytes, content_type: str, racers: int) -> list[int]:
    barrier = threading.Barrier(racers)
    statuses: list[int] = []
    lock = threading.Lock()

    def racer():
        barrier.wait(timeout=30)
        response = live_request(url, cookie=cookie, data=body, headers={"Content-Type": content_type}, timeout=60)
        with lock:
            statuses.append(response.status)

    threads = [threading.Thread(target=racer) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return statuses


def _forms_shown(app, client, role) -> dict[str, Form]:
    found: dict[str, Form] = {}
    for rule, access in routes():
        if "GET" not in rule.methods or not (allowed(access, role) if role else access == PUBLIC):
            continue
        url = build_url(app, rule)
        page = client.get(url)
        if page.status_code == 200 and "html" in page.content_type:
            for form in post_forms(page.get_data(as_text=True), "http://localhost" + url):
                found.setdefault(path_of(form.action), form)
    return found


PARAMS = sorted({(role, _blueprint(rule)) for rule, role in _targets()}, key=lambda p: (p[0] or "", p[1]))


# Two racers deleting the same row: SQLAlchemy warns that the loser deleted nothing, then refuses it (409).
# In production that warning is a log line; here ``filterwarnings = error`` would turn it into a 500.
@pytest.mark.filterwarnings("ignore:DELETE statement on table:sqlalchemy.exc.SAWarning")
@pytest.mark.parametrize(("role", "blueprint"), [pytest.param(r, b, id=f"{r or 'anonymous'}-{b}") for r, b in PARAMS])
def test_twenty_identical_writes_at_once(app, demo_world, factories, live_server, role, blueprint):
    add_staff(factories)
    db.session.commit()
    cookie = session_cookie(app, user_of(db, role) if role else None)
    shown = _forms_shown(app, sign_in(app, db, role), role)
    failures, raced = [], 0
    for rule, target_role in _targets():
        if target_role != role or _blueprint(rule) != blueprint:
            continue
        url = build_url(app, rule)
        form = shown.get(url) or Form(action=url, method="post", enctype="", id=None, controls=[])
        if any(c.name.endswith("version") and c.value for c in form.controls):
            continue  # a version token: a stale write is refused by the optimistic lock (tested per domain)
        form.controls = [c for c in form.controls if not c.name.endswith("csrf_token")]
        body, content_type = encode(form, FILL.get(rule.endpoint, {}))
        start = counts()
        statuses = race(live_server + url, cookie, body, content_type, RACERS)
        after_race = counts()
        solo = live_request(live_server + url, cookie=cookie, data=body, headers={"Content-Type": content_type})
        one = {t: n - after_race[t] for t, n in counts().items()}  # what one more request adds now
        raced += 1
        problems = []
        where = f"POST {url} ({rule.endpoint}) ×{RACERS}"
        successes = sum(1 for s in statuses if s in (302, 303))
        if not set(statuses) <= OK:
            problems.append(f"statuses {sorted(statuses)}")
        if solo.status >= 500:
            problems.append(f"then alone: {solo.status}")
        if rule.endpoint in FILL and not successes:
            failures.append(f"{where}: the FILL body is always refused ({sorted(set(statuses))}): fix FILL")
        for table, before in start.items():
            gained = after_race[table] - before
            if one[table] > 0 and gained != one[table] * successes:
                problems.append(f"{table} gained {gained} rows for {successes} successes, {one[table]} each")
        if rule.endpoint in KNOWN_BROKEN:
            if not problems and db.engine.dialect.name == "postgresql":
                failures.append(f"{where} passes: remove {rule.endpoint} from KNOWN_BROKEN")
        elif problems:
            failures.append(f"{where}: {problems}")
    assert raced > 0
    assert failures == [], "\n".join(failures)
