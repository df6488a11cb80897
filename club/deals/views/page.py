"""The deal page as every deals view renders it: what ``queries.deal_page`` reads, the labels, and the forms
(empty, or the one just refused, bound, with its errors)."""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_login import current_user

from club.core.timezones import local_today
from club.deals import queries
from club.deals.forms import (
    CommentForm,
    CorrectionForm,
    DocumentForm,
    MoveForm,
    NoteForm,
    OpinionForm,
    ShareForm,
    VersionForm,
)
from club.deals.models import DECISION_LABELS, STAGE_LABELS, VERDICT_LABELS, Deal, allowed_moves
from club.forms import ConfirmForm, choices
from club.permissions import Role

SECRETARIAT = Role.SECRETARIAT
PARTNER = Role.PARTNER


def today() -> date:
    return local_today()


def detail_context(deal: Deal, user) -> dict:
    """Everything the deal page shows, in a constant number of queries, filtered for ``user``."""
    return {"deal": deal, "today": today(), "stage_labels": STAGE_LABELS, "verdict_labels": VERDICT_LABELS,
            "decision_labels": DECISION_LABELS, "moves": allowed_moves(deal.stage),
            **queries.deal_page(deal, user)}


def forms_for(context: dict, **bound) -> dict:
    forms = {}
    if context["is_staff"]:
        move = bound.get("move_form") or MoveForm(formdata=None)
        move.to_stage.choices = choices((s.value, STAGE_LABELS[s]) for s in context["moves"])
        forms["move_form"] = move
        forms["document_form"] = bound.get("document_form") or DocumentForm(formdata=None)
        forms["version_form"] = bound.get("version_form") or VersionForm(formdata=None)
        forms["version_document_id"] = bound.get("version_document_id")
        forms["note_form"] = bound.get("note_form") or NoteForm(formdata=None)
        share = bound.get("share_form") or ShareForm(formdata=None)
        share.organization_id.choices = choices(context["share_choices"])
        forms["share_form"] = share
        comment = bound.get("comment_form") or CommentForm(formdata=None)
        comment.organization_id.choices = choices(context["thread_choices"])
        forms["comment_form"] = comment
        forms["correction_form"] = bound.get("correction_form") or CorrectionForm(formdata=None)
        forms["correction_meeting_id"] = bound.get("correction_meeting_id")
    else:
        forms["comment_form"] = bound.get("comment_form") or CommentForm(formdata=None)
        mine = context.get("my_opinion")
        forms["opinion_form"] = bound.get("opinion_form") or OpinionForm(
            formdata=None, verdict=mine.verdict.value if mine else None, comment=mine.comment if mine else "")
    forms["confirm_form"] = ConfirmForm(formdata=None)
    return forms


def render_detail(deal: Deal, status: int = 200, **bound):
    """The deal page; ``bound``: a form refused (``note_form=form``…), shown with its errors and input."""
    context = detail_context(deal, current_user)
    context.update(forms_for(context, **bound))
    return render_template("deals/detail.html", **context), status
