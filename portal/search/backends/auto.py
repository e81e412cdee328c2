"""The default backend: the one matching the default database (PostgreSQL or SQLite)."""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection


def for_default_database():
    if connection.vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend()
    if connection.vendor == "sqlite":
        from .sqlite import SqliteBackend

        return SqliteBackend()
    raise ImproperlyConfigured(
        f"No search backend for the {connection.vendor} database: set PORTAL_SEARCH_BACKEND."
    )
