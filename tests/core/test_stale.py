"""The shared answer to a stale edit: 409, the typed input kept, both versions side by side."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField

from club import create_app
from club.core.stale import STALE_STATUS, differences, stale_response
from club.forms import choices
from club.permissions import public
from tests.conftest import make_test_config, text


class Form(FlaskForm):
    version = HiddenField()
    name = StringField("Name")
    trades = SelectMultipleField("Trades", choices=choices([("hr", "HR services"), ("it", "IT services")]))


SAVED = {"version": 3, "name": "Saccom SARL", "trades": ["it"]}


def test_a_stale_edit_is_a_409_with_both_versions_and_the_input_kept(database_url, tmp_path, db):
    app = create_app(make_test_config(database_url, tmp_path))

    @app.route("/probe-stale", methods=["POST"])
    @public
    def probe_stale():
        form = Form()
        form.validate()
        if form.version.data != str(SAVED["version"]):
            return stale_response("probe.html", form=form, version=SAVED["version"],
                                  saved={"name": SAVED["name"], "trades": SAVED["trades"]})
        return "saved"

    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_loader = ChoiceLoader([DictLoader({"probe.html": (
        '{% from "_macros/forms.html" import form_errors, field %}{{ form_errors(form) }}'
        '{% include "core/_stale.html" %}{{ field(form.version) }}{{ field(form.name) }}{{ field(form.trades) }}'
    )}), app.jinja_loader])
    client = app.test_client()
    response = client.post("/probe-stale", data={"version": "2", "name": "Saccom", "trades": ["hr", "it"]})
    page = text(response)
    assert response.status_code == STALE_STATUS == 409
    assert "Quelqu'un d'autre a enregistré cette fiche pendant que vous la modifiiez." in page
    assert 'value="Saccom"' in page and 'value="3"' in page  # typed kept; the new version to overwrite knowingly
    assert "Enregistré entre-temps par quelqu'un d'autre" in page
    assert "<td>Saccom</td><td>Saccom SARL</td>" in page
    assert "<td>HR services, IT services</td><td>IT services</td>" in page
    again = client.post("/probe-stale", data={"version": "3", "name": "Saccom", "trades": ["hr", "it"]})
    assert again.get_data(as_text=True) == "saved"


def test_unchanged_fields_are_not_listed(app):
    with app.test_request_context(method="POST", data={"name": "Same", "trades": ["it"]}):
        form = Form(request.form)
        assert differences(form, {"name": "Same", "trades": ["it"]}) == []
        assert [d.label for d in differences(form, {"name": "Other", "trades": ["it"]})] == ["Name"]
