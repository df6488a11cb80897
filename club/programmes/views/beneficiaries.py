"""views of the programmes domain: beneficiaries."""
