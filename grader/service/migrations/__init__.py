"""Alembic's migrations of the service's database (``grader.service.database.migrate``)."""
