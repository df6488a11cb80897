"""forms of the programmes domain: beneficiaries."""
