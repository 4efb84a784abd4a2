"""Mail that leaves the app: the outbox and its delivery, calendar invitations' state, and the
municipalities' application-link mailings."""
