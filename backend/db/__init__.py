"""Database: engine and sessions, the declarative base, the change log, Alembic migrations."""
