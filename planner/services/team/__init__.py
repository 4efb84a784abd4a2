"""The planning team: the roster, role slots and claims, and the roster as Excel files."""
