"""CSV import: an import never overwrites by guess (exact ICE, or a match the person ticked in a preview that names
the record and shows old -> new), never removes or replaces a contact, previews every row page by page with its
errors in line order, announces the counts the commit gives and records one audit event; Excel-French files."""

from __future__ import annotations

import codecs
import io
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from club.core.models import AuditEvent
from club.members import importer
from club.members.models import Contact, Organization
from tests.conftest import text

HEADER = "name;kind;ice;city;province;trades;languages;email;phone;contact_name;contact_email;contact_phone\r\n"


def upload(client, data: bytes, name="members.csv"):
    return client.post("/members/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


class _Form(HTMLParser):
    """The fields of the preview form (#import-form) as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.boxes: dict[str, str] = {}  # row number -> value of its tick box

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "import-form":
            self.inside = True
        elif tag == "input" and self.inside:
            if attrs.get("type") == "checkbox":
                self.boxes[attrs["id"].removeprefix("confirm-")] = attrs["value"]
                if "checked" in attrs:
                    self.fields.append((attrs["name"], attrs["value"]))
            elif attrs.get("name"):
                self.fields.append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def preview_form(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def submit(client, html: str, button=("action", "commit"), tick=(), untick=(), url="/members/import/commit"):
    """Send the preview form back as a browser does: its hidden fields, the ticked boxes, the pressed button."""
    form = preview_form(html)
    ticked = {v for k, v in form.fields if k == "confirm"}
    ticked |= {form.boxes[str(n)] for n in tick}
    ticked -= {form.boxes[str(n)] for n in untick}
    data = MultiDict([(k, v) for k, v in form.fields if k != "confirm"] + [("confirm", v) for v in sorted(ticked)]
                     + [button])
    return client.post(url, data=data)


def commit(client, html: str, tick=()):
    return submit(client, html, tick=tick)


@pytest.fixture()
def staff(factories, as_user):
    user = factories.UserFactory(role="secretariat")
    as_user(user)
    return user


def count(db, model=Organization):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_excel_french_file_in_windows_1252(client, staff, db):
    text = HEADER + ("Société Générale d'Appels;Centre d'appels;001234567000089;Oujda;Oujda-Angad;"
                     "Relation client|Télémarketing;Français|Espagnol;info@sga.ma;0536 68 22 33;"
                     "Hélène Dupré;h.dupre@sga.ma;06 61 22 33 44\r\n")
    response = upload(client, text.encode("cp1252"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="import-summary"' in html, html[-2000:]
    assert count(db) == 0  # nothing before the commit
    assert commit(client, html).status_code == 303
    org = db.session.scalar(sa.select(Organization))
    assert org.name == "Société Générale d'Appels" and org.kind.value == "call_center"
    assert org.province.value == "oujda_angad" and org.phone == "+212536682233"
    assert sorted(t.value for t in org.trade_values) == ["customer_relations", "telemarketing"]
    contact = db.session.scalar(sa.select(Contact))
    assert contact.name == "Hélène Dupré" and contact.is_primary and contact.phone == "+212661223344"
    assert "helene dupre" in org.search_text


def test_utf8_with_bom_and_commas(client, staff, db):
    text = "name,kind,city\r\nÉcole Numérique,startup,Nador\r\n"
    html = upload(client, codecs.BOM_UTF8 + text.encode()).get_data(as_text=True)
    assert commit(client, html).status_code == 303
    assert db.session.scalar(sa.select(Organization.name)) == "École Numérique"


def test_every_row_error_is_listed_in_line_order_and_nothing_is_saved(client, staff, db, factories):
    factories.OrganizationFactory(name="Intelcia", ice="001234567000089")
    factories.OrganizationFactory(name="Intelcia Oujda")
    rows = [f"Org {i};call_center;;Oujda;;;;org{i}@example.ma;;;;" for i in range(60)]
    rows[55] = "Org 55;call_center;;Oujda;;;;not-an-address;;;;"  # spreadsheet row 57
    rows[10] = "Org 10;spaceship;12;Oujda;;;;;12345;;;"
    rows[20] = "Org 5;call_center;;Oujda;;;;;;;x@y.ma;"
    rows[3] = "Intelcia Oujda;call_center;001234567000089;Oujda;;;;;;;;"  # Intelcia's ICE, another's name
    response = upload(client, (HEADER + "\r\n".join(rows)).encode())
    page = text(response)
    assert "row 57, column email: not an address" in page
    assert "row 12, column kind:" in page and "row 12, column ice:" in page and "row 12, column phone:" in page
    assert "row 22, column name: same organisation as row 7" in page
    assert "row 22, column contact_name:" in page
    assert "row 5, column name: Intelcia Oujda (#2) already has this name, with another ICE" in page
    errors = re.findall(r"<li>row (\d+), column ([a-z_]+):", page)
    assert [int(n) for n, _ in errors] == sorted(int(n) for n, _ in errors)  # line order
    assert [c for n, c in errors if n == "12"] == ["kind", "ice", "phone"]  # the file's column order
    assert 'value="commit"' not in page  # no import button
    assert len(re.findall(r'<tr id="import-row-', page)) == 50  # every row, page by page
    assert count(db) == 2


def test_a_name_shared_by_two_organisations_is_a_row_error(client, staff, db, factories):
    first = factories.OrganizationFactory(name="Groupe Alpha")
    second = factories.OrganizationFactory(name="Alpha SARL")
    db.session.commit()
    response = upload(client, b"name;city\r\nALPHA;Oujda\r\n")
    assert (f"row 2, column name: looks like several organisations (Groupe Alpha (#{first.id}), Alpha SARL "
            f"(#{second.id})): rename the row, or merge them first") in text(response)
    assert 'value="commit"' not in response.get_data(as_text=True)


def test_two_rows_never_update_one_organisation(client, staff, db, factories):
    factories.OrganizationFactory(name="Saccom", ice="001234567000089")
    db.session.commit()
    response = upload(client, b"name;ice;city\r\nZeta Services;001234567000089;Oujda\r\nSACCOM;;Nador\r\n")
    assert "row 3, column name: same organisation as row 2" in text(response)


def test_errors_name_the_columns_as_the_file_writes_them(client, staff, db):
    data = b"Nom;Courriel\r\nSaccom;pas-une-adresse\r\n"
    assert "row 2, column Courriel: not an address" in text(upload(client, data))


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
    assert "This file is too large" in html
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


def summary(html: str) -> list[str]:
    block = re.search(r'<ul id="import-summary">(.*?)</ul>', html, re.S).group(1)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", block, re.S)]


def numbers(lines: list[str]) -> list[int]:
    return [int(re.match(r"[\d\s\u202f\u00a0,]+", line).group(0).replace(",", "").replace("\u202f", "")
                .replace("\u00a0", "").replace(" ", "")) for line in lines]


def flashed(client) -> str:
    return text(client.get("/members/"))


def import_events(db):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "organization.imported")
                                   .order_by(AuditEvent.id)))


def saccom_state(db):
    db.session.expire_all()
    saccom = db.session.scalar(sa.select(Organization).where(Organization.name_key == "saccom"))
    return ({k: getattr(saccom, k) for k in ("name", "kind", "ice", "website", "phone", "description")},
            sorted(t.value for t in saccom.trade_values),
            sorted((c.name, c.title, c.email, c.phone, c.is_primary) for c in saccom.contacts), saccom.version)


SACCOM_ROW = ("name;kind;ice;website;phone;description;trades;contact_name;contact_title;contact_email\r\n"
              "SACCOM SARL;call_center;001234567000089;https://saccom-sarl.example;0536 68 77 88;"
              "Centre d'appels généraliste.;telemarketing;Karim Haddou;Directeur;k.haddou@saccom-sarl.example\r\n")


def test_saccom_sarl_never_overwrites_saccom_by_guess(client, demo_world, factories, as_user):
    """The case found: "SACCOM SARL" renamed Saccom, changed its kind, ICE, website, phone, description and trades,
    and replaced its CEO contact, with a preview that said only "update"."""
    db = demo_world
    as_user(factories.UserFactory(role="secretariat"))
    before = saccom_state(db)
    saccom_id = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Saccom"))
    assert ("Moulay Zine El Oudghiri", "PDG", "mz.eloudghiri@saccom.example", "+212661000203", True) in before[2]
    orgs = count(db)
    response = upload(client, SACCOM_ROW.encode())
    html, page = response.get_data(as_text=True), text(response)
    # The preview names the record, shows each field old -> new and what happens to the contacts.
    row = re.search(r'<tr id="import-row-2" data-status="confirm".*?</tr>', page, re.S).group(0)
    assert f"Update Saccom (#{saccom_id}) with this row" in re.sub(r"<[^>]+>", "", row) and 'type="checkbox"' in row
    assert f'href="/members/{saccom_id}"' in row
    assert "Name kept: Saccom" in row
    for label, old, new in [("Kind", "BPO", "Call centre"), ("ICE", "—", "001234567000089"),
                            ("Website", "https://www.saccom.example", "https://saccom-sarl.example"),
                            ("Phone", "+212536000103", "+212536687788"),
                            ("Trades", "Document management, HR services", "Telemarketing")]:
        assert re.search(rf"{label}</span>: <del>{re.escape(old)}</del> → <ins>{re.escape(new)}</ins>", row), label
    assert "Centre d'appels généraliste." in row
    assert ("Contact Karim Haddou added beside the existing contacts; Moulay Zine El Oudghiri stays the primary "
            "contact.") in row
    assert summary(html)[-1].startswith("1 row looks like an organisation of the register")
    # Import without the tick: a row error, nothing is saved.
    refused = submit(client, html)
    assert refused.status_code == 422
    assert f"row 2, column name: looks like Saccom (#{saccom_id}): confirm or rename" in text(refused)
    assert saccom_state(db) == before and import_events(db) == []
    # Ticked: exactly the changes shown, the name and every contact kept, the new person beside them.
    done = commit(client, refused.get_data(as_text=True), tick=[2])
    assert done.status_code == 303
    fields, trades, contacts, _ = saccom_state(db)
    assert fields == {"name": "Saccom", "kind": before[0]["kind"].__class__("call_center"), "ice": "001234567000089",
                      "website": "https://saccom-sarl.example", "phone": "+212536687788",
                      "description": "Centre d'appels généraliste."}
    assert trades == ["telemarketing"]
    assert count(db) == orgs
    assert contacts == sorted(before[2] + [("Karim Haddou", "Directeur", "k.haddou@saccom-sarl.example", None,
                                            False)])
    assert "Import done: 0 organisations added, 1 updated, 0 unchanged, 1 contact added." in flashed(client)


def test_the_register_export_imports_back_changing_nothing(client, demo_world, factories, as_user):
    """Exported, then imported unchanged: every row matches its organisation and changes nothing, no tick asked."""
    db = demo_world
    # The demo's "ECA Group SARL" is a duplicate of "Eca groupe" on purpose (to merge): its row rightly stops an
    # import ("merge them first"); the round trip is of a register without duplicates.
    from club.members.demo import DUPLICATE

    db.session.execute(sa.delete(Organization).where(Organization.name == DUPLICATE))
    db.session.commit()
    as_user(factories.UserFactory(role="secretariat"))
    orgs, contacts = count(db), count(db, Contact)
    exported = client.get("/members/export.csv").data
    assert b"'+212" in exported and b"membership_status" in exported.split(b"\r\n", 1)[0]
    html = upload(client, exported).get_data(as_text=True)
    assert 'id="import-errors"' not in html
    assert numbers(summary(html)) == [0, 0, orgs, 0]
    assert commit(client, html).status_code == 303
    assert (count(db), count(db, Contact)) == (orgs, contacts)
    [event] = import_events(db)
    assert event.changes["unchanged"] == [None, orgs] and event.changes["updated"] == [None, 0]


def test_saccom_sarl_as_a_new_record_once_renamed(client, demo_world, factories, as_user):
    db = demo_world
    as_user(factories.UserFactory(role="secretariat"))
    before, orgs = saccom_state(db), count(db)
    html = upload(client, SACCOM_ROW.replace("SACCOM SARL", "Saccom Nador").encode()).get_data(as_text=True)
    assert summary(html)[0] == "1 new organisation will be added."
    assert commit(client, html).status_code == 303
    assert count(db) == orgs + 1 and saccom_state(db) == before


def test_an_exact_ice_updates_without_a_tick_and_shows_old_and_new(client, staff, db, factories):
    org = factories.OrganizationFactory(name="Intelcia", ice="001234567000089", city="Casablanca", headcount=300)
    html = upload(client, b"name;ice;city;headcount\r\nIntelcia Oujda;001234567000089;Oujda;350\r\n") \
        .get_data(as_text=True)
    row = re.search(r'<tr id="import-row-2" data-status="update".*?</tr>', html, re.S).group(0)
    assert f"Updates <a href=\"/members/{org.id}\">Intelcia (#{org.id})</a> (same ICE)" in row
    assert 'type="checkbox"' not in row
    assert "Name</span>: <del>Intelcia</del> → <ins>Intelcia Oujda</ins>" in row
    assert "City</span>: <del>Casablanca</del> → <ins>Oujda</ins>" in row
    assert "Headcount</span>: <del>300</del> → <ins>350</ins>" in row
    assert commit(client, html).status_code == 303
    db.session.expire_all()
    assert (org.name, org.city, org.headcount) == ("Intelcia Oujda", "Oujda", 350)


def test_a_tick_counts_only_for_the_record_and_version_it_named(client, staff, db, factories):
    org = factories.OrganizationFactory(name="Notoriety", city="Casablanca")
    db.session.commit()
    html = upload(client, b"name;city\r\nNOTORIETY SA;Oujda\r\n").get_data(as_text=True)
    org.headcount = 220  # someone edits the organisation after the preview was shown
    db.session.commit()
    refused = commit(client, html, tick=[2])
    assert refused.status_code == 422
    assert f"row 2, column name: looks like Notoriety (#{org.id}): confirm or rename" in text(refused)
    db.session.expire_all()
    assert org.city == "Casablanca"
    # The refused page shows the fresh comparison; ticking it there imports.
    assert commit(client, refused.get_data(as_text=True), tick=[2]).status_code == 303
    db.session.expire_all()
    assert (org.city, org.headcount, org.name) == ("Oujda", 220, "Notoriety")


def test_forged_ticks_are_ignored(client, staff, db, factories):
    org = factories.OrganizationFactory(name="Eca groupe", city="Casablanca")
    db.session.commit()
    html = upload(client, b"name;city\r\nECA;Oujda\r\n").get_data(as_text=True)
    key = re.search(r'name="upload" type="hidden" value="([0-9a-f]+)"', html).group(1)
    for forged in ([f"2:{org.id + 1}:1"], ["2:x:1", "<script>"], [f"3:{org.id}:1"]):
        response = client.post("/members/import/commit",
                               data=MultiDict([("upload", key), ("action", "commit")] + [("confirm", f) for f in forged]))
        assert response.status_code == 422
    db.session.expire_all()
    assert org.city == "Casablanca"


def test_an_import_never_removes_or_replaces_a_contact(client, staff, db, factories):
    org = factories.OrganizationFactory(name="Siccam", ice="001234567000089")
    db.session.add_all([
        Contact(organization=org, name="Rachid Fassi", name_key="rachid fassi", title="Commissaire", is_primary=True,
                phone="+212661000210"),
        Contact(organization=org, name="Laila Berrada", name_key="laila berrada", is_primary=False)])
    other = factories.OrganizationFactory(name="Apebi", ice="001234567000090")
    db.session.commit()
    data = ("name;ice;contact_name;contact_title;contact_phone\r\n"
            "Siccam;001234567000089;Omar Kettani;Délégué;0661000209\r\n"
            "Apebi;001234567000090;Omar Kettani;Délégué;0661000209\r\n").encode()
    html = upload(client, data).get_data(as_text=True)
    assert ("Contact Omar Kettani added beside the existing contacts; Rachid Fassi stays the primary contact."
            in text(upload(client, data)))
    assert "Contact Omar Kettani added as primary contact (the organisation has none)." in text(upload(client, data))
    assert summary(html)[3].startswith("2 contacts will be added")
    assert commit(client, html).status_code == 303
    db.session.expire_all()
    assert sorted((c.name, c.is_primary, c.phone) for c in org.contacts) == [
        ("Laila Berrada", False, None), ("Omar Kettani", False, "+212661000209"),
        ("Rachid Fassi", True, "+212661000210")]
    assert [(c.name, c.is_primary) for c in other.contacts] == [("Omar Kettani", True)]
    # The same person again (folded name): their details are updated, nobody is added.
    data = b"name;ice;contact_name;contact_phone\r\nSiccam;001234567000089;RACHID FASSI;0661999999\r\n"
    html = upload(client, data).get_data(as_text=True)
    assert "Contact RACHID FASSI, Phone</span>: <del>+212661000210</del> → <ins>+212661999999</ins>" in html
    assert commit(client, html).status_code == 303
    db.session.expire_all()
    assert sorted((c.name, c.is_primary, c.phone) for c in org.contacts)[2] == ("Rachid Fassi", True, "+212661999999")
    assert len(org.contacts) == 3


MIXED = HEADER + "\r\n".join([
    "Nouvelle A;startup;;Nador;;;;;;Amal Nour;;",                    # 2: new, with a contact
    "Nouvelle B;startup;;Nador;;;;;;;;",                             # 3: new
    "Intelcia;call_center;001234567000089;Oujda;;;;;;;;",            # 4: same ICE, unchanged
    "Notoriety SA;call_center;001234567000090;Berkane;;;;;;;;",      # 5: same ICE, city changes
    "SACCOM;bpo;;Oujda;;;;;;Nadia Amrani;;",                          # 6: looks like Saccom, a contact added
    "Eca;call_center;;Oujda;;;;;;;;",                                # 7: looks like Eca, nothing to change
    "FIRO SA;investor;;Oujda;;;;;;;;",                               # 8: looks like FIRO, kind changes
]) + "\r\n"


@pytest.fixture()
def register(factories, db):
    factories.OrganizationFactory(name="Intelcia", ice="001234567000089", city="Oujda")
    factories.OrganizationFactory(name="Notoriety", ice="001234567000090", city="Oujda")
    saccom = factories.OrganizationFactory(name="Saccom", kind="bpo", city="Oujda")
    db.session.add(Contact(organization=saccom, name="Moulay Zine El Oudghiri", name_key="moulay zine el oudghiri",
                           is_primary=True))
    factories.OrganizationFactory(name="Eca", city="Oujda")
    factories.OrganizationFactory(name="FIRO", city="Oujda")
    db.session.commit()


def test_the_counts_announced_are_the_counts_the_commit_gives(client, staff, db, register):
    html = upload(client, MIXED.encode()).get_data(as_text=True)
    statuses = re.findall(r'<tr id="import-row-(\d+)" data-status="(\w+)"', html)
    assert statuses == [("2", "new"), ("3", "new"), ("4", "unchanged"), ("5", "update"), ("6", "confirm"),
                        ("7", "unchanged"), ("8", "confirm")]
    assert numbers(summary(html)) == [2, 1, 2, 1, 2]
    # Count again with the ticks (the page button), then import: the announced counts are the result.
    recount = submit(client, html, button=("page", "1"), tick=[6, 8])
    assert recount.status_code == 200
    html = recount.get_data(as_text=True)
    assert numbers(summary(html)) == [2, 3, 2, 2]  # nothing waits for a tick any more
    orgs, contacts = count(db), count(db, Contact)
    assert submit(client, html).status_code == 303
    assert "Import done: 2 organisations added, 3 updated, 2 unchanged, 2 contacts added." in flashed(client)
    assert count(db) == orgs + 2 and count(db, Contact) == contacts + 2
    # One audit event for the whole import, with its counts (not one per row).
    [event] = import_events(db)
    assert event.entity_type == "stored_files"
    assert event.changes == {"created": [None, 2], "updated": [None, 3], "unchanged": [None, 2],
                             "contacts_added": [None, 2]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1


def test_an_unticked_match_refuses_the_whole_import(client, staff, db, register):
    html = upload(client, MIXED.encode()).get_data(as_text=True)
    orgs = count(db)
    refused = submit(client, html, tick=[6])
    assert refused.status_code == 422
    page = text(refused)
    assert "row 8, column name: looks like FIRO (#5): confirm or rename" in page
    assert "row 6, column name" not in page
    assert re.search(r'id="confirm-6"[^>]*checked', page)  # the tick is kept
    assert not re.search(r'id="confirm-8"[^>]*checked', page)
    assert count(db) == orgs and import_events(db) == []


def test_the_preview_shows_every_row_page_by_page_and_keeps_the_ticks(client, staff, db, factories):
    names = [f"Centre {i:03d}" for i in range(120)]
    orgs = {i: factories.OrganizationFactory(name=names[i], city="Oujda") for i in (5, 70, 115)}
    db.session.commit()
    data = ("name;city\r\n" + "".join(f"{n.upper()} SARL;Berkane\r\n" if i in orgs else f"{n};Berkane\r\n"
                                      for i, n in enumerate(names))).encode()
    html = upload(client, data).get_data(as_text=True)
    assert re.findall(r'<tr id="import-row-(\d+)"', html) == [str(n) for n in range(2, 52)]
    assert "page 1 of 3" in html and 'name="page" value="2"' in html
    html = submit(client, html, button=("page", "2"), tick=[7]).get_data(as_text=True)  # row 7: Centre 005
    assert re.findall(r'<tr id="import-row-(\d+)"', html) == [str(n) for n in range(52, 102)]
    html = submit(client, html, button=("page", "3"), tick=[72]).get_data(as_text=True)
    assert re.findall(r'<tr id="import-row-(\d+)"', html) == [str(n) for n in range(102, 122)]
    refused = submit(client, html)  # row 117 (Centre 115) is not ticked
    assert refused.status_code == 422
    page = text(refused)
    assert re.findall(r"<li>row (\d+), column", page) == ["117"]
    assert re.search(r'id="confirm-117"', page)  # the page that holds the error is shown
    assert submit(client, refused.get_data(as_text=True), tick=[117]).status_code == 303
    db.session.expire_all()
    assert [orgs[i].city for i in (5, 70, 115)] == ["Berkane"] * 3
    assert count(db) == 120


def test_tick_every_row_of_a_page_ticks_only_that_page(client, staff, db, factories):
    names = [f"Centre {i:03d}" for i in range(60)]
    orgs = {i: factories.OrganizationFactory(name=names[i], city="Oujda") for i in (1, 2, 3, 55)}
    db.session.commit()
    data = ("name;city\r\n" + "".join(f"{n} SA;Berkane\r\n" if i in orgs else f"{n};Berkane\r\n"
                                      for i, n in enumerate(names))).encode()
    html = upload(client, data).get_data(as_text=True)
    assert "Tick every row of this page" in html
    html = submit(client, html, button=("page", "1"), url="/members/import/commit?tick=page").get_data(as_text=True)
    assert [n for n in ("3", "4", "5") if re.search(rf'id="confirm-{n}"[^>]*checked', html)] == ["3", "4", "5"]
    assert numbers(summary(html))[1] == 3 and "1 row looks like an organisation" in html
    refused = submit(client, html)
    assert re.findall(r"<li>row (\d+), column", text(refused)) == ["57"]
    assert submit(client, refused.get_data(as_text=True), tick=[57]).status_code == 303
    db.session.expire_all()
    assert {orgs[i].city for i in orgs} == {"Berkane"}


def test_counts_are_plural_forms_in_french(client, db, factories, as_user, register):
    as_user(factories.UserFactory(role="secretariat"), locale="fr")
    data = (HEADER + "Notoriety;call_center;001234567000090;Berkane;;;;;;Hicham Lahlou;;\r\n").encode()
    html = upload(client, data).get_data(as_text=True)
    assert summary(html) == [
        "0 nouvelle organisation sera ajoutée.",
        "1 organisation sera mise à jour, avec les changements montrés ci-dessous.",
        "0 organisation est déjà à jour.",
        "1 contact sera ajouté (aucun contact n’est supprimé ni remplacé ; un contact principal existant le reste).",
    ]
    assert commit(client, html).status_code == 303
    page = flashed(client)
    assert "Import terminé : 0 organisation ajoutée, 1 mise à jour, 0 inchangée, 1 contact ajouté." in page
    assert "1 mises à jour" not in page


def test_the_preview_form_is_refused_without_its_token_but_keeps_the_ticks(app, client, staff, db, register):
    html = upload(client, MIXED.encode()).get_data(as_text=True)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = submit(client, html, tick=[6, 8])
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    page = text(response)
    assert "This form had expired" in page
    assert re.search(r'id="confirm-6"[^>]*checked', page) and re.search(r'id="confirm-8"[^>]*checked', page)
    assert import_events(db) == []


def test_ten_thousand_rows_in_one_go(client, staff, db):
    lines = [f"Entreprise {i:05d};bpo;{i:015d};Oujda;berkane;hr_services;fr|en;e{i}@ex.ma;0536{i:06d};"
             f"Personne {i};p{i}@ex.ma;" for i in range(10_000)]
    data = (HEADER + "\r\n".join(lines)).encode()
    html = upload(client, data).get_data(as_text=True)
    assert numbers(summary(html)) == [10_000, 0, 0, 10_000]
    assert commit(client, html).status_code == 303
    assert count(db) == 10_000 and count(db, Contact) == 10_000
    org = db.session.scalar(sa.select(Organization).where(Organization.name == "Entreprise 00042"))
    assert org.phone == "+212536000042" and [t.value for t in org.trade_values] == ["hr_services"]
    assert "personne 42" in org.search_text
    # the same file again: everything matched by ICE, nothing to change, nothing duplicated
    html = upload(client, data).get_data(as_text=True)
    assert numbers(summary(html)) == [0, 0, 10_000, 0]
    response = commit(client, html)
    assert response.status_code == 303
    assert count(db) == 10_000 and count(db, Contact) == 10_000
    assert [e.changes["created"][1] for e in import_events(db)] == [10_000, 0]


def test_hostile_import_forms_never_answer_500(client, staff, db, register):
    html = upload(client, MIXED.encode()).get_data(as_text=True)
    key = re.search(r'name="upload" type="hidden" value="([0-9a-f]+)"', html).group(1)
    for data in ({"upload": (io.BytesIO(b"x"), "a.csv"), "action": "commit"}, {"upload": "a" * 100_000},
                 {"upload": key, "page": "abc"}, {"upload": key, "page": "-1"}, {"upload": key, "page": "9" * 50},
                 {"upload": key, "page": (io.BytesIO(b"2"), "p.txt")}, {"upload": key, "confirm": "x" * 10_000},
                 {"upload": key, "confirm": (io.BytesIO(b"6:3:1"), "c.txt"), "action": "commit"}, {}):
        response = client.post("/members/import/commit", data=data, content_type="multipart/form-data")
        assert response.status_code in (200, 303, 400, 422), data  # a file in a text field is a 400
    for data in ({"file": "text instead of a file"}, {"file": ["a", "b"]}, {}):
        response = client.post("/members/import", data=data, content_type="multipart/form-data")
        assert response.status_code == 200 and "Choose a CSV file." in text(response)
    assert import_events(db) == [] and count(db) == 5


def test_a_clash_during_the_commit_saves_nothing_and_keeps_the_ticks(client, staff, db, register, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from club.members import services

    real = services.apply_import

    def clashing(rows, **kwargs):
        real(rows, **kwargs)  # everything written and flushed, then someone else's save wins the race
        raise StaleDataError("organizations: 1 row expected, 0 matched")

    monkeypatch.setattr(services, "apply_import", clashing)
    html = upload(client, MIXED.encode()).get_data(as_text=True)
    orgs = count(db)
    response = submit(client, html, tick=[6, 8])
    assert response.status_code == 409
    page = text(response)
    assert "The register changed while importing: nothing was saved. Check the preview again." in page
    assert re.search(r'id="confirm-6"[^>]*checked', page) and re.search(r'id="confirm-8"[^>]*checked', page)
    assert count(db) == orgs and import_events(db) == []


def test_a_match_with_an_archived_organisation_says_so(client, staff, db, factories):
    from club.models import utcnow

    factories.OrganizationFactory(name="Ancien Centre", ice="001234567000089", archived_at=utcnow())
    db.session.commit()
    html = upload(client, b"name;ice;city\r\nAncien Centre;001234567000089;Nador\r\n").get_data(as_text=True)
    row = re.search(r'<tr id="import-row-2" data-status="update".*?</tr>', html, re.S).group(0)
    assert '<span class="badge text-bg-secondary">archived</span>' in row
