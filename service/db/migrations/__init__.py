"""Alembic migrations of the pingan schema."""
