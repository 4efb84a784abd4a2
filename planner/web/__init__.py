"""The web layer: one blueprint per area, forms, and the login and access helpers."""
