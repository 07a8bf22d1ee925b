"""Storage (存储): SQLAlchemy models, sessions and Alembic migrations."""
