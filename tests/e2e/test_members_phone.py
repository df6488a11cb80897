"""Every members page fits a 390 px phone screen, for every role that reaches it: nothing scrolls sideways,
and a wide table scrolls inside a region that the keyboard can reach."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

WIDTH = 390


def _pages(db, role: str) -> list[str]:
    from club.members.models import Contact, Dues, JobCommitment, JobReport, Organization

    saccom = db.session.scalar(sa.select(Organization).where(Organization.name == "Saccom"))
    contact = db.session.scalar(sa.select(Contact).where(Contact.organization_id == saccom.id).order_by(Contact.id))
    commitment = db.session.scalar(sa.select(JobCommitment).where(JobCommitment.organization_id == saccom.id)
                                   .order_by(JobCommitment.id))
    report = db.session.scalar(sa.select(JobReport).where(JobReport.commitment_id == commitment.id))
    dues = db.session.scalar(sa.select(Dues).where(Dues.organization_id == saccom.id))
    base = f"/members/{saccom.id}"
    pages = ["/members/", base]
    others = db.session.scalars(sa.select(Organization.id).where(Organization.id != saccom.id)
                                .order_by(Organization.id)).all()
    pages += [f"/members/{i}" for i in others]  # every organisation page of the demo world
    if role in ("secretariat", "member"):
        pages += [f"{base}/edit", f"{base}/contacts/new", f"{base}/contacts/{contact.id}/edit"]
        if report is not None:
            pages.append(f"{base}/commitments/{commitment.id}/reports/{report.id}/edit")
    if role == "secretariat":
        pages += ["/members/new", "/members/import", f"{base}/commitments/{commitment.id}/edit"]
        if dues is not None:
            pages.append(f"{base}/dues/{dues.id}/edit")
    return pages


@pytest.mark.parametrize("email, role", [("secretariat@club.example", "secretariat"),
                                         ("partner@firo.example", "partner"),
                                         ("contact@saccom.example", "member")])
def test_every_members_page_fits_a_phone(page, demo_world, db, email, role):
    page.set_viewport_size({"width": WIDTH, "height": 844})
    sign_in(page, email)
    too_wide = []
    for path in _pages(db, role):
        response = page.goto(path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.evaluate("window.innerWidth"):
            culprits = page.evaluate("""() => {
                const out = [];
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                for (let n = walker.nextNode(); n && out.length < 6; n = walker.nextNode()) {
                    if (!n.textContent.trim() || (n.parentElement && n.parentElement.closest('.table-responsive'))) continue;
                    const range = document.createRange(); range.selectNodeContents(n);
                    if (range.getBoundingClientRect().right > window.innerWidth + 1)
                        out.push(n.parentElement.tagName + '.' + n.parentElement.className + ': ' + n.textContent.trim().slice(0, 50));
                }
                const all = [...document.querySelectorAll('body *')].map(e => [e.getBoundingClientRect().right, e])
                    .sort((a, b) => b[0] - a[0]).slice(0, 4);
                for (const [right, e] of all) out.push(Math.round(right) + ' ' + e.tagName + '.' + e.className + ' ' + (e.textContent||'').trim().slice(0, 30));
                return out;
            }""")
            too_wide.append((path, width, culprits))
        # every table scrolls inside a keyboard-focusable region with a name
        unwrapped = page.evaluate("""() => [...document.querySelectorAll('main table')].filter(t => {
            const r = t.closest('.table-responsive');
            return !r || r.getAttribute('tabindex') !== '0' || r.getAttribute('role') !== 'region'
                   || !r.getAttribute('aria-label');
        }).length""")
        assert unwrapped == 0, f"{path}: {unwrapped} table(s) outside a focusable region"
    assert too_wide == [], too_wide
