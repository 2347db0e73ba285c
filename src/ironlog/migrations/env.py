"""Alembic environment: async engines, both databases, batch mode on SQLite."""

import asyncio
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection

from ironlog.core.config import Settings
from ironlog.core.db import UTCDateTime, create_engine
from ironlog.models import Base

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, _autogen_context: Any) -> str | Literal[False]:
    """Render IronLog's types as plain SQLAlchemy ones: migrations must not import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Made by a migration only where PostgreSQL's pg_trgm extension could be installed, so not in
# the models: the comparison with the models leaves it out.
OPTIONAL_INDEXES = frozenset({"ix_exercise_search_key_trgm"})


def include_object(
    obj: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any
) -> bool:
    return not (type_ == "index" and name in OPTIONAL_INDEXES)


def _sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    """Switch SQLite's foreign keys for this connection. Sent on the driver connection outside
    any transaction: SQLite ignores the pragma inside one."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    cursor.close()


def run_with_connection(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
        render_item=render_item,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    settings = config.attributes.get("settings") or Settings()
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            # Batch mode changes a SQLite table by copying it and dropping the old one; with
            # foreign keys on, the drop would cascade to the rows that refer to it (a change to
            # `workout` would delete every execution and set). They are off while migrations run,
            # as Alembic advises, on this connection only (the engine is disposed after).
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                await connection.run_sync(_sqlite_foreign_keys, enabled=False)
            await connection.run_sync(run_with_connection)
            await connection.commit()
            if sqlite:
                await connection.run_sync(_sqlite_foreign_keys, enabled=True)
    finally:
        await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    run_with_connection(connection)
else:
    asyncio.run(run_online())
