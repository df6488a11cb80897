from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask_babel import force_locale

from club.auth.models import User
from club.config import ROOT
from club.formats import datetime_filter, money
from tests.conftest import text

CATALOGUE = ROOT / "club" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted(tmp_path: Path) -> Catalog:
    """The messages of the sources, extracted as ``make extract-messages`` does (babel.cfg, the Makefile's
    keywords)."""
    keywords = re.search(r"^BABEL_KEYWORDS := (.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()
    template = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), *keywords,
                                "--ignore-dirs", ".*", "-o", str(template), str(ROOT)])
    with open(template, "rb") as fh:
        return read_po(fh)


def translation_problems(template: Catalog, catalogue: Catalog) -> list[str]:
    found = []
    for message in template:
        if not message.id:
            continue
        translated = catalogue.get(message.id, context=message.context)
        label = message.id if isinstance(message.id, str) else message.id[0]
        if translated is None:
            found.append(f"not in the catalogue: {label!r}")
            continue
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if translated.fuzzy or not all(strings):
            found.append(f"not translated: {label!r}")
            continue
        if isinstance(message.id, tuple) != isinstance(translated.id, tuple):
            found.append(f"plural in one, not the other: {label!r}")
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) - wanted or (len(ids) == 1 and set(PLACEHOLDER.findall(string)) != wanted):
                found.append(f"placeholders differ: {label!r}")
                break
    return found


def test_every_message_is_translated_into_french(tmp_path):
    with open(CATALOGUE, "rb") as fh:
        catalogue = read_po(fh, locale="fr")
    template = extracted(tmp_path)
    assert len(template) > 1000  # the extraction found the sources (a wrong mapping finds nothing)
    assert any("templates/_macros/forms.html" in path for m in template for path, _ in m.locations)
    assert translation_problems(template, catalogue) == []


def test_the_check_finds_a_missing_or_untranslated_message(tmp_path):
    template, catalogue = Catalog(), Catalog(locale="fr")
    template.add("Deals")
    template.add(("%(num)s deal", "%(num)s deals"))
    template.add("Hello %(name)s")
    catalogue.add("Deals", "")
    catalogue.add("Hello %(name)s", "Bonjour %(nom)s")
    assert translation_problems(template, catalogue) == [
        "not translated: 'Deals'", "not in the catalogue: '%(num)s deal'", "placeholders differ: 'Hello %(name)s'"]


def test_a_visitor_switches_language_in_the_session(client):
    assert "Se connecter" in text(client.get("/auth/login"))
    response = client.post("/language", data={"locale": "en", "next": "/auth/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    page = text(client.get("/auth/login"))
    assert '<html lang="en"' in page and "Sign in" in page


def test_a_user_switch_is_kept_on_the_account(client, factories, login_as, db):
    user = factories.UserFactory()
    login_as(user)
    client.post("/language", data={"locale": "en", "next": "https://evil.example/"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    assert "Dashboard" in text(client.get("/"))


def test_the_language_switch_refuses_unknown_languages(client):
    client.post("/language", data={"locale": "xx"})
    assert '<html lang="fr"' in text(client.get("/auth/login"))


def test_amounts_in_mad_and_dates_in_casablanca(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert money(Decimal("1250000")).replace("\u202f", " ").replace("\xa0", " ") == "1 250 000,00 MAD"
            # 12:00 UTC in July is 13:00 in Casablanca (UTC+1).
            assert "13:00" in datetime_filter(datetime(2020, 7, 10, 12, 0, tzinfo=UTC))
        with force_locale("en"):
            assert money(Decimal("1250000")).replace("\xa0", " ") == "1,250,000.00 MAD"


def test_casablanca_time_after_2026_is_utc_plus_one(app, client):
    """Found: "30 janvier 2027, 22:59:00 +0000" -- pytz (Babel's default) reads Morocco's rules only to 2026."""
    from club.core.timezones import to_local, to_utc

    moment = datetime(2027, 1, 30, 21, 59, tzinfo=UTC)  # 22:59 in Casablanca (UTC+1; Ramadan 2027 is in February)
    with app.test_request_context():
        with force_locale("fr"):
            assert datetime_filter(moment, "short") == "30/01/2027 22:59"
            from club.formats import date_filter, time_filter

            assert date_filter(datetime(2027, 1, 30, 23, 30, tzinfo=UTC), "short") == "31/01/2027"  # the next day there
            assert time_filter(moment) == "22:59"
    assert to_local(moment) == datetime(2027, 1, 30, 22, 59)
    assert to_utc(datetime(2027, 1, 30, 22, 59)) == moment


def test_one_date_format_per_locale_without_seconds_or_offset(app):
    from datetime import date

    from club.formats import date_filter

    moment = datetime(2020, 1, 30, 22, 59, 0, tzinfo=UTC)  # 23:59 in Casablanca (UTC+1 then)
    with app.test_request_context():
        with force_locale("fr"):
            shown = {fmt: datetime_filter(moment, fmt) for fmt in ("short", "medium", "long", "full")}
            assert shown["short"] == "30/01/2020 23:59"
            assert shown["medium"] == "30 janv. 2020, 23:59"
            assert shown["long"] == "30 janvier 2020 à 23:59"
            assert datetime_filter(moment) == shown["medium"]
            assert date_filter(date(2026, 12, 1), "short") == "01/12/2026"
        with force_locale("en"):
            assert datetime_filter(moment, "short") == "30 Jan 2020, 23:59"
            assert datetime_filter(moment, "long") == "30 January 2020, 23:59"
            assert date_filter(date(2026, 12, 1), "short") == "1 Dec 2026"  # never "12/1/26"
            assert date_filter(date(2026, 12, 1)) == "1 Dec 2026"
        for locale in ("fr", "en"):
            with force_locale(locale):
                for fmt in ("short", "medium", "long", "full", "EEEE d MMMM y, HH:mm:ss Z"):
                    value = datetime_filter(moment, fmt)
                    assert ":00" not in value.replace("23:59", "") and "+0" not in value and "UTC" not in value


def test_decimals_follow_the_locale(app):
    from club.formats import number

    with app.test_request_context():
        with force_locale("fr"):
            assert number(Decimal("3.7"), 2) == "3,70"
            assert number(1250).replace("\u202f", " ").replace("\xa0", " ") == "1 250"
        with force_locale("en"):
            assert number(Decimal("3.7"), 2) == "3.70"
            assert number(1250) == "1,250"


def test_whole_numbers_are_written_as_babel_writes_them(app):
    """``number`` writes a whole number without Babel's pattern machinery (a page writes hundreds): the same text."""
    from babel.numbers import format_decimal

    from club.formats import number

    values = [0, 7, -7, 999, 1000, -1000, 1250, 12_345, 999_999, 1_000_000, -3_000_000, 123_456_789_012]
    with app.test_request_context():
        for locale in ("fr", "en"):
            with force_locale(locale):
                assert [number(v) for v in values] == [format_decimal(v, locale=locale) for v in values]


def test_an_english_user_is_welcomed_in_english(client, factories):
    from tests.factories import PASSWORD

    factories.UserFactory(email="ann@club.example", name="Ann Lee", locale="en")
    response = client.post("/auth/login", data={"email": "ann@club.example", "password": PASSWORD},
                           follow_redirects=True)
    page = text(response)
    assert "Welcome, Ann Lee." in page and "Bienvenue" not in page
    assert "Oriental Offshoring Club — CRI de l'Oriental" in page and "Club de l'Offshoring" not in page


def test_registering_in_english_is_answered_in_english(client, db):
    response = client.post("/auth/register", data={"name": "Sam", "email": "sam@example.org",
                                                   "password": "a long passphrase ok",
                                                   "confirm": "a long passphrase ok", "locale": "en"},
                           follow_redirects=True)
    page = text(response)
    assert "Check your email" in page and "Vérifiez" not in page and '<html lang="en"' in page


def test_dashboard_counts_use_plural_forms(client, factories, login_as):
    login_as(factories.UserFactory(admin=True))
    page = text(client.get("/"))
    assert "Utilisateur du secrétariat<" in page and "Utilisateurs du secrétariat" not in page
    factories.UserFactory()
    page = text(client.get("/"))
    assert "Utilisateurs du secrétariat<" in page
