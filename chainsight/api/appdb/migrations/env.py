"""Alembic's entry point: runs the migrations on the connection that ``AppDB.open`` hands over.

Only :func:`chainsight.api.appdb._migrate.upgrade` runs this file, with the connection (and the lock it
holds) in ``config.attributes["connection"]``; there is no offline (SQL script) mode.
"""

from __future__ import annotations

from alembic import context

from chainsight.api.appdb._schema import metadata

context.configure(connection=context.config.attributes["connection"], target_metadata=metadata,
                  transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
