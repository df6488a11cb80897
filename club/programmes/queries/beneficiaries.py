"""queries of the programmes domain: beneficiaries."""
