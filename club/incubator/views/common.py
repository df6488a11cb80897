"""What the incubator's screens share: the score filter, the labels, and loading what the user may see."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from club.formats import number
from club.incubator import bp, queries, services
from club.incubator.forms import LinkOrganizationForm
from club.incubator.models import (
    RECOMMENDATION_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    Application,
    Call,
    Review,
)
from club.members.models import PROVINCE_LABELS
from club.permissions import get_visible_or_404


@bp.app_template_filter("score")
def score_filter(value, digits: int = 2) -> str:
    """A score or an average in the reader's locale ("3,70" in French), a dash when there is none."""
    return number(value, digits)  # "—" for None


def labels() -> dict:
    return {"status": STATUS_LABELS, "stage": STAGE_LABELS, "province": PROVINCE_LABELS,
            "recommendation": RECOMMENDATION_LABELS}


def call_or_404(call_id: int) -> Call:
    """The call by its one rule (``Call.visible_to``): open calls for anyone, every call for the secretariat."""
    call = queries.visible_call(call_id, current_user)
    if call is None:
        abort(404)
    return call


def application_or_404(application_id: int) -> Application:
    """The application with what its page shows, by its one rule (``Application.visible_to``)."""
    application = queries.load_application(application_id, current_user)
    if application is None:
        abort(404)
    return application


def review_or_404(review_id: int) -> Review:
    return get_visible_or_404(Review, review_id)


def link_form(application: Application, suggestions, *, blank: bool = False) -> LinkOrganizationForm:
    """The secretariat's choice of the startup's organisation: a new one (once accepted), a suggestion, or any
    other typed by its name; ``blank``: not read from the request (another form of the page was sent)."""
    form = LinkOrganizationForm(formdata=None) if blank else LinkOrganizationForm()
    form.set_choices(application, suggestions, can_create=application.status in services.HOLDS_A_PLACE)
    return form
