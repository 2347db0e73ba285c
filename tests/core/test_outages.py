"""Database outages become 503 `database_unavailable`, on every query path."""

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ironlog.auth.repository import session_is_active
from ironlog.core.db import create_sessionmaker
from ironlog.core.errors import DatabaseUnavailable


async def test_a_broken_connection_in_the_raw_read_path_is_503_and_leaves_the_pool(
    engine: AsyncEngine, backend: str
) -> None:
    """`fetch_all` talks to asyncpg directly, where SQLAlchemy sees no error: a connection the
    server closed must not be a 500, nor go back to the pool to fail the next request too."""
    if backend != "postgresql":
        pytest.skip("the raw driver path is PostgreSQL's")
    async with create_sessionmaker(engine)() as session:
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        raw.driver_connection.terminate()  # as a server shutdown would
        with pytest.raises(DatabaseUnavailable):
            await session_is_active(session, user_id=uuid.uuid4(), session_id=uuid.uuid4())
        assert connection.invalidated
    async with create_sessionmaker(engine)() as session:  # a fresh connection serves again
        assert not await session_is_active(session, user_id=uuid.uuid4(), session_id=uuid.uuid4())
