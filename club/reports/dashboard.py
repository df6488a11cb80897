"""The charts people look at: the secretariat's dashboard (where the club stands against its jobs target, jobs
month by month and by organisation, the deal funnel, amounts signed, members by province and site), a member's
own organisation's jobs, a partner's shared deals; and the deals' and members' figures pages.

Figures and their rendered charts are kept per process until the data changes (``club.core.freshness``: the first
commit that writes anything makes them be computed again, in every process), keyed by what the viewer may see — the
secretariat's charts are the same for every secretariat user; a partner's are their organisation's, a member's
their organisation's — by the reader's language, by the day, and by the target's version. A page says when its
figures were computed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import get_locale

from club.core.charts import Chart
from club.core.freshness import forget, fresh
from club.core.timezones import local_today
from club.models import utcnow
from club.permissions import Role
from club.reports import charts, figures
from club.reports.target import Target, current_target


@dataclass
class Figures:
    """What a panel or a figures page shows: charts (rendered), plain numbers, and when they were computed."""

    charts: dict[str, Chart | list[Chart]] = field(default_factory=dict)
    numbers: dict = field(default_factory=dict)
    computed_at: datetime = field(default_factory=utcnow)


def clear_cache() -> None:
    """Forget every kept figure of this process."""
    forget()


def cached(key: tuple, build: Callable[[], Figures]) -> Figures:
    """``build()``'s figures for ``key`` (plus the language and the day), computed again once the data changed."""
    key = ("reports.figures", *key, str(get_locale() or "fr"), local_today())
    return fresh(key, lambda: _rendered(build()))


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
