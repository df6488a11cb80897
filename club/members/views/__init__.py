"""Members' pages, by audience and section: the register and the organisation page (``register``), its contacts
(``contacts``), its records (``records``: membership, dues, job commitments and reports) and the CSV import
(``imports``), merging duplicates (``merging``). Endpoints are ``members.<function name>``; the app imports
this package once."""

from club.members.views import contacts, imports, merging, records, register  # noqa: F401
