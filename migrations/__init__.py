"""Alembic migrations; `python -m app migrate` runs them."""
