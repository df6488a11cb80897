"""Audit trails speak the reader's language: every action, field and value recorded has a label in French and
English, and every timeline of the demo world (plus a day of ordinary work) reads without a raw code."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from club.core import audit
from club.core.models import AuditEvent
from club.core.registry import registry

CLUB = Path(__file__).resolve().parents[2] / "club"
ACTION_CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


# ---------------------------------------------------------------------------------------------------------------
# What the code records, read from the source: every ``record("...")`` call, with the fields its changes carry.

def _strings(node) -> list[str]:
    """String constants an expression may evaluate to (``"a" if x else "b"`` gives both)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _is_record(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "record" and isinstance(func.value, ast.Name)
            and func.value.id == "audit") or (isinstance(func, ast.Name) and func.id == "record")


def _is_diff(call: ast.Call) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr == "diff" and isinstance(func.value, ast.Name) \
        and func.value.id == "audit"


def _names(node, constants: dict[str, list[str]]) -> set[str]:
    """Field names in a tuple/list literal, a module constant, ``[*CONSTANT, "x"]`` or ``[f for f in CONSTANT ...]``."""
    if isinstance(node, ast.Name):
        return set(constants.get(node.id, []))
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        found = set()
        for item in node.elts:
            found |= _names(item.value, constants) if isinstance(item, ast.Starred) else set(_strings(item))
        return found
    if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
        return _names(node.generators[0].iter, constants)
    return set()


def _dict_keys(node, constants) -> set[str]:
    keys = set()
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # **other
                keys |= _dict_keys(value, constants)
            else:
                keys |= set(_strings(key))
    elif isinstance(node, ast.DictComp):
        keys |= _names(node.generators[0].iter, constants)
    return keys


def _changes_keys(function: ast.FunctionDef, constants) -> set[str]:
    """Fields a function may put in ``changes``: literals, ``changes[...] =``, ``audit.diff(x, FIELDS)``."""
    fields: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and _is_diff(node) and len(node.args) > 1:
            fields |= _names(node.args[1], constants)
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                        and target.value.id == "changes":
                    fields |= set(_strings(target.slice))
                if isinstance(target, ast.Name) and target.id == "changes":
                    fields |= _dict_keys(node.value, constants)
    return fields


def recorded_in_code() -> dict[str, set[str]]:
    """``{action: field names}`` for every audit event the package records."""
    modules = {path: ast.parse(path.read_text(encoding="utf-8")) for path in CLUB.rglob("*.py")}
    # Strings passed to a parameter, by name or by position (an action handed down to ``set_password(action=...)``).
    parameters = {f.name: [a.arg for a in f.args.args] for tree in modules.values() for f in ast.walk(tree)
                  if isinstance(f, ast.FunctionDef)}
    keyword_values: dict[str, set[str]] = {}
    for tree in modules.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                passed = [(kw.arg, kw.value) for kw in node.keywords if kw.arg]
                passed += list(zip(parameters.get(name, []), node.args, strict=False))
                for param, value in passed:
                    codes = [s for s in _strings(value) if ACTION_CODE.match(s)]
                    keyword_values.setdefault(param, set()).update(codes)
    found: dict[str, set[str]] = {}
    unresolved = []
    for path, tree in modules.items():
        constants = {t.id: sorted(_names(node.value, {})) for node in tree.body if isinstance(node, ast.Assign)
                     for t in node.targets if isinstance(t, ast.Name)}
        functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
        own = {f.name: _changes_keys(f, constants) for f in functions}
        for function in functions:
            calls = [n for n in ast.walk(function) if isinstance(n, ast.Call) and _is_record(n) and n.args]
            if not calls:
                continue
            fields = set(own[function.name])
            for node in ast.walk(function):  # changes.update(_helper(...)): the helper's own keys
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update" \
                        and node.args and isinstance(node.args[0], ast.Call) \
                        and isinstance(node.args[0].func, ast.Name):
                    fields |= own.get(node.args[0].func.id, set())
            defaults = {a.arg: d for a, d in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True)
                        if d is not None}
            for call in calls:
                first = call.args[0]
                actions = _strings(first)
                if isinstance(first, ast.Name):
                    actions = _strings(defaults.get(first.id)) + sorted(keyword_values.get(first.id, ()))
                if not actions:
                    unresolved.append(f"{path.relative_to(CLUB)}:{call.lineno}")
                keys = set(fields)
                for kw in call.keywords:
                    if kw.arg == "changes":
                        keys |= _dict_keys(kw.value, constants)
                for action in actions:
                    found.setdefault(action, set()).update(keys)
    assert not unresolved, f"audit.record() with an action the test cannot read: {unresolved}"
    return found


def test_the_source_scan_finds_what_each_domain_records():
    recorded = recorded_in_code()
    for action in ("organization.updated", "deal.move", "incubator.application.move", "mission.register",
                   "user.password_reset", "user.deactivated", "dues.recorded"):
        assert action in recorded
    assert {"province", "languages", "trades", "headcount"} <= recorded["organization.updated"]
    assert {"stage", "drop_reason", "signed_on"} <= recorded["deal.move"]
    assert {"amount", "paid_on", "method", "year"} <= recorded["dues.recorded"]


def test_every_recorded_action_has_a_label_in_french_and_english(app):
    recorded = recorded_in_code()
    sample = {"created": [None, 3], "updated": [None, 1]}
    with app.test_request_context():
        missing = sorted(set(recorded) - audit.known_actions())
        assert not missing, f"actions without a label: {missing}"
        for action in recorded:
            with force_locale("en"):
                english = audit.action_label(action, sample)
            with force_locale("fr"):
                french = audit.action_label(action, sample)
            label = registry().action_label_map[action]
            assert english and french and action not in (english, french), (action, english, french)
            assert in_french_catalogue(label) if not callable(label) else english != french, (action, english)


def in_french_catalogue(label) -> bool:
    """Whether a lazy label has a French translation in the merged catalogues (same words count: "Province")."""
    from flask_babel import get_translations

    args = getattr(label, "_args", None)
    if not args:
        return False
    key = args[0] if len(args) == 1 else f"{args[0]}\x04{args[1]}"  # lazy_pgettext(context, message)
    with force_locale("fr"):
        return bool(get_translations()._catalog.get(key))


def test_every_recorded_field_has_a_label_in_french_and_english(app):
    unlabelled, untranslated = [], []
    with app.test_request_context():
        for action, fields in sorted(recorded_in_code().items()):
            for name in sorted(fields):
                spec = audit.field_spec(action, name)
                if spec is None:
                    unlabelled.append(f"{action} {name}")
                elif not spec.hidden and not in_french_catalogue(spec.label):
                    untranslated.append(f"{action} {name}: {spec.label}")
    assert not unlabelled, f"fields without a label: {unlabelled}"
    assert not untranslated, f"fields without a French label: {untranslated}"


# ---------------------------------------------------------------------------------------------------------------
# The presenter, on events written by hand.

def _event(action, changes, **extra):
    return SimpleNamespace(action=action, changes=changes, at=datetime(2026, 1, 30, 22, 59, 7, tzinfo=UTC), actor=None,
                           entity_type=extra.get("entity_type", "organizations"), entity_id=extra.get("entity_id"))


def _lines(entry) -> list[str]:
    return [c.text for c in entry.changes]


def test_values_read_as_words_money_and_dates(app):
    events = [
        _event("organization.updated", {"province": [None, "oujda_angad"], "languages": [["fr"], ["en", "fr"]],
                                        "headcount": [120, 1200], "archived_at": [None, "2026-01-30T22:59:07+00:00"]}),
        _event("deal.move", {"stage": ["screening", "due_diligence"], "signed_on": [None, "2020-07-10"]}),
        _event("deal.create", {"amount": [None, "1500000.00"], "kind": [None, "shareholders_pact"]}),
        _event("dues.recorded", {"year": [2026, 2026], "method": [None, "transfer"]}),
        _event("contact.updated", {"is_primary": [False, True]}),
    ]
    with app.test_request_context(), force_locale("fr"):
        entries = audit.present(events)
        assert entries[0].label == "Profil mis à jour"
        assert [line.replace("\u00a0:", " :") for line in _lines(entries[0])] == [
            "Province : Oujda-Angad", "Langues servies : Français → Anglais, Français", "Effectif : 120 → 1\u202f200",
            "Archivée le : 30/01/2026 23:59"]
        assert entries[1].label == "Dossier changé d'étape"
        assert _lines(entries[1]) == ["Étape\u00a0: Présélection → Audit préalable", "Signé le\u00a0: 10 juil. 2020"]
        assert _lines(entries[2]) == ["Montant\u00a0: 1\u202f500\u202f000,00\u00a0MAD", "Type\u00a0: Pacte d'associés"]
        assert _lines(entries[3]) == ["Année\u00a0: 2026", "Moyen de paiement\u00a0: Virement bancaire"]
        assert _lines(entries[4]) == ["Contact principal\u00a0: non → oui"]
    with app.test_request_context(), force_locale("en"):
        entries = audit.present(events)
        assert entries[0].label == "Profile updated"
        assert _lines(entries[0])[:3] == ["Province: Oujda-Angad", "Languages served: French → English, French",
                                          "Headcount: 120 → 1,200"]
        assert _lines(entries[1]) == ["Stage: Screening → Due diligence", "Signed on: 10 Jul 2020"]
        assert _lines(entries[2]) == ["Amount: 1,500,000.00\u00a0MAD", "Kind: Shareholders' pact"]
        assert _lines(entries[4]) == ["Primary contact: no → yes"]
    for entry in entries:
        for line in _lines(entry):
            assert not re.search(r"\d{4}-\d\d-\d\d|\['|_", line), line


def test_an_import_is_one_line_with_its_counts_in_plural_forms(app):
    with app.test_request_context():
        with force_locale("en"):
            assert audit.action_label("organization.imported", {"created": [None, 3], "updated": [None, 2]}) == \
                "Import: 3 created, 2 updated"
            assert audit.action_label("organization.imported", {"created": [None, 1], "updated": [None, 0]}) == \
                "Import: 1 created, 0 updated"
        with force_locale("fr"):
            assert audit.action_label("organization.imported", {"created": [None, 3], "updated": [None, 2]}) == \
                "Import\u00a0: 3 créées, 2 mises à jour"
            assert audit.action_label("organization.imported", {"created": [None, 1], "updated": [None, 1]}) == \
                "Import\u00a0: 1 créée, 1 mise à jour"
            assert audit.action_label("organization.import_file", {"created": 0, "updated": 4, "unchanged": 1}) == \
                "Import\u00a0: 0 créée, 4 mises à jour, 1 inchangée"
            entry = audit.present([_event("organization.imported", {"created": [None, 3], "updated": [None, 2]})])[0]
            assert entry.changes == []  # the counts are in the label, not repeated as fields


# ---------------------------------------------------------------------------------------------------------------
# Every timeline of the demo world, after a day of ordinary work, as the secretariat reads it in both languages.

RAW = [
    (re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b"), "snake_case code"),
    (re.compile(r"\b(?:organization|contact|membership|dues|jobs|deal|incubator|mission|members|user)\.[a-z_]+"),
     "action code"),
    (re.compile(r"\b\w+ · \w+ · \w+"), "code split by dots"),
    (re.compile(r"\d{4}-\d\d-\d\d"), "ISO date"),
    (re.compile(r"\d\d:\d\d:\d\d"), "seconds"),
    (re.compile(r"\+0000|\bUTC\b"), "time zone code"),
    (re.compile(r"\[['\"]|\{['\"]|\bNone\b|\bTrue\b|\bFalse\b|Decimal\("), "Python syntax"),
]
EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|\bwww\.\S+")


class _TimelineText(HTMLParser):
    """The text inside ``<ul class="timeline">`` elements."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []
        self.count = 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in ("br", "input", "img", "hr", "wbr")
        elif tag == "ul" and "timeline" in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.count += 1

    def handle_endtag(self, tag):
        if self.depth and tag not in ("br", "input", "img"):
            self.depth -= 1
            if not self.depth:
                self.parts.append("\n")

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def timeline_text(response) -> tuple[str, int]:
    parser = _TimelineText()
    parser.feed(response.get_data(as_text=True))
    return re.sub(r"[ \t\r\n]+", " ", "".join(parser.parts)).strip(), parser.count  # keeps no-break spaces


def a_day_of_work(db):
    """Events of every domain through their services, on the demo world (which writes few of its own)."""
    from club.auth import services as auth_services
    from club.auth.models import User
    from club.deals import services as deal_services
    from club.deals.models import Deal, Stage
    from club.incubator import services as incubator_services
    from club.incubator.models import Application, Status
    from club.members import importer
    from club.members import services as member_services
    from club.members.models import Language, MembershipStatus, Organization, PaymentMethod, Province, Trade
    from club.missions import services as mission_services
    from club.missions.models import Mission, MissionState

    sec = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    saccom = db.session.scalar(sa.select(Organization).where(Organization.name == "Saccom"))
    member_services.update_organization(saccom, {
        "province": Province.OUJDA_ANGAD, "headcount": 1200, "website": "https://saccom.example",
        "trades": [Trade(t) for t in sorted(v.value for v in Trade)[:2]],
        "languages": [Language.ENGLISH, Language.FRENCH]}, by=sec)
    contact = member_services.add_contact(saccom, {"name": "Hajar Lamrani", "title": "DRH", "email": "h.lamrani@saccom.example",
                                                   "phone": "+212600000000", "is_primary": False}, by=sec)
    member_services.update_contact(contact, {"is_primary": True, "title": "Directrice RH"}, by=sec)
    if saccom.membership is None:
        member_services.change_membership(saccom, MembershipStatus.ACTIVE, by=sec, note="Adhésion",
                                          tier=member_services.create_tier({"name": "Or", "annual_fee": Decimal(
                                              "15000")}, by=sec))
    from club.members.models import Dues

    dues = db.session.scalar(sa.select(Dues).where(Dues.organization_id == saccom.id, Dues.year == 2026))
    method = PaymentMethod(sorted(v.value for v in PaymentMethod)[0])
    if dues is None:
        member_services.record_dues(saccom, 2026, amount=Decimal("15000.00"), by=sec, invoiced_on=date(2026, 1, 15))
        db.session.flush()
        dues = db.session.scalar(sa.select(Dues).where(Dues.organization_id == saccom.id, Dues.year == 2026))
    member_services.update_dues(dues, {"amount": Decimal("12500.00"), "paid_on": date(2026, 2, 1), "method": method},
                                by=sec)
    commitment = member_services.add_commitment(saccom, jobs_announced=1000, by=sec, horizon=date(2027, 12, 31),
                                                source="Siccam 2020")
    member_services.add_job_report(commitment, reported_on=date(2026, 6, 30), jobs_created=420, by=sec)
    member_services.archive_organization(saccom, by=sec)
    member_services.restore_organization(saccom, by=sec)
    # The dues follow-up: a tier changed, a renewal (invoicing), the reminders, a membership ended.
    db.session.refresh(saccom)
    if saccom.membership.tier is not None:
        member_services.update_tier(saccom.membership.tier, {"annual_fee": Decimal("16000.00"), "period_months": 6},
                                    by=sec)
        member_services.renew_membership(saccom.membership, by=sec)
    member_services.remind_renewals(date.today(), by=None)
    siccam = db.session.scalar(sa.select(Organization).where(Organization.name == "Siccam"))
    if siccam is not None and siccam.membership is not None:
        member_services.end_membership(siccam, reason="Fin de l'adhésion", by=sec)
    check = importer.check(b"name,kind,province\nOujda Voice,call_center,oujda_angad\nSaccom,bpo,berkane\n")
    if check.ok:
        result = member_services.apply_import(check.rows, by=sec)
        audit.record("organization.import_file", None, by=sec, entity_type="stored_files", entity_id=1,
                     changes={"created": [None, result.created], "updated": [None, result.updated]})

    deal = db.session.scalar(sa.select(Deal).where(Deal.stage == Stage.SCREENING).order_by(Deal.id).limit(1)) or \
        db.session.scalar(sa.select(Deal).order_by(Deal.id).limit(1))
    deal_services.update_deal(deal, by=sec, version=deal.version, investor_ids=[o.id for o in deal.investors],
                              amount=Decimal("2750000.50"), stake=Decimal("12.5"), owner_id=sec.id, target_id=saccom.id,
                              next_step_due=date(2026, 3, 1), next_step="Visite du site")
    if deal.stage == Stage.SCREENING:
        deal_services.move_deal(deal, Stage.DUE_DILIGENCE, by=sec)
    deal_services.set_opinions_open(deal, not deal.opinions_open, by=sec)

    application = db.session.scalar(sa.select(Application).where(Application.status == Status.SUBMITTED)
                                    .order_by(Application.id).limit(1))
    if application is not None:
        incubator_services.move(application, Status.SCREENING, by=sec, version=application.version)
        partner = db.session.scalar(sa.select(User).where(User.email == "partner@firo.example"))
        reviews, _ = incubator_services.assign([application], partner, by=sec)
    founder = db.session.scalar(sa.select(User).where(User.email == "founder@startup.example"))
    draft = db.session.scalar(sa.select(Application).where(Application.applicant_id == founder.id,
                                                           Application.status == Status.DRAFT).limit(1))
    if draft is not None:
        incubator_services.save_draft(draft, version=draft.version, by=founder, consent=True,
                                      data={"province": "oujda_angad", "stage": "first_customers", "jobs_12m": 12})

    mission = db.session.scalar(sa.select(Mission).where(Mission.state == MissionState.OPEN).order_by(Mission.id)
                                .limit(1))
    data = mission_services.MissionData(
        title=mission.title, kind=mission.kind, destination=mission.destination, starts_at=mission.starts_at,
        ends_at=mission.ends_at + timedelta(hours=2), capacity=mission.capacity + 1, site=mission.site,
        objectives=mission.objectives, seats_per_organization=mission.seats_per_organization,
        registration_deadline=mission.registration_deadline, partner_ids=tuple(p.id for p in mission.partners))
    mission_services.update_mission(mission, data, version=mission.version, by=sec)
    mission_services.register(mission, contact, by=sec)
    mission_services.add_action(mission, task="Envoyer le compte rendu", owner_organization_id=saccom.id,
                                owner_name=None, due_on=date(2026, 4, 1), by=sec)
    mission_services.transition(mission, MissionState.CLOSED, by=sec)

    auth_services.change_access(founder, role=founder.role, is_admin=False, organization_id=saccom.id, by=sec)
    auth_services.set_active(founder, False, by=sec)
    auth_services.set_active(founder, True, by=sec)
    auth_services.update_profile(sec, name=sec.name, locale="en" if sec.locale == "fr" else "fr")
    db.session.commit()
    return SimpleNamespace(sec=sec, saccom=saccom, deal=deal, application=application, mission=mission,
                           founder=founder)


def timeline_pages(db) -> list[str]:
    """Every page that shows a timeline, for every object that has events."""
    from club.core.models import AuditEvent

    urls = ["/"]
    pattern = {"organizations": "/members/{}", "deals": "/deals/{}", "incubator_applications":
               "/incubator/applications/{}", "missions": "/missions/{}", "users": "/admin/users/{}"}
    for kind, ident in db.session.execute(sa.select(AuditEvent.entity_type, AuditEvent.entity_id).distinct()):
        if kind in pattern and ident is not None:
            urls.append(pattern[kind].format(ident))
    return sorted(set(urls))


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_timeline_of_the_demo_world_reads_without_raw_codes(app, demo_world, login_as, locale):
    from club.extensions import db

    world = a_day_of_work(db)
    world.sec.locale = locale
    db.session.commit()
    client = login_as(world.sec)
    registry(app).missing.clear()
    pages = timeline_pages(db)
    for prefix in ("/members/", "/deals/", "/incubator/applications/", "/missions/", "/admin/users/"):
        assert any(url.startswith(prefix) for url in pages), prefix
    shown = 0
    problems = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body, count = timeline_text(response)
        assert count >= 1 and body, f"{url} shows no timeline"
        shown += len(body)
        readable = EMAIL_OR_URL.sub(" ", body)
        for pattern, what in RAW:
            for match in pattern.finditer(readable):
                problems.append(f"{url}: {what} {match.group(0)!r} in …{readable[max(0, match.start() - 60):match.end() + 20]}…")
    assert not problems, "\n".join(problems[:40])
    assert not audit.missing_labels(), sorted(audit.missing_labels())
    assert shown > 2000

    saccom = client.get(f"/activities/organizations/{world.saccom.id}")  # the whole timeline, not its latest items
    text, _ = timeline_text(saccom)
    if locale == "fr":
        for expected in ("Profil mis à jour", "Langues servies\u00a0: Arabe, Anglais, Français → Anglais, Français",
                         "Montant\u00a0: 15\u202f000,00\u00a0MAD → 12\u202f500,00\u00a0MAD", "Année\u00a0: 2026",
                         "Emplois créés\u00a0: 0 → 420", "Contact principal\u00a0: non → oui", "Organisation archivée"):
            assert expected in text, (expected, text[:3000])
    else:
        for expected in ("Profile updated", "Languages served: Arabic, English, French → English, French",
                         "Amount: 15,000.00\u00a0MAD → 12,500.00\u00a0MAD", "Year: 2026",
                         "Jobs created: 0 → 420", "Primary contact: no → yes", "Organisation archived"):
            assert expected in text, (expected, text[:3000])


def test_the_dashboard_names_each_object_and_links_to_it(app, demo_world, login_as):
    from club.extensions import db

    world = a_day_of_work(db)
    world.sec.locale = "fr"
    db.session.commit()
    client = login_as(world.sec)
    html = client.get("/").get_data(as_text=True)
    body, count = timeline_text(client.get("/"))
    assert count == 1
    latest = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10)).all()
    assert {e.entity_type for e in latest} >= {"users"}
    assert f'href="/admin/users/{world.founder.id}"' in html
    assert world.founder.name in body
    # An earlier moment of the day, on the mission: its title, linked.
    db.session.add(AuditEvent(action="mission.state", entity_type="missions", entity_id=world.mission.id,
                              actor_id=world.sec.id, changes={"state": ["open", "closed"]}))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    body, _ = timeline_text(client.get("/"))
    assert f'href="/missions/{world.mission.id}"' in html
    assert f"Statut de la mission modifié · {world.mission.title}" in body
    assert "Statut\u00a0: Inscriptions ouvertes → Inscriptions closes" in body


def test_the_dashboard_does_not_name_what_the_reader_may_not_see(app, db, factories):
    from club.auth.models import User
    from club.incubator.models import Application

    with app.test_request_context():
        reader = SimpleNamespace(role="partner", is_authenticated=True, organization_id=None, id=-1, is_admin=False)
        event = SimpleNamespace(action="incubator.application.move", changes={"status": ["submitted", "screening"]},
                                at=datetime.now(UTC), actor=None, entity_type="incubator_applications",
                                entity_id=db.session.scalar(sa.select(sa.func.max(Application.id))) or 1)
        user_event = SimpleNamespace(action="user.activated", changes={}, at=datetime.now(UTC), actor=None,
                                     entity_type="users",
                                     entity_id=db.session.scalar(sa.select(sa.func.max(User.id))) or 1)
        entries = audit.present([event, user_event], subjects=True, user=reader)
        assert [(e.subject, e.url) for e in entries] == [(None, None), (None, None)]
