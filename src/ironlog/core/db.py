"""The database engine, the session factory and the portable column types.

SQLite is the embedded default and PostgreSQL the production store; everything here works on both.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, Row, event, make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator

from ironlog.core.config import Settings

# Every constraint gets a predictable name, so migrations can refer to them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# A result row of any width, for repositories that return plain columns.
AnyRow = Row[*tuple[Any, ...]]


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant on both databases.

    SQLite keeps no offset, so values are normalised to UTC on the way in and
    marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_engine(settings: Settings, **overrides: Any) -> AsyncEngine:
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_async_engine(
            url,
            connect_args={"timeout": settings.db_connect_timeout_seconds},
            **overrides,
        )
        _configure_sqlite(engine)
        return engine
    server_settings = {"application_name": "ironlog"}
    if settings.db_statement_timeout_ms:
        server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
    options: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_connect_timeout_seconds,
        "connect_args": {
            "timeout": settings.db_connect_timeout_seconds,
            "server_settings": server_settings,
        },
    }
    options.update(overrides)
    return create_async_engine(url, **options)


def _ensure_sqlite_folder(url: str) -> None:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Foreign keys on, WAL, and SQLAlchemy's recipe that lets SQLAlchemy own BEGIN.

    The recipe (docs: "Serializable isolation / Savepoints / Transactional DDL") makes savepoints
    work. BEGIN IMMEDIATE takes the write lock up front, so two concurrent writers wait for each
    other (busy_timeout) instead of one failing with "database is locked" on upgrade.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(bind: AsyncEngine | AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session outside any request (CLI, start-up): commit on success, roll back on error."""
    async with sessionmaker() as session, session.begin():
        yield session
