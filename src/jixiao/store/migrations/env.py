"""Alembic's environment: migrations always run on the connection the store hands over
(``jixiao.store.migrate.upgrade``), inside its transaction."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
