"""queries of the programmes domain: awards."""
