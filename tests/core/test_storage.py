from __future__ import annotations

import io
import zipfile

import pytest

from club.core.storage import UploadRefused, detect_kind, safe_display_name, store

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def test_kinds_are_judged_by_content():
    assert detect_kind(PDF) == "pdf"
    assert detect_kind(office("docx")) == "docx"
    assert detect_kind(office("xlsx")) == "xlsx"
    assert detect_kind(b"MZ\x90\x00 not a pdf") is None
    assert detect_kind(b"PK\x03\x04 broken zip") is None


def test_store_refuses_and_accepts(app, db, tmp_path):
    with pytest.raises(UploadRefused, match="wrong_kind"):
        store(b"<html>", "deck.pdf", kinds={"pdf"}, max_size=1000)
    with pytest.raises(UploadRefused, match="too_big"):
        store(PDF + b"x" * 100, "deck.pdf", kinds={"pdf"}, max_size=50)
    with pytest.raises(UploadRefused, match="empty"):
        store(b"", "deck.pdf", kinds={"pdf"}, max_size=50)
    stored = store(PDF, "../../etc/passwd.pdf", kinds={"pdf"}, max_size=1000)
    assert stored.original_name == "passwd.pdf"
    assert "/" not in stored.key and len(stored.key) == 32


def test_display_names_lose_paths_and_controls():
    assert safe_display_name("..\\..\\x.pdf", "pdf") == "x.pdf"
    assert safe_display_name('a"\r\nb.pdf', "pdf") == "ab.pdf"
    assert safe_display_name("", "pdf") == "document.pdf"


@pytest.mark.parametrize(("uploaded_as", "served_as"), [
    ("deck.html", "deck.pdf"),
    ("deck.PDF", "deck.pdf"),
    ("deck.pdf", "deck.pdf"),
    ("deck", "deck.pdf"),
    ("Rapport v1.2 final", "Rapport v1.2 final.pdf"),
    ("payload.svg", "payload.pdf"),
])
def test_a_download_is_named_by_its_checked_kind(app, db, uploaded_as, served_as):
    from club.core.storage import send_stored

    stored = store(PDF, uploaded_as, kinds={"pdf"}, max_size=1000)
    with app.test_request_context():
        response = send_stored(stored)
    disposition = response.headers["Content-Disposition"]
    response.close()
    assert disposition.startswith("attachment;")
    from werkzeug.http import parse_options_header

    kind, options = parse_options_header(disposition)
    assert options.get("filename") == served_as
    assert response.headers["Content-Type"] == "application/pdf"
