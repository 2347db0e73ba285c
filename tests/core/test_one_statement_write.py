"""`core.db.write_in_one_statement` on a real engine: on PostgreSQL a unit of work that declares
it runs its statements in autocommit, so its one write is committed when the statement ends
(no BEGIN, no COMMIT round trip); a session that has begun, and SQLite, keep their transaction.
(The other tests bind sessions to the test's transaction, where it changes nothing.)"""

import secrets
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from ironlog.core.config import Settings
from ironlog.core.db import (
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
    write_in_one_statement,
)
from ironlog.models import User


@pytest.fixture
async def own_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    async with engine.begin() as connection:
        await connection.execute(delete(User).where(User.email.like("one-statement-%")))
    await engine.dispose()


async def _seen_elsewhere(engine: AsyncEngine, email: str) -> int:
    """What another request reads (a read-only session: on SQLite it waits for no lock)."""
    async with create_read_sessionmaker(engine)() as other:
        return int(await other.scalar(select(func.count()).where(User.email == email)) or 0)


@pytest.mark.parametrize("read_first", [False, True])
async def test_the_write_is_committed_by_its_statement_on_postgresql_only(
    own_engine: AsyncEngine, backend: str, read_first: bool
) -> None:
    email = f"one-statement-{secrets.token_hex(4)}@example.com"
    async with create_sessionmaker(own_engine)() as session:
        if read_first:  # the unit of work has begun: it keeps its transaction
            await session.scalar(select(func.count()).select_from(User))
        await write_in_one_statement(session)
        session.add(User(email=email, name="One"))
        await session.flush()
        alone = backend == "postgresql" and not read_first
        assert await _seen_elsewhere(own_engine, email) == (1 if alone else 0)
        await session.commit()
    assert await _seen_elsewhere(own_engine, email) == 1


async def test_a_failed_write_leaves_nothing_and_the_session_reads_on(
    own_engine: AsyncEngine,
) -> None:
    """The statement that fails is its own transaction (PostgreSQL) or part of the unit's
    (SQLite, which goes on after a refused statement): either way nothing of it stays, and the
    refusal's checks (`before_refusal`) can still read."""
    email = f"one-statement-{secrets.token_hex(4)}@example.com"
    async with create_sessionmaker(own_engine)() as session:
        session.add(User(email=email, name="First"))
        await session.commit()
    async with create_sessionmaker(own_engine)() as session:
        await write_in_one_statement(session)
        with pytest.raises(IntegrityError):
            await session.execute(insert(User).values(email=email, name="Second"))
        assert await session.scalar(select(User.name).where(User.email == email)) == "First"
        await session.commit()
