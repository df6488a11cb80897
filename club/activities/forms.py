"""The activity form: its contact and participants are chosen among the organisation's own contacts (bounded per
organisation) and the secretariat's users (a short list), never among every contact of the register; the
organisation itself is the page's (never a field). The rules between fields (a contact of that organisation,
task fields on tasks only) are the service's, refused at their field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from club.activities.models import KIND_LABELS, Activity, ActivityKind
from club.activities.services import ActivityData
from club.forms import FlaskForm, VersionField, as_id, choices, no_line_breaks, strip_filter


def _id_or_none(value):
    if value in (None, ""):
        return None
    ident = as_id(str(value))
    return ident if ident is not None else -1  # not an id: "Not a valid choice"


class CheckboxesField(SelectMultipleField):
    """A choice of several, as checkboxes (rendered one by one by the template)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActivityForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices((k.value, KIND_LABELS[k]) for k in ActivityKind),
                       default=ActivityKind.CALL.value)
    occurred_on = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date."))])
    occurred_time = TimeField(_l("Time"), validators=[Optional()], description=_l("Optional (Casablanca time)."))
    subject = StringField(_l("Subject"), filters=[strip_filter],
                          validators=[DataRequired(message=_l("Give the activity a subject.")), Length(max=200),
                                      no_line_breaks])
    body = TextAreaField(_l("Text"), filters=[strip_filter], validators=[Optional(), Length(max=20000)],
                         render_kw={"rows": 5})
    contact_id = SelectField(_l("Contact"), coerce=_id_or_none, validate_choice=True,
                             description=_l("The person of the organisation it is mainly with."))
    contact_ids = CheckboxesField(_l("Participants of the organisation"), coerce=int)
    user_ids = CheckboxesField(_l("Participants of the secretariat"), coerce=int)
    shared = BooleanField(_l("Shared with the organisation's members"),
                          description=_l("Its member contacts see it on their organisation's page."))
    owner_id = SelectField(_l("Task owner"), coerce=_id_or_none, validate_choice=True,
                           description=_l("Tasks only: who must do it (by default, you)."))
    due_on = DateField(_l("Due on"), validators=[Optional()], description=_l("Tasks only: required."))
    version = VersionField()

    def offer(self, contacts, staff) -> ActivityForm:
        """The choices of this organisation's form: its contacts, the secretariat's users."""
        self.contact_id.choices = [("", "—"), *((c.id, c.name) for c in contacts)]
        self.contact_ids.choices = [(c.id, c.name) for c in contacts]
        self.user_ids.choices = [(u.id, u.name) for u in staff]
        self.owner_id.choices = [("", "—"), *((u.id, u.name) for u in staff)]
        return self

    @staticmethod
    def values_of(activity: Activity) -> dict:
        """The form's fields as the activity holds them (the edit form, a stale edit's "saved now")."""
        return {"kind": activity.kind.value, "occurred_on": activity.occurred_on,
                "occurred_time": activity.occurred_time, "subject": activity.subject, "body": activity.body or "",
                "contact_id": activity.contact_id, "shared": activity.shared, "owner_id": activity.owner_id,
                "due_on": activity.due_on,
                "contact_ids": [p.contact_id for p in activity.participants if p.contact_id],
                "user_ids": [p.user_id for p in activity.participants if p.user_id]}

    def activity_data(self) -> ActivityData:
        return ActivityData(
            kind=ActivityKind(self.kind.data), occurred_on=self.occurred_on.data, occurred_time=self.occurred_time.data,
            subject=self.subject.data, body=self.body.data or None, contact_id=self.contact_id.data,
            shared=bool(self.shared.data), owner_id=self.owner_id.data, due_on=self.due_on.data,
            contact_ids=tuple(self.contact_ids.data or ()), user_ids=tuple(self.user_ids.data or ()))


class OrganisationChoiceForm(FlaskForm):
    """Logging an activity from a mission or a programme: the organisation, typed by its name (a GET form)."""

    class Meta:
        csrf = False

    organization = StringField(_l("Organisation"), filters=[strip_filter],
                               validators=[DataRequired(message=_l("Type the organisation's name.")),
                                           Length(max=200), no_line_breaks],
                               render_kw={"list": "organization-options", "autocomplete": "off"})
