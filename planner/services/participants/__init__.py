"""Participants and the municipalities that send them: entries, reply files, application links,
the day's reception, coverage, groups, retention and the 開催通知's checks."""
