"""A file over the upload limit is refused in the browser before it is sent (JavaScript on): the field
says so, nothing is sent, nothing typed is lost. Without JavaScript the server refuses it at the field
(tests/core/test_storage.py)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.e2e.conftest import sign_in

PDF = b"%PDF-1.4\n" + b"0" * 4000 + b"\n%%EOF\n"


def test_a_file_over_the_limit_is_refused_before_it_is_sent(page, app, demo_world):
    from club.deals.models import Deal, DealDocument

    db = demo_world
    deal = db.session.scalar(sa.select(Deal).order_by(Deal.id))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(DealDocument))
    old = app.config.get("UPLOAD_MAX_SIZE")
    app.config["UPLOAD_MAX_SIZE"] = 2000
    try:
        sign_in(page, "secretariat@club.example")
        page.goto(f"/deals/{deal.id}")
        form = page.locator(f'form[action="/deals/{deal.id}/documents"]')
        form.locator("xpath=ancestor::details").locator("summary").click()
        form.locator("#document-title").fill("Procès-verbal du comité")
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
        form.locator("#document-file").set_input_files(
            {"name": "pv.pdf", "mimeType": "application/pdf", "buffer": PDF})
        message = form.locator("#document-file").evaluate("el => el.validationMessage")
        assert "trop volumineux" in message
        form.locator("button[type=submit]").click()
        page.wait_for_timeout(300)
        assert requests == []  # nothing sent
        assert form.locator("#document-title").input_value() == "Procès-verbal du comité"
    finally:
        app.config["UPLOAD_MAX_SIZE"] = old
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealDocument)) == before
