"""Every model, imported here so Alembic and relationship resolution see them all."""
