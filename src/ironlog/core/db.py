"""The database engine, the session factory and the portable column types.

SQLite is the embedded default and PostgreSQL the production store; everything here works on both.
"""

import asyncio
import contextlib
import functools
import json as stdlib_json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol, cast

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import (
    CompoundSelect,
    DateTime,
    MetaData,
    Row,
    RowMapping,
    Select,
    Table,
    event,
    insert,
    make_url,
)
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from ironlog.core import json
from ironlog.core.config import Settings
from ironlog.core.errors import DatabaseUnavailable

# Every constraint gets a predictable name, so migrations can refer to them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ReadSession(Protocol):
    """What a read may do with its session: run SELECTs, never add, delete, flush or commit
    (nor execute an UPDATE or a DELETE).

    `@read_only` routes take a `ReadSessionDep` (core.routing) and hand it down to services and
    repository functions typed with it, so a read-only route that writes fails mypy; their
    session is a `ReadOnlySession`. A writing route's `AsyncSession` is one too (the check is
    structural): a function that reads only takes this type, so writing routes may call it.
    """

    @property
    def info(self) -> dict[Any, Any]: ...

    async def connection(self) -> AsyncConnection: ...

    async def execute(
        self, statement: "ReadStatement", params: Any = None, *, execution_options: Any = ...
    ) -> Any: ...

    async def scalar(self, statement: "ReadStatement", params: Any = None) -> Any: ...

    async def scalars(self, statement: "ReadStatement", params: Any = None) -> Any: ...

    async def get(self, entity: Any, ident: Any, *, populate_existing: bool = ...) -> Any: ...

    def get_bind(self) -> Engine | Connection: ...


# A result row of any width, for repositories that return plain columns.
AnyRow = Row[*tuple[Any, ...]]
# A read statement `fetch_all` runs: a SELECT, or a UNION of them.
ReadStatement = Select[Any] | Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]]


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


# IronLog's connections in PostgreSQL's pg_stat_activity: `ironlog db restore` looks for them.
APPLICATION_NAME = "ironlog"


def create_engine(settings: Settings, **overrides: Any) -> AsyncEngine:
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_async_engine(
            url,
            connect_args={"timeout": settings.db_wait_seconds},
            **overrides,
        )
        _configure_sqlite(engine, busy_timeout_ms=int(settings.db_lock_timeout_seconds * 1000))
        return engine
    # No pool_pre_ping: it costs a round trip per request. A connection found dead raises a
    # disconnect error, which invalidates the pool (the request gets a 503; the next reconnect).
    options: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_wait_seconds,
        "connect_args": _postgresql_connect_args(settings),
    }
    options.update(overrides)
    return create_async_engine(url, **options)


def _postgresql_connect_args(settings: Settings) -> dict[str, Any]:
    """What every PostgreSQL connection is opened with, beyond its URL (asyncpg's arguments)."""
    server_settings = {"application_name": APPLICATION_NAME}
    if settings.db_statement_timeout_ms:
        server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
    return {"timeout": settings.db_wait_seconds, "server_settings": server_settings}


def _ensure_sqlite_folder(url: str) -> None:
    """The database holds every account: a folder IronLog creates is the owner's only (0700),
    and so is a database file it creates (0600; SQLite gives its -wal and -shm files the
    database's permissions)."""
    path = make_url(url).database
    if path and path != ":memory:" and not path.startswith("file:"):
        database = Path(path).expanduser()
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process may create it first
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def private_file(path: Path) -> BinaryIO:
    """`path` opened for writing, readable by its owner only (0600) even if it existed."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "wb")


def _configure_sqlite(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    """Foreign keys on, WAL, and SQLAlchemy's recipe that lets SQLAlchemy own BEGIN.

    The recipe (docs: "Serializable isolation / Savepoints / Transactional DDL") makes savepoints
    work. BEGIN IMMEDIATE takes the write lock up front, so two concurrent writers wait for each
    other (busy_timeout) instead of one failing with "database is locked" on upgrade. A wait
    that outlasts busy_timeout (`db_lock_timeout_seconds`) is a 503, never a 500.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_sessionmaker(
    bind: AsyncEngine | AsyncConnection, driver_pool: "DriverPool | None" = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions of the unit of work. `driver_pool`: where a unit that writes with one statement
    sends it on PostgreSQL (`write_in_one_statement`)."""
    info = {_DRIVER_POOL_KEY: driver_pool} if driver_pool is not None else None
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False, info=info)


READ_ONLY_OPTION = "ironlog_read_only"


class DriverPool:
    """asyncpg's own pool, for the reads `fetch_all` sends straight to the driver, and for a
    write that runs alone (`run_alone`, `write_in_one_statement`) (PostgreSQL).

    Taking a connection from SQLAlchemy's pool, and handing it back, runs in a greenlet each
    time, and every new greenlet maps and unmaps a 16 KiB frame stack of its own: four system
    calls and fresh pages per read, which cost a workout read a fifth of its CPU
    (docs/workouts.md). asyncpg's pool is plain asyncio. Its connections only ever run single
    statements in autocommit (`fetch`, for `fetch_all`'s reads, and `run_alone`'s write), each
    taken for its statement and given back at once, with nothing to reset (no transaction, no
    setting, no listener), so they go back without asyncpg's reset query. Up to
    `db_pool_size` connections, opened as they are needed, besides SQLAlchemy's pool (which
    the other writes and ORM reads use); JSON columns decode as SQLAlchemy's connections
    decode them.
    """

    def __init__(self, connect_args: dict[str, Any], size: int, wait_seconds: float) -> None:
        self._connect_args = connect_args
        self._size = size
        self._wait_seconds = wait_seconds
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        # asyncpg's queue is not first come, first served: a request that asks as a connection
        # comes back may take it ahead of those waiting. A queue that served in turn cost a
        # workout read 6 – 8% of its throughput under load (a released connection waits,
        # reserved, for its waiter's turn of the event loop); taking a connection for each
        # statement only keeps the waits short instead (docs/workouts.md).
        self._waiting = 0  # requests waiting for a connection now (the metrics read it)

    @classmethod
    def for_engine(cls, engine: AsyncEngine, settings: Settings) -> "DriverPool | None":
        """The engine's database's pool on PostgreSQL; None elsewhere."""
        if engine.dialect.name != "postgresql":
            return None
        _args, url_args = engine.dialect.create_connect_args(engine.url)
        connect_args = {**url_args, **_postgresql_connect_args(settings)}
        return cls(connect_args, settings.db_pool_size, settings.db_wait_seconds)

    async def acquire(self) -> Any:
        """A connection; `release` gives it back. Waiting longer than the pool's wait, or
        failing to connect, is `DatabaseUnavailable`."""
        self._waiting += 1
        try:
            return await (await self._opened()).acquire(timeout=self._wait_seconds)
        except (*_DRIVER_OUTAGES, asyncpg.TooManyConnectionsError) as error:
            raise DatabaseUnavailable() from error
        finally:
            self._waiting -= 1

    async def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        min_size=0,
                        max_size=self._size,
                        init=_decode_json_as_sqlalchemy_does,
                        reset=_nothing_to_reset,
                        **self._connect_args,
                    )
        return self._pool

    async def fetch(self, engine: Engine | Connection, sql: str, args: Sequence[Any]) -> Any:
        """ONE read-only statement on a connection of the pool, taken for it alone: its rows."""
        return await self._run(engine, sql, args, first_row=False)

    async def run_alone(self, engine: Engine | Connection, sql: str, args: Sequence[Any]) -> Any:
        """ONE statement on a connection of the pool, as a transaction of its own: its first
        row, or None."""
        return await self._run(engine, sql, args, first_row=True)

    async def _run(
        self, engine: Engine | Connection, sql: str, args: Sequence[Any], *, first_row: bool
    ) -> Any:
        """`engine`'s listeners see the statement (query counting, tracing). Its errors are
        raised as SQLAlchemy raises them from its own connections (an `IntegrityError`, say);
        an outage is `DatabaseUnavailable`, and a broken connection is dropped."""
        connection = await self.acquire()
        try:
            engine.dispatch.before_cursor_execute(None, None, sql, args, None, False)
            if first_row:
                return await connection.fetchrow(sql, *args)
            return await connection.fetch(sql, *args)
        except _DRIVER_OUTAGES as error:
            if not isinstance(error, asyncpg.QueryCanceledError):
                connection.terminate()
            raise DatabaseUnavailable() from error
        except asyncpg.PostgresError as error:
            raise _as_sqlalchemy_error(engine.dialect, sql, args, error) from error
        finally:
            await self.release(connection)

    async def release(self, connection: Any) -> None:
        if self._pool is not None:  # else closed meanwhile, and the connection with it
            await self._pool.release(connection)

    @property
    def size(self) -> int:
        """The most connections the pool opens."""
        return self._size

    def waiting(self) -> int:
        """Requests waiting for a connection now."""
        return self._waiting

    def checked_out(self) -> int:
        if self._pool is None:
            return 0
        return int(self._pool.get_size() - self._pool.get_idle_size())

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()


def _as_sqlalchemy_error(
    dialect: Dialect, sql: str, args: Sequence[Any], error: Exception
) -> DBAPIError:
    """asyncpg's `error` as SQLAlchemy's asyncpg dialect raises it (`IntegrityError` with the
    driver's error as `orig`, whose `sqlstate` core.errors reads), with its own mapping."""
    dbapi = dialect.loaded_dbapi
    translate = dbapi._asyncpg_error_translate  # the dialect's own table (not public)
    adapted = next(
        translate[kind](error.args[0] if error.args else str(error), error)
        for kind in type(error).__mro__
        if kind in translate
    )
    translated: DBAPIError = DBAPIError.instance(
        sql, args, adapted, dbapi.Error, hide_parameters=True
    )
    return translated


async def _nothing_to_reset(_connection: Any) -> None:
    return None


async def _decode_json_as_sqlalchemy_does(connection: Any) -> None:
    """The JSON codecs SQLAlchemy's asyncpg dialect sets on its connections (its
    `setup_asyncpg_json_codec`), so that a statement reads the same on either pool."""
    await connection.set_type_codec(
        "json",
        encoder=str.encode,
        decoder=lambda value: stdlib_json.loads(value.decode()),
        schema="pg_catalog",
        format="binary",
    )
    await connection.set_type_codec(
        "jsonb",
        encoder=lambda value: b"\x01" + value.encode(),
        decoder=lambda value: stdlib_json.loads(value[1:].decode()),
        schema="pg_catalog",
        format="binary",
    )


class ReadOnlySession:
    """The session of a `@read_only` route (a `ReadSession`): one pooled connection, taken at
    the first read, and an ORM session on that connection only when the route asks for ORM
    work (`execute`, `scalars`, `get`...).

    The hottest reads (`fetch_all`) need the connection only; building and closing an ORM
    session around them cost more than the query itself (docs/workouts.md, "The read path").
    With an `AsyncConnection` as `bind` (the tests' transaction) that connection is used and
    left open.
    """

    def __init__(
        self,
        bind: AsyncEngine | AsyncConnection,
        sessionmaker: async_sessionmaker[AsyncSession],
        driver_pool: DriverPool | None = None,
    ) -> None:
        self._bind = bind
        self._sessionmaker = sessionmaker
        self._driver_pool = driver_pool
        self._connection: AsyncConnection | None = None
        self._session: AsyncSession | None = None
        self.info: dict[Any, Any] = {}

    async def connection(self) -> AsyncConnection:
        if self._connection is None:
            bind = self._bind
            self._connection = bind if isinstance(bind, AsyncConnection) else await bind.connect()
        return self._connection

    def driver_pool(self) -> "DriverPool | None":
        """PostgreSQL, while the session holds no connection of SQLAlchemy's pool: the driver's
        own pool (`DriverPool`), where `fetch_all` takes a connection for each statement,
        without SQLAlchemy's `Connection` around it (its set-up and reset on every checkout
        cost more than a small query). None otherwise (SQLite, a session bound to a
        connection, one that has taken its connection for ORM work): `fetch_all` then uses
        `connection()`."""
        if isinstance(self._bind, AsyncConnection) or self._connection is not None:
            return None
        return self._driver_pool

    async def _orm_session(self) -> AsyncSession:
        if self._session is None:
            self._session = self._sessionmaker(bind=await self.connection())
        return self._session

    async def execute(
        self, statement: "ReadStatement", params: Any = None, *, execution_options: Any = None
    ) -> Any:
        session = await self._orm_session()
        if execution_options is None:
            return await session.execute(statement, params)
        return await session.execute(statement, params, execution_options=execution_options)

    async def scalar(self, statement: "ReadStatement", params: Any = None) -> Any:
        return await (await self._orm_session()).scalar(statement, params)

    async def scalars(self, statement: "ReadStatement", params: Any = None) -> Any:
        return await (await self._orm_session()).scalars(statement, params)

    async def get(self, entity: Any, ident: Any, *, populate_existing: bool = False) -> Any:
        return await (await self._orm_session()).get(
            entity, ident, populate_existing=populate_existing
        )

    def get_bind(self) -> Engine | Connection:
        # The engine, for its dialect: the connection may not have been taken yet.
        return self._bind.sync_engine

    async def close(self) -> None:
        """End the ORM session, if any, then hand the connection back (one the session did
        not take itself stays open)."""
        session, connection = self._session, self._connection
        self._session = self._connection = None
        try:
            if session is not None:
                await session.close()
        finally:
            if connection is not None and connection is not self._bind:
                await connection.close()

    async def __aenter__(self) -> "ReadOnlySession":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()


def create_read_sessionmaker(
    engine: AsyncEngine, driver_pool: DriverPool | None = None
) -> Callable[[], ReadOnlySession]:
    """Sessions for read-only routes: no transaction round trips on PostgreSQL (autocommit),
    a deferred BEGIN that does not take the write lock on SQLite. See docs/unit-of-work.md.
    `driver_pool`: where `fetch_all` takes its connection on PostgreSQL (without one, from
    SQLAlchemy's pool through the session's connection)."""
    options: dict[str, Any] = {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    reading_engine = engine.execution_options(**options)
    orm_sessions = async_sessionmaker(expire_on_commit=False, autoflush=False)
    return functools.partial(ReadOnlySession, reading_engine, orm_sessions, driver_pool)


def create_snapshot_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for a long read that must see one consistent state (the export): a read-only
    snapshot that takes no write lock. PostgreSQL: `REPEATABLE READ READ ONLY`. SQLite: a
    deferred BEGIN; in WAL mode the first read fixes the snapshot and writers go on."""
    options: dict[str, Any] = {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return create_sessionmaker(engine.execution_options(**options))


def write_in_one_statement(session: AsyncSession) -> bool:
    """Declare, before a unit of work's first statement, that it writes with ONE statement
    (`insert_led`). True when that statement will be a transaction of its own, committed by
    the time it returns: on PostgreSQL, for a session of the application's sessionmaker (which
    knows the `DriverPool`) that has not begun. The statement then goes to a connection of the
    driver's pool in autocommit, so the unit of work takes no connection from SQLAlchemy's
    pool, sends no BEGIN and no COMMIT, and its session has nothing to commit or close
    (`core.routing`); each of those would run in a greenlet of its own (docs/workouts.md).

    The caller must not use the session before the write, or the write joins the
    transaction that use begins (which the unit of work commits, as usual). False, and nothing
    changes, for a session that has begun, for one bound to a connection (the tests'
    transaction), or on SQLite. A create of a workout is such a unit (docs/unit-of-work.md).
    """
    if session.in_transaction() or session.info.get(_DRIVER_POOL_KEY) is None:
        return False
    session.info[_ALONE_KEY] = True
    return True


@asynccontextmanager
async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session outside any request (CLI, start-up): commit on success, roll back on error."""
    async with sessionmaker() as session, session.begin():
        yield session


@functools.lru_cache(maxsize=512)
def _compiled_for_asyncpg(
    statement: ReadStatement, dialect: Dialect, list_sizes: tuple[tuple[str, int], ...]
) -> tuple[str, tuple[tuple[str, int | None], ...], dict[str, Any]]:
    """The statement's SQL for asyncpg; per placeholder, the parameter (and list index) it
    takes; and the values of the statement's own constants (a literal `1` in a CASE is a
    placeholder too), ready for the driver. A list parameter (an expanding IN) is rendered for
    its length."""
    if list_sizes:
        # Rendering the lists needs a value for every parameter; placeholders will do.
        values: dict[str, Any] = dict.fromkeys(statement.compile(dialect=dialect).binds)
        values.update({name: [None] * size for name, size in list_sizes})
        statement = statement.params(values)
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    lists = {name for name, _ in list_sizes}
    placeholders: list[tuple[str, int | None]] = []
    constants: dict[str, Any] = {}
    for name in compiled.positiontup or ():
        base, _, index = name.rpartition("_")
        if base in lists and index.isdigit():
            placeholders.append((base, int(index) - 1))
            continue
        placeholders.append((name, None))
        bind = compiled.binds.get(name)
        if bind is not None and not bind.required and bind.callable is None:
            process = bind.type.bind_processor(dialect)
            constants[name] = bind.value if process is None else process(bind.value)
    return compiled.string, tuple(placeholders), constants


_DRIVER_KEY = "ironlog.driver_connection"
# `create_sessionmaker`'s pool, and a unit whose one write goes there (`write_in_one_statement`).
_DRIVER_POOL_KEY = "ironlog.driver_pool"
_ALONE_KEY = "ironlog.write_alone"


class _DriverConnection(NamedTuple):
    """What `fetch_all` sends a statement through on PostgreSQL, outside the driver's pool:
    the raw connection under the session's own."""

    asyncpg: Any
    # Whose `before_cursor_execute` listeners (query counting, tracing) see the statement.
    events: Engine | Connection
    invalidate: Callable[[BaseException], Awaitable[None]]


@event.listens_for(Session, "after_transaction_end")
def _forget_driver_connection(session: Session, _transaction: Any) -> None:
    """A session may hand its connection back when a transaction ends: forget the cached one."""
    session.info.pop(_DRIVER_KEY, None)


async def _driver_route(session: ReadSession) -> "DriverPool | AsyncConnection | _DriverConnection":
    """The session's way to the database for `fetch_all`: the driver's pool (a read-only
    session on PostgreSQL), the driver's connection under the session's own (another session
    on PostgreSQL), or the session's connection (for a Core execution) elsewhere."""
    if isinstance(session, ReadOnlySession):
        pool = session.driver_pool()
        if pool is not None:
            return pool
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return connection
    driver = (await connection.get_raw_connection()).driver_connection
    events = connection.sync_connection or connection.sync_engine  # an open one has the former
    return _DriverConnection(driver, events, connection.invalidate)


async def fetch_all(
    session: ReadSession, statement: ReadStatement, params: dict[str, Any]
) -> Sequence[Sequence[Any]]:
    """Run a read-only statement built once at import and return its rows as tuples.

    On PostgreSQL the statement, compiled once, goes straight to asyncpg: SQLAlchemy's
    per-execution layer costs more than the query itself on the hottest routes (session check,
    workout reads; bench/workouts.py measures it). A read-only session takes a connection of
    the driver's pool for the statement only, so a request holds none while it builds its
    answer. Rows then hold the driver's own types, which `core.json` serialises. Elsewhere it
    is a plain Core execution. Only for statements whose result needs no SQLAlchemy type
    processing on PostgreSQL and that may run outside the request's transaction (see
    docs/workouts.md).
    """
    # Kept on the session: asking SQLAlchemy for the connection again costs as much as a small
    # query.
    route = session.info.get(_DRIVER_KEY)
    if route is None:
        route = session.info[_DRIVER_KEY] = await _driver_route(session)
    if isinstance(route, AsyncConnection):
        rows: Sequence[Sequence[Any]] = (await route.execute(statement, params)).all()
        return rows
    events = session.get_bind() if isinstance(route, DriverPool) else route.events
    list_sizes = tuple(
        sorted((name, len(value)) for name, value in params.items() if isinstance(value, list))
    )
    sql, placeholders, constants = _compiled_for_asyncpg(statement, events.dialect, list_sizes)
    if constants:
        params = {**constants, **params}
    args = tuple(
        params[name] if index is None else params[name][index] for name, index in placeholders
    )
    if isinstance(route, DriverPool):
        records: Sequence[Sequence[Any]] = await route.fetch(events, sql, args)
        return records
    connection = events if isinstance(events, Connection) else None
    events.dispatch.before_cursor_execute(connection, None, sql, args, None, False)
    try:
        records = await route.asyncpg.fetch(sql, *args)
    except _DRIVER_OUTAGES as error:
        # SQLAlchemy does not see the driver's own errors: invalidate a broken connection here,
        # or the pool would hand it out again, and answer 503 as for any outage.
        if not isinstance(error, asyncpg.QueryCanceledError):
            await route.invalidate(error)
        raise DatabaseUnavailable() from error
    return records


async def fetch_mappings(
    session: ReadSession, statement: ReadStatement, params: dict[str, Any]
) -> Sequence[RowMapping]:
    """`fetch_all`, its rows read by column name: SQLAlchemy's row mappings, or on PostgreSQL the
    driver's records, which read by name the same way."""
    rows = await fetch_all(session, statement, params)
    return [row._mapping if isinstance(row, Row) else cast(RowMapping, row) for row in rows]


# Errors of a raw asyncpg call that mean the database cannot answer (not a bad statement):
# a closed or broken connection, a server shutting down or starting, the statement timeout.
_DRIVER_OUTAGES = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    # A connection the server ended while it sat in the pool can surface as a protocol in an
    # impossible state ("cannot switch to state 12") rather than as a closed connection.
    asyncpg.InternalClientError,
)


@functools.cache
def _compiled_insert(table: Table, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
    compiled = insert(table).compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup or ())


@functools.cache
def _json_insert(
    table: Table, dialect: Dialect, joined: str | None, fills: frozenset[str] = frozenset()
) -> str:
    """`INSERT INTO table (columns) SELECT ... FROM json_populate_recordset(NULL::table, ${})`:
    a batch of rows as ONE JSON document, whose keys are column names, typed by the table's
    own row type (a key left out is NULL). With `joined`, the rows are joined to that CTE (no
    row from it, nothing inserted), and the table's columns named in `fills` take its value of
    the same name (names of other tables' columns are ignored)."""
    quote = dialect.identifier_preparer.quote
    name = quote(table.name)
    columns = ", ".join(quote(column.name) for column in table.columns)
    picked = ", ".join(
        f"{joined if column.name in fills else 'batch'}.{quote(column.name)}"
        for column in table.columns
    )
    join = f", {joined}" if joined else ""
    # Names from the metadata, never from a request.
    return (
        f"INSERT INTO {name} ({columns}) SELECT {picked}"  # noqa: S608
        f" FROM json_populate_recordset(NULL::{name}, ${{}}::json) AS batch{join}"
    )


@dataclass(frozen=True, slots=True)
class Lead:
    """What an `insert_led` statement hangs on (PostgreSQL): `check`, a SELECT that returns at
    most one row, as the CTE `allowed` (whether the write may go ahead), and `sql`, a
    data-modifying statement that returns at most one row, as the CTE `lead`, such as taking a
    change number (it may read `allowed`). Every row is inserted only with `allowed`'s row, and
    all but the batches inserted `ahead` only with the lead's row too (each insert joins it),
    so nothing is written without them; the columns named in `fills` take the lead's value of
    the same name. What may refuse the write belongs in `check`: a lead that returns no row
    although `allowed` has one must make the statement fail (a row ahead whose parent the lead
    did not insert fails its foreign key), or the rows ahead stay. `check`, then `sql`, number
    their parameters from $1, in the order of `args`."""

    sql: str
    args: tuple[Any, ...]
    fills: frozenset[str] = frozenset()
    check: str = "SELECT"


@dataclass(frozen=True, slots=True)
class Batch:
    """One table's rows for `insert_led`. `upsert`: what follows the INSERT (an `ON CONFLICT`
    clause). `ahead`: insert the rows before the lead runs, joined to `allowed` only, so that
    they are not written while a lock the lead takes is held (the lock of a change number is
    held until the commit, and every write of the user queues on it). Only for new rows that
    take none of the lead's values and lock nothing another transaction holds while it waits
    for the lead's lock: no upsert, or the two would wait on each other."""

    model: type[Any]
    rows: Sequence[dict[str, Any]]
    upsert: str = ""
    ahead: bool = False


def _json_ctes(
    batches: Sequence[Batch], dialect: Dialect, *, lead: Lead | None, first: int
) -> tuple[list[str], list[str]]:
    """One `insert_<n>` CTE per batch, its rows the parameter numbered `first + n`, and the
    parameters: each batch's rows as one JSON text. With `lead`, joined to the CTE `lead` (or
    to `allowed`, for a batch inserted `ahead`, which returns a row per row inserted).

    One JSON text per table, rather than one array per column, because the driver encodes an
    array element by element in Python objects (a UUID through its bytes, a float through a
    Decimal into numeric): for a workout's tree that was the largest part of the request's CPU,
    and orjson writes the same rows in a few microseconds. PostgreSQL reads each value with its
    column type's own input, exactly as it reads SQL text."""
    parts: list[str] = []
    for index, batch in enumerate(batches):
        table = batch.model.__table__
        if lead is None:
            template, tail = _json_insert(table, dialect, None), batch.upsert
        elif batch.ahead:
            if batch.upsert or lead.fills & set(table.columns.keys()):
                raise ValueError(f"{table.name}'s rows cannot go ahead of the lead")
            template, tail = _json_insert(table, dialect, "allowed"), "RETURNING 1"
        else:
            template, tail = _json_insert(table, dialect, "lead", lead.fills), batch.upsert
        parts.append(f"insert_{index} AS ({template.format(first + index)} {tail})")
    return parts, [rows_json(batch.rows) for batch in batches]


def rows_json(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as the JSON text `json_populate_recordset` reads."""
    return json.dumps(rows).decode()


async def insert_tables(
    session: AsyncSession, batches: Sequence[tuple[type[Any], Sequence[dict[str, Any]]]]
) -> None:
    """Insert complete rows into several tables (parents first), as `insert_rows` does for one.

    On PostgreSQL every table's rows go in ONE statement, one round trip in all: each table is
    a data-modifying CTE fed by one JSON text of its rows (`_json_ctes`; foreign keys are
    checked at the end of the statement). Elsewhere one `insert_rows` per table.
    """
    batches = [(model, rows) for model, rows in batches if rows]
    if not batches:
        return
    connection = await session.connection()
    if connection.dialect.name != "postgresql" or len(batches) == 1:
        for model, rows in batches:
            await insert_rows(session, model, rows)
        return
    parts, args = _json_ctes(
        [Batch(model, rows) for model, rows in batches], connection.dialect, lead=None, first=1
    )
    await connection.exec_driver_sql(f"WITH {', '.join(parts)} SELECT 1", tuple(args))


async def insert_led(
    session: AsyncSession, lead: Lead, batches: Sequence[Batch]
) -> Sequence[Any] | None:
    """PostgreSQL only: `lead`'s check, the batches inserted `ahead`, the lead, then the other
    batches, in ONE statement (as `insert_tables`): in the session's transaction, or alone on
    the driver's pool when the unit of work said so (`write_in_one_statement`) and has not
    begun.

    Returns `lead`'s row; None when `allowed` or the lead returned none, and then nothing was
    inserted (see `Lead`).
    """
    engine = session.get_bind()
    present = [batch for batch in batches if batch.rows]
    parts, args = _json_ctes(present, engine.dialect, lead=lead, first=len(lead.args) + 1)
    ctes = ", ".join([f"allowed AS ({lead.check})", f"lead AS ({lead.sql})", *parts])
    sql = f"WITH {ctes} SELECT lead.* FROM lead{_after(present)}"  # noqa: S608 (no request's)
    params = (*lead.args, *args)
    pool: DriverPool | None = session.info.get(_DRIVER_POOL_KEY)
    if pool is not None and session.info.get(_ALONE_KEY) and not session.in_transaction():
        row: Sequence[Any] | None = await pool.run_alone(engine, sql, params)
        return row
    connection = await session.connection()
    return (await connection.exec_driver_sql(sql, params)).first()


def _after(batches: Sequence[Batch]) -> str:
    """What makes the lead wait for the batches inserted ahead: a condition on no column of
    `lead`, which PostgreSQL evaluates once, before it reads the lead (a one-time filter), and
    which counts every row they insert. (Left to themselves, data-modifying CTEs that the
    query does not read run after it, in no promised order.)"""
    ahead = [f"SELECT FROM insert_{index}" for index, batch in enumerate(batches) if batch.ahead]
    if not ahead:
        return ""
    union = " UNION ALL ".join(ahead)
    return f" WHERE (SELECT count(*) FROM ({union}) AS ahead) >= 0"  # noqa: S608 (numbers)


async def insert_rows(
    session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert complete rows (every column given) in one round trip, in the request's transaction.

    On PostgreSQL the rows go to the driver's executemany as plain tuples, skipping SQLAlchemy's
    per-value parameter processing, which dominates the cost of writing a workout's sets.
    Values must already be what the driver takes (UUIDs, aware datetimes, numbers, strings).
    A nullable column that every row leaves out is NULL.
    """
    if not rows:
        return
    table: Table = model.__table__
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        # render_nulls: without it SQLAlchemy starts a new batch wherever the pattern of None
        # values changes between rows.
        await connection.execute(insert(table).execution_options(render_nulls=True), list(rows))
        return
    sql, order = _compiled_insert(table, connection.dialect)
    await connection.exec_driver_sql(sql, [tuple(row.get(name) for name in order) for row in rows])
