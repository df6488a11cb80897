"""Every read of the programmes domain, built on each model's ``visible_to``, by subject: ``programmes``,
``beneficiaries`` and ``awards``."""
