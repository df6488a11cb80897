"""User accounts at volume: nothing to seed (the register's 100,000 organisations come from ``bench/members.py``);
the user forms and the organisation picker's suggestions they and every other organisation field use."""

from __future__ import annotations

import sqlalchemy as sa

from bench import BenchPage


def seed(scale: float) -> None:
    pass


def pages() -> list[BenchPage]:
    from club.auth.models import User
    from club.extensions import db

    member = db.session.scalar(sa.select(User.id).where(User.email == "contact@saccom.example"))
    return [
        BenchPage("admin: user invitation form (organisation picker)", "/admin/users/new"),
        BenchPage("admin: user form (organisation picker)", f"/admin/users/{member}"),
        BenchPage("organisation picker: suggestions, common term (atlas)",
                  "/members/picks?field=q&list=q-options&q=atlas"),
        BenchPage("organisation picker: suggestions, rare term (zzq, no match)",
                  "/members/picks?field=q&list=q-options&q=zzq"),
    ]
