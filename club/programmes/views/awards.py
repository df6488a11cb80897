"""views of the programmes domain: awards."""
