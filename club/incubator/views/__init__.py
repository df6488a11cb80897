"""Incubator screens, by audience: the calls (public, and the secretariat's calls and rubrics), the applicant's
portal (applications, decks, the thread), the secretariat's workflow (lists, ranking, moves, assignments) and the
reviews. Each module adds its routes to the package's blueprint; the app imports this package."""

from club.incubator.views import applicant, calls, reviews, secretariat  # noqa: F401  (the routes)
