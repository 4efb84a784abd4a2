"""The team's materials per subject: stored files with versions, the anonymity check, and demo data."""
