"""The receipt of a dues payment, as a PDF, in the member's language: for the secretariat and the organisation's own
member contacts; dues not paid (or not seen): 404.

The PDF is made by WeasyPrint from ``templates/members/receipt.html``, with no external resource: its URL fetcher
refuses everything but ``data:`` URIs (no network, no file of the server's).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, make_response, render_template, request
from flask_babel import force_locale
from flask_login import current_user

from club.core.timezones import local_today
from club.extensions import db
from club.members import bp
from club.members.models import PAYMENT_METHOD_LABELS, Dues
from club.permissions import Role, role_required

LANGUAGES = ("fr", "en")
CLUB_NAME = "Club de l'Offshoring de l'Oriental"
CLUB_ADDRESS = "Technopole Oujda Shore, 60000 Oujda, Maroc"


def receipt_language(dues: Dues, user) -> str:
    """``?lang=fr|en`` when asked; else the member's own locale; for the secretariat, the locale of the
    organisation's member users (the first account's), else French."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    if user.role == Role.MEMBER:
        return user.locale if user.locale in LANGUAGES else "fr"
    from club.auth.models import User

    locale = db.session.scalar(sa.select(User.locale).where(User.organization_id == dues.organization_id,
                                                            User.role == Role.MEMBER, User.locale.in_(LANGUAGES))
                               .order_by(User.id).limit(1))
    return locale or "fr"


def _data_only_fetcher():
    """A WeasyPrint URL fetcher that fetches ``data:`` URIs only (every other URL is refused, nothing is read)."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 66: a fetcher is a function
        from weasyprint import default_url_fetcher

        def fetch(url, *args, **kwargs):
            if not url.startswith("data:"):
                raise ValueError("external resources are refused")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=1)


def render_receipt(dues: Dues, language: str) -> bytes:
    from weasyprint import HTML

    org = dues.organization
    with force_locale(language):
        html = render_template("members/receipt.html", dues=dues, org=org, language=language,
                               club_name=current_app.config.get("CLUB_NAME") or CLUB_NAME,
                               club_address=current_app.config.get("CLUB_ADDRESS") or CLUB_ADDRESS,
                               method_label=str(PAYMENT_METHOD_LABELS[dues.method]) if dues.method else None,
                               issued_on=local_today())
    return HTML(string=html, base_url=None, url_fetcher=_data_only_fetcher()).write_pdf()


@bp.route("/dues/<int:dues_id>/receipt.pdf")
@role_required(Role.SECRETARIAT, Role.MEMBER)
def dues_receipt(dues_id: int):
    dues = db.session.get(Dues, dues_id)
    if dues is None or not dues.organization.sees_dues(current_user) or not dues.is_paid \
            or dues.receipt_number is None:
        abort(404)
    language = receipt_language(dues, current_user)
    response = make_response(render_receipt(dues, language))
    response.mimetype = "application/pdf"
    stem = "recu" if language == "fr" else "receipt"
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}-{dues.receipt_number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
