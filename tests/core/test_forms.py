"""The shared form base (club/forms.py): what a hostile client sends is a field error, never an exception."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil

import flask_wtf
from flask_babel import force_locale
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import Length

import club
from club.forms import FlaskForm, VersionField, as_id, choices


def test_every_form_of_the_project_derives_from_the_shared_base():
    strays = []
    for module_info in pkgutil.walk_packages(club.__path__, "club."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, flask_wtf.FlaskForm) and not issubclass(cls, FlaskForm):
                strays.append(f"{module_info.name}.{name}")
    assert strays == []


class Sample(FlaskForm):
    title = StringField(validators=[Length(max=20)])
    count = IntegerField()
    amount = DecimalField()
    day = DateField()
    kind = SelectField(choices=choices([("a", "A"), ("b", "B")]))
    org = SelectField(coerce=int, choices=choices([(1, "Saccom")]), validate_choice=False)
    version = VersionField()


def _form(app, formdata):
    with app.test_request_context(method="POST"), force_locale("en"):
        form = Sample(formdata=formdata, meta={"csrf": False})
        valid = form.validate()
        return valid, {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def _file():
    return FileStorage(io.BytesIO(b"%PDF-1.4"), filename="x.pdf")


def test_a_file_where_text_is_expected_is_a_field_error(app):
    valid, errors = _form(app, MultiDict([("title", _file()), ("day", _file()), ("kind", "a")]))
    assert not valid
    assert errors["title"] == ["A file was sent where text is expected."]
    assert errors["day"] == ["A file was sent where text is expected."]


def test_numbers_too_large_for_the_database_are_field_errors(app):
    valid, errors = _form(app, MultiDict([("count", "99999999999999"), ("amount", "1e15"), ("kind", "a"),
                                          ("org", "99999999999999")]))
    assert not valid
    assert errors["count"] == errors["org"] == ["This number is too large."]
    assert errors["amount"] == ["This number is too large."]
    valid, errors = _form(app, MultiDict([("amount", "NaN"), ("kind", "a")]))
    assert errors["amount"] == ["This number is too large."]


def test_wrong_kinds_of_values_are_field_errors(app):
    valid, errors = _form(app, MultiDict([("count", "x"), ("amount", "x"), ("day", "x"), ("kind", "z"),
                                          ("version", "x"), ("title", "y" * 30)]))
    assert not valid
    assert set(errors) == {"count", "amount", "day", "kind", "version", "title"}
    assert errors["version"] == ["This form is damaged: reload the page and try again."]


def test_a_valid_form_stays_valid(app):
    valid, errors = _form(app, MultiDict([("title", "Saccom"), ("count", "12"), ("amount", "1250000.50"),
                                          ("day", "2026-12-01"), ("kind", "b"), ("version", "3")]))
    assert (valid, errors) == (True, {})


def test_as_id():
    assert [as_id(v) for v in ("12", "0", "x", "", "9" * 5000, str(2**31), None)] == [12, 0] + [None] * 5


def test_control_characters_never_reach_the_database(app):
    with app.test_request_context(method="POST"):
        form = Sample(formdata=MultiDict([("title", "Sac\x00com\x1b"), ("kind", "a")]), meta={"csrf": False})
        assert form.title.data == "Saccom"


def test_a_damaged_version_number_is_said_above_the_form_and_nothing_is_saved(client, db, factories, login_as):
    """The version is a hidden field: its error has no place of its own, so the form's error box says it."""
    from club.members.models import Organization
    from tests.conftest import text

    org = factories.OrganizationFactory(name="Saccom")
    login_as(factories.UserFactory())
    response = client.post(f"/members/{org.id}/edit", data={"name": "Saccom renamed", "kind": org.kind.value,
                                                             "version": "not-a-number"})
    assert response.status_code == 422
    assert "Ce formulaire est abîmé : rechargez la page et réessayez." in text(response)
    assert 'value="Saccom renamed"' in text(response)
    db.session.expire_all()
    assert db.session.get(Organization, org.id).name == "Saccom"


def test_the_quick_select_writes_what_wtforms_writes(app):
    """Every select writes its options the quick way (club.forms.QuickSelect): the same HTML as WTForms' own."""
    from flask_babel import force_locale
    from flask_babel import lazy_gettext as _l
    from wtforms import Form, SelectField, SelectMultipleField, widgets
    from wtforms.fields.choices import SelectChoice

    from club.forms import QuickSelect

    options = [SelectChoice("", _l("All kinds")), SelectChoice("a&b", 'Saccom "Oujda" <SA>'),
               SelectChoice(7, "Seven"), SelectChoice(True, "Yes"), SelectChoice("x", "Marked", {"disabled": True}),
               SelectChoice("empty", "")]

    class Sample(Form):
        one = SelectField(choices=options)
        many = SelectMultipleField(choices=options, coerce=str)

    assert isinstance(SelectField.widget, QuickSelect)
    with app.test_request_context(), force_locale("fr"):
        for data in ({}, {"one": "a&b", "many": ["a&b", "7"]}, {"one": "7"}, {"one": "True"}):
            form = Sample(data=data)
            for name, multiple in (("one", False), ("many", True)):
                field = form[name]
                quick = str(field(class_="form-select"))
                assert quick == str(widgets.Select(multiple=multiple)(field, class_="form-select"))
        assert "Tous les types" in quick or "All kinds" not in quick
