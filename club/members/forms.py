"""Members forms. No organisation, owner or status field a member could forge: the views set them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import format_date, format_number, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import CombinedMultiDict
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from club.core.refusals import Refused
from club.core.storage import FileWithinLimit
from club.forms import (
    MAX_MONEY,
    DecimalText,
    FlaskForm,
    VersionField,
    choices,
    format_decimal_input,
    no_line_breaks,
    not_before_first_year,
    strip_filter,
)
from club.members import phones, services
from club.members.models import (
    LANGUAGE_LABELS,
    MEMBERSHIP_STATUS_LABELS,
    ORG_KIND_LABELS,
    PAYMENT_METHOD_LABELS,
    PROVINCE_LABELS,
    SITE_LABELS,
    TRADE_LABELS,
    MembershipStatus,
)


def _no_control_characters(value):
    """NUL and other control characters (PostgreSQL refuses NUL in text) go; line breaks and tabs stay."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch.isprintable() or ch in "\r\n\t")
    return value


class MembersForm(FlaskForm):
    """Every text field of the members forms drops control characters before anything else."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            """No members form takes a file (the import form is not one of them), and no browser sends one to
            them: a file in a text, date or number field is a malformed request (400, nothing changes), not a 500
            when the form is rendered again, nor a field silently emptied."""
            data = super().wrap_formdata(form, formdata)
            if isinstance(data, CombinedMultiDict):
                from flask import abort

                abort(400)
            return data

        def bind_field(self, form, unbound_field, options):
            if unbound_field.field_class in (StringField, TextAreaField, HiddenField):
                options["filters"] = [_no_control_characters, *options.get("filters", unbound_field.kwargs.get(
                    "filters", ()))]
            return unbound_field.bind(form=form, **options)


def none_if_empty(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _cleaner(fn):
    """A validator that normalises the field (phone, ICE, website, email) or reports the problem."""

    def validator(form, field):
        try:
            field.data = fn(field.data)
        except Refused as refused:
            raise ValidationError(str(refused.message)) from refused

    return validator


def _optional_choices(labels, empty):
    return choices([("", empty)] + [(k.value, v) for k, v in labels.items()])


class OrganizationForm(MembersForm):
    name = StringField(_l("Name"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=200), no_line_breaks])
    kind = SelectField(_l("Kind"), choices=choices((k.value, v) for k, v in ORG_KIND_LABELS.items()))
    ice = StringField(_l("ICE"), filters=[none_if_empty], validators=[Length(max=30), _cleaner(services.clean_ice)],
                      description=_l("Moroccan company identifier, 15 digits."))
    city = StringField(_l("City"), filters=[none_if_empty], validators=[Length(max=100), no_line_breaks])
    province = SelectField(_l("Province"), choices=_optional_choices(PROVINCE_LABELS, _l("— not set —")),
                           default="")
    site = SelectField(_l("Site or park"), choices=_optional_choices(SITE_LABELS, _l("— not set —")), default="")
    trades = SelectMultipleField(_l("Trades"), choices=choices((k.value, v) for k, v in TRADE_LABELS.items()))
    languages = SelectMultipleField(_l("Languages served"),
                                    choices=choices((k.value, v) for k, v in LANGUAGE_LABELS.items()))
    headcount = IntegerField(_l("Headcount"), validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    website = StringField(_l("Website"), filters=[none_if_empty],
                          validators=[Length(max=255), _cleaner(services.clean_website)])
    email = StringField(_l("Email"), filters=[none_if_empty],
                        validators=[Length(max=254), no_line_breaks, _cleaner(services.clean_email)])
    phone = StringField(_l("Phone"), filters=[none_if_empty],
                        validators=[Length(max=30), _cleaner(phones.clean_phone)])
    description = TextAreaField(_l("Description"), filters=[none_if_empty], validators=[Length(max=5000)])
    version = VersionField()

    duplicate = None  # the organisation a refused name or ICE belongs to (the page links to it)

    def data_for_service(self) -> dict:
        data = {name: getattr(self, name).data for name in services.PROFILE_FIELDS}
        data["province"] = data["province"] or None
        data["site"] = data["site"] or None
        data["trades"] = self.trades.data or []
        data["languages"] = self.languages.data or []
        return data


class ContactForm(MembersForm):
    name = StringField(_l("Name"), filters=[strip_filter], validators=[DataRequired(), Length(max=120), no_line_breaks])
    title = StringField(_l("Job title"), filters=[none_if_empty], validators=[Length(max=120), no_line_breaks])
    email = StringField(_l("Email"), filters=[none_if_empty],
                        validators=[Length(max=254), no_line_breaks, _cleaner(services.clean_email)])
    phone = StringField(_l("Phone"), filters=[none_if_empty],
                        validators=[Length(max=30), _cleaner(phones.clean_phone)])
    is_primary = BooleanField(_l("Primary contact"))
    version = VersionField()

    def data_for_service(self) -> dict:
        return {name: getattr(self, name).data for name in services.CONTACT_FIELDS}


class MembershipForm(MembersForm):
    status = SelectField(_l("Status"), choices=choices((k.value, v) for k, v in MEMBERSHIP_STATUS_LABELS.items()))
    # A tier of the secretariat's list (``/members/tiers``): the active ones, and the membership's own if retired.
    tier = SelectField(_l("Tier"), choices=[], default="")
    joined_on = DateField(_l("Joined on"), validators=[Optional()])
    renews_on = DateField(_l("Renews on"), validators=[Optional()],
                          description=_l("The end of the current period; left empty, it is worked out from the "
                                         "joining date and the tier's period."))
    note = StringField(_l("Note"), filters=[none_if_empty], validators=[Length(max=500), no_line_breaks])

    def __init__(self, *args, current: MembershipStatus | None = None, current_tier_id: int | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        self.tier.choices = tier_choices(current_tier_id)

    def validate_renews_on(self, field):
        if field.data and self.joined_on.data and field.data <= self.joined_on.data:
            raise ValidationError(_l("The renewal comes after the joining date."))

    def tier_id(self) -> int | None:
        from club.forms import as_id

        return as_id(self.tier.data) if self.tier.data else None

    def validate_status(self, field):
        if field.data not in {s.value for s in MembershipStatus}:
            return  # the choice check reports it
        status = MembershipStatus(field.data)
        if status != self.current and status not in services.TRANSITIONS[self.current]:
            raise ValidationError(_l("This status cannot follow the current one."))


class DuesForm(MembersForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    amount = DecimalField(_l("Amount (MAD)"), places=2,
                          validators=[InputRequired(), NumberRange(min=0, max=999_999_999_999)])
    invoiced_on = DateField(_l("Invoiced on"), validators=[Optional()])
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
    method = SelectField(_l("Payment method"), choices=_optional_choices(PAYMENT_METHOD_LABELS, _l("— not paid —")),
                         default="")

    def validate_amount(self, field):
        if field.data is not None and field.data.as_tuple().exponent < -2:
            raise ValidationError(_l("At most two decimals."))

    def validate_paid_on(self, field):
        if field.data and self.invoiced_on.data and field.data < self.invoiced_on.data:
            raise ValidationError(_l("Payment cannot come before the invoice."))
        if field.data and field.data > date.today():
            raise ValidationError(_l("This date is in the future."))

    def validate_method(self, field):
        if field.data and not self.paid_on.data:
            raise ValidationError(_l("Give the payment date too."))


class DuesEditForm(DuesForm):
    """Correcting a recorded year: the year itself stays (delete it and record another to move it)."""

    year = None
    version = VersionField()


class CommitmentForm(MembersForm):
    jobs_announced = IntegerField(_l("Jobs announced"), validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])
    announced_on = DateField(_l("Announced on"), validators=[Optional()])
    horizon = DateField(_l("Horizon"), validators=[Optional()])
    source = StringField(_l("Source"), filters=[none_if_empty], validators=[Length(max=200), no_line_breaks],
                         description=_l("For instance: announced at Siccam 2020."))

    def validate_announced_on(self, field):
        not_before_first_year(field)

    def validate_horizon(self, field):
        not_before_first_year(field)
        if field.data and self.announced_on.data and field.data < self.announced_on.data:
            raise ValidationError(_l("The horizon cannot come before the announcement."))


class CommitmentEditForm(CommitmentForm):
    version = VersionField()

    def __init__(self, *args, commitment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment = commitment

    def validate_announced_on(self, field):
        super().validate_announced_on(field)
        if field.data and self.commitment is not None:
            earliest = min((r.reported_on for r in self.commitment.reports), default=None)
            if earliest and earliest < field.data:
                raise ValidationError(_l("A job report of this commitment is dated %(date)s, before this date.",
                                         date=format_date(earliest)))


class JobReportForm(MembersForm):
    reported_on = DateField(_l("Date"), validators=[InputRequired()], default=date.today)
    jobs_created = IntegerField(_l("Jobs created to date"),
                                validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])
    note = StringField(_l("Note"), filters=[none_if_empty], validators=[Length(max=500), no_line_breaks])
    confirm_excess = BooleanField(_l("Yes, more jobs were created than announced"))

    def __init__(self, *args, commitment=None, current_jobs: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.current_jobs = current_jobs  # a correction of an excess already confirmed asks nothing again
        self.needs_confirmation = False

    def validate_reported_on(self, field):
        not_before_first_year(field)
        if field.data and field.data > date.today():
            raise ValidationError(_l("This date is in the future."))
        if field.data and self.commitment is not None:
            try:
                services.check_report_date(self.commitment, field.data)
            except Refused as refused:
                raise ValidationError(str(refused.message)) from refused

    def validate_jobs_created(self, field):
        if self.commitment is None or field.data is None or field.data == self.current_jobs:
            return
        announced = self.commitment.jobs_announced
        if self.current_jobs is not None and self.current_jobs > announced:
            return  # the excess was confirmed when the report was recorded
        if field.data > announced and not self.confirm_excess.data:
            self.needs_confirmation = True
            raise ValidationError(ngettext(
                "That is more than the %(n)s job announced: tick the box below to confirm the figure.",
                "That is more than the %(n)s jobs announced: tick the box below to confirm the figure.",
                announced, n=format_number(announced)))


class JobReportEditForm(JobReportForm):
    version = VersionField()


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file.")), FileWithinLimit()])


def _text_only(value):
    """A file sent where text is expected counts as nothing sent."""
    return value if isinstance(value, str) or value is None else None


class ImportCommitForm(MembersForm):
    """The preview's form; its tick boxes (``confirm``) and page buttons are read by ``importer.tokens`` and
    ``importer.page_number``, which ignore anything malformed."""

    upload = HiddenField(filters=[_text_only], validators=[DataRequired(), Length(max=64)])



# --- Dues follow-up, tiers and renewals ------------------------------------------------------------------------


def tier_choices(current_id: int | None = None):
    """The membership form's tiers: "no tier", then the active tiers (and the current one, even retired) in the
    order of the tiers page."""
    import sqlalchemy as sa
    from flask_babel import gettext

    from club.extensions import db
    from club.formats import money
    from club.members.models import MembershipTier

    tiers = db.session.scalars(
        sa.select(MembershipTier).where(sa.or_(MembershipTier.is_active.is_(True), MembershipTier.id == current_id))
        .order_by(MembershipTier.position, MembershipTier.id))
    return choices([("", _l("— no tier —"))] + [
        (str(t.id), gettext("%(name)s (%(fee)s, %(months)s months)", name=t.name, fee=money(t.annual_fee),
                            months=t.period_months)) for t in tiers])


class TierForm(MembersForm):
    name = StringField(_l("Name"), filters=[strip_filter], validators=[DataRequired(), Length(max=40), no_line_breaks])
    annual_fee = StringField(_l("Annual fee (MAD)"), filters=[strip_filter],
                             validators=[InputRequired(), Length(max=30),
                                         DecimalText(Decimal(0), MAX_MONEY, _l("An amount cannot be negative."),
                                                     _l("Enter an amount in MAD, such as 15000 or 15 000,00."))])
    period_months = IntegerField(_l("Period (months)"), default=12,
                                 validators=[InputRequired(), NumberRange(min=1, max=12)])
    position = IntegerField(_l("Position in the list"), validators=[Optional(), NumberRange(min=0, max=10_000)])
    is_active = BooleanField(_l("Offered to new members"), default=True)
    version = VersionField()

    @classmethod
    def values_of(cls, tier) -> dict:
        return {"name": tier.name, "annual_fee": format_decimal_input(tier.annual_fee),
                "period_months": tier.period_months, "position": tier.position, "is_active": tier.is_active}

    def data_for_service(self) -> dict:
        return {"name": self.name.data, "annual_fee": self.annual_fee.decimal, "period_months": self.period_months.data,
                "position": self.position.data, "is_active": bool(self.is_active.data)}


class RenewForm(MembersForm):
    """The renewal's confirmation: the renewal date the person saw (renewed meanwhile, nothing happens twice)."""

    expected = HiddenField(validators=[Length(max=10)])

    def validate_expected(self, field):
        if field.data:
            try:
                date.fromisoformat(field.data)
            except ValueError:
                raise ValidationError(_l("This form is damaged: reload the page and try again.")) from None

    def expected_date(self) -> date | None:
        """The renewal date shown (None: the membership had none)."""
        return date.fromisoformat(self.expected.data) if self.expected.data else None


class EndMembershipForm(MembersForm):
    reason = TextAreaField(_l("Reason"), filters=[none_if_empty], validators=[DataRequired(), Length(max=500)],
                           description=_l("Kept in the organisation's history."))
