"""The charts people look at: the secretariat's dashboard (where the club stands against its jobs target, jobs
month by month and by organisation, the deal funnel, amounts signed, members by province and site), a member's
own organisation's jobs, a partner's shared deals; and the deals' and members' figures pages.

Figures and their rendered charts are kept a short while per process (``CHART_CACHE_SECONDS``, 90 s by default,
none under ``TESTING`` unless set), keyed by what the viewer may see — the secretariat's charts are the same for
every secretariat user; a partner's are their organisation's, a member's their organisation's — by the reader's
language, by the day, and by the target's version (a new target shows at once, in every process). A page says how
old the figures are.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import get_locale

from club.core.charts import Chart
from club.core.timezones import local_today
from club.models import utcnow
from club.permissions import Role
from club.reports import charts, figures
from club.reports.target import Target, current_target

DEFAULT_CACHE_SECONDS = 90
CACHE_KEY = "club.reports.chart_cache"
# At most this many entries per process (languages × organisations seen lately); the oldest go first.
MAX_ENTRIES = 256


@dataclass
class Figures:
    """What a panel or a figures page shows: charts (rendered), plain numbers, and when they were computed."""

    charts: dict[str, Chart | list[Chart]] = field(default_factory=dict)
    numbers: dict = field(default_factory=dict)
    computed_at: datetime = field(default_factory=utcnow)


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.entries: dict[tuple, tuple[float, Figures]] = {}

    def get(self, key: tuple) -> Figures | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self.entries[key]
                return None
            return found[1]

    def put(self, key: tuple, value: Figures, seconds: float) -> None:
        with self.lock:
            if len(self.entries) >= MAX_ENTRIES:
                now = time.monotonic()
                for k in [k for k, (expires, _) in self.entries.items() if expires < now]:
                    del self.entries[k]
                while len(self.entries) >= MAX_ENTRIES:
                    del self.entries[min(self.entries, key=lambda k: self.entries[k][0])]
            self.entries[key] = (time.monotonic() + seconds, value)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def _cache() -> _Cache:
    return current_app.extensions.setdefault(CACHE_KEY, _Cache())


def cache_seconds() -> float:
    value = current_app.config.get("CHART_CACHE_SECONDS")
    if value is None:
        return 0 if current_app.testing else DEFAULT_CACHE_SECONDS
    return float(value)


def clear_cache() -> None:
    """Forget every cached figure of this process (the target's change needs no call: it is in the keys)."""
    _cache().clear()


def cached(key: tuple, build: Callable[[], Figures]) -> Figures:
    """``build()``'s figures for ``key`` (plus the language and the day), from the cache while they are fresh."""
    key = (*key, str(get_locale() or "fr"), local_today())
    seconds = cache_seconds()
    if seconds <= 0:
        return _rendered(build())
    cache = _cache()
    found = cache.get(key)
    if found is None:
        found = _rendered(build())
        cache.put(key, found, seconds)
    return found


def _rendered(value: Figures) -> Figures:
    """Draw every chart now (the SVG is the costly part: it is what the cache keeps)."""
    for item in value.charts.values():
        for chart in item if isinstance(item, list) else [item]:
            chart.svg  # noqa: B018 - a cached property: rendered once
    return value


# ---------------------------------------------------------------------------------------------------------------
# What each viewer sees


@dataclass(frozen=True)
class Standing:
    """Where the club stands against its target."""

    created: int
    announced: int
    target: Target
    today: date

    @property
    def horizon_passed(self) -> bool:
        """The horizon is behind us and the target not reached."""
        return bool(self.target.horizon and self.target.horizon < self.today and self.created < self.target.jobs)


def club_figures(today: date | None = None) -> Figures:
    """The secretariat's dashboard: the club's standing, its seven charts. A constant number of queries."""
    target = current_target()
    return cached(("club", target.key), lambda: _club_figures(target, today or local_today()))


def _club_figures(target: Target, today: date) -> Figures:
    from club.members.models import Organization

    class Everything:  # the secretariat's view of the deals, without a user object in the cache's closure
        role = Role.SECRETARIAT
        organization_id = None

    months = figures.jobs_by_month(today)
    latest = months[-1] if months else None
    standing = Standing(latest.created if latest else 0, latest.announced if latest else 0, target, today)
    return Figures(
        charts={
            "jobs": charts.jobs_chart(months, target.jobs, target.horizon),
            "by_organisation": charts.jobs_by_organisation_chart(figures.jobs_by_organisation(today, limit=12)),
            "funnel": charts.funnel_charts(figures.deal_funnel(Everything)),
            "signed": charts.signed_chart(figures.signed_by_year_and_kind(Everything)),
            "members": charts.members_charts(figures.members_by(Organization.province),
                                             figures.members_by(Organization.site)),
        },
        numbers={"standing": standing},
    )


def deals_figures(user) -> Figures:
    """The deal funnel and the amounts signed, as ``user`` may see them: every deal for the secretariat, the deals
    shared with their organisation for a partner."""
    scope = ("deals", "all") if user.role == Role.SECRETARIAT else ("deals", user.role.value, user.organization_id)

    class Viewer:
        role = user.role
        organization_id = user.organization_id

    def build() -> Figures:
        funnel = figures.deal_funnel(Viewer)
        return Figures(charts={"funnel": charts.funnel_charts(funnel),
                               "signed": charts.signed_chart(figures.signed_by_year_and_kind(Viewer))},
                       numbers={"deals": sum(f.count for f in funnel)})

    if user.role != Role.SECRETARIAT:
        # A partner's figures are never kept: a share revoked must vanish from them at once (SECURITY.md), and the
        # few deals shared with one organisation cost two small queries.
        return build()
    return cached(scope, build)


def members_figures() -> Figures:
    """Active members by province and by site (the secretariat's)."""
    from club.members.models import Organization

    def build() -> Figures:
        by_province = figures.members_by(Organization.province)
        return Figures(charts={"members": charts.members_charts(by_province, figures.members_by(Organization.site))},
                       numbers={"members": sum(by_province.values())})

    return cached(("members",), build)


def organisation_figures(organization_id: int, name: str, today: date | None = None) -> Figures:
    """One organisation's jobs, created against announced, month by month (no club target: it is the club's)."""
    def build() -> Figures:
        months = figures.jobs_by_month(today or local_today(), organization_id=organization_id)
        chart = charts.organisation_jobs_chart(name, months)
        latest = months[-1] if months else None
        return Figures(charts={"jobs": chart},
                       numbers={"created": latest.created if latest else 0,
                                "announced": latest.announced if latest else 0})

    return cached(("organisation", organization_id, name), build)
