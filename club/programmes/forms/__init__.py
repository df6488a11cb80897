"""The programmes domain's forms, by subject: ``programmes``, ``beneficiaries`` and ``awards``."""
