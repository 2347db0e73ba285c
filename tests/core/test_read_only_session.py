"""A `@read_only` route's session (core.db.ReadOnlySession) on a real engine and, on
PostgreSQL, the driver's own pool: one pooled connection at most, handed back at the end, and
the statements still seen by SQLAlchemy's cursor events. (The other tests bind it to the test's
transaction.)"""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import anyio
import asyncpg
import pytest
from sqlalchemy import Integer, bindparam, case, event, func, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from ironlog.core.config import Settings
from ironlog.core.db import (
    DriverPool,
    ReadOnlySession,
    create_engine,
    create_read_sessionmaker,
    fetch_all,
    fetch_mappings,
)
from ironlog.core.errors import DatabaseUnavailable
from ironlog.models import Exercise

SYSTEM_EXERCISES = (
    select(Exercise.id, Exercise.name)
    .where(Exercise.user_id.is_(None))
    .order_by(Exercise.name)
    .limit(bindparam("size"))
)
THREE = {"size": 3}


@pytest.fixture
async def own_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine of the test's own, with the production pool, so its checkouts can be counted."""
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def driver_pool(
    own_engine: AsyncEngine, settings: Settings
) -> AsyncIterator[DriverPool | None]:
    """As the application builds it: PostgreSQL's reads take their connections here."""
    pool = DriverPool.for_engine(own_engine, settings)
    yield pool
    if pool is not None:
        await pool.close()


@pytest.fixture
def sessions(own_engine: AsyncEngine, driver_pool: DriverPool | None) -> Any:
    return create_read_sessionmaker(own_engine, driver_pool)


def checked_out(engine: AsyncEngine, driver_pool: DriverPool | None) -> int:
    """Connections taken from either pool."""
    taken = int(engine.sync_engine.pool.checkedout())  # type: ignore[attr-defined]
    return taken + (driver_pool.checked_out() if driver_pool else 0)


async def test_a_read_takes_one_connection_and_gives_it_back(
    own_engine: AsyncEngine, driver_pool: DriverPool | None, sessions: Any, backend: str
) -> None:
    """On PostgreSQL each read takes a connection of the driver's pool for its statement only
    (a request holds none while it builds its answer); on SQLite the session keeps one."""
    seen: list[str] = []
    taken_during: list[int] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)
        taken_during.append(checked_out(own_engine, driver_pool))

    event.listen(own_engine.sync_engine, "before_cursor_execute", record)
    async with sessions() as session:
        assert checked_out(own_engine, driver_pool) == 0  # nothing is taken before the first read
        first = await fetch_all(session, SYSTEM_EXERCISES, THREE)
        again = await fetch_all(session, SYSTEM_EXERCISES, THREE)
        assert checked_out(own_engine, driver_pool) == (0 if backend == "postgresql" else 1)
    assert checked_out(own_engine, driver_pool) == 0
    assert taken_during[-2:] == [1, 1]
    if backend == "postgresql":  # the driver's pool, not SQLAlchemy's
        assert int(own_engine.sync_engine.pool.checkedout()) == 0  # type: ignore[attr-defined]
    assert len(first) == 3
    assert [tuple(row) for row in again] == [tuple(row) for row in first]
    assert len([statement for statement in seen if "FROM exercise" in statement]) == 2


async def test_a_statement_s_own_constants_are_sent_with_it(sessions: Any) -> None:
    """A literal in a statement is a placeholder too, which the caller does not name: the
    driver gets its value with the caller's parameters (a statement with a CASE or a COALESCE
    would otherwise fail on PostgreSQL)."""
    flagged = case((bindparam("flag", type_=Integer) == 1, literal("yes")), else_=literal("no"))
    statement = select(
        func.coalesce(bindparam("given", type_=Integer), 7).label("given"),
        flagged.label("answer"),
    )
    async with sessions() as session:
        [defaulted] = await fetch_mappings(session, statement, {"given": None, "flag": 1})
        [(given, answer)] = await fetch_all(session, statement, {"given": 3, "flag": 0})
    assert (defaulted["given"], defaulted["answer"]) == (7, "yes")
    assert (given, answer) == (3, "no")


async def test_orm_work_after_a_read_keeps_one_connection(
    own_engine: AsyncEngine, driver_pool: DriverPool | None, sessions: Any
) -> None:
    async with sessions() as session:
        rows = await fetch_all(session, SYSTEM_EXERCISES, THREE)
        total = await session.scalar(select(func.count()).select_from(Exercise))
        assert checked_out(own_engine, driver_pool) == 1
        exercise = await session.get(Exercise, rows[0][0])
        after = await fetch_all(session, SYSTEM_EXERCISES, THREE)
        assert checked_out(own_engine, driver_pool) == 1
    assert checked_out(own_engine, driver_pool) == 0
    assert total is not None and total >= 3
    assert exercise is not None and exercise.name == rows[0][1]
    assert [tuple(row) for row in after] == [tuple(row) for row in rows]


async def test_a_session_that_reads_nothing_takes_no_connection(
    own_engine: AsyncEngine, driver_pool: DriverPool | None, sessions: Any
) -> None:
    session = sessions()
    assert isinstance(session, ReadOnlySession)
    async with session:
        pass
    assert checked_out(own_engine, driver_pool) == 0


async def test_a_dead_connection_is_never_a_500_nor_handed_out_again(
    own_engine: AsyncEngine,
    driver_pool: DriverPool | None,
    sessions: Any,
    backend: str,
    settings: Settings,
) -> None:
    if backend != "postgresql":
        pytest.skip("terminating a server connection is PostgreSQL's (SQLite has no server)")
    async with sessions() as session:
        await fetch_all(session, SYSTEM_EXERCISES, THREE)
        backend_pid = await fetch_all(session, select(func.pg_backend_pid()), {})
    admin = await asyncpg.connect(settings.database_url.replace("+asyncpg", ""))
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", backend_pid[0][0])
        # pg_terminate_backend only signals the backend: wait until it has gone.
        for _ in range(1000):
            gone = await admin.fetchval(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)",
                backend_pid[0][0],
            )
            if gone:
                break
            await anyio.sleep(0.01)
        assert gone, "the terminated backend did not go away within 10 s"
    finally:
        await admin.close()
    # The pool may see the connection closed before handing it out again and open another;
    # if the read meets the dead connection first, it is a 503, never a 500.
    with contextlib.suppress(DatabaseUnavailable):
        async with sessions() as session:
            await fetch_all(session, SYSTEM_EXERCISES, THREE)
    async with sessions() as session:
        assert len(await fetch_all(session, SYSTEM_EXERCISES, THREE)) == 3
    assert checked_out(own_engine, driver_pool) == 0


async def test_a_database_that_cannot_be_reached_is_a_503_from_the_driver_pool() -> None:
    """Nothing listens on the port: taking a connection is `DatabaseUnavailable` (a 503),
    not the driver's own error (a 500)."""
    with socket.socket() as probe:  # a port that was free a moment ago and is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = {"host": "127.0.0.1", "port": port, "user": "x", "database": "x", "timeout": 5}
    pool = DriverPool(unreachable, size=1, wait_seconds=5)
    try:
        with pytest.raises(DatabaseUnavailable):
            await pool.acquire()
    finally:
        await pool.close()


async def test_requests_waiting_for_a_connection_are_counted_and_then_served(
    own_engine: AsyncEngine, settings: Settings, backend: str
) -> None:
    """The metrics' `ironlog_db_driver_pool_waiting`: requests held up for want of a
    connection, each served once one comes back."""
    if backend != "postgresql":
        pytest.skip("the driver's pool is PostgreSQL's")
    pool = DriverPool.for_engine(own_engine, settings.model_copy(update={"db_pool_size": 1}))
    assert pool is not None
    served: list[str] = []
    asking: list[str] = []

    async def take(name: str) -> None:
        asking.append(name)
        connection = await pool.acquire()
        served.append(name)
        await pool.release(connection)

    try:
        held = await pool.acquire()
        assert pool.waiting() == 0
        waiting = [asyncio.create_task(take(name)) for name in ("first", "second")]
        # Until both have asked and are held up (loop turns, not time: nothing else runs).
        for _ in range(100):
            await asyncio.sleep(0)
        assert asking == ["first", "second"] and served == []
        assert pool.waiting() == 2
        await pool.release(held)
        await asyncio.gather(*waiting)
        assert sorted(served) == ["first", "second"]
        assert pool.waiting() == 0
    finally:
        await pool.close()
