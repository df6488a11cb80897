"""services of the programmes domain: programmes."""
