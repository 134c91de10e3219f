"""The store's Alembic migrations (run by ``jixiao.store.migrate.upgrade`` on every opening).

A schema change is a new file in ``versions/``: copy the last one, give it the next
``revision`` and the last one's as ``down_revision``, write ``upgrade`` (and ``downgrade``)
with ``alembic.op``, and update ``schema.py`` to the result. Never edit an applied revision.
"""
