"""forms of the programmes domain: awards."""
