"""Kanal's foundation: app factory, configuration, database, auth, audit log, i18n, errors and the outbox."""
