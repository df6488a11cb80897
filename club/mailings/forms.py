"""The forms of mailings: the letter (French required, English optional: English readers get the French text when
there is no English one), the test send, the send's confirmation. The audience is not a field: it comes with the
link from the register (its filters, or a selection's ids), read by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from club.forms import FlaskForm, VersionField, choices, no_line_breaks, strip_filter
from club.mailings.merge import FIELDS
from club.mailings.models import RECIPIENT_SCOPE_LABELS, Mailing, RecipientScope

MERGE_HINT = _l("Merge fields: {contact_name}, {organisation}, {dues_owed}.")


def _or_none(value):
    return value or None


class MailingForm(FlaskForm):
    audience_label = StringField(_l("Audience"), filters=[strip_filter],
                                 validators=[Length(max=200), no_line_breaks],
                                 description=_l("A name for whom it goes to, for the list of mailings."))
    scope = RadioField(_l("Recipients"), default=RecipientScope.PRIMARY.value,
                       choices=choices((s.value, RECIPIENT_SCOPE_LABELS[s]) for s in RecipientScope))
    subject_fr = StringField(_l("Subject in French"), filters=[strip_filter],
                             validators=[DataRequired(message=_l("Write the subject in French.")), Length(max=200),
                                         no_line_breaks], description=MERGE_HINT)
    body_fr = TextAreaField(_l("Letter in French"), filters=[strip_filter],
                            validators=[DataRequired(message=_l("Write the letter in French.")),
                                        Length(max=20000)],
                            description=MERGE_HINT, render_kw={"rows": 10})
    subject_en = StringField(_l("Subject in English"), filters=[strip_filter],
                             validators=[Length(max=200), no_line_breaks],
                             description=_l("Optional: without an English version, everyone receives the French one."))
    body_en = TextAreaField(_l("Letter in English"), filters=[strip_filter], validators=[Length(max=20000)],
                            render_kw={"rows": 10})
    version = VersionField()

    @staticmethod
    def values_of(mailing: Mailing) -> dict:
        return {"audience_label": mailing.audience_label or "", "scope": mailing.scope.value,
                "subject_fr": mailing.subject_fr, "body_fr": mailing.body_fr,
                "subject_en": mailing.subject_en or "", "body_en": mailing.body_en or ""}

    def mailing_data(self):
        from club.mailings.services import MailingData

        return MailingData(subject_fr=self.subject_fr.data, body_fr=self.body_fr.data,
                           subject_en=_or_none(self.subject_en.data), body_en=_or_none(self.body_en.data),
                           scope=RecipientScope(self.scope.data), audience_label=_or_none(self.audience_label.data))


class TestSendForm(FlaskForm):
    language = SelectField(_l("Language of the test"), choices=choices([("fr", _l("French")), ("en", _l("English"))]))
    contact = HiddenField()


class SendForm(FlaskForm):
    version = VersionField()


KNOWN_FIELDS = FIELDS
