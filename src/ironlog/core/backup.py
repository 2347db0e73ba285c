"""`ironlog db backup FILE` and `ironlog db restore FILE`, for both databases.

SQLite: the online backup API of the sqlite3 module, a consistent copy even while the server
writes. PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists` in a single
transaction, with the URL's credentials passed in libpq's environment variables (`PGPASSWORD`...),
never on a command line that `ps` or a log could show.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, make_url

from ironlog.core.config import Settings

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


def restore(settings: Settings, source: Path) -> None:
    """Replace the database's contents with a backup made by `backup`."""
    source = source.expanduser()
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    if settings.is_sqlite:
        _sqlite_restore(source, _sqlite_path(_url(settings)))
        return
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
