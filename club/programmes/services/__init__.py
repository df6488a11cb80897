"""Every change of the programmes domain (checks, writes, flushes, audits; never commits), by subject:
``programmes`` (programmes, partners, indicators and figures, milestones, progress reports, documents),
``beneficiaries`` (people, their steps and placements, the CSV import) and ``awards``."""
