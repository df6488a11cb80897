"""The CSV import of beneficiaries: upload, preview with each row's errors, all or nothing, duplicates, French and
English headers, separators and encodings, hostile files (formula cells, a huge file, a wrong encoding): never a 500."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.extensions import db as database
from club.programmes.models import Beneficiary, Gender
from tests.conftest import text
from tests.programmes.test_beneficiaries import START, TODAY, count, make_person, url, world  # noqa: F401

DAY = (START + timedelta(days=2)).isoformat()
FR_DAY = (START + timedelta(days=2)).strftime("%d/%m/%Y")


def upload(client, programme, data: bytes, name="people.csv"):
    return client.post(url(programme, "/import"), data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def commit(client, programme, response, **extra):
    key = re.search(r'name="upload" type="hidden" value="([^"]+)"', text(response)).group(1)
    return client.post(url(programme, "/import/commit"), data={"upload": key, "action": "commit", **extra})


def english(rows, *, bom=True, sep=";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(["name", "birth_year", "age_band", "gender", "commune", "phone", "email", "consent_on",
                     "enrolled_on"])
    writer.writerows(rows)
    body = out.getvalue().encode("utf-8")
    return codecs.BOM_UTF8 + body if bom else body


GOOD_ROWS = [["Salma Bouazza", "2003", "", "F", "Jerada", "06 61 23 45 67", "salma@exemple.ma", DAY, DAY],
             ["Yassine El Amrani", "", "18-24", "H", "Touissit", "", "", DAY, DAY]]


def test_preview_then_commit(world, as_user):  # noqa: F811
    programme = world["programme"]
    client = as_user(world["lead"])
    preview = upload(client, programme, english(GOOD_ROWS))
    assert preview.status_code == 200
    assert "2 people will be enrolled" in text(preview)
    assert count(Beneficiary) == 0
    done = commit(client, programme, preview)
    assert done.status_code == 303
    people = {b.name: b for b in database.session.scalars(sa.select(Beneficiary))}
    assert set(people) == {"Salma Bouazza", "Yassine El Amrani"}
    assert people["Salma Bouazza"].phone == "+212661234567" and people["Salma Bouazza"].gender == Gender.FEMALE
    assert people["Yassine El Amrani"].age_band.value == "18_24"
    assert count(AuditEvent, AuditEvent.action == "beneficiary.import") == 2


def test_french_headers_commas_no_bom_and_windows_encoding(world, as_user):  # noqa: F811
    programme = world["programme"]
    client = as_user(world["lead"])
    body = ("Nom,Année de naissance,Genre,Commune,Téléphone,Date de consentement,Date d'inscription\r\n"
            f"Hajar Lahlou,2002,Femme,Aïn Bni Mathar,0661234568,{FR_DAY},{FR_DAY}\r\n")
    for data in (body.encode("utf-8"), body.encode("cp1252")):
        preview = upload(client, programme, data)
        assert "1 person will be enrolled" in text(preview), text(preview)[:3000]
    assert commit(client, programme, preview).status_code == 303
    assert count(Beneficiary, Beneficiary.commune == "Aïn Bni Mathar") == 1


def test_one_wrong_row_imports_nothing(world, as_user):  # noqa: F811
    programme = world["programme"]
    client = as_user(world["lead"])
    rows = GOOD_ROWS + [["Sans Consentement", "2001", "", "F", "", "", "", "", DAY],
                        ["Trop Jeune", str(TODAY.year - 8), "", "F", "", "", "", DAY, DAY],
                        ["Avant Début", "2001", "", "F", "", "", "", DAY, (START - timedelta(days=3)).isoformat()],
                        ["Mauvais Genre", "2001", "", "X", "", "12", "pas@", DAY, DAY]]
    preview = upload(client, programme, english(rows))
    page = text(preview)
    assert "errors: nothing is imported" in page
    assert "row 4, column consent_on: missing: a beneficiary without consent cannot be imported" in page
    assert "row 5, column birth_year: Born in" in page
    assert "row 6, column enrolled_on: The enrolment cannot come before the programme's start" in page
    assert "row 7, column gender: unknown value" in page
    assert "Import the file" not in page
    refused = commit(client, programme, preview)
    assert refused.status_code == 422
    assert count(Beneficiary) == 0 and count(AuditEvent) == 0


def test_duplicates_in_the_file_and_in_the_programme(world, as_user):  # noqa: F811
    programme = world["programme"]
    make_person(programme, "Salma Bouazza", birth_year=2003)
    client = as_user(world["lead"])
    rows = GOOD_ROWS + [["YASSINE el amrani", "", "18_24", "m", "", "", "", DAY, DAY]]
    page = text(upload(client, programme, english(rows)))
    assert "row 2, column name: already enrolled in this programme" in page
    assert "row 4, column name: the same person as row 3" in page
    assert count(Beneficiary) == 1


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "not a CSV file"),
    ("name;birth_year\r\n".encode("utf-16-le") + b"\x00\x00\xff\xfe", "not"),
    (b"\xff\xfe\x00\x00garbage\x00\x00", "not"),
    (b"nom;couleur\r\nx;y\r\n", "Unknown columns: couleur"),
    (b"name;gender\r\n", "no rows"),
])
def test_hostile_files_are_refused_at_the_file_field(world, as_user, data, message):  # noqa: F811
    response = upload(as_user(world["lead"]), world["programme"], data)
    assert response.status_code in (200, 422)
    assert message in text(response)
    assert count(Beneficiary) == 0


def test_a_huge_file_is_refused(world, as_user, configured):  # noqa: F811
    row = "Nom Prénom;2001;;F;Jerada;;;" + DAY + ";" + DAY + "\r\n"
    data = english([]) + (row * 20_001).encode()
    with configured(MAX_CONTENT_LENGTH=64 * 1024 * 1024, UPLOAD_MAX_SIZE=32 * 1024 * 1024):
        response = upload(as_user(world["lead"]), world["programme"], data)
    assert response.status_code in (413, 422)
    assert count(Beneficiary) == 0


def test_formula_cells_are_data_never_formulas(app, world, as_user):  # noqa: F811
    programme = world["programme"]
    client = as_user(world["lead"])
    rows = [['=HYPERLINK("http://evil";"x")', "2001", "", "F", "+cmd", "", "", DAY, DAY]]
    preview = upload(client, programme, english(rows))
    assert commit(client, programme, preview).status_code == 303
    export = client.get(url(programme, ".csv")).get_data(as_text=True)
    assert "'=HYPERLINK" in export and "'+cmd" in export


def test_the_template_imports_as_it_is(world, as_user):  # noqa: F811
    programme = world["programme"]
    client = as_user(world["lead"])
    template = client.get(url(programme, "/import/template.csv")).data
    data = template.replace(b"2026-09-01", DAY.encode()).replace(b"01/09/2026", FR_DAY.encode())
    assert "2 people will be enrolled" in text(upload(client, programme, data))


def test_the_page_documents_the_columns(world, as_user):  # noqa: F811
    page = text(as_user(world["lead"]).get(url(world["programme"], "/import")))
    for column in ("name", "birth_year", "age_band", "gender", "commune", "phone", "email", "consent_on",
                   "enrolled_on", "date_de_consentement"):
        assert f"<code>{column}</code>" in page
