"""The secretariat's pipeline: the board (drag and drop, or each card's move menu), moves, the table and its
export; for a partner, the same address is the partners' room (the deals shared with their organisation)."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from club.core.exports import table_response
from club.core.pagination import paginate
from club.core.refusals import REFUSED_STATUS, Refused, refuse_at
from club.core.spreadsheets import Column
from club.core.stale import stale_response
from club.deals import bp, queries, services
from club.deals.forms import MoveForm, TableFilterForm
from club.deals.models import KIND_LABELS, STAGE_LABELS, STAGES, TRANSITIONS, Deal, Stage, allowed_moves
from club.deals.views.page import PARTNER, SECRETARIAT, today
from club.extensions import db
from club.formats import money_writer, ngettext
from club.forms import choices, form_view
from club.htmx import is_htmx_partial, render_page_or_partial
from club.permissions import get_visible_or_404, role_required
from club.security import safe_next


def _board_context(message: str | None = None, message_kind: str = "danger") -> dict:
    figures = queries.column_figures()
    cards = queries.board_cards()
    labels = {stage: str(label) for stage, label in STAGE_LABELS.items()}  # translated once, not per card
    # "12 days in stage" written once per number of days, not once per card.
    days = {d for column in cards.values() for _deal, d in column}
    day_labels = {d: ngettext("%(num)s day in stage", "%(num)s days in stage", d) for d in days}
    money = money_writer()  # the locale looked up once for the board's two hundred amounts
    return {"figures": figures, "cards": cards, "stages": STAGES, "stage_labels": labels, "day_labels": day_labels,
            "money": money,
            "transitions": TRANSITIONS, "board_message": message, "board_message_kind": message_kind,
            "today": today(), "per_column": queries.BOARD_CARDS_PER_COLUMN}


@bp.route("/")
@role_required(SECRETARIAT, PARTNER)
def index():
    if current_user.role == PARTNER:
        page = paginate(queries.shared_deals(current_user), per_page=50)
        return render_template("deals/room.html", page=page, stage_labels={k: str(v) for k, v in STAGE_LABELS.items()},
                               kind_labels={k: str(v) for k, v in KIND_LABELS.items()}, money=money_writer())
    if request.headers.get("HX-Boosted") == "true":
        # A boosted swap would not run the board's scripts (drag and drop): ask htmx for a full page load.
        response = make_response("", 200)
        response.headers["HX-Redirect"] = request.full_path.rstrip("?")
        response.vary.add("HX-Request")
        return response
    return render_page_or_partial("deals/board.html", "deals/_board.html", **_board_context())


def _move_page(deal: Deal, back: str) -> dict:
    return {"deal": deal, "back": back, "moves": allowed_moves(deal.stage), "stage_labels": STAGE_LABELS}


def _board_refusal(deal: Deal, form: MoveForm, reason: str):
    """The board again (htmx answers the drop with 200 so that it is swapped), the refusal above it and, when the
    move is allowed but lacks something (a reason, a date), a link to the move form."""
    context = _board_context(_("“%(title)s” was not moved: %(reason)s", title=deal.title, reason=reason))
    if form.to_stage.data in {s.value for s in TRANSITIONS[deal.stage]}:
        context["retry_url"] = url_for("deals.move", deal_id=deal.id, to_stage=form.to_stage.data,
                                       next=url_for("deals.index"))
    return render_page_or_partial("deals/board.html", "deals/_board.html", **context)


@bp.route("/move", methods=["POST"])
@form_view
@role_required(SECRETARIAT)
def move_selected():
    """The board's one move menu: the stage chosen in it, the deal named by the card's button (or, with JavaScript,
    by the card dropped on a column)."""
    deal_id = request.form.get("deal_id", type=int)
    if deal_id is None:
        message = _("Choose the deal to move: press “Move” on its card.")
        if is_htmx_partial():
            return render_page_or_partial("deals/board.html", "deals/_board.html", **_board_context(message))
        return render_template("deals/board.html", **_board_context(message)), REFUSED_STATUS
    return move(deal_id)


@bp.route("/<int:deal_id>/move", methods=["GET", "POST"])
@form_view
@role_required(SECRETARIAT)
def move(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = MoveForm()
    form.to_stage.choices = choices((s.value, STAGE_LABELS[s]) for s in STAGES)
    back = safe_next(request.values.get("next"), url_for("deals.detail", deal_id=deal.id))
    if request.method == "GET":
        if request.args.get("to_stage") in {s.value for s in STAGES}:
            form.to_stage.data = request.args["to_stage"]
        return render_template("deals/move.html", form=form, **_move_page(deal, back))
    if not form.validate_on_submit():
        if is_htmx_partial():
            return _board_refusal(deal, form, _("The move was not recorded: check the form."))
        return render_template("deals/move.html", form=form, **_move_page(deal, back)), REFUSED_STATUS
    try:
        services.move_deal(deal, Stage(form.to_stage.data), by=current_user, reason=form.reason.data,
                           signed_on=form.signed_on.data)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        if is_htmx_partial():
            return _board_refusal(deal, form, str(refused.message))
        refuse_at(form, refused)
        return render_template("deals/move.html", form=form, **_move_page(deal, back)), REFUSED_STATUS
    except StaleDataError:  # moved by someone else at the same moment: the one answer to a stale write
        db.session.rollback()
        db.session.refresh(deal)
        if is_htmx_partial():
            return _board_refusal(deal, form, _("Someone else changed this deal at the same moment; look at it "
                                                "again."))
        return stale_response("deals/move.html", form=form, saved={"to_stage": deal.stage.value},
                              version=deal.version, **_move_page(deal, back))
    done = _("“%(title)s” moved to %(stage)s.", title=deal.title, stage=STAGE_LABELS[deal.stage])
    if is_htmx_partial():
        return render_page_or_partial("deals/board.html", "deals/_board.html", **_board_context(done, "success"))
    flash(done, "success")
    return redirect(back, 303)


# ---------------------------------------------------------------- table and export


def _table_filter_form() -> TableFilterForm:
    form = TableFilterForm(request.args)
    # Only organisations that are party to a deal: the register may hold a hundred thousand others.
    form.investor.choices = choices([(0, _l("All"))] + [(i, n) for i, n in queries.investor_organisations()])
    form.target.choices = choices([(0, _l("All"))] + [(i, n) for i, n in queries.target_organisations()])
    form.owner.choices = choices([(0, _l("All"))] + [(u.id, u.name) for u in queries.secretariat_users()])
    return form


@bp.route("/table")
@role_required(SECRETARIAT)
def table():
    form = _table_filter_form()
    args = form.cleaned()
    where = queries.table_filters(args, today())
    count, total = queries.table_totals(where)  # the count and the sum in one query: the page needs no other count
    page = paginate(queries.table_query(where, args["sort"], args["descending"]), per_page=50, scalars=False,
                    total=count)
    return render_page_or_partial("deals/table.html", "deals/_table.html", form=form, page=page, count=count,
                                  total=total, today=today(), args=args,
                                  kind_labels={k: str(v) for k, v in KIND_LABELS.items()},  # translated once
                                  stage_labels={k: str(v) for k, v in STAGE_LABELS.items()}, money=money_writer())


@bp.route("/table.csv")
@role_required(SECRETARIAT)
def export():
    return _export("csv")


@bp.route("/table.xlsx")
@role_required(SECRETARIAT)
def export_xlsx():
    return _export("xlsx")


def _export(fmt: str):
    """The filtered table, every page of it (``club.core.exports``): amounts and dates typed in the XLSX."""
    form = _table_filter_form()
    args = form.cleaned()
    where = queries.table_filters(args, today())
    columns = [Column("id", "id"), Column(_("Title")), Column(_("Kind")), Column(_("Stage")),
               Column(_("Days in stage"), "int"), Column(_("Target")), Column(_("Investors")),
               Column(_("Amount (MAD)"), "money"), Column(_("Stake (%)"), "decimal"), Column(_("Owner")),
               Column(_("Expected close"), "date"), Column(_("Next step")), Column(_("Next step due"), "date"),
               Column(_("Signed on"), "date")]
    rows = queries.table_rows(where, args["sort"], args["descending"])
    return table_response(fmt, f"deals-{today().isoformat()}", _("Deals"), columns, (
        (deal.id, deal.title, KIND_LABELS[deal.kind], STAGE_LABELS[deal.stage], days, deal.target.name,
         "; ".join(o.name for o in deal.investors), deal.amount, deal.stake,
         deal.owner.name if deal.owner else "", deal.expected_close, deal.next_step, deal.next_step_due,
         deal.signed_on)
        for deal, days in rows))
