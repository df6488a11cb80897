"""queries of the programmes domain: programmes."""
