"""Deal screens, by audience: the board, the table and moves (``board``); creating, editing and reading a deal,
its documents and internal notes (``deal``); what the secretariat shares with partners and what partners say
(``partners``); the investment committee (``committee``). Importing the package adds their routes to ``bp``."""

from club.deals.views import board, committee, deal, figures, partners  # noqa: F401  (figures: issue 14)
