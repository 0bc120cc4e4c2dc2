"""Alembic's entry: migrate on the connection that ``grader.service.database.migrate`` gives."""

from alembic import context

from grader.service.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
