"""The forms of segments: a tag (name, colour), a tag typed on an organisation's or a contact's page, a segment
(name, shared). The bulk bar's choices are read by the view (``BulkRequest``): ticked ids, the scope, the action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from club.forms import FlaskForm, VersionField, choices, no_line_breaks, strip_filter
from club.segments.models import TAG_COLOURS


def colour_choices():
    return choices([("", _l("No colour")), *((key, label) for key, (label, _badge) in TAG_COLOURS.items())])


class TagForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip_filter],
                       validators=[DataRequired(message=_l("Type the tag's name.")), Length(max=60), no_line_breaks])
    colour = SelectField(_l("Colour"), choices=colour_choices())
    version = VersionField()

    @staticmethod
    def values_of(tag) -> dict:
        return {"name": tag.name, "colour": tag.colour or ""}


class AddTagForm(FlaskForm):
    """A tag typed on a record's page: an existing one, or a new one created on the way."""

    name = StringField(_l("Add a tag"), filters=[strip_filter],
                       validators=[DataRequired(message=_l("Type the tag's name.")), Length(max=60), no_line_breaks])


class SegmentForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip_filter],
                       validators=[DataRequired(message=_l("Name the segment.")), Length(max=120), no_line_breaks])
    is_shared = BooleanField(_l("Shared with the secretariat"))
    version = VersionField()

    @staticmethod
    def values_of(segment) -> dict:
        return {"name": segment.name, "is_shared": segment.is_shared}
