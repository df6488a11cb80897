"""Members: the register of organisations (fleshed out by the members module)."""
