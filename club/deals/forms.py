"""Deal forms: one per screen. Owners, parties and shares are checked against what exists."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from club.core.storage import FileWithinLimit
from club.deals.models import (
    DECISION_LABELS,
    DOCUMENT_KIND_LABELS,
    KIND_LABELS,
    STAGE_LABELS,
    VERDICT_LABELS,
    VOTE_LABELS,
    DealKind,
)
from club.forms import (
    MAX_INTEGER,
    DecimalText,
    FlaskForm,
    VersionField,
    as_id,
    choices,
    no_line_breaks,
    strip_filter,
)
from club.members.pickers import CHOOSE, OrganizationField, OrganizationsField


class DealsForm(FlaskForm):
    """The base of every deals form: the shared guards of ``club.forms.FlaskForm`` (a file where text is
    expected, a number too large, control characters) are field errors, never a 500."""


def record_id(value) -> int:
    """``coerce`` for an id posted in a form: an integer a database key can hold, else ``ValueError``."""
    number = value if isinstance(value, int) and not isinstance(value, bool) else as_id(str(value).strip())
    if number is None or not 0 <= number <= MAX_INTEGER:
        raise ValueError(value)
    return number


class DealForm(DealsForm):
    title = StringField(_l("Title"), filters=[strip_filter], validators=[DataRequired(), Length(max=200), no_line_breaks])
    kind = SelectField(_l("Kind"), choices=choices((k.value, KIND_LABELS[k]) for k in DealKind))
    target_id = OrganizationField(_l("Target organisation"), archived=True, required_message=CHOOSE)
    investor_ids = OrganizationsField(_l("Investors"), archived=True, description=_l("One or more organisations."))
    signatory_ids = OrganizationsField(_l("Other signatories"), archived=True)
    amount = StringField(_l("Amount (MAD)"), filters=[strip_filter], validators=[
        Length(max=30),
        DecimalText(Decimal(0), Decimal("999999999999.99"), _l("The amount cannot be negative."),
                    _l("Enter an amount in MAD, such as 1250000.00."))],
        description=_l("Optional for a memorandum of understanding."))
    stake = StringField(_l("Stake (%)"), filters=[strip_filter], validators=[
        Length(max=10),
        DecimalText(Decimal(0), Decimal(100), _l("The stake is a percentage between 0 and 100."),
                    _l("Enter a percentage such as 12.5."))])
    owner_id = SelectField(_l("Owner"), coerce=record_id, validate_choice=True)
    summary = TextAreaField(_l("Summary"), filters=[strip_filter], validators=[Length(max=5000)])
    expected_close = DateField(_l("Expected close"), validators=[Optional()])
    next_step = StringField(_l("Next step"), filters=[strip_filter], validators=[Length(max=300), no_line_breaks])
    next_step_due = DateField(_l("Next step due"), validators=[Optional()])
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    announced_on = DateField(_l("Announced on"), validators=[Optional()])
    version = VersionField()

    def validate_amount(self, field):
        if not (field.data or "").strip() and self.kind.data != DealKind.MOU.value:
            raise ValidationError(_l("An amount is required (only a memorandum of understanding may have none)."))

    def validate_next_step_due(self, field):
        if field.data and not (self.next_step.data or "").strip():
            raise ValidationError(_l("Describe the next step that is due."))

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "kind": DealKind(self.kind.data),
            "target_id": self.target_id.data,
            "amount": getattr(self.amount, "decimal", None),
            "stake": getattr(self.stake, "decimal", None),
            "owner_id": self.owner_id.data or None,
            "summary": self.summary.data or "",
            "expected_close": self.expected_close.data,
            "next_step": self.next_step.data or "",
            "next_step_due": self.next_step_due.data,
            "signed_on": self.signed_on.data,
            "announced_on": self.announced_on.data,
        }


class MoveForm(DealsForm):
    to_stage = SelectField(_l("Move to"), choices=choices((s.value, STAGE_LABELS[s]) for s in STAGE_LABELS))
    reason = TextAreaField(_l("Reason"), filters=[strip_filter], validators=[Length(max=2000)],
                           description=_l("Required to drop a deal."))
    signed_on = DateField(_l("Signed on"), validators=[Optional()],
                          description=_l("Required to mark a deal signed."))


class DocumentForm(DealsForm):
    # Ids of their own: the deal page holds several forms, and a label must point at its own field.
    title = StringField(_l("Title"), id="document-title", filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), no_line_breaks])
    kind = SelectField(_l("Kind of document"), id="document-kind",
                       choices=choices((k.value, label) for k, label in DOCUMENT_KIND_LABELS.items()))
    file = FileField(_l("File (PDF, DOCX or XLSX, 10 MB at most)"), id="document-file", validators=[FileRequired(), FileWithinLimit()])


class VersionForm(DealsForm):
    file = FileField(_l("New version (PDF, DOCX or XLSX)"), validators=[FileRequired(), FileWithinLimit()])


class NoteForm(DealsForm):
    body = TextAreaField(_l("Internal note"), id="note-body", filters=[strip_filter],
                         validators=[DataRequired(), Length(max=5000)])


class ShareForm(DealsForm):
    organization_id = SelectField(_l("Share with"), id="share-organization", coerce=record_id, validate_choice=True)


class CommentForm(DealsForm):
    body = TextAreaField(_l("Comment"), id="comment-body", filters=[strip_filter],
                         validators=[DataRequired(), Length(max=5000)])
    organization_id = SelectField(_l("Thread"), id="comment-thread", coerce=record_id, validate_choice=False)


class OpinionForm(DealsForm):
    verdict = RadioField(_l("Your opinion"), choices=choices((v.value, label) for v, label in VERDICT_LABELS.items()),
                         validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), id="opinion-comment", filters=[strip_filter], validators=[Length(max=5000)])


class MemberForm(Form):
    name = StringField(_l("Member present"), filters=[strip_filter], validators=[Length(max=120), no_line_breaks])
    conflict_declared = BooleanField(_l("Declared a conflict of interest"))
    conflict_note = StringField(_l("Conflict"), filters=[strip_filter], validators=[Length(max=300), no_line_breaks])
    vote = SelectField(_l("Vote"), default="",
                       choices=choices([("", _l("— no vote —"))] + [(v.value, label) for v, label in VOTE_LABELS.items()]))

    def validate_vote(self, field):
        if field.data and self.conflict_declared.data:
            raise ValidationError(_l("A member with a conflict of interest does not vote."))
        if field.data and not self.name.data:
            raise ValidationError(_l("Give the member's name."))


MEETING_ROWS = 7


class MeetingForm(DealsForm):
    held_on = DateField(_l("Meeting date"), validators=[DataRequired()])
    quorum_reached = BooleanField(_l("Quorum reached"))
    members = FieldList(FormField(MemberForm), min_entries=MEETING_ROWS, max_entries=20)
    decision = SelectField(_l("Decision"), choices=choices((d.value, label) for d, label in DECISION_LABELS.items()))
    minutes = TextAreaField(_l("Minutes"), filters=[strip_filter], validators=[DataRequired(), Length(max=20000)])

    def member_rows(self) -> list[dict]:
        return [{"name": m.form.name.data, "conflict_declared": m.form.conflict_declared.data,
                 "conflict_note": m.form.conflict_note.data, "vote": m.form.vote.data or None}
                for m in self.members if m.form.name.data]

    def validate_members(self, field):
        if not any(m.form.name.data for m in field):
            raise ValidationError(_l("List the members present."))


class CorrectionForm(DealsForm):
    decision = SelectField(_l("Corrected decision"), id="correction-decision",
                           choices=choices((d.value, label) for d, label in DECISION_LABELS.items()))
    minutes = TextAreaField(_l("Corrected minutes"), id="correction-minutes", filters=[strip_filter],
                            validators=[DataRequired(), Length(max=20000)])


SORT_CHOICES = [("updated", _l("Last updated")), ("title", _l("Title")), ("amount", _l("Amount")),
                ("stage", _l("Stage")), ("days", _l("Days in stage")), ("due", _l("Next step due")),
                ("close", _l("Expected close"))]


class TableFilterForm(DealsForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), choices=choices([("", _l("All kinds"))] + [(k.value, KIND_LABELS[k]) for k in DealKind]),
                       validate_choice=False)
    stage = SelectField(_l("Stage"), choices=choices([("", _l("All stages"))] + [(s.value, label) for s, label in STAGE_LABELS.items()]),
                        validate_choice=False)
    investor = SelectField(_l("Investor"), coerce=record_id, validate_choice=False)
    target = SelectField(_l("Target"), coerce=record_id, validate_choice=False)
    owner = SelectField(_l("Owner"), coerce=record_id, validate_choice=False)
    overdue = BooleanField(_l("Overdue next step"))
    sort = SelectField(_l("Sort by"), choices=choices(SORT_CHOICES), validate_choice=False)
    dir = SelectField(_l("Order"), choices=choices([("desc", _l("Descending")), ("asc", _l("Ascending"))]),
                      validate_choice=False)

    def cleaned(self) -> dict:
        kinds = {k.value for k in DealKind}
        stages = set(STAGE_LABELS)
        return {
            "kind": self.kind.data if self.kind.data in kinds else None,
            "stage": self.stage.data if self.stage.data in {s.value for s in stages} else None,
            "investor": self.investor.data or None,
            "target": self.target.data or None,
            "owner": self.owner.data or None,
            "overdue": bool(self.overdue.data),
            "sort": self.sort.data if self.sort.data in dict(SORT_CHOICES) else "updated",
            "descending": self.dir.data != "asc",
        }
