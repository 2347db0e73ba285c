"""`ironlog db backup FILE` and `ironlog db restore FILE`, for both databases.

SQLite: the online backup API of the sqlite3 module, a consistent copy even while the server
writes. PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists` in a single
transaction, with the URL's credentials passed in libpq's environment variables (`PGPASSWORD`...),
never on a command line that `ps` or a log could show.

A restore replaces what a running server works on, so it refuses while one uses the database:
on SQLite each server process holds a shared lock on a file beside the database
(`server_presence`), which the restore takes exclusively; on PostgreSQL the restore looks for the
server's connections (application name `ironlog`) in `pg_stat_activity`.
"""

import asyncio
import fcntl
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import anyio
from sqlalchemy import URL, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from ironlog.core.config import Settings
from ironlog.core.db import APPLICATION_NAME

# URL query parameters that libpq reads from the environment too.
_LIBPQ_QUERY_ENV = {
    "sslmode": "PGSSLMODE",
    "ssl": "PGSSLMODE",  # asyncpg's spelling
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "host": "PGHOST",  # e.g. a Unix socket folder
    "port": "PGPORT",
}


class BackupError(Exception):
    pass


class DatabaseInUse(BackupError):
    """A server uses the database: restoring under it would pull its data away."""


@dataclass(frozen=True)
class Counts:
    users: int
    workouts: int

    def __str__(self) -> str:
        return f"{self.users} user(s), {self.workouts} workout(s)"


@dataclass(frozen=True)
class PgCommand:
    """A PostgreSQL client command: its arguments (no secrets) and environment."""

    argv: list[str]
    env: dict[str, str]


def describe(settings: Settings) -> str:
    """The database in words, without credentials."""
    url = _url(settings)
    if settings.is_sqlite:
        return f"SQLite database {_sqlite_path(url)}"
    location = f"{url.host or 'localhost'}:{url.port or 5432}"
    return f"PostgreSQL database {url.database!r} on {location}"


def backup(settings: Settings, target: Path) -> None:
    """Write a backup of the database to `target`, replacing it only once the backup is whole."""
    target = target.expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(target) as partial:
        if settings.is_sqlite:
            _sqlite_backup(_sqlite_path(_url(settings)), partial)
        else:
            command = pg_command(settings, "pg_dump", "--format=custom", f"--file={partial}")
            _run(command)
        partial.replace(target)


def restore(settings: Settings, source: Path, *, force: bool = False) -> None:
    """Replace the database's contents with a backup made by `backup`; `DatabaseInUse` while a
    server uses the database, unless `force`."""
    source = source.expanduser()
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    if settings.is_sqlite:
        database = _sqlite_path(_url(settings))
        with _exclusive_lock(database, force=force):
            _sqlite_restore(source, database)
        return
    if not force:
        connections = asyncio.run(_server_connections(settings))
        if connections:
            raise DatabaseInUse(
                f"{connections} connection(s) of an IronLog server (application name "
                f"{APPLICATION_NAME!r}) use the database"
            )
    url = _url(settings)
    command = pg_command(
        settings,
        "pg_restore",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url.database}",
        str(source),
    )
    _run(command)
    asyncio.run(_analyze(settings))


async def _analyze(settings: Settings) -> None:
    """Gather the planner's statistics of every table. pg_restore writes none, and until
    autovacuum gets to the tables (a minute or more) PostgreSQL plans each query as if they
    were nearly empty: a lifter's statistics over years of history, or a foreign key's check,
    can scan what an index would find."""
    async with _engine(settings) as engine, engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


def counts(settings: Settings) -> Counts | None:
    """How many users and workouts the database holds; None when it has no IronLog tables."""
    return asyncio.run(_counts(settings))


async def _counts(settings: Settings) -> Counts | None:
    if settings.is_sqlite and not _sqlite_path(_url(settings)).is_file():
        return None
    async with _engine(settings) as engine:
        try:
            async with engine.connect() as connection:
                users = await connection.scalar(text("SELECT count(*) FROM app_user"))
                workouts = await connection.scalar(text("SELECT count(*) FROM workout"))
        except SQLAlchemyError:  # no tables (yet): an empty database
            return None
    return Counts(int(users or 0), int(workouts or 0))


async def _server_connections(settings: Settings) -> int:
    async with _engine(settings) as engine, engine.connect() as connection:
        found = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": APPLICATION_NAME},
        )
    return int(found or 0)


@asynccontextmanager
async def _engine(
    settings: Settings, application_name: str = "ironlog-restore"
) -> AsyncIterator[AsyncEngine]:
    """An engine without a pool, whose connections a server's count of connections does not
    include unless named `APPLICATION_NAME`."""
    connect_args: dict[str, object] = {"timeout": settings.db_wait_seconds}
    if not settings.is_sqlite:
        connect_args["server_settings"] = {"application_name": application_name}
    engine = create_async_engine(
        settings.sqlalchemy_url, poolclass=NullPool, connect_args=connect_args
    )
    try:
        yield engine
    finally:
        await engine.dispose()


@asynccontextmanager
async def server_presence(settings: Settings) -> AsyncIterator[None]:
    """Held by each server process while it serves, so that `restore` sees it: on SQLite a
    shared lock on the file beside the database (waiting for a restore in progress to finish);
    on PostgreSQL a connection of its own, outside the pool (whose figures stay the requests'),
    listed in `pg_stat_activity`."""
    if not settings.is_sqlite:
        async with AsyncExitStack() as held:
            # Best effort: a database away at start-up is the requests' 503, not a failed start.
            with suppress(SQLAlchemyError, OSError):
                engine = await held.enter_async_context(_engine(settings, APPLICATION_NAME))
                await held.enter_async_context(engine.connect())
            yield
        return
    try:
        lock_file = server_lock_file(_sqlite_path(_url(settings)))
    except BackupError:  # in memory: nothing to restore under it
        yield
        return
    descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        await anyio.to_thread.run_sync(fcntl.flock, descriptor, fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def server_lock_file(database: Path) -> Path:
    """The file each server process holds a shared lock on while it serves `database`."""
    return database.with_name(database.name + ".server-lock")


@contextmanager
def _exclusive_lock(database: Path, *, force: bool) -> Iterator[None]:
    """The server lock, exclusively, for the restore: `DatabaseInUse` while a server holds it,
    unless `force`; no server starts while the restore runs."""
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(server_lock_file(database), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not force:
                raise DatabaseInUse(
                    f"a server (`ironlog serve`) uses {database}: it holds a lock on "
                    f"{server_lock_file(database)}"
                ) from None
        yield
    finally:
        os.close(descriptor)


def pg_command(settings: Settings, program: str, *args: str) -> PgCommand:
    """`program args` with the connection in libpq's environment variables."""
    url = _url(settings)
    env = dict(os.environ)
    for key, value in {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }.items():
        if value:
            env[key] = str(value)
    for name, query_value in url.query.items():
        variable = _LIBPQ_QUERY_ENV.get(name)
        if variable and query_value:
            env[variable] = query_value if isinstance(query_value, str) else query_value[0]
    env.setdefault("PGAPPNAME", "ironlog-backup")
    return PgCommand([program, "--no-password", *args], env)


def _url(settings: Settings) -> URL:
    return make_url(settings.sqlalchemy_url)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database).expanduser()


@contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_backup(database: Path, target: Path) -> None:
    if not database.is_file():
        raise BackupError(f"{database} does not exist")
    with (
        closing(sqlite3.connect(database)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
        # One self-contained file: no -wal or -shm beside it when it is opened.
        copy.execute("PRAGMA journal_mode=DELETE")


def _sqlite_restore(source: Path, database: Path) -> None:
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_db:
        try:
            backup_db.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not an IronLog SQLite backup ({error})") from None
        database.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(database)) as live:
            backup_db.backup(live)


def _run(command: PgCommand) -> None:
    program = command.argv[0]
    if shutil.which(program, path=command.env.get("PATH")) is None:
        raise BackupError(
            f"{program} is not installed: install the PostgreSQL client tools "
            "(e.g. `apt install postgresql-client`), as new as the server"
        )
    result = subprocess.run(  # noqa: S603 - fixed program, arguments without secrets
        command.argv, env=command.env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")
