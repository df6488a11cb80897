"""services of the programmes domain: beneficiaries (enrolment and edits, their steps and placements, counting a
placement in the employer's job reports, the CSV import).

Personal data under law 09-08: nobody is recorded without a consent and its date. Every change is audited on the
beneficiary's row (``programme_beneficiaries``); the services flush, the views commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from club.core import audit
from club.core.refusals import Refused, check_version
from club.core.text import fold
from club.core.timezones import local_today
from club.extensions import db
from club.members import phones
from club.members import services as members_services
from club.members.models import JobCommitment, Organization
from club.members.queries import organisations_named
from club.programmes.models import (
    BENEFICIARY_STATUS_LABELS,
    BENEFICIARY_TRANSITIONS,
    AgeBand,
    Beneficiary,
    BeneficiaryStatus,
    Gender,
    Programme,
    ProgrammeState,
)

YOUNGEST = 15   # a birth year making the person younger than this at enrolment is refused
OLDEST = 100    # ... or older than this
CLOSED_STATES = (ProgrammeState.CLOSED, ProgrammeState.CANCELLED)

# What an edit compares and audits (old -> new).
PERSON_FIELDS = ("name", "birth_year", "age_band", "gender", "commune", "phone", "email", "consent_on", "enrolled_on")


@dataclass(frozen=True)
class PersonData:
    """What a person typed (or a CSV row holds) about a beneficiary; the services clean and check it."""

    name: str
    gender: Gender | None
    enrolled_on: date | None
    consent: bool
    consent_on: date | None = None
    birth_year: int | None = None
    age_band: AgeBand | None = None
    commune: str | None = None
    phone: str | None = None
    email: str | None = None


def _refuse(problems: dict) -> None:
    if problems:
        field, message = next(iter(problems.items()))
        raise Refused(message, field=field, problems=problems)


def check_open(programme: Programme, field: str | None = None) -> None:
    """People are enrolled, edited and moved only while the programme is not closed or cancelled."""
    if programme.state in CLOSED_STATES:
        raise Refused(_l("This programme is %(state)s: its beneficiaries can no longer be changed.",
                         state=str(programme.state_label).lower()), field=field)


def clean_person(programme: Programme, data: PersonData, *, today: date | None = None,
                 beneficiary: Beneficiary | None = None) -> tuple[dict, dict]:
    """``(values, problems)``: the columns to store, and field -> message for every rule broken (the form and the
    import show them all at once). ``beneficiary``: the person edited (their later steps bound the enrolment)."""
    today = today or local_today()
    problems: dict = {}
    values: dict = {}
    name = " ".join((data.name or "").split())
    if not name:
        problems["name"] = _l("Enter the person's name.")
    elif len(name) > 120:
        problems["name"] = _l("At most %(n)s characters.", n=120)
    values["name"], values["name_key"] = name, fold(name)
    if data.birth_year is None and data.age_band is None:
        problems["birth_year"] = _l("Give a birth year or an age band.")
    elif data.birth_year is not None and data.age_band is not None:
        problems["birth_year"] = _l("Give a birth year or an age band, not both.")
    elif data.birth_year is not None:
        age = (data.enrolled_on or today).year - data.birth_year
        if not 1900 <= data.birth_year <= 2100:
            problems["birth_year"] = _l("Enter a year such as 2004.")
        elif age < YOUNGEST:
            problems["birth_year"] = _l("Born in %(year)s, this person would be under %(age)s at enrolment: the "
                                        "programmes take people from %(age)s years old.",
                                        year=data.birth_year, age=YOUNGEST)
        elif age > OLDEST:
            problems["birth_year"] = _l("Born in %(year)s, this person would be over %(age)s: check the year.",
                                        year=data.birth_year, age=OLDEST)
    values["birth_year"], values["age_band"] = data.birth_year, data.age_band
    if data.gender is None:
        problems["gender"] = _l("Choose an answer (“Not stated” is one).")
    values["gender"] = data.gender
    commune = " ".join((data.commune or "").split()) or None
    if commune and len(commune) > 100:
        problems["commune"] = _l("At most %(n)s characters.", n=100)
    values["commune"] = commune
    try:
        values["phone"] = phones.clean_phone(data.phone)
    except Refused as refused:
        problems["phone"] = refused.message
    try:
        values["email"] = members_services.clean_email(data.email)
    except Refused as refused:
        problems["email"] = refused.message
    if not data.consent:
        problems["consent"] = _l("A beneficiary without consent cannot be recorded: law 09-08 requires the "
                                 "person's consent to the processing of their data. Tick it once given.")
    elif data.consent_on is None:
        problems["consent_on"] = _l("Enter the date the consent was given.")
    elif data.consent_on > today:
        problems["consent_on"] = _l("The consent cannot be dated in the future.")
    values["consent_on"] = data.consent_on
    enrolled = data.enrolled_on
    if enrolled is None:
        problems["enrolled_on"] = _l("Enter the enrolment date.")
    elif enrolled < programme.starts_on:
        problems["enrolled_on"] = _l("The enrolment cannot come before the programme's start (%(date)s).",
                                     date=format_date(programme.starts_on))
    elif enrolled > today:
        problems["enrolled_on"] = _l("The enrolment cannot be in the future.")
    elif programme.ends_on and enrolled > programme.ends_on:
        problems["enrolled_on"] = _l("The enrolment cannot come after the programme's end (%(date)s).",
                                     date=format_date(programme.ends_on))
    elif beneficiary is not None:
        later = min((d for d in (beneficiary.trained_on, beneficiary.placed_on, beneficiary.left_on) if d),
                    default=None)
        if later and enrolled > later:
            problems["enrolled_on"] = _l("The enrolment cannot come after a later step of this person (%(date)s).",
                                         date=format_date(later))
    if enrolled and data.consent_on and data.consent_on > enrolled and "consent_on" not in problems:
        problems["consent_on"] = _l("The consent must be given before the enrolment (%(date)s): no data is kept on "
                                    "a person before their consent.", date=format_date(enrolled))
    values["enrolled_on"] = enrolled
    return values, problems


def lock_programme(programme_id: int) -> None:
    """Serialise the writers of one programme's people until the commit (two enrolments of one person at once:
    the second sees the first). PostgreSQL: ``SELECT ... FOR UPDATE``; SQLite: a no-op UPDATE takes the write
    lock at once."""
    table = Programme.__table__
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(table.c.id == programme_id)
                           .values(updated_at=table.c.updated_at))
    else:
        db.session.execute(sa.select(table.c.id).where(table.c.id == programme_id).with_for_update())


def lock_beneficiary(beneficiary: Beneficiary) -> Beneficiary:
    """Take the write lock on one person's row and read it afresh (twenty identical clicks: the first wins, the
    others see its result)."""
    table = Beneficiary.__table__
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(table.c.id == beneficiary.id)
                           .values(updated_at=table.c.updated_at))
    return db.session.execute(sa.select(Beneficiary).where(Beneficiary.id == beneficiary.id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def duplicate_of(programme_id: int, name_key: str, birth_year: int | None, age_band: AgeBand | None,
                 *, besides: int | None = None) -> Beneficiary | None:
    """A person of the programme with the same folded name and the same birth year (or age band)."""
    stmt = sa.select(Beneficiary).where(
        Beneficiary.programme_id == programme_id, Beneficiary.name_key == name_key,
        Beneficiary.birth_year.is_(None) if birth_year is None else Beneficiary.birth_year == birth_year,
        Beneficiary.age_band.is_(None) if age_band is None else Beneficiary.age_band == age_band)
    if besides is not None:
        stmt = stmt.where(Beneficiary.id != besides)
    return db.session.scalar(stmt.order_by(Beneficiary.id).limit(1))


def _already_there(found: Beneficiary) -> Refused:
    return Refused(_l("%(name)s is already enrolled in this programme (same name and age, since %(date)s).",
                      name=found.name, date=format_date(found.enrolled_on)), field="name")


def enrol(programme: Programme, data: PersonData, *, by) -> Beneficiary:
    check_open(programme)
    values, problems = clean_person(programme, data)
    _refuse(problems)
    lock_programme(programme.id)
    found = duplicate_of(programme.id, values["name_key"], values["birth_year"], values["age_band"])
    if found is not None:
        raise _already_there(found)
    beneficiary = Beneficiary(programme_id=programme.id, status=BeneficiaryStatus.ENROLLED,
                              created_by_id=getattr(by, "id", None), **values)
    db.session.add(beneficiary)
    db.session.flush()
    audit.record("beneficiary.enrol", beneficiary, by=by,
                 changes={k: [None, values[k]] for k in PERSON_FIELDS if values[k] is not None})
    return beneficiary


def update(beneficiary: Beneficiary, data: PersonData, *, version, by) -> dict:
    """Correct a person's record; ``Stale`` when someone saved it since the form was read. Returns the changes."""
    check_version(beneficiary, version)
    programme = beneficiary.programme
    check_open(programme)
    values, problems = clean_person(programme, data, beneficiary=beneficiary)
    _refuse(problems)
    lock_programme(programme.id)
    found = duplicate_of(programme.id, values["name_key"], values["birth_year"], values["age_band"],
                         besides=beneficiary.id)
    if found is not None:
        raise _already_there(found)
    for key, value in values.items():
        setattr(beneficiary, key, value)
    changes = audit.diff(beneficiary, PERSON_FIELDS)
    if changes:
        db.session.flush()
        audit.record("beneficiary.update", beneficiary, by=by, changes=changes)
    return changes


# --- steps ---------------------------------------------------------------------------------------------------

def check_step_date(beneficiary: Beneficiary, on: date | None, field: str, *, today: date | None = None) -> date:
    today = today or local_today()
    if on is None:
        raise Refused(_l("Enter the date."), field=field)
    if on > today:
        raise Refused(_l("This date is in the future."), field=field)
    if on < beneficiary.enrolled_on:
        raise Refused(_l("This cannot come before the enrolment (%(date)s).", date=format_date(beneficiary.enrolled_on)),
                      field=field)
    latest = max((d for d in (beneficiary.trained_on, beneficiary.placed_on) if d), default=None)
    if latest is not None and on < latest:
        raise Refused(_l("This cannot come before this person's previous step (%(date)s).", date=format_date(latest)),
                      field=field)
    return on


def move(beneficiary: Beneficiary, to: BeneficiaryStatus, *, on: date | None, by) -> Beneficiary:
    """One step of ``BENEFICIARY_TRANSITIONS`` (a placement goes through ``place``, which records the employer).

    ``reached`` (0 enrolled, 1 trained, 2 placed) follows from the steps' dates: leaving keeps them, so keeps it.
    """
    check_open(beneficiary.programme, field="to")
    beneficiary = lock_beneficiary(beneficiary)
    old = beneficiary.status
    if to not in BENEFICIARY_TRANSITIONS[old]:
        raise Refused(_l("%(name)s is “%(status)s”: they cannot move to “%(to)s”.", name=beneficiary.name,
                         status=BENEFICIARY_STATUS_LABELS[old], to=BENEFICIARY_STATUS_LABELS[to]), field="to")
    if to == BeneficiaryStatus.PLACED:
        raise Refused(_l("A placement records its employer and date: use the placement form."), field="to")
    changes: dict = {"status": [old, to]}
    if to != BeneficiaryStatus.IN_TRAINING:
        on = check_step_date(beneficiary, on, "on")
    if to == BeneficiaryStatus.TRAINED:
        changes["trained_on"] = [beneficiary.trained_on, on]
        beneficiary.trained_on = on
    elif to == BeneficiaryStatus.LEFT:
        changes["left_on"] = [beneficiary.left_on, on]
        beneficiary.left_on = on
    beneficiary.status = to
    db.session.flush()
    audit.record("beneficiary.step", beneficiary, by=by, changes=changes)
    return beneficiary


def find_employer(name: str) -> tuple[Organization | None, str]:
    """The organisation of the register a typed employer name means (same name, legal suffix and accents aside),
    or ``(None, name)`` for an employer outside the register; ``Refused`` when several organisations match."""
    name = " ".join((name or "").split())
    if not name:
        raise Refused(_l("Enter the employer's name."), field="employer")
    if len(name) > 200:
        raise Refused(_l("At most %(n)s characters.", n=200), field="employer")
    found = organisations_named(name, active_only=True, limit=5)
    if len(found) > 1:
        raise Refused(_l("Several organisations of the register have this name (%(names)s): type the name as "
                         "the register spells it.", names=", ".join(o.name for o in found)), field="employer")
    return (found[0], found[0].name) if found else (None, name)


def place(beneficiary: Beneficiary, *, employer: str, placed_on: date | None, by) -> Beneficiary:
    """A trained person placed in a job: the employer (an organisation of the register, found by name, or a name
    outside it) and the date. A second placement of a placed person is refused."""
    check_open(beneficiary.programme, field="employer")
    beneficiary = lock_beneficiary(beneficiary)
    if beneficiary.placed_on is not None or beneficiary.status == BeneficiaryStatus.PLACED:
        raise Refused(_l("%(name)s is already placed (%(employer)s, %(date)s): a second placement is refused.",
                         name=beneficiary.name, employer=beneficiary.employer_name or "—",
                         date=format_date(beneficiary.placed_on) if beneficiary.placed_on else "—"),
                      field="employer")
    if BeneficiaryStatus.PLACED not in BENEFICIARY_TRANSITIONS[beneficiary.status]:
        raise Refused(_l("Only a trained person can be placed: %(name)s is “%(status)s”.", name=beneficiary.name,
                         status=beneficiary.status_label), field="employer")
    organization, employer_name = find_employer(employer)
    if placed_on is not None and placed_on < beneficiary.enrolled_on:
        raise Refused(_l("A placement cannot come before the enrolment (%(date)s).",
                         date=format_date(beneficiary.enrolled_on)), field="placed_on")
    check_step_date(beneficiary, placed_on, "placed_on")
    old = beneficiary.status
    beneficiary.status = BeneficiaryStatus.PLACED
    beneficiary.placed_on = placed_on
    beneficiary.placed_organization_id = organization.id if organization else None
    beneficiary.placed_employer = None if organization else employer_name
    db.session.flush()
    audit.record("beneficiary.place", beneficiary, by=by, changes={
        "status": [old, BeneficiaryStatus.PLACED], "placed_on": [None, placed_on],
        "employer": [None, employer_name], "in_register": [None, organization is not None]})
    return beneficiary


# --- counting a placement in the employer's job reports (the secretariat decides) -------------------------------

def latest_commitment(organization_id: int) -> JobCommitment | None:
    return db.session.scalar(sa.select(JobCommitment).where(JobCommitment.organization_id == organization_id)
                             .order_by(JobCommitment.announced_on.desc().nulls_last(), JobCommitment.id.desc())
                             .limit(1))


def countable(beneficiary: Beneficiary) -> bool:
    """Whether the page offers "Count in <company>'s jobs" (the service checks again, under a lock)."""
    return (beneficiary.placed_on is not None and beneficiary.placed_organization_id is not None
            and beneficiary.counted_report_id is None)


def count_in_jobs(beneficiary: Beneficiary, *, by, today: date | None = None):
    """Add one job to the employer's latest commitment (a job report: its current figure + 1, dated today, the
    note naming the programme) and remember the report on the person: a placement is never counted twice (the
    row lock serialises the clicks; ``counted_report_id`` is unique as a backstop)."""
    beneficiary = lock_beneficiary(beneficiary)
    if beneficiary.counted_report_id is not None:
        raise Refused(_l("This placement is already counted in %(employer)s's jobs: it is never counted twice.",
                         employer=beneficiary.employer_name or "—"))
    if beneficiary.placed_on is None:
        raise Refused(_l("Only a placement can be counted in an employer's jobs."))
    organization = beneficiary.placed_organization
    if organization is None:
        raise Refused(_l("The employer, %(employer)s, is not in the register: there are no job reports to count "
                         "this placement in.", employer=beneficiary.placed_employer or "—"))
    members_services.lock_organization(organization)  # read the commitment's figure after any other count
    commitment = latest_commitment(organization.id)
    if commitment is None:
        raise Refused(_l("%(employer)s has no job commitment: record one on its page first, then count this "
                         "placement.", employer=organization.name))
    programme = beneficiary.programme
    note = str(_l("Placement of a beneficiary of the programme “%(title)s”.", title=programme.title))[:500]
    beneficiary_id = beneficiary.id
    report = members_services.add_job_report(commitment, reported_on=today or local_today(),
                                             jobs_created=commitment.jobs_created + 1, by=by, note=note)
    db.session.flush()
    beneficiary = db.session.get(Beneficiary, beneficiary_id)  # add_job_report expired the session
    beneficiary.counted_report_id = report.id
    db.session.flush()
    audit.record("beneficiary.counted", beneficiary, by=by, changes={
        "employer": [None, organization.name], "jobs_created": [None, report.jobs_created],
        "reported_on": [None, report.reported_on]})
    return report


# --- the CSV import (rows checked by ``importer``) --------------------------------------------------------------

def import_people(programme: Programme, people: list[dict], *, by, source_name: str | None = None) -> int:
    """Enrol every checked row at once (the view commits all or nothing); returns how many."""
    check_open(programme)
    lock_programme(programme.id)
    made = [Beneficiary(programme_id=programme.id, status=BeneficiaryStatus.ENROLLED,
                        created_by_id=getattr(by, "id", None), **values) for values in people]
    db.session.add_all(made)
    db.session.flush()
    for beneficiary, values in zip(made, people, strict=True):
        audit.record("beneficiary.import", beneficiary, by=by,
                     changes={"file": [None, source_name], **{k: [None, values[k]] for k in PERSON_FIELDS
                                                             if values.get(k) is not None}})
    return len(made)

