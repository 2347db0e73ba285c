"""Tombstones live for the retention; an older cursor starts again with a snapshot; the
clean-up runs beside the server (a task in its lifespan, or `ironlog sync cleanup`)."""

import asyncio
import secrets
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from ironlog.cli import app
from ironlog.core.clock import utc_now
from ironlog.core.config import Settings
from ironlog.core.db import create_engine, create_sessionmaker, session_scope
from ironlog.models import SyncTombstone, User
from ironlog.sync import cleanup, service
from tests.conftest import UserHandle, make_settings
from tests.sync.conftest import read_page
from tests.workouts.conftest import WORKOUTS, create_workout


def _clock_moved(monkeypatch: pytest.MonkeyPatch, days: float) -> None:
    later = utc_now() + timedelta(days=days)
    monkeypatch.setattr(service, "utc_now", lambda: later)


async def _deleted_workout(client: httpx.AsyncClient, user: UserHandle) -> str:
    workout = await create_workout(client, user, name="Gone")
    response = await client.delete(f"{WORKOUTS}/{workout['id']}", headers=user.headers)
    assert response.status_code == 204
    return str(workout["id"])


async def test_a_cursor_older_than_the_retention_gets_a_reset_snapshot(
    client: httpx.AsyncClient, user: UserHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = await create_workout(client, user, name="Kept")
    cursor = (await read_page(client, user, None))["cursor"]
    await _deleted_workout(client, user)

    _clock_moved(monkeypatch, days=89.9)
    within = await read_page(client, user, cursor)
    assert within["reset"] is False
    assert [c["op"] for c in within["changes"]] == ["delete"]  # created and deleted since

    _clock_moved(monkeypatch, days=90.1)
    expired = await read_page(client, user, cursor)
    assert expired["reset"] is True
    assert [(c["id"], c["op"]) for c in expired["changes"]] == [(kept["id"], "upsert")]
    assert (await read_page(client, user, expired["cursor"]))["reset"] is False


async def test_the_retention_is_a_setting(
    client: httpx.AsyncClient, user: UserHandle, monkeypatch: pytest.MonkeyPatch, app: object
) -> None:
    settings: Settings = app.state.settings  # type: ignore[attr-defined]
    cursor = (await read_page(client, user, None))["cursor"]
    monkeypatch.setattr(settings, "sync_retention_days", 2)
    _clock_moved(monkeypatch, days=2.5)
    assert (await read_page(client, user, cursor))["reset"] is True


async def test_the_cleanup_deletes_only_expired_tombstones(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, settings: Settings
) -> None:
    old, recent = await _deleted_workout(client, user), await _deleted_workout(client, user)
    await db.execute(
        update(SyncTombstone)
        .where(SyncTombstone.entity_id == uuid.UUID(old))
        .values(deleted_at=utc_now() - timedelta(days=91, hours=1))
    )

    assert await service.delete_expired_tombstones(db, settings=settings) == 1

    left = (await db.scalars(select(SyncTombstone.entity_id))).all()
    assert [str(entity_id) for entity_id in left] == [recent]


def _run(database_url: str, tmp_path: Path, work: object) -> object:
    async def run() -> object:
        engine = create_engine(make_settings(database_url, tmp_path))
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                return await work(session)  # type: ignore[operator]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_the_cleanup_command_deletes_expired_tombstones(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id, now = uuid.uuid4(), utc_now()
    ages = {uuid.uuid4(): timedelta(days=100), uuid.uuid4(): timedelta(days=3)}

    async def arrange(session: AsyncSession) -> None:
        email = f"cli-{secrets.token_hex(4)}@example.com"
        session.add(User(id=user_id, email=email, name="CLI", created_at=now, updated_at=now))
        await session.flush()
        for seq, (entity_id, age) in enumerate(ages.items(), start=1):
            session.add(
                SyncTombstone(
                    user_id=user_id,
                    entity="workout",
                    entity_id=entity_id,
                    change_seq=seq,
                    deleted_at=now - age,
                )
            )

    async def remaining(session: AsyncSession) -> list[datetime]:
        statement = select(SyncTombstone.deleted_at).where(SyncTombstone.user_id == user_id)
        left = list((await session.scalars(statement)).all())
        await session.delete(await session.get(User, user_id))
        return left

    _run(database_url, tmp_path, arrange)
    monkeypatch.setenv("IRONLOG_DATABASE_URL", database_url)
    monkeypatch.setenv("IRONLOG_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["sync", "cleanup"])
    assert result.exit_code == 0, result.output
    assert "expired deletion(s) removed" in result.output
    left = _run(database_url, tmp_path, remaining)
    assert left == [now - timedelta(days=3)]


async def test_each_server_cleans_up_periodically(
    client: httpx.AsyncClient,
    user: UserHandle,
    db: AsyncSession,
    settings: Settings,
    test_sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lifespan's task: a round at once, then one per interval, until the server stops."""
    old = uuid.UUID(await _deleted_workout(client, user))
    expired = utc_now() - timedelta(days=92)
    await db.execute(
        update(SyncTombstone).where(SyncTombstone.entity_id == old).values(deleted_at=expired)
    )
    await db.flush()
    rounds: list[int] = []
    two_rounds = anyio.Event()
    run_once = cleanup.run_once

    async def counted(*args: Any) -> int:
        rounds.append(await run_once(*args))
        if len(rounds) == 2:
            two_rounds.set()
        return rounds[-1]

    monkeypatch.setattr(cleanup, "run_once", counted)
    fast = settings.model_copy(update={"sync_cleanup_interval_seconds": 0.01})
    async with anyio.create_task_group() as server:
        server.start_soon(cleanup.run_periodically, test_sessionmaker, fast)
        with anyio.fail_after(10):
            await two_rounds.wait()
        server.cancel_scope.cancel()

    assert rounds[:2] == [1, 0]
    assert (await db.scalars(select(SyncTombstone.entity_id))).all() == []
