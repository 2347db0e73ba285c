"""`core.db.write_in_one_statement` and `insert_led` on a real engine, with the application's
pools. On PostgreSQL a unit of work that declares it writes with one statement, and has not
begun, sends that statement alone to the driver's pool: committed when it returns, with no
connection of SQLAlchemy's pool, no BEGIN and no COMMIT. A session that has begun keeps the
write in its transaction; SQLite, and a session without the driver's pool, change nothing.
(The other tests bind sessions to the test's transaction, where it changes nothing either.)
Rows inserted `ahead` are written before the lead waits for its lock, and only when the
lead's check allows it."""

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from ironlog.core.config import Settings
from ironlog.core.db import (
    Batch,
    DriverPool,
    Lead,
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
    insert_led,
    write_in_one_statement,
)
from ironlog.core.errors import DatabaseUnavailable
from ironlog.models import User
from tests.conftest import until_a_statement_waits_for_a_lock

PREFIX = "one-statement-"


@pytest.fixture
async def own_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    async with engine.begin() as connection:
        await connection.execute(delete(User).where(User.email.startswith(PREFIX)))
    await engine.dispose()


@pytest.fixture
async def driver_pool(own_engine: AsyncEngine, settings: Settings) -> AsyncIterator[DriverPool]:
    pool = DriverPool.for_engine(own_engine, settings)
    if pool is None:
        pytest.skip("the driver's pool is PostgreSQL's (SQLite writes in its transaction)")
    yield pool
    await pool.close()


@pytest.fixture
def sessions(own_engine: AsyncEngine, driver_pool: DriverPool) -> async_sessionmaker[AsyncSession]:
    """As the application makes the unit of work's sessions."""
    return create_sessionmaker(own_engine, driver_pool)


def new_user_row(email: str) -> dict[str, Any]:
    """A complete `app_user` row (a JSON batch fills nothing in: a key left out is NULL)."""
    now = datetime.now(UTC)
    row: dict[str, Any] = dict.fromkeys(User.__table__.columns.keys())
    row.update(
        id=uuid.uuid4(),
        email=email,
        name="One",
        email_verified=False,
        change_seq=0,
        is_admin=False,
        created_at=now,
        updated_at=now,
    )
    return row


def lead_if(allowed: bool) -> Lead:
    """A lead that returns one row, or none (and then nothing is inserted)."""
    return Lead("SELECT $1::boolean AS allowed WHERE $1::boolean", (allowed,))


def alone(sessions: async_sessionmaker[AsyncSession]) -> AsyncSession:
    """A unit of work's session that declared its one-statement write, as a create does."""
    session = sessions()
    assert write_in_one_statement(session)
    return session


def new_email() -> str:
    return f"{PREFIX}{secrets.token_hex(4)}@example.com"


async def seen_elsewhere(engine: AsyncEngine, email: str) -> int:
    """What another request reads."""
    async with create_read_sessionmaker(engine)() as other:
        return int(await other.scalar(select(func.count()).where(User.email == email)) or 0)


def checked_out(engine: AsyncEngine, driver_pool: DriverPool) -> tuple[int, int]:
    """Connections taken from SQLAlchemy's pool and from the driver's."""
    taken = int(engine.sync_engine.pool.checkedout())  # type: ignore[attr-defined]
    return taken, driver_pool.checked_out()


async def test_the_write_runs_alone_on_the_driver_pool_and_is_committed_by_its_statement(
    own_engine: AsyncEngine, driver_pool: DriverPool, sessions: Any
) -> None:
    email = new_email()
    session = alone(sessions)
    row = await insert_led(session, lead_if(True), [Batch(User, [new_user_row(email)])])
    assert row is not None and row[0] is True
    assert await seen_elsewhere(own_engine, email) == 1  # committed, nothing else sent
    assert not session.in_transaction()  # the session never began: nothing to commit or close
    assert checked_out(own_engine, driver_pool) == (0, 0)


async def test_a_lead_without_a_row_writes_nothing(
    own_engine: AsyncEngine, driver_pool: DriverPool, sessions: Any
) -> None:
    email = new_email()
    session = alone(sessions)
    assert await insert_led(session, lead_if(False), [Batch(User, [new_user_row(email)])]) is None
    assert await seen_elsewhere(own_engine, email) == 0
    assert checked_out(own_engine, driver_pool) == (0, 0)


async def test_a_refused_write_is_sqlalchemys_error_and_the_session_reads_on(
    own_engine: AsyncEngine, driver_pool: DriverPool, sessions: Any
) -> None:
    """The unique violation is raised as SQLAlchemy raises it from its own connections (the
    services catch `IntegrityError`), nothing of the statement stays, and the refusal's checks
    can still read on the session."""
    email = new_email()
    async with sessions() as session:
        session.add(User(email=email, name="First"))
        await session.commit()
    session = alone(sessions)
    with pytest.raises(IntegrityError) as refused:
        await insert_led(session, lead_if(True), [Batch(User, [new_user_row(email)])])
    assert refused.value.orig.sqlstate == "23505"  # type: ignore[union-attr]
    assert await session.scalar(select(User.name).where(User.email == email)) == "First"
    await session.close()
    assert checked_out(own_engine, driver_pool) == (0, 0)


async def test_a_statement_that_runs_out_of_time_is_an_outage_and_the_pool_goes_on(
    own_engine: AsyncEngine, settings: Settings, backend: str
) -> None:
    """A lock held past the statement timeout: `DatabaseUnavailable` (a 503), nothing
    written, and the connection serves the next statement."""
    if backend != "postgresql":
        pytest.skip("the driver's pool is PostgreSQL's (SQLite writes in its transaction)")
    quick = settings.model_copy(update={"db_statement_timeout_ms": 200})
    pool = DriverPool.for_engine(own_engine, quick)
    assert pool is not None
    email = new_email()
    async with create_sessionmaker(own_engine)() as first:
        first.add(User(email=email, name="First"))
        await first.commit()
    lead = Lead("UPDATE app_user SET name = 'Led' WHERE email = $1 RETURNING id", (email,))
    try:
        async with own_engine.connect() as holding:  # locks the row the lead updates
            await holding.execute(update(User).where(User.email == email).values(name="Held"))
            session = create_sessionmaker(own_engine, pool)()
            assert write_in_one_statement(session)
            with pytest.raises(DatabaseUnavailable):
                await insert_led(session, lead, [Batch(User, [new_user_row(new_email())])])
            await holding.rollback()
        assert pool.checked_out() == 0
        session = create_sessionmaker(own_engine, pool)()
        assert write_in_one_statement(session)
        assert await insert_led(session, lead, []) is not None
        async with create_read_sessionmaker(own_engine)() as reading:
            assert await reading.scalar(select(User.name).where(User.email == email)) == "Led"
    finally:
        await pool.close()


async def test_a_session_that_has_begun_keeps_the_write_in_its_transaction(
    own_engine: AsyncEngine, driver_pool: DriverPool, sessions: Any
) -> None:
    email = new_email()
    async with sessions() as session:
        await session.scalar(select(func.count()).select_from(User))
        assert not write_in_one_statement(session)
        assert await insert_led(session, lead_if(True), [Batch(User, [new_user_row(email)])])
        assert await seen_elsewhere(own_engine, email) == 0
        await session.commit()
    assert await seen_elsewhere(own_engine, email) == 1
    assert checked_out(own_engine, driver_pool) == (0, 0)


async def test_a_session_without_the_driver_pool_is_left_as_it_is(
    own_engine: AsyncEngine,
) -> None:
    """SQLite's sessions, and any made without the pool: the write is the unit of work's."""
    async with create_sessionmaker(own_engine)() as session:
        assert not write_in_one_statement(session)
        assert not session.in_transaction()


async def test_the_driver_error_table_is_the_dialects(own_engine: AsyncEngine) -> None:
    """`run_alone` translates asyncpg's errors with the dialect's own table (not a public
    name): a SQLAlchemy upgrade that moves it fails here, not in production."""
    if own_engine.dialect.name != "postgresql":
        pytest.skip("the asyncpg dialect is PostgreSQL's")
    table = own_engine.dialect.loaded_dbapi._asyncpg_error_translate
    assert table[asyncpg.IntegrityConstraintViolationError].__name__ == "IntegrityError"
    assert table[asyncpg.PostgresError].__name__ == "Error"


async def refusal_of_an_insert(connection: AsyncConnection, email: str) -> str | None:
    """The SQLSTATE that refuses inserting a user with `email`, rolled back; None when it goes
    through. The lock timeout bounds a wait for another transaction's row of that email, and
    is not a timing: with no such row, the insert never waits."""
    await connection.execute(text("SET LOCAL lock_timeout = '200ms'"))
    try:
        await connection.execute(insert(User).values(new_user_row(email)))
    except DBAPIError as error:
        return str(error.orig.sqlstate)  # type: ignore[union-attr]
    finally:
        await connection.rollback()
    return None


async def test_a_refusing_check_writes_nothing_ahead_either(
    own_engine: AsyncEngine, driver_pool: DriverPool, sessions: Any
) -> None:
    email = new_email()
    session = alone(sessions)
    refusing = Lead("SELECT 1 FROM allowed", (), check="SELECT WHERE false")
    ahead = Batch(User, [new_user_row(email)], ahead=True)
    assert await insert_led(session, refusing, [ahead]) is None
    assert await seen_elsewhere(own_engine, email) == 0


async def test_rows_ahead_are_written_before_the_lead_waits_for_its_lock(
    own_engine: AsyncEngine, driver_pool: DriverPool, sessions: Any
) -> None:
    """While another transaction holds the row the lead updates, the statement has already
    inserted the rows ahead (a second insert of the same email waits on them) and not the
    others (the same insert goes through at once). Once the lock is released both are in."""
    held, ahead_email, after_email = new_email(), new_email(), new_email()
    async with sessions() as first:
        first.add(User(email=held, name="First"))
        await first.commit()
    lead = Lead("UPDATE app_user SET name = 'Led' WHERE email = $1 RETURNING id", (held,))
    batches = [
        Batch(User, [new_user_row(ahead_email)], ahead=True),
        Batch(User, [new_user_row(after_email)]),
    ]
    async with own_engine.connect() as holding:
        await holding.execute(update(User).where(User.email == held).values(name="Held"))
        session = alone(sessions)
        writing = asyncio.ensure_future(insert_led(session, lead, batches))
        try:
            await until_a_statement_waits_for_a_lock(own_engine, "WITH allowed")
            async with own_engine.connect() as probe:
                refused = [await refusal_of_an_insert(probe, ahead_email)]
                refused.append(await refusal_of_an_insert(probe, after_email))
        finally:
            await holding.rollback()
            led = await writing
    assert refused == ["55P03", None]  # lock_not_available: waited for the row ahead
    assert led is not None
    assert await seen_elsewhere(own_engine, ahead_email) == 1
    assert await seen_elsewhere(own_engine, after_email) == 1
