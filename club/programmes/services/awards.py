"""services of the programmes domain: awards."""
