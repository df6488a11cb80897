"""Offset pagination with one count query and one page query."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import request

from club.extensions import db


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers to show, ``None`` for a gap: 1 … 4 5 [6] 7 8 … 20."""
        shown = {1, self.pages, *range(max(1, self.page - size), min(self.pages, self.page + size) + 1)}
        result: list[int | None] = []
        previous = 0
        for n in sorted(shown):
            if n - previous > 1:
                result.append(None)
            result.append(n)
            previous = n
        return result


def page_number(arg: str = "page") -> int:
    try:
        return max(1, min(int(request.args.get(arg, 1)), 1_000_000))
    except (TypeError, ValueError):
        return 1


def paginate(stmt: sa.Select, *, page: int | None = None, per_page: int = 50, scalars: bool = True,
             total: int | None = None) -> Page:
    """``total``, when the caller has counted the rows already (with other figures in the same query), spares the
    count."""
    page = page or page_number()
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    last = max(1, math.ceil(total / per_page))
    page = min(page, last)
    query = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.scalars(query) if scalars else db.session.execute(query)
    return Page(items=list(result.unique() if scalars else result), page=page, per_page=per_page, total=total)
