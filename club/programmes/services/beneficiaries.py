"""services of the programmes domain: beneficiaries."""
