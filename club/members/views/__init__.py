"""Members' pages, by audience and section: the register and the organisation page (``register``), its contacts
(``contacts``), its records (``records``: membership, dues, job commitments and reports) and the CSV import
(``imports``); the dues follow-up, tiers and renewals (``dues``). Endpoints are ``members.<function name>``; the app imports this package once."""

from club.members.views import contacts, dues, imports, records, register  # noqa: F401
