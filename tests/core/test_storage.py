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
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        with pytest.raises(UploadRefused, match=r"not of an accepted kind \(PDF\)") as refused:
            store(b"<html>", "deck.pdf", kinds={"pdf"}, max_size=1000, field="deck")
        assert (refused.value.reason, refused.value.field) == ("wrong_kind", "deck")
        with pytest.raises(UploadRefused, match="too large") as refused:
            store(PDF + b"x" * 100, "deck.pdf", kinds={"pdf"}, max_size=50)
        assert refused.value.reason == "too_big"
        with pytest.raises(UploadRefused, match="The file is empty") as refused:
            store(b"", "deck.pdf", kinds={"pdf"}, max_size=50)
        assert refused.value.reason == "empty"
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


def test_an_oversized_file_is_a_field_error_and_the_text_is_kept(database_url, tmp_path, db):
    """The shared validator: a per-file limit below MAX_CONTENT_LENGTH, so nothing typed is lost."""
    from flask import render_template_string
    from flask_wtf import FlaskForm
    from flask_wtf.file import FileField
    from wtforms import StringField, TextAreaField

    from club import create_app
    from club.core.storage import FileWithinLimit
    from club.permissions import public
    from tests.conftest import make_test_config, text

    config = make_test_config(database_url, tmp_path)
    config.update(UPLOAD_MAX_SIZE=3 * 1024 * 1024 // 2, MAX_CONTENT_LENGTH=4 * 1024 * 1024)
    app = create_app(config)

    class Form(FlaskForm):
        summary = TextAreaField("Summary")
        title = StringField("Title")
        deck = FileField("Deck", validators=[FileWithinLimit()])

    @app.route("/probe-upload", methods=["GET", "POST"])
    @public
    def probe_upload():
        form = Form()
        if form.validate_on_submit():
            return "saved"
        return render_template_string(
            '{% from "_macros/forms.html" import field %}{{ field(form.summary) }}{{ field(form.title) }}'
            '{{ field(form.deck) }}', form=form), 422

    client = app.test_client()
    typed = {"summary": "Three paragraphs typed by hand", "title": "Nador CX"}
    too_big = client.post("/probe-upload", data={**typed, "deck": (io.BytesIO(PDF + b"x" * 2 * 1024 * 1024), "deck.pdf")},
                          content_type="multipart/form-data")
    page = text(too_big)
    assert too_big.status_code == 422
    assert "Ce fichier est trop volumineux : 1,5 Mo au plus." in page
    assert "Three paragraphs typed by hand" in page and 'value="Nador CX"' in page
    fits = client.post("/probe-upload", data={**typed, "deck": (io.BytesIO(PDF), "deck.pdf")},
                       content_type="multipart/form-data")
    assert fits.get_data(as_text=True) == "saved"


def test_the_upload_limit_stays_below_the_request_limit(app):
    from club.core.storage import upload_max_size

    with app.app_context():
        assert upload_max_size() < app.config["MAX_CONTENT_LENGTH"]
        old = app.config["UPLOAD_MAX_SIZE"]
        app.config["UPLOAD_MAX_SIZE"] = app.config["MAX_CONTENT_LENGTH"] * 2
        try:
            assert upload_max_size() < app.config["MAX_CONTENT_LENGTH"]
        finally:
            app.config["UPLOAD_MAX_SIZE"] = old


def _files(app) -> set:
    from pathlib import Path

    root = Path(app.config["UPLOAD_FOLDER"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_a_file_stays_only_if_its_transaction_commits(app, db):
    from club.core.storage import StoredFile

    before = _files(app)
    store(PDF, "rolled-back.pdf", kinds={"pdf"}, max_size=1000)
    assert len(_files(app) - before) == 1
    db.session.rollback()
    assert _files(app) == before  # no orphan left by the rollback

    store(PDF, "closed.pdf", kinds={"pdf"}, max_size=1000)
    db.session.close()  # a request that ends without committing
    assert _files(app) == before

    kept = store(PDF, "kept.pdf", kinds={"pdf"}, max_size=1000)
    db.session.commit()
    new = _files(app) - before
    assert [p.name for p in new] == [kept.key]
    assert db.session.get(StoredFile, kept.id).original_name == "kept.pdf"
    db.session.rollback()  # a later rollback does not touch what was committed
    assert _files(app) - before == new
