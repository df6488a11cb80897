"""Members' pages, by audience and section: the register and the organisation page (``register``), its contacts
(``contacts``), its records (``records``: membership, dues, job commitments and reports) and the CSV import
(``imports``), merging duplicates (``merging``), the dues follow-up, tiers and renewals (``dues``), the organisation's documents (``documents``) and
the dues receipts (``receipts``). Endpoints are ``members.<function name>``; the app imports this package once."""

from club.members.views import (  # noqa: F401
    contacts,
    documents,  # organisation documents
    dues,  # the dues page, tiers, renewals, ending a membership
    figures,  # members by province and by site (issue 14)
    imports,
    merging,  # merging duplicates
    pickers,  # the organisation pickers' suggestions
    receipts,  # dues receipts
    records,
    register,
)
