"""Database outages become 503 `database_unavailable`, on every query path."""

import sqlite3
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from ironlog.auth.repository import session_is_active
from ironlog.core.config import Settings
from ironlog.core.db import create_sessionmaker
from ironlog.core.errors import DatabaseUnavailable, handle_database_error
from ironlog.main import close_databases, create_app
from tests.conftest import make_settings


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


async def test_a_write_lock_wait_that_runs_out_is_503_with_retry_after(
    settings: Settings, backend: str
) -> None:
    """SQLite: another writer holds the database longer than the lock wait (busy_timeout, the
    `db_lock_timeout_seconds` setting): the request is a 503 to retry, not a 500."""
    if backend != "sqlite":
        pytest.skip("the database-wide write lock is SQLite's (PostgreSQL waits per row)")
    app = create_app(settings.model_copy(update={"db_lock_timeout_seconds": 0.3}))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    path = make_url(settings.sqlalchemy_url).database
    assert path
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            blocker.execute("BEGIN IMMEDIATE")
            body = {"email": "locked@example.com", "password": "password 1", "name": "L"}
            response = await client.post("/api/v1/auth/register", json=body)
            blocker.execute("ROLLBACK")
        assert response.status_code == 503
        assert response.json()["code"] == "database_unavailable"
        assert response.headers["retry-after"] == "1"
    finally:
        blocker.close()
        await close_databases(app)


@pytest.mark.parametrize("sqlstate", ["40P01", "40001", "55P03"])
async def test_a_deadlock_victim_or_serialization_failure_is_503_with_retry_after(
    engine: AsyncEngine, backend: str, sqlstate: str
) -> None:
    """PostgreSQL aborts one of two transactions that wait on each other (or cannot serialize
    one): nothing was written and the request can simply be sent again, so it is a 503 to
    retry, never a 500. The error is PostgreSQL's own, raised with that SQLSTATE."""
    if backend != "postgresql":
        pytest.skip("deadlock detection and its SQLSTATE are PostgreSQL's")
    raise_it = text(f"DO $$ BEGIN RAISE EXCEPTION 'lost' USING ERRCODE = '{sqlstate}'; END $$")
    async with engine.connect() as connection:
        with pytest.raises(DBAPIError) as raised:
            await connection.execute(raise_it)
    request = Request({"type": "http", "method": "PATCH", "path": "/api/v1/routines/x"})
    response = await handle_database_error(request, raised.value)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert b'"database_unavailable"' in response.body


async def test_a_database_with_no_connection_to_spare_is_503_with_retry_after(
    settings: Settings, engine: AsyncEngine, backend: str, tmp_path: Path
) -> None:
    """PostgreSQL refuses a new connection when its limit is reached ("too many clients",
    SQLSTATE 53300): busy, not broken, so a 503 to retry. A role allowed no connection at all
    stands in for a server whose every connection is taken."""
    if backend != "postgresql":
        pytest.skip("connection limits are PostgreSQL's")
    role = "ironlog_no_connections"
    async with engine.connect() as connection:
        await connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
        await connection.execute(text(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0"))
        await connection.commit()
    assert settings.database_url
    url = make_url(settings.database_url).set(username=role)
    app = create_app(make_settings(url.render_as_string(hide_password=False), tmp_path))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            body = {"email": "full@example.com", "password": "password 1", "name": "F"}
            response = await client.post("/api/v1/auth/register", json=body)
        assert response.status_code == 503
        assert response.json()["code"] == "database_unavailable"
        assert response.headers["retry-after"] == "1"
    finally:
        await close_databases(app)
        async with engine.connect() as connection:
            await connection.execute(text(f"DROP ROLE {role}"))
            await connection.commit()
