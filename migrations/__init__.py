"""Alembic revisions and the list of model modules; the only way Kanal's schema is created."""
