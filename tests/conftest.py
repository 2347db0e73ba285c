"""Test harness: every storage test runs on SQLite and on PostgreSQL.

Each run migrates its own database once (`alembic upgrade head`: the migrations are under test
too): a temporary SQLite file, and a freshly created PostgreSQL database that is dropped at the
end. Each test runs inside a transaction that is rolled back afterwards; the app's unit of work
joins it through savepoints (SQLAlchemy's "joining a session into an external transaction").
"""

import asyncio
import inspect
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Executable, delete, event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from ironlog.core import migrations
from ironlog.core.config import Settings
from ironlog.core.db import ReadOnlySession, create_engine, create_sessionmaker, session_scope
from ironlog.exercises import library
from ironlog.main import close_databases, create_app
from ironlog.models import Exercise, User

POSTGRES_ADMIN_URL = os.environ.get(
    "IRONLOG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("IRONLOG_TEST_REQUIRE_POSTGRES") == "1"


def _postgres_unavailable_reason() -> str | None:
    async def probe() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
        await connection.close()

    try:
        asyncio.run(probe())
    except Exception as error:  # any failure means the PostgreSQL half cannot run
        return (
            f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable ({type(error).__name__}: {error})"
        )
    return None


POSTGRES_UNAVAILABLE = _postgres_unavailable_reason()


def pytest_configure(config: pytest.Config) -> None:
    if POSTGRES_UNAVAILABLE and REQUIRE_POSTGRES:
        raise pytest.UsageError(
            f"{POSTGRES_UNAVAILABLE}; IRONLOG_TEST_REQUIRE_POSTGRES=1 demands it."
        )


def pytest_report_header() -> list[str]:
    if POSTGRES_UNAVAILABLE:
        return [
            f"NOTICE: {POSTGRES_UNAVAILABLE}.",
            "NOTICE: only the SQLite half of the suite runs; set IRONLOG_TEST_POSTGRES_URL.",
        ]
    return [f"databases: sqlite, postgresql ({POSTGRES_ADMIN_URL})"]


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Every `async def` test runs on anyio's asyncio backend without a marker of its own."""
    if collector.funcnamefilter(name) and inspect.iscoroutinefunction(obj):  # type: ignore[attr-defined]
        pytest.mark.anyio(obj)


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(
            POSTGRES_UNAVAILABLE is not None, reason=POSTGRES_UNAVAILABLE or ""
        ),
    ),
]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


async def _admin_execute(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _postgres_url(database: str) -> str:
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{database}"


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": "test-secret-key-" + "x" * 32,
        # Real argon2id, with costs that keep the suite fast.
        "argon2_time_cost": 1,
        "argon2_memory_cost_kib": 1024,
        "argon2_parallelism": 1,
        "log_level": "WARNING",
        # Tests register many accounts from one address; test_throttle.py tests the limit.
        "register_max_per_client": 100_000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this run, with the system exercise library loaded."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'ironlog.db'}"
        prepare_database(url, tmp_path_factory.mktemp("data"))
        yield url
        return
    name = f"ironlog_test_{secrets.token_hex(6)}"
    asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
    try:
        url = _postgres_url(name)
        prepare_database(url, tmp_path_factory.mktemp("data"))
        yield url
    finally:
        asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def prepare_database(url: str, data_dir: Path) -> None:
    settings = make_settings(url, data_dir)
    migrations.upgrade(settings)

    async def load() -> None:
        engine = create_engine(settings)
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                await library.load(session)
        finally:
            await engine.dispose()

    asyncio.run(load())


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(database_url, tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        if transaction.is_active:
            await transaction.rollback()


@pytest.fixture
def queries(connection: AsyncConnection) -> Iterator[QueryCounter]:
    """Counts the SQL statements the app sends (transaction and savepoint bookkeeping excluded).

    `core.db.fetch_all` reports the statements it sends to the driver directly to the same
    SQLAlchemy event.
    """
    counter = QueryCounter()
    bookkeeping = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", ";")

    def record(statement: str) -> None:
        if not statement.lstrip().upper().startswith(bookkeeping):
            counter.statements.append(statement)

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        record(statement)

    sync_engine = connection.sync_engine
    event.listen(sync_engine, "before_cursor_execute", count)
    yield counter
    event.remove(sync_engine, "before_cursor_execute", count)


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def test_sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def client(
    app: FastAPI,
    connection: AsyncConnection,
    test_sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    app.state.sessionmaker = test_sessionmaker
    app.state.read_sessionmaker = partial(ReadOnlySession, connection, test_sessionmaker)
    app.state.snapshot_sessionmaker = test_sessionmaker
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def db(test_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session on the test's transaction, for arranging rows and re-reading what was stored."""
    async with test_sessionmaker() as session:
        yield session


class UserHandle:
    """A registered user and their tokens, as a client would hold them."""

    def __init__(self, body: dict[str, Any], password: str) -> None:
        self.id = uuid.UUID(body["user"]["id"])
        self.email: str = body["user"]["email"]
        self.password = password
        self.access_token: str = body["tokens"]["access_token"]
        self.refresh_token: str = body["tokens"]["refresh_token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def register_user(
    client: httpx.AsyncClient, email: str | None = None, password: str = "correct horse"
) -> UserHandle:
    email = email or f"lifter-{secrets.token_hex(4)}@example.com"
    response = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, "name": "Lifter"}
    )
    assert response.status_code == 201, response.text
    return UserHandle(response.json(), password)


@pytest.fixture
async def user(client: httpx.AsyncClient) -> UserHandle:
    return await register_user(client)


@pytest.fixture
async def other_user(client: httpx.AsyncClient) -> UserHandle:
    return await register_user(client)


@pytest.fixture
async def live_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app that commits for real, for tests of concurrent requests.

    The users it registers (emails starting with `live-`) are deleted afterwards, and with them
    everything they own.
    """
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        async with app.state.engine.begin() as connection:
            await connection.execute(delete(User).where(User.email.startswith("live-")))
        await close_databases(app)


async def until_a_statement_waits_for_a_lock(engine: AsyncEngine, starting: str = "") -> None:
    """PostgreSQL: until a backend of this database waits for a row lock (a write's foreign-key
    check held up by an uncommitted delete, say), running a statement `starting` so. SQLite:
    at once; a writer there waits for the database's lock before it reads anything, so it sees
    the other's commit whenever it runs."""
    if engine.dialect.name != "postgresql":
        return
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND starts_with(query, :starting)"
    )
    async with engine.connect() as connection:
        for _ in range(3000):  # a bound for a broken test, not a timing: 60 s
            found = await connection.scalar(waiting, {"starting": starting})
            # A backend reads pg_stat_activity once per transaction: each look needs a new one.
            await connection.rollback()
            if found:
                return
            await asyncio.sleep(0.02)
    raise AssertionError("no statement waited for a row lock")


async def post_while(
    client: httpx.AsyncClient, write: Executable, path: str, body: Any, headers: dict[str, str]
) -> httpx.Response:
    """POST `body` to `path` (a `live_client`) while another transaction runs `write`: it
    commits once the POST waits for a row lock it holds (PostgreSQL), so the POST has seen the
    rows as they were and then finds them changed. The POST's response."""
    engine: AsyncEngine = client._transport.app.state.engine  # type: ignore[attr-defined]
    async with engine.connect() as writing:
        await writing.execute(write)
        posting = asyncio.ensure_future(client.post(path, json=body, headers=headers))
        await until_a_statement_waits_for_a_lock(engine)
        await writing.commit()
    return await posting


async def post_while_an_exercise_is_deleted(
    client: httpx.AsyncClient, exercise_id: str, path: str, body: Any, headers: dict[str, str]
) -> httpx.Response:
    """POST `body` to `path` (a `live_client`) while another transaction deletes the exercise
    (`post_while`): the POST has found the exercise and then finds it gone."""
    deleting = delete(Exercise).where(Exercise.id == uuid.UUID(exercise_id))
    return await post_while(client, deleting, path, body, headers)
