"""forms of the programmes domain: programmes."""
