"""Forms of the report runs: a period's report (quarter, year or from–to, and its language), the same sent to partner
organisations typed by their names (one per line: never a list of the whole register), and a schedule."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from club.forms import FIRST_YEAR, FlaskForm, VersionField, choices, strip_filter
from club.i18n import LANGUAGE_NAMES
from club.reports.content import Period
from club.reports.models import FREQUENCY_LABELS, Frequency, PeriodKind

# A from–to report longer than this is refused: a funder's report covers a quarter, a year, a few years at most.
MAX_RANGE_DAYS = 10 * 366
# Partner organisations one form may name.
MAX_PARTNERS = 50

PERIOD_CHOICES = [
    (PeriodKind.QUARTER.value, _l("A quarter")),
    (PeriodKind.YEAR.value, _l("A year")),
    (PeriodKind.RANGE.value, _l("From one date to another")),
]
QUARTER_CHOICES = [("1", _l("1st quarter (January–March)")), ("2", _l("2nd quarter (April–June)")),
                   ("3", _l("3rd quarter (July–September)")), ("4", _l("4th quarter (October–December)"))]


def _language_choices():
    return choices(LANGUAGE_NAMES.items())


class PeriodForm(FlaskForm):
    """A period's report and its language: ``period()`` once it validates."""

    period_kind = SelectField(_l("Kind of period"), choices=choices(PERIOD_CHOICES), default=PeriodKind.YEAR.value)
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=FIRST_YEAR, max=2100)],
                        description=_l("For a quarter or a year."))
    quarter = SelectField(_l("Quarter"), choices=choices(QUARTER_CHOICES), default="1")
    starts_on = DateField(_l("First day"), validators=[Optional()], description=_l("For a report from one date to another."))
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    language = SelectField(_l("Language of the report"), choices=_language_choices(), default="fr")

    def validate(self, extra_validators=None) -> bool:
        """The fields a period needs, by its kind: a year for a quarter or a year; both dates, in order and not
        absurdly far apart, for a from–to report."""
        valid = super().validate(extra_validators)
        kind = self.period_kind.data
        if kind in (PeriodKind.QUARTER.value, PeriodKind.YEAR.value):
            if self.year.data is None and not self.year.errors:
                self.year.errors = [*self.year.errors, _l("Enter the year of the report, e.g. 2020.")]
                valid = False
        elif kind == PeriodKind.RANGE.value:
            start, end = self.starts_on.data, self.ends_on.data
            if start is None and not self.starts_on.errors:
                self.starts_on.errors = [*self.starts_on.errors, _l("Enter the first day of the report.")]
                valid = False
            if end is None and not self.ends_on.errors:
                self.ends_on.errors = [*self.ends_on.errors, _l("Enter the last day of the report.")]
                valid = False
            if start is not None and start.year < FIRST_YEAR:
                self.starts_on.errors = [*self.starts_on.errors,
                                         _l("The club's register starts in %(year)s.", year=FIRST_YEAR)]
                valid = False
            if start is not None and end is not None:
                problem = None
                if end < start:
                    problem = _l("The end must not be before the start.")
                elif (end - start).days > MAX_RANGE_DAYS:
                    problem = _l("A report covers ten years at most: choose a shorter period.")
                elif end.year > 2100:
                    problem = _l("Enter a real date.")
                if problem is not None:
                    self.ends_on.errors = [*self.ends_on.errors, problem]
                    valid = False
        return valid

    def period(self) -> Period:
        kind = PeriodKind(self.period_kind.data)
        if kind == PeriodKind.QUARTER:
            return Period.quarter(self.year.data, int(self.quarter.data))
        if kind == PeriodKind.YEAR:
            return Period.year(self.year.data)
        return Period.between(self.starts_on.data, self.ends_on.data)


def partner_names(text: str | None) -> list[str]:
    """The names typed, one per line (or separated by semicolons), without blanks or repeats."""
    seen, names = set(), []
    for line in (text or "").replace(";", "\n").splitlines():
        name = " ".join(line.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


class PartnersField(TextAreaField):
    """Partner organisations typed by their names, one per line, resolved against the register when the form
    validates (``field.organizations``): an unknown, ambiguous or non-partner name is an error at the field."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators=validators, filters=[strip_filter], **kwargs)
        self.organizations = []

    def post_validate(self, form, validation_stopped):
        from club.reports.runs import resolve_partners

        self.organizations = []
        if validation_stopped or self.errors:
            return
        names = partner_names(self.data)
        if not names:
            self.errors.append(_l("Name at least one partner organisation."))
            return
        if len(names) > MAX_PARTNERS:
            self.errors.append(_l("%(num)s organisations at most in one form.", num=MAX_PARTNERS))
            return
        found, problems = resolve_partners(names)
        if problems:
            self.errors.extend(problems)
            return
        self.organizations = found


class SendForm(PeriodForm):
    partners = PartnersField(_l("Partner organisations"), validators=[Length(max=5000)],
                             description=_l("One per line, as named in the register (e.g. FIRO). Only investors, "
                                            "institutions and organisations with partner accounts receive reports."),
                             render_kw={"rows": 3})


class ScheduleForm(FlaskForm):
    frequency = SelectField(_l("Frequency"), choices=choices((f.value, FREQUENCY_LABELS[f]) for f in Frequency),
                            default=Frequency.QUARTERLY.value)
    language = SelectField(_l("Language of the report"), choices=_language_choices(), default="fr")
    partners = PartnersField(_l("Partner organisations"), validators=[Length(max=5000)],
                             description=_l("One per line, as named in the register (e.g. FIRO)."),
                             render_kw={"rows": 3})
    active = BooleanField(_l("Active"), default=True,
                          description=_l("A paused schedule sends nothing until it is active again."))
    version = VersionField()

    @staticmethod
    def values_of(schedule) -> dict:
        return {"frequency": schedule.frequency.value, "language": schedule.language,
                "partners": "\n".join(o.name for o in schedule.partners), "active": schedule.active}


def default_year(today: date) -> int:
    """The year a report form offers first: the last complete year."""
    return today.year - 1

