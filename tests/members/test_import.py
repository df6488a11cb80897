"""CSV import: preview with every row error, all-or-nothing commit, re-import updates, Excel-French files."""

from __future__ import annotations

import codecs
import io

import pytest
import sqlalchemy as sa

from club.members import importer
from club.members.models import Contact, Organization

HEADER = "name;kind;ice;city;province;trades;languages;email;phone;contact_name;contact_email;contact_phone\r\n"


def upload(client, data: bytes, name="members.csv"):
    return client.post("/members/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def commit(client, html: str):
    import re

    key = re.search(r'name="upload" type="hidden" value="([0-9a-f]+)"', html).group(1)
    return client.post("/members/import/commit", data={"upload": key})


@pytest.fixture()
def staff(factories, as_user):
    user = factories.UserFactory(role="secretariat")
    as_user(user)
    return user


def count(db, model=Organization):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_excel_french_file_in_windows_1252(client, staff, db):
    text = HEADER + ("Société Générale d'Appels;Centre d'appels;001234567000089;Oujda;Oujda-Angad;"
                     "Relation client|Télémarketing;Français|Espagnol;info@sga.ma;0536 11 22 33;"
                     "Hélène Dupré;h.dupre@sga.ma;06 61 22 33 44\r\n")
    response = upload(client, text.encode("cp1252"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="import-summary"' in html, html[-2000:]
    assert count(db) == 0  # nothing before the commit
    assert commit(client, html).status_code == 303
    org = db.session.scalar(sa.select(Organization))
    assert org.name == "Société Générale d'Appels" and org.kind.value == "call_center"
    assert org.province.value == "oujda_angad" and org.phone == "+212536112233"
    assert sorted(t.value for t in org.trade_values) == ["customer_relations", "telemarketing"]
    contact = db.session.scalar(sa.select(Contact))
    assert contact.name == "Hélène Dupré" and contact.is_primary and contact.phone == "+212661223344"
    assert "helene dupre" in org.search_text


def test_utf8_with_bom_and_commas(client, staff, db):
    text = "name,kind,city\r\nÉcole Numérique,startup,Nador\r\n"
    html = upload(client, codecs.BOM_UTF8 + text.encode()).get_data(as_text=True)
    assert commit(client, html).status_code == 303
    assert db.session.scalar(sa.select(Organization.name)) == "École Numérique"


def test_every_row_error_is_listed_and_nothing_is_saved(client, staff, db):
    rows = [f"Org {i};call_center;;Oujda;;;;org{i}@example.ma;;;;" for i in range(60)]
    rows[55] = "Org 55;call_center;;Oujda;;;;not-an-address;;;;"  # spreadsheet row 57
    rows[10] = "Org 10;spaceship;12;Oujda;;;;;12345;;;"
    rows[20] = "Org 5;call_center;;Oujda;;;;;;;x@y.ma;"
    html = upload(client, (HEADER + "\r\n".join(rows)).encode()).get_data(as_text=True)
    assert "row 57, email: not an address" in html
    assert "row 12, kind:" in html and "row 12, ice:" in html and "row 12, phone:" in html
    assert "row 22, name: same organisation as row 7" in html
    assert "row 22, contact_name:" in html
    assert 'name="upload"' not in html  # no commit button
    assert count(db) == 0


def test_reimport_updates_instead_of_duplicating(client, staff, db, factories):
    factories.OrganizationFactory(name="Saccom SARL", ice=None)
    text = HEADER + "SACCOM;bpo;001234567000089;Oujda;;;;;;Moulay Zine El Oudghiri;mz@saccom.ma;\r\n" \
                    "Nouvelle;startup;;Nador;;;;;;;;\r\n"
    html = upload(client, text.encode()).get_data(as_text=True)
    assert "1 organisations will be added and 1 updated" in html or "1 organisation" in html
    commit(client, html)
    assert count(db) == 2
    saccom = db.session.scalar(sa.select(Organization).where(Organization.name == "SACCOM"))
    assert saccom.ice == "001234567000089" and saccom.contacts[0].name == "Moulay Zine El Oudghiri"
    # the same file again: matched by ICE, then by name, nothing duplicated
    html = upload(client, text.encode()).get_data(as_text=True)
    assert commit(client, html).status_code == 303
    assert count(db) == 2 and count(db, Contact) == 1


@pytest.mark.parametrize("data, name, message", [
    (b"", "empty.csv", "The file is empty."),
    (b"%PDF-1.4 binary", "x.csv", "This is not a CSV file"),
    (b"PK\x03\x04\x00\x00zip", "x.csv", "This is not a CSV file"),
    (b"name;colour\r\nA;blue\r\n", "x.csv", "Unknown columns: colour"),
    (b"kind;city\r\nbpo;Oujda\r\n", "x.csv", "no “name” column"),
    (b"name;kind\r\n", "x.csv", "no rows"),
    (b"\x00\x01\x02\x03" * 10, "x.csv", "This is not a CSV file"),
])
def test_bad_files_get_a_clear_message(client, staff, db, data, name, message):
    response = upload(client, data, name)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(db) == 0


def test_too_big_file(client, staff, db, monkeypatch):
    monkeypatch.setattr(importer, "MAX_BYTES", 100)
    html = upload(client, b"name\r\n" + b"A name\r\n" * 50).get_data(as_text=True)
    assert "too big" in html
    assert count(db) == 0


def test_template_download_and_its_rows_import(client, staff, db):
    response = client.get("/members/import/template.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    check = importer.check(response.data)
    assert check.ok, check.errors


def test_commit_needs_the_uploader(client, staff, db, factories, as_user):
    html = upload(client, b"name\r\nSolo\r\n").get_data(as_text=True)
    as_user(factories.UserFactory(role="secretariat"))
    response = commit(client, html)
    assert response.status_code == 303 and response.headers["Location"].endswith("/members/import")
    assert count(db) == 0


def test_ten_thousand_rows_in_one_go(client, staff, db):
    lines = [f"Entreprise {i:05d};bpo;{i:015d};Oujda;berkane;hr_services;fr|en;e{i}@ex.ma;0536{i:06d};"
             f"Personne {i};p{i}@ex.ma;" for i in range(10_000)]
    data = (HEADER + "\r\n".join(lines)).encode()
    html = upload(client, data).get_data(as_text=True)
    assert "10000 organisations will be added" in html.replace("\u202f", "").replace(",", "") or \
        "10 000" in html or "10000" in html
    assert commit(client, html).status_code == 303
    assert count(db) == 10_000 and count(db, Contact) == 10_000
    org = db.session.scalar(sa.select(Organization).where(Organization.name == "Entreprise 00042"))
    assert org.phone == "+212536000042" and [t.value for t in org.trade_values] == ["hr_services"]
    assert "personne 42" in org.search_text
    # the same file again: everything matched, nothing duplicated
    html = upload(client, data).get_data(as_text=True)
    assert "0 organisations will be added and 10000 updated" in html
    response = commit(client, html)
    assert response.status_code == 303
    assert count(db) == 10_000 and count(db, Contact) == 10_000
