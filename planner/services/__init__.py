"""Every change to the database, one module per concept; views and the CLI call these."""
